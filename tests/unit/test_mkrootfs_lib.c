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

#include "blob.h"
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
	CHECK(oci_blob_path("sha512:" D64 D64, &p) == 0 && strcmp(p, "blobs/sha512/" D64 D64) == 0);
	free(p);
	CHECK(oci_blob_path("sha512:" D64, &p) == -EINVAL);
	CHECK(oci_blob_path("sha256:" D64 "0", &p) == -EINVAL);
	CHECK(oci_blob_path("sha384:" D64, &p) == -EINVAL);
	CHECK(oci_blob_path(D64, &p) == -EINVAL);
}

/* sha256("abc") and sha512("abc"), FIPS 180-2's examples. */
#define ABC256 "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define ABC512 "sha512:ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a" \
	"2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"

static void test_blob_hash(void)
{
	char dir[] = "/tmp/nskit-blob.XXXXXX", path[256], *buf = NULL;
	struct blob_hash h;
	size_t len;
	int dfd, fd;
	FILE *f;

	CHECK(blob_hash_init(&h, ABC256) == 0);
	blob_hash_update(&h, "ab", 2);
	blob_hash_update(&h, "c", 1);
	CHECK(blob_hash_check(&h) == 0);
	CHECK(blob_hash_init(&h, ABC512) == 0);
	blob_hash_update(&h, "abc", 3);
	CHECK(blob_hash_check(&h) == 0);
	CHECK(blob_hash_init(&h, ABC256) == 0);
	blob_hash_update(&h, "abd", 3);
	CHECK(blob_hash_check(&h) == -EBADMSG);
	CHECK(blob_hash_init(&h, "md5:900150983cd24fb0d6963f7d28e17f72") == -EINVAL);

	if (!mkdtemp(dir))
		return;
	snprintf(path, sizeof(path), "%s/abc", dir);
	f = fopen(path, "w");
	fputs("abc", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/link", dir);
	CHECK(symlink("abc", path) == 0);
	snprintf(path, sizeof(path), "%s/sub", dir);
	CHECK(mkdir(path, 0755) == 0);
	snprintf(path, sizeof(path), "%s/sublink", dir);
	CHECK(symlink("sub", path) == 0);
	snprintf(path, sizeof(path), "%s/sub/abc", dir);
	f = fopen(path, "w");
	fputs("abc", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/fifo", dir);
	CHECK(mkfifo(path, 0600) == 0);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	fd = blob_open(dfd, "abc");
	CHECK(fd >= 0 && blob_verify(fd, ABC256) == 0 && blob_verify(fd, ABC512) == 0);
	CHECK(fd >= 0 && blob_read(fd, ABC256, 3, &buf, &len) == 0 && len == 3 && strcmp(buf, "abc") == 0);
	free(buf);
	CHECK(fd >= 0 && lseek(fd, 0, SEEK_SET) == 0 && blob_read(fd, NULL, 2, &buf, &len) == -EFBIG);
	CHECK(fd >= 0 && lseek(fd, 0, SEEK_SET) == 0 && blob_read(fd, ABC512 "0", 9, &buf, &len) == -EINVAL);
	CHECK(fd >= 0 && lseek(fd, 1, SEEK_SET) == 1 && blob_read(fd, ABC256, 9, &buf, &len) == -EBADMSG);
	CHECK(fd >= 0 && blob_verify(fd, "sha256:" D64) == -EBADMSG);
	if (fd >= 0)
		close(fd);
	fd = blob_open(dfd, "sub//abc");
	CHECK(fd >= 0);
	if (fd >= 0)
		close(fd);
	CHECK(blob_open(dfd, "link") == -ELOOP);
	CHECK(blob_open(dfd, "sublink/abc") == -ELOOP);
	CHECK(blob_open(dfd, "fifo") == -EINVAL);
	CHECK(blob_open(dfd, "sub") == -EINVAL);
	CHECK(blob_open(dfd, "sub/../abc") == -EXDEV);
	CHECK(blob_open(dfd, "../abc") == -EXDEV);
	CHECK(blob_open(dfd, "/etc/passwd") == -EXDEV);
	CHECK(blob_open(dfd, "") == -EXDEV);
	CHECK(blob_open(dfd, "missing") == -ENOENT);
	close(dfd);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	CHECK(system(path) == 0);
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

static void test_configs_and_member_digests(void)
{
	const char *m = "{\"config\":{\"digest\":\"sha256:c\"},\"layers\":[]}";
	const char *dm = "[{\"Config\":\"" D64 ".json\",\"RepoTags\":[\"a:v1\"],\"Layers\":[]},"
			 "{\"Config\":\"../x.json\",\"RepoTags\":[\"b:v2\"],\"Layers\":[]},"
			 "{\"RepoTags\":[\"c:v3\"],\"Layers\":[]}]";
	char *d = NULL;

	CHECK(oci_manifest_config(m, strlen(m), &d) == 0 && strcmp(d, "sha256:c") == 0);
	free(d);
	CHECK(oci_manifest_config("{\"layers\":[]}", 13, &d) == -ENOENT);
	CHECK(oci_manifest_config("{\"config\":{}}", 13, &d) == -EINVAL);
	CHECK(oci_manifest_config("[]", 2, &d) == -EINVAL);
	CHECK(docker_manifest_config(dm, strlen(dm), "v1", &d) == 0 && strcmp(d, D64 ".json") == 0);
	free(d);
	CHECK(docker_manifest_config(dm, strlen(dm), "v2", &d) == -EINVAL);
	CHECK(docker_manifest_config(dm, strlen(dm), "v3", &d) == -ENOENT);
	CHECK(docker_manifest_config(dm, strlen(dm), NULL, &d) == -ENOTUNIQ);

	CHECK(docker_member_digest("blobs/sha256/" D64, false, &d) == 0 && strcmp(d, "sha256:" D64) == 0);
	free(d);
	CHECK(docker_member_digest(D64 ".json", true, &d) == 0 && strcmp(d, "sha256:" D64) == 0);
	free(d);
	CHECK(docker_member_digest(D64 ".json", false, &d) == -ENOENT);
	CHECK(docker_member_digest("abc/layer.tar", false, &d) == -ENOENT);
	CHECK(docker_member_digest("blobs/sha256/xyz", false, &d) == -EINVAL);
	CHECK(docker_member_digest("blobs/md5/" D64, false, &d) == -EINVAL);
	CHECK(docker_member_digest("blobs/sha256/" D64 "/x", false, &d) == -EINVAL);

	d = "{\"imageLayoutVersion\":\"1.0.0\"}";
	CHECK(oci_layout_check(d, strlen(d)) == 0);
	d = "{\"imageLayoutVersion\":\"2.0.0\"}";
	CHECK(oci_layout_check(d, strlen(d)) == -ENOTSUP);
	CHECK(oci_layout_check("{}", 2) == -EINVAL);
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
	test_blob_hash();
	test_index_pick();
	test_manifests();
	test_configs_and_member_digests();
	test_ldconf();
	test_elf_deps();
	return UNIT_REPORT();
}
