/* fuzz_oci - OCI index/manifest JSON and docker-save manifest.json
 * (tools/mkrootfs/oci.h): the input is the document. Whatever it holds, a digest that
 * is picked or listed becomes a blob path "blobs/ALG/HEX" with no ".." and
 * nothing else (and only for sha256 with 64 or sha512 with 128 lowercase
 * hex digits), docker layer and config paths are relative and free of
 * "..", and a digest a docker member name states is one of that shape. */
#include <errno.h>

#include "fuzz.h"
#include "oci.h"

static bool has_dotdot(const char *p)
{
	for (const char *c = p; (c = strstr(c, "..")); c++)
		if ((c == p || c[-1] == '/') && (c[2] == '/' || c[2] == '\0'))
			return true;
	return false;
}

static void check_digest(const char *d)
{
	char *path = NULL;
	const char *hex = NULL;
	int alg = oci_digest_parse(d, &hex);

	if (oci_blob_path(d, &path) < 0) {
		FUZZ_ASSERT(alg < 0);
		return;
	}
	FUZZ_ASSERT(alg == OCI_SHA256 || alg == OCI_SHA512);
	FUZZ_ASSERT(strlen(hex) == (alg == OCI_SHA256 ? 64 : 128));
	FUZZ_ASSERT(strspn(hex, "0123456789abcdef") == strlen(hex));
	FUZZ_ASSERT(!strncmp(path, alg == OCI_SHA256 ? "blobs/sha256/" : "blobs/sha512/", 13));
	FUZZ_ASSERT(!has_dotdot(path) && !strchr(path + 13, '/') && !strcmp(path + 13, hex));
	free(path);
}

static void check_member(const char *name)
{
	char *d = NULL;

	FUZZ_ASSERT(name[0] != '/' && !has_dotdot(name));
	for (int config = 0; config < 2; config++)
		if (docker_member_digest(name, config, &d) == 0) {
			check_digest(d);
			free(d);
		}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *json = fuzz_str(data, size);
	size_t len = strlen(json), n = 0;
	char *digest = NULL, **v = NULL;
	bool is_index = false;

	check_digest(json);
	if (oci_index_pick(json, len, NULL, "linux", "amd64", &digest, &is_index) == 0) {
		FUZZ_ASSERT(digest);
		check_digest(digest);
		free(digest);
	}
	digest = NULL;
	if (oci_index_pick(json, len, "latest", "linux", "amd64", &digest, &is_index) == 0) {
		FUZZ_ASSERT(digest);
		free(digest);
	}
	if (oci_manifest_config(json, len, &digest) == 0) {
		check_digest(digest);
		free(digest);
	}
	digest = NULL;
	if (docker_manifest_config(json, len, NULL, &digest) == 0) {
		check_member(digest);
		free(digest);
	}
	digest = NULL;
	if (oci_layout_check(json, len) == 0)
		FUZZ_ASSERT(strstr(json, "imageLayoutVersion"));
	for (int config = 0; config < 2; config++)
		if (docker_member_digest(json, config, &digest) == 0) {
			FUZZ_ASSERT(oci_digest_parse(digest, &(const char *){ NULL }) > 0);
			free(digest);
		}
	digest = NULL;
	if (oci_manifest_layers(json, len, &v, &n) == 0) {
		for (size_t i = 0; i < n; i++)
			check_digest(v[i]);
		FUZZ_ASSERT(v[n] == NULL);
		oci_strv_free(v);
	}
	v = NULL;
	if (docker_manifest_layers(json, len, NULL, &v, &n) == 0) {
		for (size_t i = 0; i < n; i++)
			check_member(v[i]);
		oci_strv_free(v);
	}
	free(json);
	return 0;
}
