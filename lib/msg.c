/* msg.c - messages and the exit-time stdout check. */
#include <argp.h>
#include <err.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "msg.h"
#include "undo.h"

const char *argp_program_version = PACKAGE_NAME " " PACKAGE_VERSION;
int nskit_verbose;

static void close_stdout(void)
{
	/* A reader that went away (EPIPE) is not our failure: stay silent. */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (errno == EPIPE)
			_exit(EXIT_FAIL);
		warn("write error");
		_exit(EXIT_FAIL);
	}
}

void nskit_init(int usage_status)
{
	argp_err_exit_status = usage_status;
	atexit(close_stdout);
}

__attribute__((format(printf, 2, 0)))
static void vmsg(int errnum, const char *fmt, va_list ap)
{
	if (errnum < 0)
		errnum = -errnum;
	fflush(stdout);
	fprintf(stderr, "%s: ", program_invocation_short_name);
	vfprintf(stderr, fmt, ap);
	if (errnum)
		fprintf(stderr, ": %s", strerror(errnum));
	fputc('\n', stderr);
}

static bool exit_at_once;

void nskit_exit_at_once(void)
{
	exit_at_once = true;
}

noreturn void xerrc(int status, int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(errnum, fmt, ap);
	va_end(ap);
	if (exit_at_once)
		_exit(status);
	exit(status);
}

void xwarnc(int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(errnum, fmt, ap);
	va_end(ap);
}

noreturn void xundo(struct undo *u, int status, int errnum, const char *fmt, ...)
{
	va_list ap;
	int r = u ? undo_unwind(u, 0) : 0;

	va_start(ap, fmt);
	vmsg(errnum, fmt, ap);
	va_end(ap);
	if (r < 0)
		xwarnc(r, "could not take back everything this command made");
	if (exit_at_once)
		_exit(status);
	exit(status);
}
