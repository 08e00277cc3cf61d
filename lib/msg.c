/* msg.c - messages and the exit-time stdout check. */
#include <argp.h>
#include <err.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>

#include "msg.h"
#include "undo.h"
#include "util.h"

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

static int hint_cap = -1;
static const char *hint_name;

void nskit_priv_hint(int cap, const char *cap_name)
{
	hint_cap = cap;
	hint_name = cap_name;
}

/* Whether CAP is in our effective set (capget: no libcap for one bit). */
static bool have_cap(int cap)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

	if (cap < 0 || cap >= 32 * _LINUX_CAPABILITY_U32S_3 || syscall(SYS_capget, &h, d) < 0)
		return true;	/* unknown: no hint rather than a wrong one */
	return d[cap / 32].effective & (1u << (cap % 32));
}

const char *nskit_priv_hint_for(int errnum)
{
	static char buf[64];

	if (errnum < 0)
		errnum = -errnum;
	if ((errnum != EPERM && errnum != EACCES) || hint_cap < 0 || have_cap(hint_cap))
		return "";
	snprintf(buf, sizeof(buf), " (needs root or %s)", hint_name);
	return buf;
}

char *nskit_oneline(const char *s)
{
	size_t n = 1;
	char *out, *o;

	for (const char *p = s; *p; p++)
		n += (unsigned char)*p < 0x20 || *p == 0x7f ? 4 : 1;
	if (!(out = o = malloc(n)))
		return NULL;
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '\n' || c == '\t')
			o += sprintf(o, "\\%c", c == '\n' ? 'n' : 't');
		else if (c < 0x20 || c == 0x7f)
			o += sprintf(o, "\\x%02x", c);
		else
			*o++ = c;
	}
	*o = '\0';
	return out;
}

__attribute__((format(printf, 2, 0)))
static void vmsg(int errnum, const char *fmt, va_list ap)
{
	char *text;

	if (errnum < 0)
		errnum = -errnum;
	fflush(stdout);
	fprintf(stderr, "%s: ", program_invocation_short_name);
	if (vasprintf(&text, fmt, ap) < 0) {
		fputs("(no memory for the message)", stderr);
	} else {
		/* A name or an argument with a newline in it must not make
		 * the message two lines (or a forged second one). */
		_cleanup_free_ char *line = nskit_oneline(text);

		fputs(line ? line : text, stderr);
		free(text);
	}
	if (errnum)
		fprintf(stderr, ": %s%s", strerror(errnum), nskit_priv_hint_for(errnum));
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
