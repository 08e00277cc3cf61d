/* tty.c - an interactive jail's own terminal, relayed by nsnew. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "tty.h"
#include "util.h"

int tty_relay_open(struct tty_relay *t)
{
	struct termios tio;
	struct winsize ws;
	int e;

	*t = (struct tty_relay){ .outer = -1, .out = -1, .master = -1, .slave = -1, .stops = { -1, -1 } };
	for (int fd = 0; fd < 3; fd++)
		if (tcgetattr(fd, t->outer < 0 ? &t->saved : &tio) == 0) {
			t->is_tty[fd] = true;
			if (t->outer < 0)
				t->outer = fd;
		}
	if (t->outer < 0)
		return 0;
	t->out = t->is_tty[1] ? 1 : t->is_tty[2] ? 2 : 0;
	t->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (t->master < 0 || grantpt(t->master) < 0 || unlockpt(t->master) < 0)
		goto fail;
	/* The slave from the master itself, not by a path in /dev/pts that
	 * another devpts instance could shadow. */
	t->slave = ioctl(t->master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (t->slave < 0)
		goto fail;
	tio = t->saved;
	/* With no input to relay the caller's terminal stays as it is and
	 * does its own output processing: the jail's must not add a second
	 * carriage return. */
	if (!t->is_tty[0])
		tio.c_oflag &= ~(tcflag_t)OPOST;
	if (tcsetattr(t->slave, TCSANOW, &tio) < 0)
		goto fail;
	if (ioctl(t->outer, TIOCGWINSZ, &ws) == 0 && ioctl(t->master, TIOCSWINSZ, &ws) < 0)
		goto fail;
	return 1;
fail:
	e = -errno;
	if (t->slave >= 0)
		close(t->slave);
	if (t->master >= 0)
		close(t->master);
	t->master = t->slave = -1;
	return e;
}

int tty_leave(void)
{
	_cleanup_close_ int fd = open("/dev/tty", O_RDONLY | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return 0;	/* none (ENXIO) */
	return ioctl(fd, TIOCNOTTY) < 0 ? -errno : 0;
}

/* Without a terminal of its own the child does not start a session: the
 * kernel gives each new session a scheduler autogroup, which made a jail's
 * start 9% slower here, and letting go of the controlling terminal is
 * enough to keep the caller's terminal out of reach. */
int tty_relay_attach(const struct tty_relay *t)
{
	if (t->slave < 0)
		return tty_leave();
	if (setsid() < 0)
		return -errno;
	close(t->master);
	if (t->stops[0] >= 0)
		close(t->stops[0]);
	if (ioctl(t->slave, TIOCSCTTY, 0L) < 0)
		return -errno;
	for (int fd = 0; fd < 3; fd++)
		if (t->is_tty[fd] && dup2(t->slave, fd) < 0)
			return -errno;
	if (t->slave > 2)
		close(t->slave);
	return 0;
}

/* Raw only while we are in the foreground of the caller's terminal: from
 * the background, changing it would stop us (SIGTTOU) and reading it too
 * (SIGTTIN); the shell's `fg` sends SIGCONT, and we try again. */
static void go_raw(struct tty_relay *t)
{
	struct termios raw;
	pid_t fg;

	if (!t->is_tty[0] || t->raw)
		return;
	fg = tcgetpgrp(0);
	if (fg >= 0 && fg != getpgrp())
		return;
	if (tcgetattr(0, &t->saved) < 0)
		return;
	raw = t->saved;
	cfmakeraw(&raw);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(0, TCSADRAIN, &raw) == 0)
		t->raw = true;
}

void tty_relay_restore(struct tty_relay *t)
{
	if (t->raw && tcsetattr(0, TCSADRAIN, &t->saved) == 0)
		t->raw = false;
}

static void copy_size(const struct tty_relay *t)
{
	struct winsize ws;

	if (ioctl(t->outer, TIOCGWINSZ, &ws) == 0)
		ioctl(t->master, TIOCSWINSZ, &ws);
}

/* All of BUF to the caller's terminal; once that fails, output is
 * dropped (the jail must not block on a terminal that went away). */
