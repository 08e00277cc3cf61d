/* fuzz_oci - OCI index/manifest JSON and docker-save manifest.json
 * (tools/mkrootfs/oci.h): the input is the document. Whatever it holds, a digest that
 * is picked or listed becomes a blob path "blobs/ALG/HEX" with no ".." and
 * nothing else, and docker layer paths are relative and free of "..". */
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

	if (oci_blob_path(d, &path) < 0)
		return;
	FUZZ_ASSERT(!strncmp(path, "blobs/sha256/", 13) || !strncmp(path, "blobs/sha512/", 13));
	FUZZ_ASSERT(!has_dotdot(path) && !strchr(path + 13, '/'));
	free(path);
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
	if (oci_manifest_layers(json, len, &v, &n) == 0) {
		for (size_t i = 0; i < n; i++)
			check_digest(v[i]);
		FUZZ_ASSERT(v[n] == NULL);
		oci_strv_free(v);
	}
	v = NULL;
	if (docker_manifest_layers(json, len, NULL, &v, &n) == 0) {
		for (size_t i = 0; i < n; i++) {
			FUZZ_ASSERT(v[i][0] != '/');
			FUZZ_ASSERT(!has_dotdot(v[i]));
		}
		oci_strv_free(v);
	}
	free(json);
	return 0;
}
