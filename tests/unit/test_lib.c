/* test_lib.c - unit tests for libnskit's parsers. */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <sys/socket.h>

#include "addr.h"
#include "child.h"
#include "jailrec.h"
#include "netnsdir.h"
#include "ns.h"
#include "parse.h"
#include "undo.h"
#include "unit.h"
#include "util.h"

static void test_parse_numbers(void)
{
	uint64_t v;
	uint32_t u;
	pid_t p;

	CHECK(parse_u64("0", 0, 10, &v) == 0 && v == 0);
	CHECK(parse_u64("10", 0, 10, &v) == 0 && v == 10);
	CHECK(parse_u64("11", 0, 10, &v) == -ERANGE);
	CHECK(parse_u64("", 0, 10, &v) == -EINVAL);
	CHECK(parse_u64(NULL, 0, 10, &v) == -EINVAL);
	CHECK(parse_u64("-1", 0, 10, &v) == -EINVAL);
	CHECK(parse_u64(" 1", 0, 10, &v) == -EINVAL);
	CHECK(parse_u64("1 ", 0, 10, &v) == -EINVAL);
	CHECK(parse_u64("0x10", 0, 100, &v) == -EINVAL);
	CHECK(parse_u64("99999999999999999999999", 0, UINT64_MAX, &v) == -ERANGE);
	CHECK(parse_u32("4294967295", &u) == 0 && u == 4294967295u);
	CHECK(parse_u32("4294967296", &u) == -ERANGE);
	CHECK(parse_pid("1", &p) == 0 && p == 1);
	CHECK(parse_pid("0", &p) == -ERANGE);
	CHECK(parse_pid("2147483648", &p) == -ERANGE);
	CHECK(parse_pid("12abc", &p) == -EINVAL);
	CHECK(parse_pid("+5", &p) == -EINVAL);
}

static void test_names(void)
{
	char longname[NAME_MAX + 2];

	CHECK(netns_name_check("ns0") == 0);
	CHECK(netns_name_check("a.b-c_d") == 0);
	CHECK(netns_name_check("...") == 0);
	CHECK(netns_name_check("") == -EINVAL);
	CHECK(netns_name_check(NULL) == -EINVAL);
	CHECK(netns_name_check(".") == -EINVAL);
	CHECK(netns_name_check("..") == -EINVAL);
	CHECK(netns_name_check("a/b") == -EINVAL);
	CHECK(netns_name_check("/") == -EINVAL);
	memset(longname, 'x', NAME_MAX);
	longname[NAME_MAX] = 0;
	CHECK(netns_name_check(longname) == 0);
	longname[NAME_MAX] = 'x';
	longname[NAME_MAX + 1] = 0;
	CHECK(netns_name_check(longname) == -ENAMETOOLONG);
	/* Names nskit makes: UTF-8 without control characters or whitespace. */
	CHECK(netns_name_check_new("ns0") == 0);
	CHECK(netns_name_check_new("caf\xc3\xa9-\xe7\xbd\x91") == 0);
	CHECK(netns_name_check_new("a/b") == -EINVAL);
	CHECK(netns_name_check_new(longname) == -ENAMETOOLONG);
	CHECK(netns_name_check_new("a\nb") == -EILSEQ);
	CHECK(netns_name_check_new("a\tb") == -EILSEQ);
	CHECK(netns_name_check_new("a b") == -EILSEQ);
	CHECK(netns_name_check_new("\x1b[2J") == -EILSEQ);
	CHECK(netns_name_check_new("a\x7f") == -EILSEQ);
	CHECK(netns_name_check_new("a\xc2\x9b" "2J") == -EILSEQ);		/* C1 CSI */
	CHECK(netns_name_check_new("a\xc2\xa0z") == -EILSEQ);		/* no-break space */
	CHECK(netns_name_check_new("a\xe2\x80\xa8z") == -EILSEQ);	/* line separator */
	CHECK(netns_name_check_new("a\xe2\x80\xaez") == -EILSEQ);	/* right-to-left override */
	CHECK(netns_name_check_new("a\x9b") == -EILSEQ);			/* not UTF-8 */
	CHECK(netns_name_check_new("a\xc0\xaf") == -EILSEQ);		/* overlong '/' */
	CHECK(netns_name_check_new("a\xed\xa0\x80") == -EILSEQ);	/* surrogate */
	CHECK(netns_name_check_new("a\xf4\x90\x80\x80") == -EILSEQ);	/* above U+10FFFF */
}

