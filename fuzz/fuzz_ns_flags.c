/* fuzz_ns_flags - ns_flags_parse (lib/ns.h), the "net,uts,ipc" / "all"
 * lists: accepted exactly when every comma-separated word is a namespace
 * type name or "all" and at least one is there; the flags are then the
 * union of those words' CLONE_* flags and nothing else. */
#include <errno.h>

#include "fuzz.h"
#include "ns.h"

static int all_flags(void)
{
	int f = 0;

	for (const struct ns_type *t = ns_types; t->name; t++)
		f |= t->flag;
	return f;
}

/* The contract, read independently: -EINVAL or the flags. */
static int oracle(const char *list, int *flags)
{
	char *copy, *p, *w;
	int f = 0;

	if (!*list || strlen(list) >= 256)
		return -EINVAL;
	p = copy = strdup(list);
	if (!copy)
		abort();
	while ((w = strsep(&p, ","))) {
		const struct ns_type *t;

		if (!*w)
			continue;
		if (!strcmp(w, "all")) {
			f |= all_flags();
			continue;
		}
		t = ns_type_by_name(w);
		if (!t) {
			free(copy);
			return -EINVAL;
		}
		f |= t->flag;
	}
	free(copy);
	if (!f)
		return -EINVAL;
	*flags = f;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *list = fuzz_str(data, size);
	int flags = -1, want = -1;
	int r = ns_flags_parse(list, &flags);

	FUZZ_ASSERT(r == oracle(list, &want));
	if (r == 0) {
		FUZZ_ASSERT(flags == want);
		FUZZ_ASSERT((flags & ~all_flags()) == 0);
	} else {
		FUZZ_ASSERT(flags == -1);	/* untouched on failure */
	}
	free(list);
	return 0;
}
