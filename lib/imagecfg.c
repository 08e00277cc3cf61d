/* imagecfg.c - an image's run configuration (see imagecfg.h). */
#include <errno.h>
#include <json-c/json.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "imagecfg.h"
#include "json.h"
#include "util.h"

static struct json_object *member(struct json_object *o, const char *key, json_type type)
{
	struct json_object *v;

	if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, type))
		return NULL;
	return v;
}

static int dup_str(struct json_object *o, const char *key, char **out)
{
	struct json_object *v = member(o, key, json_type_string);

	*out = NULL;
	if (!v || !*json_object_get_string(v))
		return 0;
	*out = strdup(json_object_get_string(v));
	return *out ? 0 : -ENOMEM;
}

static void strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* An array of strings (null, absent or empty: NULL). */
static int dup_strv(struct json_object *o, const char *key, char ***out)
{
	struct json_object *arr = member(o, key, json_type_array);
	size_t n = arr ? json_object_array_length(arr) : 0;
	char **v;

	*out = NULL;
	if (!n)
		return 0;
	if (!(v = calloc(n + 1, sizeof(char *))))
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct json_object *s = json_object_array_get_idx(arr, i);

		if (!json_object_is_type(s, json_type_string) || !(v[i] = strdup(json_object_get_string(s)))) {
			strv_free(v);
			return json_object_is_type(s, json_type_string) ? -ENOMEM : -EINVAL;
		}
	}
	*out = v;
	return 0;
}

int imagecfg_extract(const char *json, size_t len, char **out)
{
	static const char *const keys[] = { "Env", "WorkingDir", "Entrypoint", "Cmd", "User" };
	struct json_object *root = json_parse_whole(json, len, NULL), *cfg, *keep;
	const char *s;
	int r = 0;

	if (!json_object_is_type(root, json_type_object)) {
		json_object_put(root);
		return -EINVAL;
	}
	if (!(keep = json_object_new_object())) {
		json_object_put(root);
		return -ENOMEM;
	}
	cfg = member(root, "config", json_type_object);
	for (size_t i = 0; cfg && i < ARRAY_SIZE(keys); i++) {
		struct json_object *v;

		if (json_object_object_get_ex(cfg, keys[i], &v) && v &&
		    json_object_object_add(keep, keys[i], json_object_get(v)) < 0)
			r = -ENOMEM;
	}
	s = json_object_to_json_string_ext(keep, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (r == 0 && (!s || !(*out = strdup(s))))
		r = -ENOMEM;
	json_object_put(keep);
	json_object_put(root);
	return r;
}

int imagecfg_parse(const char *json, size_t len, struct imagecfg *c)
{
	struct json_object *root = json_parse_whole(json, len, NULL);
	int r;

	memset(c, 0, sizeof(*c));
	if (!json_object_is_type(root, json_type_object)) {
		json_object_put(root);
		return -EINVAL;
	}
	if ((r = dup_strv(root, "Env", &c->env)) < 0 || (r = dup_strv(root, "Entrypoint", &c->entrypoint)) < 0 ||
	    (r = dup_strv(root, "Cmd", &c->cmd)) < 0 || (r = dup_str(root, "WorkingDir", &c->workdir)) < 0 ||
	    (r = dup_str(root, "User", &c->user)) < 0)
		imagecfg_free(c);
	for (size_t i = 0; r == 0 && c->env && c->env[i]; i++)
		if (!strchr(c->env[i], '=') || c->env[i][0] == '=') {
			imagecfg_free(c);
			r = -EINVAL;
		}
	json_object_put(root);
	return r;
}

void imagecfg_free(struct imagecfg *c)
{
	strv_free(c->env);
	strv_free(c->entrypoint);
	strv_free(c->cmd);
	free(c->workdir);
	free(c->user);
	memset(c, 0, sizeof(*c));
}
