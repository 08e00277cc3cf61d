/* fuzz_ns_type - ns_type_by_name / ns_type_by_flag (lib/ns.h): a name maps
 * to a type only when it is one of the table's names or a known alias
 * ("mount", "network"), and the mapping round-trips through the flag. */
#include "fuzz.h"
#include "ns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *name = fuzz_str(data, size);
	const struct ns_type *t = ns_type_by_name(name);
	bool known = !strcmp(name, "mount") || !strcmp(name, "network");
	int flag = 0;

	for (const struct ns_type *k = ns_types; k->name; k++)
		if (!strcmp(k->name, name))
			known = true;
	FUZZ_ASSERT(!!t == known);
	if (t) {
		FUZZ_ASSERT(ns_type_by_flag(t->flag) == t);
		FUZZ_ASSERT(t->flag && t->opt);
	}
	/* Any int as a flag: only the table's own flags map to a type. */
	if (size >= sizeof(flag)) {
		memcpy(&flag, data, sizeof(flag));
		t = ns_type_by_flag(flag);
		if (t)
			FUZZ_ASSERT(t->flag == flag && t->name);
	}
	free(name);
	return 0;
}
