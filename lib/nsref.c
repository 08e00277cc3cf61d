/* nsref.c - NAME, PID or PATH to a namespace fd. */
#include <errno.h>
#include <sched.h>
#include <string.h>

#include "netnsdir.h"
#include "ns.h"
#include "nsref.h"
#include "parse.h"

int ns_open_ref(const char *ref, int type)
{
	pid_t pid;

	if (!ref || !*ref)
		return -EINVAL;
	if (strchr(ref, '/'))
		return ns_open_path(ref, type);
	if (strspn(ref, "0123456789") == strlen(ref))
		return parse_pid(ref, &pid) < 0 ? -ESRCH : ns_open_pid(pid, type);
	if (type != CLONE_NEWNET)
		return -EINVAL;
	return netns_open(ref);
}
