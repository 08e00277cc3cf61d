/* profile.h - nsnew's seccomp text profile (nsnew(1) PROFILE FORMAT):
 * one rule a line, `allow NAME`, `deny NAME [ERRNO]`, `kill NAME`, and at
 * most one `default allow|deny [ERRNO]|kill`; `#` starts a comment. The
 * parser only reads text: system call names are resolved by seccomp.c.
 * Nothing here prints or exits. */
#pragma once

#include <stddef.h>

enum sc_action { SC_ALLOW, SC_DENY, SC_KILL };

#define SC_NAME_MAX 63
#define SC_RULES_MAX 1024

struct sc_rule {
	char name[SC_NAME_MAX + 1];
	enum sc_action action;
	int err;		/* SC_DENY: the errno returned */
	unsigned line;
};

struct sc_profile {
	enum sc_action def;	/* what unnamed system calls get; SC_ALLOW unless said */
	int def_err;
	struct sc_rule *rule;
	size_t n;
};

/* Why a profile was refused: its line and one lowercase phrase. */
struct sc_error {
	unsigned line;
	char msg[128];
};

/* Parse LEN bytes of BUF into P (which profile_free releases, also after
 * a failure). 0, -EINVAL with E filled for bad text, -ENOMEM. */
int profile_parse(const char *buf, size_t len, struct sc_profile *p, struct sc_error *e);
void profile_free(struct sc_profile *p);

/* An errno by name (EPERM) or number (1-4095): the number, or -EINVAL. */
int profile_errno(const char *s);
