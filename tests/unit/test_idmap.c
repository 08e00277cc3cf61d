/* test_idmap.c - unit tests for lib/idmap: range parsing, map checks,
 * /etc/subuid parsing, the --subids map. */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "idmap.h"
#include "unit.h"

static void test_parse_range(void)
{
	struct idmap_range r;

	CHECK(idmap_parse_range("0:1000:1", &r) == 0 && r.in == 0 && r.out == 1000 && r.count == 1);
	CHECK(idmap_parse_range("1:100000:65536", &r) == 0 && r.count == 65536);
	CHECK(idmap_parse_range("0:0:4294967295", &r) == 0);
	CHECK(idmap_parse_range("1:0:4294967295", &r) == -ERANGE);
	CHECK(idmap_parse_range("0:1:4294967295", &r) == -ERANGE);
	CHECK(idmap_parse_range("4294967294:0:1", &r) == 0);
	CHECK(idmap_parse_range("4294967295:0:1", &r) == -ERANGE);
	CHECK(idmap_parse_range("0:0:0", &r) == -ERANGE);
	CHECK(idmap_parse_range("0:0:4294967296", &r) == -ERANGE);
	CHECK(idmap_parse_range("0:1000", &r) == -EINVAL);
	CHECK(idmap_parse_range("0:1000:1:2", &r) == -EINVAL);
	CHECK(idmap_parse_range("a:1000:1", &r) == -EINVAL);
	CHECK(idmap_parse_range("-1:1000:1", &r) == -EINVAL);
	CHECK(idmap_parse_range(" 0:1000:1", &r) == -EINVAL);
	CHECK(idmap_parse_range("0::1", &r) == -EINVAL);
	CHECK(idmap_parse_range("", &r) == -EINVAL);
	CHECK(idmap_parse_range(NULL, &r) == -EINVAL);
}

static void test_add(void)
{
	static struct idmap m;
	struct idmap_range r;
	char buf[IDMAP_MAX_BYTES + 1];

	m.n = 0;
	r = (struct idmap_range){ 0, 1000, 1 };
	CHECK(idmap_add(&m, &r) == 0);
	r = (struct idmap_range){ 1, 100000, 65536 };
	CHECK(idmap_add(&m, &r) == 0);
	/* inside overlap, outside overlap, touching ranges */
	r = (struct idmap_range){ 65536, 500000, 2 };
	CHECK(idmap_add(&m, &r) == -EEXIST);
	r = (struct idmap_range){ 70000, 165535, 1 };
	CHECK(idmap_add(&m, &r) == -EEXIST);
	r = (struct idmap_range){ 70000, 1000, 1 };
	CHECK(idmap_add(&m, &r) == -EEXIST);
	r = (struct idmap_range){ 65537, 165536, 1 };
	CHECK(idmap_add(&m, &r) == 0);
	r = (struct idmap_range){ 5, 5, 0 };
	CHECK(idmap_add(&m, &r) == -ERANGE);
	CHECK(m.n == 3);
	CHECK(idmap_format(&m, buf, sizeof(buf)) > 0);
	CHECK(strcmp(buf, "0 1000 1\n1 100000 65536\n65537 165536 1\n") == 0);
	CHECK(idmap_format(&m, buf, 5) == -E2BIG);

	/* 340 ranges fit; the 341st does not */
	m.n = 0;
	for (unsigned i = 0; i < IDMAP_MAX_RANGES; i++) {
		r = (struct idmap_range){ i, 1000 + i, 1 };
		CHECK(idmap_add(&m, &r) == 0);
	}
	r = (struct idmap_range){ 5000, 9000, 1 };
	CHECK(idmap_add(&m, &r) == -E2BIG);
	CHECK(m.n == IDMAP_MAX_RANGES);

	/* a map whose text passes one page is refused too */
	m.n = 0;
	int e = 0;
	for (unsigned i = 0; i < IDMAP_MAX_RANGES && e == 0; i++) {
		r = (struct idmap_range){ 4000000000u + i, 3000000000u + i, 1 };
		e = idmap_add(&m, &r);
	}
	CHECK(e == -E2BIG);
	CHECK(m.n < IDMAP_MAX_RANGES);
}

