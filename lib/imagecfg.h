/* imagecfg.h - an image's run configuration (Env, WorkingDir, Entrypoint,
 * Cmd, User), kept by mkrootfs in DIR/.nskit/image.json and applied by
 * nsnew --rootfs DIR. The file holds the "config" object of the OCI image
 * configuration (docker save uses the same). Part of libnskit (no ABI
 * promise). All return 0 or -errno: -EINVAL malformed, -ENOENT absent. */
#pragma once

#include <stddef.h>

/* Where the configuration is kept, relative to the root filesystem. */
#define IMAGECFG_DIR "/.nskit"
#define IMAGECFG_PATH "/.nskit/image.json"

struct imagecfg {
	char **env;		/* "NAME=value", NULL-terminated, or NULL */
	char **entrypoint, **cmd;	/* argv pieces, NULL-terminated, or NULL */
	char *workdir, *user;	/* NULL when unset or empty */
};

/* From an image configuration blob, the text to keep: its "config" object
 * with only the keys nsnew applies ("{}" when it has none). */
int imagecfg_extract(const char *json, size_t len, char **out);

/* Parse a kept configuration (the text imagecfg_extract made). */
int imagecfg_parse(const char *json, size_t len, struct imagecfg *c);
void imagecfg_free(struct imagecfg *c);
