/* jsonout.h - print a json-c document as the one JSON document a listing
 * command writes with -j/--json. */
#pragma once

#include <json-c/json.h>

/* Print O and a newline on stdout, then drop the reference. */
void json_print(struct json_object *o);