static void check_escape(const char *name, const char *want)
{
	char *got = netns_name_escape(name);

	CHECK(got && strcmp(got, want) == 0);
	free(got);
}

static void test_name_escape(void)
{
	check_escape("ns0", "ns0");
	check_escape("caf\xc3\xa9", "caf\xc3\xa9");
	check_escape("a\nb", "a\\nb");
	check_escape("a\tb c", "a\\tb\\040c");
	check_escape("a\\nb", "a\\\\nb");
	check_escape("\x1b[2J\r\a\b\v\f", "\\033[2J\\r\\a\\b\\v\\f");
	check_escape("x\x7f", "x\\177");
	check_escape("a\xc2\x9b", "a\\302\\233");
	check_escape("a\x9b\xc3", "a\\233\\303");
	check_escape("\xe2\x80\xaez", "\\342\\200\\256z");
	check_escape("", "");
}

static void test_ns_types(void)
{
	CHECK(ns_type_by_flag(CLONE_NEWUSER)->opt == 'U');
	CHECK(ns_type_by_flag(CLONE_NEWNS) == &ns_types[6]);
	CHECK(ns_type_by_flag(0) == NULL);
	CHECK(strcmp(ns_types[0].name, "user") == 0);
}

static void test_exit_status(void)
{
	CHECK(exec_fail_status(ENOENT) == 127);
	CHECK(exec_fail_status(-ENOENT) == 127);
	CHECK(exec_fail_status(EACCES) == 126);
	CHECK(exec_fail_status(ENOEXEC) == 126);
	CHECK(wait_status_to_exit(7 << 8) == 7);
	CHECK(wait_status_to_exit(SIGKILL) == 137);
}

static void test_ns_open_errors(void)
{
	int fd;

	CHECK(ns_open_path("/nonexistent/x", 0) == -ENOENT);
	CHECK(ns_open_path("/proc/self/status", 0) == -ENOTNAM);
	CHECK(ns_open_path("/", 0) == -ENOTNAM);
	CHECK(ns_open_path("/dev/null", 0) == -ENOTNAM);
	fd = ns_open_path("/proc/self/ns/net", CLONE_NEWNET);
	CHECK(fd >= 0);
	if (fd >= 0)
		close(fd);
	CHECK(ns_open_path("/proc/self/ns/net", CLONE_NEWUTS) == -EMEDIUMTYPE);
	CHECK(ns_open_pid(0, CLONE_NEWNET) == -EINVAL);
}

static void test_mac(void)
{
	uint8_t m[6];
	char buf[MAC_STRLEN];

	CHECK(mac_parse("02:aB:03:04:05:ff", m) == 0 && m[1] == 0xab && m[5] == 0xff);
	CHECK(strcmp(mac_format(m, buf, sizeof(buf)), "02:ab:03:04:05:ff") == 0);
	CHECK(mac_is_unicast(m) && !mac_is_zero(m));
	CHECK(mac_parse("00:00:00:00:00:00", m) == 0 && mac_is_zero(m) && !mac_is_unicast(m));
	CHECK(mac_parse("01:00:5e:00:00:01", m) == 0 && !mac_is_unicast(m));
	CHECK(mac_parse("02:ab:03:04:05", m) == -EINVAL);
	CHECK(mac_parse("02:ab:03:04:05:ff:", m) == -EINVAL);
	CHECK(mac_parse("02:ab:03:04:05:f", m) == -EINVAL);
	CHECK(mac_parse("02-ab-03-04-05-ff", m) == -EINVAL);
	CHECK(mac_parse("2:ab:03:04:05:ff", m) == -EINVAL);
	CHECK(mac_parse("", m) == -EINVAL);
	CHECK(mac_parse("0g:ab:03:04:05:ff", m) == -EINVAL);
}

