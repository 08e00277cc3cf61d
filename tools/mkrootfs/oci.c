/* oci.c - OCI image layout and docker-save manifests (see oci.h). */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "oci.h"
#include "json.h"
#include "util.h"

static const char *get_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static struct json_object *get_array(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_array))
		return NULL;
	return v;
}

int oci_digest_parse(const char *digest, const char **hex)
{
	const char *colon = strchr(digest, ':');
	size_t want, alen = colon ? (size_t)(colon - digest) : 0;
	int alg;

	if (alen == 6 && !strncmp(digest, "sha256", 6))
		alg = OCI_SHA256, want = 64;
	else if (alen == 6 && !strncmp(digest, "sha512", 6))
		alg = OCI_SHA512, want = 128;
	else
		return -EINVAL;
	if (strlen(colon + 1) != want || strspn(colon + 1, "0123456789abcdef") != want)
		return -EINVAL;
	*hex = colon + 1;
	return alg;
}

int oci_blob_path(const char *digest, char **path)
{
	const char *hex;
	int alg = oci_digest_parse(digest, &hex);

	if (alg < 0)
		return alg;
	if (asprintf(path, "blobs/%s/%s", alg == OCI_SHA256 ? "sha256" : "sha512", hex) < 0)
		return -ENOMEM;
	return 0;
}

int oci_layout_check(const char *json, size_t len)
{
	struct json_object *root = json_parse_whole(json, len, NULL);
	const char *v = get_str(root, "imageLayoutVersion");
	int r = !v ? -EINVAL : strncmp(v, "1.", 2) ? -ENOTSUP : 0;

	json_object_put(root);
	return r;
}

static bool tag_matches(const char *name, const char *tag)
{
	size_t n, t;

	if (!name)
		return false;
	if (streq(name, tag))
		return true;
	n = strlen(name), t = strlen(tag);
	return n > t && name[n - t - 1] == ':' && streq(name + n - t, tag);
}

static bool is_index_type(const char *mt)
{
	return mt && (streq(mt, "application/vnd.oci.image.index.v1+json") ||
		      streq(mt, "application/vnd.docker.distribution.manifest.list.v2+json"));
}

static bool platform_matches(struct json_object *m, const char *os, const char *arch)
{
	struct json_object *p;

	if (!json_object_object_get_ex(m, "platform", &p))
		return false;
	return os && arch && get_str(p, "os") && streq(get_str(p, "os"), os) &&
	       get_str(p, "architecture") && streq(get_str(p, "architecture"), arch);
}

int oci_index_pick(const char *json, size_t len, const char *tag, const char *os,
		   const char *arch, char **digest, bool *is_index)
{
	struct json_object *root = json_parse_whole(json, len, NULL), *arr, *pick = NULL;
	size_t n, found = 0, onplat = 0;
	struct json_object *plat = NULL;
	int r = 0;

	arr = get_array(root, "manifests");
	if (!arr) {
		json_object_put(root);
		return -EINVAL;
	}
	n = json_object_array_length(arr);
	for (size_t i = 0; i < n; i++) {
		struct json_object *m = json_object_array_get_idx(arr, i), *ann = NULL;

		if (!get_str(m, "digest"))
			continue;
		if (tag) {
			json_object_object_get_ex(m, "annotations", &ann);
			if (!tag_matches(get_str(ann, "org.opencontainers.image.ref.name"), tag))
				continue;
		}
		found++;
		pick = m;
		if (platform_matches(m, os, arch)) {
			onplat++;
			plat = m;
		}
	}
	if (found > 1 && onplat == 1)
		pick = plat, found = 1;
	if (found == 0)
		r = -ENOENT;
	else if (found > 1)
		r = -ENOTUNIQ;
	else if (!(*digest = strdup(get_str(pick, "digest"))))
		r = -ENOMEM;
	else
		*is_index = is_index_type(get_str(pick, "mediaType"));
	json_object_put(root);
	return r;
}

static int strv_from(struct json_object *arr, const char *key, char ***out, size_t *n)
{
	size_t len = json_object_array_length(arr);
	char **v = calloc(len + 1, sizeof(char *));

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < len; i++) {
		struct json_object *o = json_object_array_get_idx(arr, i);
		const char *s = key ? get_str(o, key)
				    : json_object_is_type(o, json_type_string) ? json_object_get_string(o) : NULL;

		if (!s || !(v[i] = strdup(s))) {
			oci_strv_free(v);
			return s ? -ENOMEM : -EINVAL;
		}
	}
	*out = v;
	*n = len;
	return 0;
}

int oci_manifest_layers(const char *json, size_t len, char ***digests, size_t *n)
{
	struct json_object *root = json_parse_whole(json, len, NULL), *arr = get_array(root, "layers");
	int r = arr ? strv_from(arr, "digest", digests, n) : -EINVAL;

	json_object_put(root);
	return r;
}

