/* jsonout.c - JSON output via json-c. */
#include <stdio.h>

#include "jsonout.h"

void json_print(struct json_object *o)
{
	const char *s = json_object_to_json_string_ext(o,
		JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);

	if (s)
		puts(s);
	json_object_put(o);
}