static void test_cidr(void)
{
	struct cidr c, d;
	char buf[CIDR_STRLEN];
	uint16_t port;

	CHECK(cidr_parse("10.8.8.1/24", &c, true) == 0 && c.family == AF_INET && c.prefix == 24);
	CHECK(strcmp(cidr_format(&c, true, buf, sizeof(buf)), "10.8.8.1/24") == 0);
	CHECK(!cidr_is_network(&c));
	cidr_to_network(&c);
	CHECK(strcmp(cidr_format(&c, true, buf, sizeof(buf)), "10.8.8.0/24") == 0);
	CHECK(cidr_is_network(&c));
	CHECK(cidr_parse("10.8.8.77", &d, false) == 0 && d.prefix == 32);
	CHECK(cidr_contains(&c, &d));
	CHECK(cidr_parse("10.8.9.1", &d, false) == 0 && !cidr_contains(&c, &d));
	CHECK(cidr_parse("10.8.8.1", &d, true) == -EINVAL);
	CHECK(cidr_parse("fd00::1/64", &c, true) == 0 && c.family == AF_INET6 && c.prefix == 64);
	CHECK(cidr_parse("fd00::1/129", &c, true) == -ERANGE);
	CHECK(cidr_parse("10.0.0.1/33", &c, true) == -ERANGE);
	CHECK(cidr_parse("10.0.0.1/", &c, true) == -EINVAL);
	CHECK(cidr_parse("10.0.0.1/-1", &c, true) == -EINVAL);
	CHECK(cidr_parse("10.0.0.1/24x", &c, true) == -EINVAL);
	CHECK(cidr_parse("10.0.0/24", &c, true) == -EINVAL);
	CHECK(cidr_parse("256.0.0.1/24", &c, true) == -EINVAL);
	CHECK(cidr_parse("/24", &c, true) == -EINVAL);
	CHECK(cidr_parse("", &c, false) == -EINVAL);
	CHECK(cidr_parse("10.0.0.1/0", &c, true) == 0 && c.prefix == 0);
	cidr_to_network(&c);
	CHECK(strcmp(cidr_format(&c, true, buf, sizeof(buf)), "0.0.0.0/0") == 0);
	CHECK(port_parse("80", &port) == 0 && port == 80);
	CHECK(port_parse("65535", &port) == 0);
	CHECK(port_parse("0", &port) == -ERANGE);
	CHECK(port_parse("65536", &port) == -ERANGE);
	CHECK(port_parse("8o", &port) == -EINVAL);
}

static int undo_log[8], undo_nlog;

static int record(void *arg)
{
	int v = (int)(long)arg;

	undo_log[undo_nlog++] = v;
	return v == 3 ? -EBUSY : 0;
}

static void test_undo(void)
{
	struct undo u = UNDO_INIT;
	size_t mark;

	CHECK(undo_push(&u, record, (void *)1L, NULL) == 0);
	CHECK(undo_push(&u, record, (void *)2L, NULL) == 0);
	mark = undo_mark(&u);
	CHECK(mark == 2);
	CHECK(undo_push(&u, record, (void *)3L, NULL) == 0);
	CHECK(undo_push(&u, record, (void *)4L, NULL) == 0);
	/* Newest first, every entry run, the first failure returned. */
	CHECK(undo_unwind(&u, mark) == -EBUSY);
	CHECK(undo_nlog == 2 && undo_log[0] == 4 && undo_log[1] == 3);
	CHECK(undo_mark(&u) == 2);
	/* Committed entries never run. */
	undo_commit(&u, 1);
	CHECK(undo_unwind(&u, 0) == 0);
	CHECK(undo_nlog == 3 && undo_log[2] == 1);
	for (long i = 0; i < 40; i++)
		CHECK(undo_push(&u, record, (void *)10L, NULL) == 0);
	undo_free(&u);
	CHECK(undo_nlog == 3 && u.n == 0 && u.v == NULL);
}

