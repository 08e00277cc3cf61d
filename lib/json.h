/* json.h - JSON in and out via json-c: a document read whole and strictly
 * (config, manifests, CNI input), and the one document a listing command
 * writes with -j/--json. Part of libnskit, which makes no ABI promise. */
#pragma once

#include <stddef.h>
#include <json-c/json.h>

/* Parse exactly one JSON value from LEN bytes (strict JSON, white space
 * allowed after it, nothing else). NULL on failure, with *WHY (when WHY
 * is not NULL) saying why in words. */
struct json_object *json_parse_whole(const char *buf, size_t len, const char **why);

/* Print O and a newline on stdout, then drop the reference. */
void json_print(struct json_object *o);
