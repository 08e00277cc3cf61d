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
#include "netnsdir.h"
#include "ns.h"
#include "parse.h"
#include "unit.h"

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
}

static void test_ns_types(void)
{
	int f = 0;

	CHECK(ns_type_by_name("net")->flag == CLONE_NEWNET);
	CHECK(ns_type_by_name("mount")->flag == CLONE_NEWNS);
	CHECK(ns_type_by_name("mnt")->flag == CLONE_NEWNS);
	CHECK(ns_type_by_name("bogus") == NULL);
	CHECK(ns_type_by_flag(CLONE_NEWUSER)->opt == 'U');
	CHECK(strcmp(ns_types[0].name, "user") == 0);
	CHECK(ns_flags_parse("net,uts", &f) == 0 && f == (CLONE_NEWNET | CLONE_NEWUTS));
	CHECK(ns_flags_parse("net,,uts", &f) == 0);
	CHECK(ns_flags_parse("net,bogus", &f) == -EINVAL);
	CHECK(ns_flags_parse("", &f) == -EINVAL);
	CHECK(ns_flags_parse(",", &f) == -EINVAL);
	CHECK(ns_flags_parse("all", &f) == 0 && (f & CLONE_NEWUSER) && (f & CLONE_NEWNET));
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

int main(void)
{
	test_parse_size();
	test_cidr();
	test_parse_numbers();
	test_names();
	test_ns_types();
	test_exit_status();
	test_ns_open_errors();
	return UNIT_REPORT();
}
