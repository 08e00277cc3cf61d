/* oci.c - OCI image layout and docker-save manifests (see oci.h). */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "oci.h"
#include "util.h"

static struct json_object *parse(const char *buf, size_t len)
{
	struct json_tokener *t;
	struct json_object *o;

	if (len > INT32_MAX || !(t = json_tokener_new()))
		return NULL;
	o = json_tokener_parse_ex(t, buf, (int)len);
	if (json_tokener_get_error(t) != json_tokener_success ||
	    json_tokener_get_parse_end(t) != len) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(t);
	return o;
}

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

int oci_blob_path(const char *digest, char **path)
{
	const char *colon = strchr(digest, ':');
	size_t want, alen = colon ? (size_t)(colon - digest) : 0;

	if (alen == 6 && !strncmp(digest, "sha256", 6))
		want = 64;
	else if (alen == 6 && !strncmp(digest, "sha512", 6))
		want = 128;
	else
		return -EINVAL;
	if (strlen(colon + 1) != want || strspn(colon + 1, "0123456789abcdef") != want)
		return -EINVAL;
	if (asprintf(path, "blobs/%.*s/%s", (int)alen, digest, colon + 1) < 0)
		return -ENOMEM;
	return 0;
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
	struct json_object *root = parse(json, len), *arr, *pick = NULL;
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
	struct json_object *root = parse(json, len), *arr = get_array(root, "layers");
	int r = arr ? strv_from(arr, "digest", digests, n) : -EINVAL;

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

int docker_manifest_layers(const char *json, size_t len, const char *tag,
			   char ***paths, size_t *n)
{
	struct json_object *root = parse(json, len), *pick = NULL;
	size_t found = 0;
	int r;

	if (!json_object_is_type(root, json_type_array)) {
		json_object_put(root);
		return -EINVAL;
	}
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
			found++, pick = img;
	}
	if (found != 1) {
		json_object_put(root);
		return found ? -ENOTUNIQ : -ENOENT;
	}
	r = get_array(pick, "Layers") ? strv_from(get_array(pick, "Layers"), NULL, paths, n) : -EINVAL;
	for (size_t i = 0; r == 0 && i < *n; i++)
		if (!safe_member_name((*paths)[i])) {
			oci_strv_free(*paths);
			r = -EINVAL;
		}
	json_object_put(root);
	return r;
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
