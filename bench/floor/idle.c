/* idle - the memory floor of an idle jail: the two processes
 * `nsnew -n --init -- COMMAND` keeps while COMMAND runs, and nothing
 * else. A waiting parent outside; a child in a new network namespace
 * that is a subreaper, starts COMMAND and reaps until it ends; the
 * parent passes the status on. No signal forwarding, no names, no
 * terminal: only what an idle jail must hold. bench/run links it as
 * nsnew-init is linked, static against musl (INIT_CC), whose start-up
 * touches a few pages; against glibc, shared, it costs about 4x that,
 * and static about 20x.
 *   idle COMMAND [ARG...]
 * Bench floor only. */
#define _GNU_SOURCE
#include <err.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int status_of(int st)
{
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int main(int argc, char **argv)
{
	pid_t pid, cmd, w;
	int st;

	if (argc < 2)
		errx(125, "usage: idle COMMAND [ARG...]");
	pid = (pid_t)syscall(SYS_clone, CLONE_NEWNET | SIGCHLD, NULL, NULL, NULL, NULL);
	if (pid < 0)
		err(125, "clone");
	if (pid > 0) {
		if (waitpid(pid, &st, 0) < 0)
			err(125, "wait");
		return status_of(st);
	}
	if (prctl(PR_SET_CHILD_SUBREAPER, 1L, 0L, 0L, 0L) < 0)
		err(125, "subreaper");
	cmd = fork();
	if (cmd < 0)
		err(125, "fork");
	if (cmd == 0) {
		execvp(argv[1], argv + 1);
		err(127, "%s", argv[1]);
	}
	/* Reap every orphan; end with the command's status. */
	while ((w = wait(&st)) >= 0)
		if (w == cmd)
			_exit(status_of(st));
	err(125, "wait");
}
