/* clone_exec - the syscall floor of "run a command in new pid, mount, uts,
 * ipc and network namespaces": clone with those flags, exec in the child,
 * wait, pass the status on.  With -l N, time N clones whose child exits at
 * once (no exec) and print nanoseconds per clone+wait.
 *   clone_exec COMMAND [ARG...]
 *   clone_exec -l N
 * Bench floor only. */
#define _GNU_SOURCE
#include <err.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FLAGS (CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET)

static pid_t clone_ns(void)
{
	return (pid_t)syscall(SYS_clone, FLAGS | SIGCHLD, NULL, NULL, NULL, NULL);
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
			pid = clone_ns();
			if (pid < 0)
				err(125, "clone");
			if (pid == 0)
				_exit(0);
			wait_for(pid);
		}
		clock_gettime(CLOCK_MONOTONIC, &b);
		printf("%.0f\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n);
		return 0;
	}
	if (argc < 2)
		errx(125, "usage: clone_exec COMMAND [ARG...] | -l N");
	pid = clone_ns();
	if (pid < 0)
		err(125, "clone");
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		err(127, "%s", argv[1]);
	}
	return wait_for(pid);
}
