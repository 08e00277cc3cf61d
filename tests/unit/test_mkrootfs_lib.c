/* test_mkrootfs_lib.c - unit tests for the parsers behind mkrootfs:
 * entry names (lib/extract.h), OCI and docker-save JSON (lib/oci.h),
 * ld.so.conf and ELF dependencies (lib/elfdeps.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elfdeps.h"
#include "extract.h"
#include "oci.h"
#include "unit.h"

static int clean(const char *in, const char *want)
{
	char out[PATH_MAX];
	const char *why;
	int r = extract_clean_name(in, out, &why);

	return r == 0 && strcmp(out, want) == 0;
}

static void test_clean_name(void)
{
	char out[PATH_MAX], *long_name;
	const char *why;

	CHECK(clean("a/b", "a/b"));
	CHECK(clean("./a//b/", "a/b"));
	CHECK(clean("./", ""));
	CHECK(clean(".", ""));
	CHECK(clean("a/./b/.", "a/b"));
	CHECK(clean("..a/b..", "..a/b.."));
	CHECK(extract_clean_name("/etc/passwd", out, &why) == -EINVAL && why);
	CHECK(extract_clean_name("..", out, &why) == -EINVAL);
	CHECK(extract_clean_name("a/../b", out, &why) == -EINVAL);
	CHECK(extract_clean_name("a/..", out, &why) == -EINVAL);
	long_name = malloc(PATH_MAX + 10);
	memset(long_name, 'x', 300);
	long_name[300] = '\0';
	CHECK(extract_clean_name(long_name, out, &why) == -ENAMETOOLONG);
	for (int i = 0; i < PATH_MAX + 8; i++)
		long_name[i] = i % 100 == 99 ? '/' : 'y';
	long_name[PATH_MAX + 8] = '\0';
	CHECK(extract_clean_name(long_name, out, &why) == -ENAMETOOLONG);
	free(long_name);
}

#define D64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void test_blob_path(void)
{
	char *p = NULL;

	CHECK(oci_blob_path("sha256:" D64, &p) == 0 && strcmp(p, "blobs/sha256/" D64) == 0);
	free(p);
	CHECK(oci_blob_path("sha256:../../etc/passwd", &p) == -EINVAL);
	CHECK(oci_blob_path("sha256:" D64 "/x", &p) == -EINVAL);
	CHECK(oci_blob_path("md5:abc", &p) == -EINVAL);
	CHECK(oci_blob_path("sha256:ABCDEF", &p) == -EINVAL);
	CHECK(oci_blob_path("", &p) == -EINVAL);
}

static void test_index_pick(void)
{
	const char *idx = "{\"manifests\":["
		"{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:1\","
		"\"annotations\":{\"org.opencontainers.image.ref.name\":\"v1\"}},"
		"{\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"digest\":\"sha256:2\","
		"\"annotations\":{\"org.opencontainers.image.ref.name\":\"docker.io/library/x:latest\"}}]}";
	const char *plat = "{\"manifests\":["
		"{\"digest\":\"sha256:a\",\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\"}},"
		"{\"digest\":\"sha256:b\",\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}}]}";
	char *d = NULL;
	bool ix = true;

	CHECK(oci_index_pick(idx, strlen(idx), "v1", "linux", "amd64", &d, &ix) == 0 &&
	      strcmp(d, "sha256:1") == 0 && !ix);
	free(d);
	CHECK(oci_index_pick(idx, strlen(idx), "latest", "linux", "amd64", &d, &ix) == 0 &&
	      strcmp(d, "sha256:2") == 0 && ix);
	free(d);
	CHECK(oci_index_pick(idx, strlen(idx), "nope", "linux", "amd64", &d, &ix) == -ENOENT);
	CHECK(oci_index_pick(idx, strlen(idx), NULL, "linux", "amd64", &d, &ix) == -ENOTUNIQ);
	CHECK(oci_index_pick(plat, strlen(plat), NULL, "linux", "amd64", &d, &ix) == 0 &&
	      strcmp(d, "sha256:b") == 0);
	free(d);
	CHECK(oci_index_pick("{", 1, NULL, "linux", "amd64", &d, &ix) == -EINVAL);
	CHECK(oci_index_pick("{}", 2, NULL, "linux", "amd64", &d, &ix) == -EINVAL);
	CHECK(oci_index_pick("[]", 2, NULL, "linux", "amd64", &d, &ix) == -EINVAL);
	CHECK(oci_index_pick("{\"manifests\":[]} x", 18, NULL, "linux", "amd64", &d, &ix) == -EINVAL);
}

static void test_manifests(void)
{
	const char *m = "{\"layers\":[{\"digest\":\"sha256:1\"},{\"digest\":\"sha256:2\"}]}";
	const char *dm = "[{\"RepoTags\":[\"a/b:v1\"],\"Layers\":[\"x/layer.tar\",\"y/layer.tar\"]},"
			 "{\"RepoTags\":[\"c:v2\"],\"Layers\":[\"../evil\"]}]";
	char **v;
	size_t n;

	CHECK(oci_manifest_layers(m, strlen(m), &v, &n) == 0 && n == 2 &&
	      strcmp(v[1], "sha256:2") == 0 && v[2] == NULL);
	oci_strv_free(v);
	CHECK(oci_manifest_layers("{\"layers\":[1]}", 14, &v, &n) == -EINVAL);
	CHECK(oci_manifest_layers("{}", 2, &v, &n) == -EINVAL);
	CHECK(docker_manifest_layers(dm, strlen(dm), "v1", &v, &n) == 0 && n == 2 &&
	      strcmp(v[0], "x/layer.tar") == 0);
	oci_strv_free(v);
	CHECK(docker_manifest_layers(dm, strlen(dm), "v2", &v, &n) == -EINVAL);
	CHECK(docker_manifest_layers(dm, strlen(dm), NULL, &v, &n) == -ENOTUNIQ);
	CHECK(docker_manifest_layers(dm, strlen(dm), "v3", &v, &n) == -ENOENT);
	CHECK(docker_manifest_layers("{}", 2, NULL, &v, &n) == -EINVAL);
}

static void test_ldconf(void)
{
	char dir[] = "/tmp/nskit-ldconf.XXXXXX", path[256];
	char **v;
	size_t n;
	FILE *f;

	if (!mkdtemp(dir))
		return;
	snprintf(path, sizeof(path), "%s/ld.so.conf.d", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/ld.so.conf.d/a.conf", dir);
	f = fopen(path, "w");
	fputs("# comment\n/opt/a/lib\n/opt/b:/opt/c, /opt/a/lib\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/ld.so.conf", dir);
	f = fopen(path, "w");
	fputs("include ld.so.conf.d/*.conf\n/usr/local/lib # local\nhwcap 0 x\nrelative/dir\n", f);
	fclose(f);
	CHECK(ldconf_dirs(path, &v, &n) == 0 && n == 4);
	if (n == 4) {
		CHECK(strcmp(v[0], "/opt/a/lib") == 0);
		CHECK(strcmp(v[2], "/opt/c") == 0);
		CHECK(strcmp(v[3], "/usr/local/lib") == 0);
	}
	oci_strv_free(v);
	CHECK(ldconf_dirs("/nonexistent/ld.so.conf", &v, &n) == 0 && n == 0);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	CHECK(system(path) == 0);
}

static void test_elf_deps(void)
{
	struct elf_deps d;
	int fd = open("/bin/sh", O_RDONLY | O_CLOEXEC);

	CHECK(fd >= 0 && elf_deps_read(fd, &d) == 0);
	CHECK(d.interp != NULL && d.nneeded >= 1);
	elf_deps_free(&d);
	close(fd);
	fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0 && elf_deps_read(fd, &d) == -ENOEXEC);
	close(fd);
}

int main(void)
{
	test_clean_name();
	test_blob_path();
	test_index_pick();
	test_manifests();
	test_ldconf();
	test_elf_deps();
	return UNIT_REPORT();
}
