/* test_link.c - unit tests for lib/link.h's name check and lib/ns.h's
 * ns_open_ref (a namespace named, by pid or by path). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "link.h"
#include "ns.h"
#include "nsref.h"
#include "unit.h"

static void test_link_names(void)
{
	CHECK(link_name_check("eth0") == 0);
	CHECK(link_name_check("veth-jail.1_a") == 0);
	CHECK(link_name_check("123456789012345") == 0);
	CHECK(link_name_check("1234567890123456") == -ENAMETOOLONG);
	CHECK(link_name_check("") == -EINVAL);
	CHECK(link_name_check(NULL) == -EINVAL);
	CHECK(link_name_check(".") == -EINVAL);
	CHECK(link_name_check("..") == -EINVAL);
	CHECK(link_name_check("a/b") == -EINVAL);
	CHECK(link_name_check("a:b") == -EINVAL);
	CHECK(link_name_check("a b") == -EINVAL);
	CHECK(link_name_check("a\tb") == -EINVAL);
	CHECK(link_name_check("a\nb") == -EINVAL);
}

static int same_as_self(int fd)
{
	int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	int r = fd >= 0 && self >= 0 ? ns_same(fd, self) : -1;

	if (self >= 0)
		close(self);
	return r;
}

static void test_ns_open_ref(void)
{
	char dir[] = "/tmp/nskit-unit-XXXXXX";
	char pid[32], file[64];
	int fd;

	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	fd = ns_open_ref(pid, CLONE_NEWNET);
	CHECK(same_as_self(fd) == 1);
	if (fd >= 0) {
		CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
		close(fd);
	}
	fd = ns_open_ref("/proc/self/ns/net", CLONE_NEWNET);
	CHECK(same_as_self(fd) == 1);
	if (fd >= 0)
		close(fd);
	CHECK(ns_open_ref("/proc/self/ns/uts", CLONE_NEWNET) == -EMEDIUMTYPE);
	CHECK(ns_open_ref("/nonexistent/ns", CLONE_NEWNET) == -ENOENT);
	CHECK(ns_open_ref("/proc/self/status", CLONE_NEWNET) == -ENOTNAM);
	CHECK(ns_open_ref("", CLONE_NEWNET) == -EINVAL);
	CHECK(ns_open_ref(NULL, CLONE_NEWNET) == -EINVAL);
	CHECK(ns_open_ref("0", CLONE_NEWNET) == -ESRCH);
	CHECK(ns_open_ref("99999999999", CLONE_NEWNET) == -ESRCH);
	CHECK(ns_open_ref("2147483646", CLONE_NEWNET) == -ESRCH);
	/* Names: only network namespaces have a directory of names. */
	CHECK(ns_open_ref("jail", CLONE_NEWUTS) == -EINVAL);
	CHECK(mkdtemp(dir) != NULL);
	setenv("NSKIT_NETNS_DIR", dir, 1);
	CHECK(ns_open_ref("jail", CLONE_NEWNET) == -ENOENT);
	CHECK(ns_open_ref("..", CLONE_NEWNET) == -EINVAL);
	CHECK(ns_open_ref("12ab", CLONE_NEWNET) == -ENOENT);
	/* A plain file under the name is not a namespace. */
	snprintf(file, sizeof(file), "%s/plain", dir);
	fd = open(file, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	CHECK(fd >= 0);
	if (fd >= 0)
		close(fd);
	CHECK(ns_open_ref("plain", CLONE_NEWNET) == -ENOTNAM);
	unlink(file);
	rmdir(dir);
	unsetenv("NSKIT_NETNS_DIR");
}

int main(void)
{
	test_link_names();
	test_ns_open_ref();
	return UNIT_REPORT();
}
