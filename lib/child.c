/* child.c - exec, fork and wait with signal forwarding. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "child.h"
#include "msg.h"

static sigset_t saved_mask;

int exec_fail_status(int err)
{
	if (err < 0)
		err = -err;
	return err == ENOENT || err == ENOTDIR ? EXIT_NOTFOUND : EXIT_NOEXEC;
}

int wait_status_to_exit(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return EXIT_SIGBASE + WTERMSIG(wstatus);
	return EXIT_TOOL;
}

char *const *command_or_shell(char *const *argv, char **default_argv)
{
	const char *sh;

	if (argv && argv[0])
		return argv;
	sh = getenv("SHELL");
	default_argv[0] = (char *)(sh && *sh ? sh : "/bin/sh");
	default_argv[1] = NULL;
	return default_argv;
}

void child_forwarded_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGQUIT);
	sigaddset(set, SIGUSR1);
	sigaddset(set, SIGUSR2);
	sigaddset(set, SIGWINCH);
	sigaddset(set, SIGCONT);
}

int child_block(void)
{
	sigset_t set;

	child_forwarded_signals(&set);
	sigaddset(&set, SIGCHLD);
	return sigprocmask(SIG_BLOCK, &set, &saved_mask) < 0 ? -errno : 0;
}

int child_unblock(void)
{
	return sigprocmask(SIG_SETMASK, &saved_mask, NULL) < 0 ? -errno : 0;
}

int child_wait_timed(pid_t pid, bool reap_all, void (*on_stop)(void), const struct timespec *quiet)
{
	sigset_t set;

	child_forwarded_signals(&set);
	sigaddset(&set, SIGCHLD);
	for (;;) {
		siginfo_t si;
		int sig, ws;
		pid_t w;

		/* Reap first: SIGCHLD may have come before we blocked. */
		while ((w = waitpid(reap_all ? -1 : pid, &ws, WNOHANG | (on_stop ? WUNTRACED : 0))) > 0)
			if (w == pid && WIFSTOPPED(ws))
				on_stop();
			else if (w == pid)
				return wait_status_to_exit(ws);
		if (w < 0 && errno != EINTR)
			return -errno;
		sig = sigtimedwait(&set, &si, quiet);
		if (sig < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		}
		if (sig != SIGCHLD)
			kill(pid, sig);
	}
}

int child_wait(pid_t pid, bool reap_all, void (*on_stop)(void))
{
	return child_wait_timed(pid, reap_all, on_stop, NULL);
}

/* Defined by the LeakSanitizer runtime when one is linked in. */
extern void __lsan_do_leak_check(void) __attribute__((weak));

void child_check_leaks_now(void)
{
	if (__lsan_do_leak_check)
		__lsan_do_leak_check();
}