static void test_subids(void)
{
	char path[] = "/tmp/nskit-subuid-XXXXXX";
	int fd = mkstemp(path);
	struct idmap_range v[8];
	static struct idmap m;
	size_t n = 0;
	FILE *f;

	CHECK(fd >= 0);
	f = fdopen(fd, "w");
	fputs("# comment\nalice:100000:65536\nbob:200000:65536\n1000:300000:10\n"
	      "alice:bad:1\nalice:400000:0\nalice:500000\nalice:600000:5\n", f);
	fclose(f);
	CHECK(idmap_subids(path, "alice", 1000, v, 8, &n) == 0);
	CHECK(n == 3);
	CHECK(n == 3 && v[0].out == 100000 && v[0].count == 65536);
	CHECK(n == 3 && v[1].out == 300000 && v[1].count == 10);
	CHECK(n == 3 && v[2].out == 600000 && v[2].count == 5);
	n = 0;
	CHECK(idmap_subids(path, "carol", 1001, v, 8, &n) == 0 && n == 0);
	n = 0;
	CHECK(idmap_subids(path, "alice", 1000, v, 2, &n) == -E2BIG);
	n = 0;
	CHECK(idmap_subids("/nonexistent/subuid", "alice", 1000, v, 8, &n) == 0 && n == 0);
	unlink(path);

	n = 0;
	CHECK(idmap_from_subids(&m, 1000, v, 0) == -ENOENT);
	v[0] = (struct idmap_range){ 0, 100000, 65536 };
	v[1] = (struct idmap_range){ 0, 300000, 10 };
	CHECK(idmap_from_subids(&m, 1000, v, 2) == 0);
	CHECK(m.n == 3 && m.r[0].in == 0 && m.r[0].out == 1000 && m.r[0].count == 1);
	CHECK(m.n == 3 && m.r[1].in == 1 && m.r[1].out == 100000);
	CHECK(m.n == 3 && m.r[2].in == 65537 && m.r[2].out == 300000 && m.r[2].count == 10);
	/* own id inside a subordinate range: the outside ranges overlap */
	CHECK(idmap_from_subids(&m, 100005, v, 2) == -EEXIST);
}

static void test_allowed(void)
{
	struct idmap_range allowed[] = { { 0, 1000, 1 }, { 0, 100000, 65536 } };
	struct idmap_range r;

	r = (struct idmap_range){ 0, 1000, 1 };
	CHECK(idmap_range_allowed(&r, allowed, 2));
	r = (struct idmap_range){ 0, 1000, 2 };
	CHECK(!idmap_range_allowed(&r, allowed, 2));
	r = (struct idmap_range){ 1, 100000, 65536 };
	CHECK(idmap_range_allowed(&r, allowed, 2));
	r = (struct idmap_range){ 1, 100001, 65536 };
	CHECK(!idmap_range_allowed(&r, allowed, 2));
	r = (struct idmap_range){ 0, 0, 1 };
	CHECK(!idmap_range_allowed(&r, allowed, 2));
	r = (struct idmap_range){ 0, 99999, 2 };
	CHECK(!idmap_range_allowed(&r, allowed, 2));
}

/* The own gid is the passwd entry's, whatever the real gid is now: as
 * root, a child that changed its real gid still gets root's group. */
static void test_own_gid(void)
{
	struct passwd *pw = getpwuid(getuid());
	uint32_t g = 12345;
	int status;
	pid_t pid;

	if (!pw) {
		CHECK(idmap_own_gid(&g) == -ENOENT);
		return;
	}
	CHECK(idmap_own_gid(&g) == 0 && g == pw->pw_gid);
	if (getuid() != 0)
		return;
	pid = fork();
	if (pid == 0) {
		uint32_t own = 12345;

		_exit(setregid(4321, 4321) == 0 && getgid() == 4321 && idmap_own_gid(&own) == 0 &&
		      own == pw->pw_gid ? 0 : 1);
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int main(void)
{
	test_own_gid();
	test_parse_range();
	test_add();
	test_subids();
	test_allowed();
	return UNIT_REPORT();
}