static void test_words(void)
{
	enum { ADD, ATTACH, DEL, LIST };
	static const struct word w[] = {
		{ "add", ADD }, { "attach", ATTACH }, { "del", DEL }, { "list", LIST },
		{ "delete", DEL }, { "ls", LIST }, { "show", LIST },
	};
	char buf[128];

	CHECK(word_lookup(w, ARRAY_SIZE(w), "add") == ADD);
	CHECK(word_lookup(w, ARRAY_SIZE(w), "del") == DEL);
	CHECK(word_lookup(w, ARRAY_SIZE(w), "delete") == DEL);
	CHECK(word_lookup(w, ARRAY_SIZE(w), "dele") == DEL);
	CHECK(word_lookup(w, ARRAY_SIZE(w), "d") == DEL);
	CHECK(word_lookup(w, ARRAY_SIZE(w), "l") == LIST);
	CHECK(word_lookup(w, ARRAY_SIZE(w), "sh") == LIST);
	CHECK(word_lookup(w, ARRAY_SIZE(w), "att") == ATTACH);
	CHECK(word_lookup(w, ARRAY_SIZE(w), "a") == -ENOTUNIQ);
	CHECK(word_lookup(w, ARRAY_SIZE(w), "") == -ENOENT);
	CHECK(word_lookup(w, ARRAY_SIZE(w), "deletex") == -ENOENT);
	CHECK(word_lookup(w, ARRAY_SIZE(w), "xyz") == -ENOENT);
	CHECK(streq(word_error(w, ARRAY_SIZE(w), "dle", -ENOENT, "command", buf, sizeof(buf)),
		    "'dle': unknown command (did you mean 'del'?)"));
	CHECK(streq(word_error(w, ARRAY_SIZE(w), "delte", -ENOENT, "command", buf, sizeof(buf)),
		    "'delte': unknown command (did you mean 'del'?)"));
	CHECK(streq(word_error(w, ARRAY_SIZE(w), "lsit", -ENOENT, "command", buf, sizeof(buf)),
		    "'lsit': unknown command (did you mean 'list'?)"));
	CHECK(streq(word_error(w, ARRAY_SIZE(w), "xyz", -ENOENT, "command", buf, sizeof(buf)),
		    "'xyz': unknown command (add, attach, del, list)"));
	CHECK(streq(word_error(w, ARRAY_SIZE(w), "a", -ENOTUNIQ, "command", buf, sizeof(buf)),
		    "'a': ambiguous command (add, attach)"));
	/* Cut short, never overrun. */
	CHECK(strlen(word_error(w, ARRAY_SIZE(w), "xyz", -ENOENT, "command", buf, 20)) == 19);
}

