/* tty.h - an interactive jail's own terminal, for nsnew only.
 * Nothing in a jail may hold the caller's terminal: with it as controlling
 * terminal a program pushes input into the caller's shell (TIOCSTI,
 * CVE-2017-5226) or takes its foreground. When a standard fd is a
 * terminal, the jail gets a pseudo-terminal of its own instead, and nsnew
 * relays bytes, window size and stops between the two (as
 * systemd-nspawn --console=interactive does). Functions return 0 or
 * -errno and never print. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>
#include <termios.h>

struct tty_relay {
	bool is_tty[3];		/* which of fds 0, 1, 2 are terminals */
	int outer;		/* one of them: its termios and size are copied */
	int out;		/* where the jail's output goes */
	int master, slave;	/* the jail's terminal, -1 when none (the
				   master's value says whether there is one,
				   also in the child, which closed both) */
	int stops[2];		/* --init's PID 1 tells the relay when the
				   command stopped (^Z): a grandchild's stop
				   is not reported to nsnew */
	struct termios saved;	/* the caller's, while it is raw */
	bool raw;
	bool stopped_jail;	/* we stopped the jail: its stop is no ^Z */
};

/* Look at fds 0-2; when one is a terminal, open a pseudo-terminal with the
 * caller's modes and window size and return 1; 0 when none is. */
int tty_relay_open(struct tty_relay *t);

/* Let go of our controlling terminal, if we have one, staying in the
 * caller's session and process group (so ^C typed there still reaches
 * us). Not for a session leader: it would hang the whole session up. */
int tty_leave(void);

/* In the child: with a jail's terminal, a new session with it as the
 * controlling terminal on the fds that were terminals; else tty_leave(). */
int tty_relay_attach(const struct tty_relay *t);

/* In the parent once the child started: relay until PID exits, passing the
 * forwarded signals (child.h) on to it. Returns its shell-style status. */
int tty_relay_run(struct tty_relay *t, pid_t pid);

/* The caller's terminal modes back (every exit path of the parent). */
void tty_relay_restore(struct tty_relay *t);
