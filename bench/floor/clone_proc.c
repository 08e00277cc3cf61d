/* clone_proc - the syscall floor of `unshare -fpmuin --mount-proc`: clone
 * into new pid, mount, uts, ipc and network namespaces; in the child make
 * / private (so the new /proc stays inside) and mount a fresh /proc; exec;
 * the parent waits and passes the status on.  With -l N, time N such
 * clones whose child mounts /proc and exits (no exec); print ns per clone.
 *   clone_proc COMMAND [ARG...]
 *   clone_proc -l N
 * Bench floor only. */
#define _GNU_SOURCE
#include <err.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FLAGS (CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET)

static pid_t clone_ns(void)
{
	pid_t pid = (pid_t)syscall(SYS_clone, FLAGS | SIGCHLD, NULL, NULL, NULL, NULL);

	if (pid < 0)
		err(125, "clone");
	if (pid == 0 && (mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
			 mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0))
		err(125, "/proc");
	return pid;
}

static int wait_for(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) < 0)
		err(125, "wait");
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int main(int argc, char **argv)
{
	pid_t pid;

	if (argc == 3 && strcmp(argv[1], "-l") == 0) {
		long n = atol(argv[2]);
		struct timespec a, b;

		clock_gettime(CLOCK_MONOTONIC, &a);
		for (long i = 0; i < n; i++) {
			if ((pid = clone_ns()) == 0)
				_exit(0);
			wait_for(pid);
		}
		clock_gettime(CLOCK_MONOTONIC, &b);
		printf("%.0f\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n);
		return 0;
	}
	if (argc < 2)
		errx(125, "usage: clone_proc COMMAND [ARG...] | -l N");
	if ((pid = clone_ns()) == 0) {
		execvp(argv[1], argv + 1);
		err(127, "%s", argv[1]);
	}
	return wait_for(pid);
}
