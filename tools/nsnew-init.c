/* nsnew-init - what stays of nsnew while a jail runs: wait for the jail's
 * process, pass signals on to it, exit with its status. nsnew execs it
 * (never a user; it lives in libexec) once the rest of nsnew has nothing
 * left to do, so an idle jail holds a few pages instead of nsnew and its
 * libraries:
 *   nsnew-init wait PID       nsnew's waiting parent, outside the jail
 *   nsnew-init init PID [FD]  the jail's --init: PID 1 or a subreaper that
 *                             also reaps every orphan; FD hears "s" each
 *                             time PID stops (the terminal relay)
 * Built static against a small libc, so it runs in any root filesystem
 * (nsnew execs it by fd) and costs its own pages only. PID is already our
 * child, and the signals to pass on were blocked before it was made: they
 * stay blocked, and pending, across exec, so none is lost. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "child.h"
#include "msg.h"

static int stop_fd = -1;

static void tell_stopped(void)
{
	if (write(stop_fd, "s", 1) < 0)
		stop_fd = -1;
}

/* nsnew's message shape without stdio: "nsnew: WHAT: ERROR". */
static noreturn void fail(const char *what, int e)
{
	const char *s[] = { "nsnew: ", what, ": ", strerror(e), "\n" };

	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		if (write(STDERR_FILENO, s[i], strlen(s[i])) < 0)
			break;
	_exit(EXIT_TOOL);
}

static int number(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v <= 0 || v > 0x7fffffff)
		fail(s, EINVAL);
	return (int)v;
}

int main(int argc, char **argv)
{
	bool init;
	pid_t pid;
	int r;

	if (argc < 3 || argc > 4 || (strcmp(argv[1], "init") && strcmp(argv[1], "wait")))
		fail("nsnew-init", EINVAL);
	init = argv[1][0] == 'i';
	pid = number(argv[2]);
	if (argc == 4)
		stop_fd = number(argv[3]);
	/* ps and pgrep keep seeing the nsnew they started (we run from an
	 * fd, which would name us after its number). */
	prctl(PR_SET_NAME, "nsnew", 0L, 0L, 0L);
	r = child_wait(pid, init, stop_fd >= 0 ? tell_stopped : NULL);
	if (r < 0)
		fail("wait", -r);
	return r;
}