static void test_parse_size(void)
{
	uint64_t v;

	CHECK(parse_size("123", 1, UINT64_MAX, &v) == 0 && v == 123);
	CHECK(parse_size("1K", 1, UINT64_MAX, &v) == 0 && v == 1024);
	CHECK(parse_size("3m", 1, UINT64_MAX, &v) == 0 && v == 3 << 20);
	CHECK(parse_size("2G", 1, UINT64_MAX, &v) == 0 && v == 2ULL << 30);
	CHECK(parse_size("5t", 1, UINT64_MAX, &v) == 0 && v == 5ULL << 40);
	CHECK(parse_size("16777215T", 1, UINT64_MAX, &v) == 0 && v == 16777215ULL << 40);
	CHECK(parse_size("16777216T", 1, UINT64_MAX, &v) == -ERANGE);
	CHECK(parse_size("0", 1, UINT64_MAX, &v) == -ERANGE);
	CHECK(parse_size("", 1, UINT64_MAX, &v) == -EINVAL);
	CHECK(parse_size("K", 1, UINT64_MAX, &v) == -EINVAL);
	CHECK(parse_size("1KB", 1, UINT64_MAX, &v) == -EINVAL);
	CHECK(parse_size("1X", 1, UINT64_MAX, &v) == -EINVAL);
	CHECK(parse_size("-1", 1, UINT64_MAX, &v) == -EINVAL);
	CHECK(parse_size(" 1", 1, UINT64_MAX, &v) == -EINVAL);
}

/* A rootless name's record: exactly the format, nothing looser. */
static void test_jailrec_parse(void)
{
	static const char good[] = "nskit-jail 1\npid 42\nstart 123456\nuser 4 4026531837\nnet 4 4026531840\n";
	static const char *bad[] = {
		"", "\n", "nskit-jail 1\n",
		"nskit-jail 2\npid 42\nstart 1\nuser 4 5\nnet 4 6\n",
		"nskit-jail 1\npid 0\nstart 1\nuser 4 5\nnet 4 6\n",
		"nskit-jail 1\npid -1\nstart 1\nuser 4 5\nnet 4 6\n",
		"nskit-jail 1\npid 2147483648\nstart 1\nuser 4 5\nnet 4 6\n",
		"nskit-jail 1\npid 42\nstart 1\nuser 4 5\nnet 4 6",		/* no last newline */
		"nskit-jail 1\npid 42\nstart 1\nuser 4 5\nnet 4 6\n\n",
		"nskit-jail 1\npid 42\nstart 1\nuser 4 5\nnet 4 6\nextra 1\n",
		"nskit-jail 1\npid  42\nstart 1\nuser 4 5\nnet 4 6\n",
		"nskit-jail 1\npid 42 \nstart 1\nuser 4 5\nnet 4 6\n",
		"nskit-jail 1\npid 42\nstart 1\nuser 4\nnet 4 6\n",
		"nskit-jail 1\npid 42\nstart 1\nuser 4 5 6\nnet 4 6\n",
		"nskit-jail 1\npid 42\nstart x\nuser 4 5\nnet 4 6\n",
		"nskit-jail 1\nstart 1\npid 42\nuser 4 5\nnet 4 6\n",
		"nskit-jail 1\npid 42\nstart 18446744073709551616\nuser 4 5\nnet 4 6\n",
		"nskit-jail 1\npid 42\nstart 1\nuser 04 5\nnet 4 6\n",
	};
	struct jailrec r;
	char out[RECORD_MAX];

	CHECK(jailrec_parse(good, strlen(good), &r) == 0);
	CHECK(r.pid == 42 && r.start == 123456 && r.user_dev == 4 && r.user_ino == 4026531837UL &&
	      r.net_dev == 4 && r.net_ino == 4026531840UL);
	CHECK(jailrec_format(&r, out, sizeof(out)) == (int)strlen(good) && streq(out, good));
	CHECK(jailrec_format(&r, out, 10) == -ENOSPC);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		CHECK(jailrec_parse(bad[i], strlen(bad[i]), &r) == -EBADMSG);
	CHECK(jailrec_parse("nskit-jail 1\0pid 42\n", 21, &r) == -EBADMSG);	/* a NUL inside */
}

int main(void)
{
	test_jailrec_parse();
	test_undo();
	test_words();
	test_parse_size();
	test_cidr();
	test_mac();
	test_parse_numbers();
	test_name_escape();
	test_names();
	test_ns_types();
	test_exit_status();
	test_ns_open_errors();
	return UNIT_REPORT();
}
