/* oci.h - the JSON of OCI image layouts (index.json, image indexes,
 * manifests) and of `docker save` archives (manifest.json), over json-c.
 * Parsers take the document's text, so fuzz targets can call them.
 * Part of mkrootfs's own library (no ABI promise). All return 0 or -errno:
 * -EINVAL malformed, -ENOENT nothing matches, -ENOTUNIQ several match. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* A digest "ALGORITHM:HEX" checked (sha256 or sha512, lowercase hex of
 * the right length) and turned into its blob path "blobs/ALG/HEX", which
 * therefore never holds "/" beyond those two or "..". */
int oci_blob_path(const char *digest, char **path);

/* From an index (index.json or a nested image index): the manifest tagged
 * TAG (its org.opencontainers.image.ref.name is TAG or ends in ":TAG"), or
 * with TAG NULL the only one; where several remain, the one for OS/ARCH.
 * *DIGEST is malloc'd; *IS_INDEX tells whether it is itself an index. */
int oci_index_pick(const char *json, size_t len, const char *tag, const char *os,
		   const char *arch, char **digest, bool *is_index);

/* The layer digests of an image manifest, lowest first (NULL-terminated). */
int oci_manifest_layers(const char *json, size_t len, char ***digests, size_t *n);

/* The layer files of a `docker save` manifest.json, lowest first: of the
 * image whose RepoTags hold TAG (or end in ":TAG"), or with TAG NULL the
 * only image. Names are checked to be relative and free of "..". */
int docker_manifest_layers(const char *json, size_t len, const char *tag,
			   char ***paths, size_t *n);

void oci_strv_free(char **v);

/* The OCI architecture name of this machine ("amd64", "arm64", ...). */
const char *oci_host_arch(void);
