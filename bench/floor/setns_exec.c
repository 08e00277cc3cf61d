/* setns_exec - the syscall floor of "run a command in a network namespace":
 * open the nsfs file, setns, exec.  With -s also what `ip netns exec` and
 * `nsjoin NAME` add: a mount namespace of its own, / made slave, /sys
 * mounted anew for the joined network.  With -l N, time N setns round
 * trips in this process instead (no exec) and print nanoseconds per trip.
 *   setns_exec [-s] PATH COMMAND [ARG...]
 *   setns_exec -l N PATH
 * Bench floor only: no option parsing beyond this, every error fatal. */
#define _GNU_SOURCE
#include <err.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <time.h>
#include <unistd.h>

static void loop(long n, const char *path)
{
	int there = open(path, O_RDONLY | O_CLOEXEC);
	int here = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	struct timespec a, b;

	if (there < 0 || here < 0)
		err(125, "%s", path);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++)
		if (setns(there, CLONE_NEWNET) < 0 || setns(here, CLONE_NEWNET) < 0)
			err(125, "setns");
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%.0f\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n);
}

int main(int argc, char **argv)
{
	int sys = 0, fd;

	if (argc == 4 && strcmp(argv[1], "-l") == 0) {
		loop(atol(argv[2]), argv[3]);
		return 0;
	}
	if (argc > 1 && strcmp(argv[1], "-s") == 0)
		sys = 1, argv++, argc--;
	if (argc < 3)
		errx(125, "usage: setns_exec [-s] PATH COMMAND [ARG...] | -l N PATH");
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET) < 0)
		err(125, "%s", argv[1]);
	if (sys) {
		if (unshare(CLONE_NEWNS) < 0 ||
		    mount("", "/", "none", MS_SLAVE | MS_REC, NULL) < 0 ||
		    umount2("/sys", MNT_DETACH) < 0 ||
		    mount("sysfs", "/sys", "sysfs", 0, NULL) < 0)
			err(125, "/sys");
	}
	execvp(argv[2], argv + 2);
	err(127, "%s", argv[2]);
}
