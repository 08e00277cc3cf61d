/* fuzz_subuid - /etc/subuid and /etc/subgid lines (lib/idmap.h): the input
 * is the file. idmap_subids() must never crash or read past the file, must
 * only return ranges of the user asked for (by name "alice" or id 1000),
 * and every range it returns must have a count and stay below 2^32-1. */
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "idmap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct idmap_range out[IDMAP_MAX_RANGES];
	char path[64];
	size_t n = 0;
	int fd = memfd_create("subuid", MFD_CLOEXEC), r;

	FUZZ_ASSERT(fd >= 0);
	FUZZ_ASSERT(write(fd, data, size) == (ssize_t)size);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);

	r = idmap_subids(path, "alice", 1000, out, IDMAP_MAX_RANGES, &n);
	FUZZ_ASSERT(r == 0 || r == -E2BIG || r == -EINVAL || r == -ERANGE);
	if (r == 0) {
		FUZZ_ASSERT(n <= IDMAP_MAX_RANGES);
		for (size_t i = 0; i < n; i++) {
			FUZZ_ASSERT(out[i].count > 0);
			FUZZ_ASSERT((uint64_t)out[i].out + out[i].count <= UINT32_MAX);
		}
		/* Whatever it returned must be in the file, on a line of alice/1000. */
		if (n > 0)
			FUZZ_ASSERT(memmem(data, size, "alice:", 6) || memmem(data, size, "1000:", 5));
	}
	/* A user the file cannot name gets nothing. */
	n = 0;
	r = idmap_subids(path, "\n:", 4294967295u, out, IDMAP_MAX_RANGES, &n);
	FUZZ_ASSERT(r < 0 || n == 0 || memmem(data, size, "4294967295:", 11));
	close(fd);
	return 0;
}