int oci_manifest_config(const char *json, size_t len, char **digest)
{
	struct json_object *root = json_parse_whole(json, len, NULL), *cfg = NULL;
	const char *d;
	int r = 0;

	if (!json_object_is_type(root, json_type_object))
		r = -EINVAL;
	else if (!json_object_object_get_ex(root, "config", &cfg))
		r = -ENOENT;
	else if (!(d = get_str(cfg, "digest")))
		r = -EINVAL;
	else if (!(*digest = strdup(d)))
		r = -ENOMEM;
	json_object_put(root);
	return r;
}

static bool safe_member_name(const char *s)
{
	if (!*s || *s == '/')
		return false;
	for (const char *p = s; *p; p += strcspn(p, "/"), p += *p == '/')
		if (!strncmp(p, "..", 2) && (p[2] == '/' || !p[2]))
			return false;
	return true;
}

/* The image of a docker manifest.json whose RepoTags hold TAG (any with
 * TAG NULL), when exactly one does; borrowed from ROOT. */
static int docker_pick(struct json_object *root, const char *tag, struct json_object **pick)
{
	size_t found = 0;

	if (!json_object_is_type(root, json_type_array))
		return -EINVAL;
	for (size_t i = 0; i < json_object_array_length(root); i++) {
		struct json_object *img = json_object_array_get_idx(root, i);
		struct json_object *tags = get_array(img, "RepoTags");
		bool hit = !tag;

		for (size_t k = 0; tag && tags && k < json_object_array_length(tags); k++) {
			struct json_object *t = json_object_array_get_idx(tags, k);

			if (json_object_is_type(t, json_type_string) &&
			    tag_matches(json_object_get_string(t), tag))
				hit = true;
		}
		if (hit)
			found++, *pick = img;
	}
	return found == 1 ? 0 : found ? -ENOTUNIQ : -ENOENT;
}

int docker_manifest_layers(const char *json, size_t len, const char *tag,
			   char ***paths, size_t *n)
{
	struct json_object *root = json_parse_whole(json, len, NULL), *pick = NULL;
	int r = docker_pick(root, tag, &pick);

	if (r == 0)
		r = get_array(pick, "Layers") ? strv_from(get_array(pick, "Layers"), NULL, paths, n) : -EINVAL;
	for (size_t i = 0; r == 0 && i < *n; i++)
		if (!safe_member_name((*paths)[i])) {
			oci_strv_free(*paths);
			r = -EINVAL;
		}
	json_object_put(root);
	return r;
}

int docker_manifest_config(const char *json, size_t len, const char *tag, char **path)
{
	struct json_object *root = json_parse_whole(json, len, NULL), *pick = NULL, *v;
	int r = docker_pick(root, tag, &pick);

	if (r == 0 && !json_object_object_get_ex(pick, "Config", &v))
		r = -ENOENT;
	else if (r == 0 && (!json_object_is_type(v, json_type_string) ||
			    !safe_member_name(json_object_get_string(v))))
		r = -EINVAL;
	else if (r == 0 && !(*path = strdup(json_object_get_string(v))))
		r = -ENOMEM;
	json_object_put(root);
	return r;
}

int docker_member_digest(const char *path, bool config, char **digest)
{
	const char *hex;
	char *d = NULL;

	if (!strncmp(path, "blobs/", 6)) {
		const char *slash = strchr(path + 6, '/');

		if (!slash)
			return -ENOENT;
		if (asprintf(&d, "%.*s:%s", (int)(slash - path - 6), path + 6, slash + 1) < 0)
			return -ENOMEM;
	} else if (config && strlen(path) == 64 + 5 && streq(path + 64, ".json") &&
		   strspn(path, "0123456789abcdef") == 64) {
		if (asprintf(&d, "sha256:%.64s", path) < 0)
			return -ENOMEM;
	} else {
		return -ENOENT;
	}
	/* blobs/ALG/HEX states a digest: one not of the accepted shape is an
	 * error, not a name without a claim. */
	if (oci_digest_parse(d, &hex) > 0) {
		*digest = d;
		return 0;
	}
	free(d);
	return -EINVAL;
}

void oci_strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

const char *oci_host_arch(void)
{
	static const struct { const char *uname, *oci; } map[] = {
		{ "x86_64", "amd64" }, { "aarch64", "arm64" }, { "i686", "386" },
		{ "i386", "386" }, { "armv7l", "arm" }, { "ppc64le", "ppc64le" },
		{ "s390x", "s390x" }, { "riscv64", "riscv64" },
	};
	static struct utsname u;

	if (uname(&u) < 0)
		return "amd64";
	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		if (streq(u.machine, map[i].uname))
			return map[i].oci;
	return u.machine;
}
