/* fuzz_netns_name - netns_name_check, netns_name_check_new,
 * netns_name_escape and netns_path (lib/netnsdir.h): a name is accepted
 * exactly when iproute2's rules allow it (not empty, not "." or "..", no
 * '/', at most NAME_MAX bytes), and an accepted name always makes a path of
 * one component directly under the netns directory. A name accepted for
 * making has no ASCII control character or space; an escaped name has
 * none either, and reading its escapes back gives the name. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>

#include "fuzz.h"
#include "netnsdir.h"

/* Whether S holds an ASCII control character or a space. */
static bool has_ascii_unsafe(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			return true;
	return false;
}

/* The escapes undone: \ooo and the C letters, as a shell's $'...' reads. */
static char *unescape(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;

	FUZZ_ASSERT(out);
	while (*s) {
		if (*s != '\\') {
			*o++ = *s++;
			continue;
		}
		s++;
		if (*s >= '0' && *s <= '7') {
			FUZZ_ASSERT(s[1] >= '0' && s[1] <= '7' && s[2] >= '0' && s[2] <= '7');
			*o++ = (char)((s[0] - '0') * 64 + (s[1] - '0') * 8 + (s[2] - '0'));
			s += 3;
			continue;
		}
		const char *k = strchr("a\ab\bt\tn\nv\vf\fr\r\\\\", *s);

		FUZZ_ASSERT(*s && k);
		*o++ = k[1];
		s++;
	}
	*o = '\0';
	return out;
}

static void check_new_and_escape(const char *name, int r)
{
	int rn = netns_name_check_new(name);
	char *esc = netns_name_escape(name), *back;

	FUZZ_ASSERT(r < 0 ? rn == r : (rn == 0 || rn == -EILSEQ));
	if (rn == 0)
		FUZZ_ASSERT(!has_ascii_unsafe(name));
	FUZZ_ASSERT(esc && !has_ascii_unsafe(esc));
	back = unescape(esc);
	FUZZ_ASSERT(strcmp(back, name) == 0);
	/* A name fit to be made is listed as it is, unless it has a '\'. */
	if (rn == 0 && !strchr(name, '\\'))
		FUZZ_ASSERT(strcmp(esc, name) == 0);
	free(back);
	free(esc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *name = fuzz_str(data, size);
	size_t len = strlen(name);
	int want = 0, r = netns_name_check(name);

	if (!len || !strcmp(name, ".") || !strcmp(name, "..") || memchr(name, '/', len))
		want = -EINVAL;
	else if (len > NAME_MAX)
		want = -ENAMETOOLONG;
	FUZZ_ASSERT(r == want);

	check_new_and_escape(name, r);
	if (r == 0) {
		const char *dir = netns_dir();
		char *path = netns_path(name);

		FUZZ_ASSERT(path);
		FUZZ_ASSERT(strncmp(path, dir, strlen(dir)) == 0);
		FUZZ_ASSERT(path[strlen(dir)] == '/');
		FUZZ_ASSERT(strcmp(path + strlen(dir) + 1, name) == 0);
		FUZZ_ASSERT(!strchr(path + strlen(dir) + 1, '/'));
		free(path);
	}
	free(name);
	return 0;
}
