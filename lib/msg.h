/* msg.h - exit statuses and the one message shape, "tool: object: problem".
 * Tool code only: library functions return -errno and never print. */
#pragma once

#include <stdnoreturn.h>

struct undo;

/* Tools that do a job and return. */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,
	EXIT_USAGE = 2,
};

/* Tools that run a COMMAND (nsjoin, nsnew): the command's own status, else: */
enum {
	EXIT_TOOL = 125,	/* the tool itself failed */
	EXIT_NOEXEC = 126,	/* command found but could not be run */
	EXIT_NOTFOUND = 127,	/* command not found */
	EXIT_SIGBASE = 128,	/* 128+N: the command died of signal N */
};

/* Set up argp's usage status and version, and the stdout check at exit:
 * a tool whose output could not be written must not exit 0. */
void nskit_init(int usage_status);
/* From now on xerrc ends the process with _exit: for a child that shares
 * its parent's memory until it execs (vfork), where exit would run the
 * parent's atexit handlers and close the parent's stdio. */
void nskit_exit_at_once(void);

/* The capability an EPERM or EACCES of this tool most likely lacks
 * (CAP_SYS_ADMIN for mounts and setns, CAP_NET_ADMIN for netlink): from
 * now on a message about one of those errors ends in "(needs root or
 * CAP_NAME)" when the caller does not hold CAP. */
void nskit_priv_hint(int cap, const char *cap_name);
/* That ending for ERRNUM (" (needs root or CAP_NAME)"), or "": for
 * messages that word the error themselves. */
const char *nskit_priv_hint_for(int errnum);

/* A malloc'd copy of S with control characters escaped (\n, \t,
 * \xHH), so it prints as one line; NULL without memory. Every message
 * from xerrc, xwarnc and xundo goes through it. */
char *nskit_oneline(const char *s);

/* Like err(3)/warn(3) with an explicit errno value (a -errno from libnskit
 * may be passed negated or not). */
noreturn void xerrc(int status, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void xwarnc(int errnum, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* xerrc for a failure part-way through a command: first take back what
 * it made (main()'s undo stack U, which may be NULL), then the message;
 * a second line says so if something could not be taken back. */
noreturn void xundo(struct undo *u, int status, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Verbosity shared by the tools' -v option. */
extern int nskit_verbose;
