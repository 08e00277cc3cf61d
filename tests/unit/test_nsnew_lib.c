/* test_nsnew_lib.c - unit tests for nsnew's own parsers: the seccomp text
 * profile (tools/nsnew/profile.h), --rlimit (rlimits.h) and --cpus
 * (cgroup.h). */
#include <errno.h>
#include <string.h>

#include "nsnew/cgroup.h"
#include "nsnew/profile.h"
#include "nsnew/rlimits.h"
#include "unit.h"

static int parse(const char *text, struct sc_profile *p, struct sc_error *e)
{
	int r = profile_parse(text, strlen(text), p, e);

	if (r < 0)
		profile_free(p);
	return r;
}

static void test_profile(void)
{
	struct sc_profile p;
	struct sc_error e;

	CHECK(parse("", &p, &e) == 0 && p.n == 0 && p.def == SC_ALLOW);
	CHECK(parse("# only a comment\n\n   \t\n", &p, &e) == 0 && p.n == 0);
	CHECK(parse("default deny EACCES\nallow read # why\n\tdeny  write 5\r\nkill ptrace\ndeny mkdir", &p, &e) == 0);
	CHECK(p.def == SC_DENY && p.def_err == EACCES && p.n == 4);
	CHECK(!strcmp(p.rule[0].name, "read") && p.rule[0].action == SC_ALLOW && p.rule[0].line == 2);
	CHECK(p.rule[1].action == SC_DENY && p.rule[1].err == 5 && p.rule[1].line == 3);
	CHECK(p.rule[2].action == SC_KILL && p.rule[3].err == EPERM);
	profile_free(&p);
	CHECK(parse("default kill\n", &p, &e) == 0 && p.def == SC_KILL);
	profile_free(&p);
	/* each refusal names its line */
	CHECK(parse("allow read\nallow\n", &p, &e) == -EINVAL && e.line == 2);
	CHECK(parse("deny read ENOPE\n", &p, &e) == -EINVAL && e.line == 1 && strstr(e.msg, "ENOPE"));
	CHECK(parse("deny read 0", &p, &e) == -EINVAL);
	CHECK(parse("deny read 4096", &p, &e) == -EINVAL);
	CHECK(parse("deny read 4095", &p, &e) == 0);
	profile_free(&p);
	CHECK(parse("allow read 1", &p, &e) == -EINVAL);
	CHECK(parse("kill read EPERM", &p, &e) == -EINVAL);
	CHECK(parse("deny read EPERM x", &p, &e) == -EINVAL && strstr(e.msg, "too many"));
	CHECK(parse("default allow\ndefault kill", &p, &e) == -EINVAL && e.line == 2);
	CHECK(parse("default", &p, &e) == -EINVAL);
	CHECK(parse("default sometimes", &p, &e) == -EINVAL);
	CHECK(parse("allow read\n\nallow read", &p, &e) == -EINVAL && e.line == 3 && strstr(e.msg, "line 1"));
	CHECK(parse("allow Read", &p, &e) == -EINVAL);
	CHECK(parse("allow ../x", &p, &e) == -EINVAL);
	CHECK(parse("allow aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", &p, &e) == -EINVAL);
	CHECK(profile_parse("allow read\0x", 12, &p, &e) == -EINVAL);
	profile_free(&p);
	CHECK(profile_errno("EPERM") == EPERM && profile_errno("ENOSYS") == ENOSYS && profile_errno("13") == 13);
	CHECK(profile_errno("eperm") < 0 && profile_errno("-1") < 0 && profile_errno("") < 0);
}

static void test_rlimit(void)
{
	struct rlimit_set s = { 0 };
	const char *name = NULL;

	CHECK(rlimit_parse(&s, "nofile=10:20") == 0 && s.n == 1);
	CHECK(s.v[0].resource == RLIMIT_NOFILE && s.v[0].lim.rlim_cur == 10 && s.v[0].lim.rlim_max == 20);
	CHECK(rlimit_parse(&s, "nofile=30") == 0 && s.n == 1 && s.v[0].lim.rlim_cur == 30 && s.v[0].lim.rlim_max == 30);
	CHECK(rlimit_parse(&s, "core=0:unlimited") == 0 && s.n == 2 && s.v[1].lim.rlim_max == RLIM_INFINITY);
	CHECK(rlimit_parse(&s, "as=infinity") == 0 && s.v[2].lim.rlim_cur == RLIM_INFINITY);
	CHECK(rlimit_parse(&s, "nofile=2:1") == -ERANGE);
	CHECK(rlimit_parse(&s, "nofile=unlimited:1") == -ERANGE);
	CHECK(rlimit_parse(&s, "nofile") == -EINVAL);
	CHECK(rlimit_parse(&s, "nofile=") == -EINVAL);
	CHECK(rlimit_parse(&s, "nofile=1:") == -EINVAL);
	CHECK(rlimit_parse(&s, "nofiles=1") == -EINVAL);
	CHECK(rlimit_parse(&s, "=1") == -EINVAL);
	CHECK(rlimit_parse(&s, "nofile=-1") == -EINVAL);
	CHECK(rlimit_parse(&s, "nofile=1 ") == -EINVAL);
	CHECK(rlimit_parse(&s, "nofile=1111111111111111111111111111111111111") == -EINVAL);
	CHECK(s.n == 3);
	CHECK(rlimit_apply(&(struct rlimit_set){ .n = 0 }, &name) == 0);
}

static void test_cpus(void)
{
	uint64_t q;

	CHECK(cgroup_parse_cpus("1", &q) == 0 && q == 100000);
	CHECK(cgroup_parse_cpus("0.5", &q) == 0 && q == 50000);
	CHECK(cgroup_parse_cpus("2.25", &q) == 0 && q == 225000);
	CHECK(cgroup_parse_cpus("0.01", &q) == 0 && q == 1000);
	CHECK(cgroup_parse_cpus("0.00999", &q) == -EINVAL);
	CHECK(cgroup_parse_cpus("1.00001", &q) == 0 && q == 100001);
	CHECK(cgroup_parse_cpus("4096", &q) == 0);
	CHECK(cgroup_parse_cpus("4096.1", &q) == -EINVAL);
	CHECK(cgroup_parse_cpus("0", &q) == -EINVAL);
	CHECK(cgroup_parse_cpus("1.000001", &q) == -EINVAL);
	CHECK(cgroup_parse_cpus(".5", &q) == -EINVAL);
	CHECK(cgroup_parse_cpus("1.", &q) == -EINVAL);
	CHECK(cgroup_parse_cpus("1.-5", &q) == -EINVAL);
	CHECK(cgroup_parse_cpus("", &q) == -EINVAL);
	CHECK(cgroup_parse_cpus("1e3", &q) == -EINVAL);
}

int main(void)
{
	test_profile();
	test_rlimit();
	test_cpus();
	return UNIT_REPORT();
}
