/* json.c - JSON in and out via json-c. */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

#include "json.h"

/* Whether LEN bytes are all JSON white space (no NUL needed after them). */
static bool only_space(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\n')
			return false;
	return true;
}

struct json_object *json_parse_whole(const char *buf, size_t len, const char **why)
{
	const char *unused;
	struct json_tokener *tok;
	struct json_object *o;
	enum json_tokener_error je;
	size_t end;

	if (!why)
		why = &unused;
	*why = "more than 2 GiB";
	if (len > INT_MAX)
		return NULL;
	*why = "out of memory";
	if (!(tok = json_tokener_new()))
		return NULL;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, buf, (int)len);
	je = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (!o || je != json_tokener_success)
		*why = je == json_tokener_continue ? "unexpected end of input" : json_tokener_error_desc(je);
	else if (!only_space(buf + end, len - end))
		*why = "trailing data after the JSON value";
	else
		return o;
	json_object_put(o);
	return NULL;
}

void json_print(struct json_object *o)
{
	const char *s = json_object_to_json_string_ext(o,
		JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);

	if (s)
		puts(s);
	json_object_put(o);
}
