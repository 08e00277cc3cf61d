/* child.h - running the COMMAND: exec in place, or fork and wait while
 * forwarding signals, with the exit status contract of nsjoin and nsnew
 * (the command's own, 126 not executable, 127 not found, 128+N signal N). */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

/* The status a tool exits with when exec of its command failed with ERR. */
int exec_fail_status(int err);
/* The shell-style status for a wait status: the code, or 128+N. */
int wait_status_to_exit(int wstatus);

/* The command to run: ARGV if it has one, else $SHELL, else /bin/sh.
 * DEFAULT_ARGV must have room for two pointers. */
char *const *command_or_shell(char *const *argv, char **default_argv);

/* The signals a waiting parent passes on to its child. */
void child_forwarded_signals(sigset_t *set);

/* Block the forwarded signals and SIGCHLD before fork(), so none is lost
 * between fork and wait; the child calls child_unblock() before exec. */
int child_block(void);
int child_unblock(void);

/* Wait for PID, passing the forwarded signals on to it; with REAP_ALL
 * (a PID 1) every other child that exits is reaped too; with ON_STOP, it
 * is called each time PID stops. Returns the shell-style status of PID,
 * or -errno. */
int child_wait(pid_t pid, bool reap_all, void (*on_stop)(void));
/* child_wait, but -ETIMEDOUT once QUIET (NULL: forever) has passed with
 * no signal at all (a signal passed on starts it again). */
int child_wait_timed(pid_t pid, bool reap_all, void (*on_stop)(void), const struct timespec *quiet);

/* Under LeakSanitizer, check for leaks now instead of at exit; a no-op in
 * other builds. For a process about to make its children in another PID
 * namespace: LSan's exit-time check stops the world from a helper the
 * process clones, which would land there and never reach it. */
void child_check_leaks_now(void);
