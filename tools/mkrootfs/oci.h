/* oci.h - the JSON of OCI image layouts (index.json, image indexes,
 * manifests) and of `docker save` archives (manifest.json), over json-c.
 * Parsers take the document's text, so fuzz targets can call them.
 * Part of mkrootfs's own library (no ABI promise). All return 0 or -errno:
 * -EINVAL malformed, -ENOENT nothing matches, -ENOTUNIQ several match. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

enum oci_digest_alg { OCI_SHA256 = 1, OCI_SHA512 };

/* A digest "ALGORITHM:HEX" checked: sha256 with 64 or sha512 with 128
 * lowercase hex digits, nothing else (the OCI image spec's registered
 * algorithms). Returns the algorithm with *HEX pointing into DIGEST, or
 * -EINVAL. */
int oci_digest_parse(const char *digest, const char **hex);

/* A digest checked as above and turned into its blob path "blobs/ALG/HEX",
 * which therefore never holds "/" beyond those two or "..". */
int oci_blob_path(const char *digest, char **path);

/* The imageLayoutVersion of an oci-layout file: 0 when it is 1.x,
 * -EINVAL when the document is malformed, -ENOTSUP for another major. */
int oci_layout_check(const char *json, size_t len);

/* From an index (index.json or a nested image index): the manifest tagged
 * TAG (its org.opencontainers.image.ref.name is TAG or ends in ":TAG"), or
 * with TAG NULL the only one; where several remain, the one for OS/ARCH.
 * *DIGEST is malloc'd; *IS_INDEX tells whether it is itself an index. */
int oci_index_pick(const char *json, size_t len, const char *tag, const char *os,
		   const char *arch, char **digest, bool *is_index);

/* The layer digests of an image manifest, lowest first (NULL-terminated). */
int oci_manifest_layers(const char *json, size_t len, char ***digests, size_t *n);

/* The config digest of an image manifest (malloc'd): -ENOENT when the
 * manifest has no config descriptor. */
int oci_manifest_config(const char *json, size_t len, char **digest);

/* The layer files of a `docker save` manifest.json, lowest first: of the
 * image whose RepoTags hold TAG (or end in ":TAG"), or with TAG NULL the
 * only image. Names are checked to be relative and free of "..". */
int docker_manifest_layers(const char *json, size_t len, const char *tag,
			   char ***paths, size_t *n);

/* The config file of that image (malloc'd, checked the same way), or
 * -ENOENT when it names none. */
int docker_manifest_config(const char *json, size_t len, const char *tag, char **path);

/* The digest a `docker save` member name states, if any (malloc'd
 * "sha256:HEX"): "blobs/ALG/HEX" (docker 25 and later, OCI-shaped) and,
 * for a config, "HEX.json" (older archives name the config by its sha256,
 * the image id). -ENOENT when the name states no digest, -EINVAL when
 * it is under blobs/ but not ALG/HEX of a digest oci_digest_parse takes. */
int docker_member_digest(const char *path, bool config, char **digest);

void oci_strv_free(char **v);

/* The OCI architecture name of this machine ("amd64", "arm64", ...). */
const char *oci_host_arch(void);