static void put_out(struct tty_relay *t, const char *buf, size_t len)
{
	while (len && t->out >= 0) {
		ssize_t n = write(t->out, buf, len);

		if (n > 0) {
			buf += n;
			len -= (size_t)n;
		} else if (n < 0 && errno == EAGAIN) {
			struct pollfd p = { t->out, POLLOUT, 0 };

			poll(&p, 1, -1);
		} else if (n < 0 && errno != EINTR) {
			t->out = -1;
		}
	}
}

/* Whatever the jail wrote before it ended: the kernel moves pending pty
 * output to the master before a read says there is none. */
static void drain(struct tty_relay *t)
{
	char buf[4096];
	ssize_t n;

	while ((n = read(t->master, buf, sizeof(buf))) > 0)
		put_out(t, buf, (size_t)n);
}

/* The jail stopped (^Z went to its terminal) or we were told to stop:
 * give the caller its terminal back and stop as a foreground job does. */
static void stop_self(struct tty_relay *t)
{
	tty_relay_restore(t);
	kill(getpid(), SIGSTOP);
}

/* Handle the queued signals; returns the child's status once it ended,
 * -EAGAIN while it runs. */
static int on_signals(struct tty_relay *t, int sfd, pid_t pid)
{
	struct signalfd_siginfo si;
	int ws;
	pid_t w;

	while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGCHLD:
			while ((w = waitpid(pid, &ws, WNOHANG | WUNTRACED)) == pid) {
				if (!WIFSTOPPED(ws))
					return wait_status_to_exit(ws);
				if (!t->stopped_jail)
					stop_self(t);
				t->stopped_jail = false;
			}
			break;
		case SIGWINCH:
			copy_size(t);
			break;
		case SIGTSTP:
			/* ^Z typed at the caller's terminal when it is not
			 * raw, or kill -TSTP: the jail stops with us, as it
			 * did when it shared our process group (SIGTSTP
			 * itself would not stop a session leader). */
			t->stopped_jail = kill(-pid, SIGSTOP) == 0;
			stop_self(t);
			break;
		case SIGCONT:
			go_raw(t);
			copy_size(t);
			kill(-pid, SIGCONT);	/* the job it runs, stopped by ^Z */
			kill(pid, SIGCONT);
			t->stopped_jail = false;	/* its stop is no longer reported */
			break;
		default:
			kill(pid, (int)si.ssi_signo);
		}
	}
	return -EAGAIN;
}

int tty_relay_run(struct tty_relay *t, pid_t pid)
{
	_cleanup_close_ int sfd = -1;
	bool in_open = t->is_tty[0], master_open = true;
	char in[4096], buf[4096];
	size_t inlen = 0, inoff = 0;
	sigset_t set;
	int fl, r;

	child_forwarded_signals(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTSTP);
	sigaddset(&set, SIGALRM);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	fl = fcntl(t->master, F_GETFL);
	if (sfd < 0 || fl < 0 || fcntl(t->master, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	go_raw(t);
	for (;;) {
		struct pollfd p[4] = {
			{ sfd, POLLIN, 0 },
			{ master_open ? t->master : -1, (short)(POLLIN | (inlen ? POLLOUT : 0)), 0 },
			{ in_open && t->raw && !inlen ? 0 : -1, POLLIN, 0 },
			{ t->stops[0], POLLIN, 0 },
		};
		ssize_t n;

		if (poll(p, ARRAY_SIZE(p), -1) < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		if (p[0].revents && (r = on_signals(t, sfd, pid)) != -EAGAIN) {
			drain(t);
			break;
		}
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			n = read(t->master, buf, sizeof(buf));
			if (n > 0)
				put_out(t, buf, (size_t)n);
			else if (n == 0 || errno != EAGAIN)
				master_open = false;	/* every slave fd closed */
		}
		if (master_open && inlen && (p[1].revents & POLLOUT)) {
			n = write(t->master, in + inoff, inlen);
			if (n > 0) {
				inoff += (size_t)n;
				inlen -= (size_t)n;
			} else if (errno != EAGAIN) {
				inlen = 0;
			}
		}
		if (p[2].revents) {
			n = read(0, in, sizeof(in));
			if (n > 0) {
				inoff = 0;
				inlen = (size_t)n;
			} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
				in_open = false;
			}
		}
		if (p[3].revents) {
			char c;

			if (read(t->stops[0], &c, 1) == 1)
				stop_self(t);
			else
				t->stops[0] = -1;	/* the init ended */
		}
	}
	tty_relay_restore(t);
	return r;
}
