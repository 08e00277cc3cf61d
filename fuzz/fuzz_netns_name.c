/* fuzz_netns_name - netns_name_check and netns_path (lib/netnsdir.h): a
 * name is accepted exactly when iproute2's rules allow it (not empty, not
 * "." or "..", no '/', at most NAME_MAX bytes), and an accepted name always
 * makes a path of one component directly under the netns directory. */
#include <errno.h>
#include <limits.h>

#include "fuzz.h"
#include "netnsdir.h"

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
