/* test_rtnl.c - lib/rtnl.h's executor against the kernel, in a network
 * namespace of its own (skipped when one cannot be made): the failure a
 * plan reports is the first in unit order, then plan order; what the
 * failing unit and the later ones made is taken back, the earlier units'
 * is left pushed on the undo stack; a make that met EEXIST takes nothing
 * back. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/rtnetlink.h>

#include "link.h"
#include "nl.h"
#include "rtnl.h"
#include "undo.h"
#include "unit.h"

static struct nl_sock *sk;

static struct cidr ip4(const char *s, int prefix)
{
	struct cidr c = { .family = AF_INET, .prefix = prefix };

	inet_pton(AF_INET, s, c.addr.b);
	return c;
}

static struct rtnl_req *veth(struct rtnl_plan *p, size_t unit, const char *name, const char *peer)
{
	struct rtnl_req *r = rtnl_add(p, RTNL_VETH, unit, 0, name);

	r->veth = (struct link_veth){ .name = name, .peer = peer, .netns_fd = -1, .peer_netns_fd = -1 };
	return r;
}

static struct rtnl_req *addr(struct rtnl_plan *p, size_t unit, const char *link, const char *a)
{
	struct rtnl_req *r = rtnl_add(p, RTNL_ADDR, unit, 0, link);

	r->addr.a = ip4(a, 24);
	return r;
}

static bool exists(const char *name)
{
	return link_index(sk, name) > 0;
}

static void test_success_is_pushed_and_kept(void)
{
	struct undo u = UNDO_INIT;
	struct rtnl_plan p;
	struct rtnl_error e;
	struct rtnl_req *r, has;

	rtnl_plan_init(&p, sk);
	veth(&p, 0, "ok0", "okp0");
	addr(&p, 0, "ok0", "10.1.0.1");
	rtnl_add(&p, RTNL_UP, 0, 0, "ok0");
	rtnl_add(&p, RTNL_UP, 0, 0, "okp0");
	addr(&p, 0, "okp0", "10.1.0.2");
	r = rtnl_add(&p, RTNL_ROUTE, 0, 0, "okp0");
	r->route.dst = ip4("10.2.0.0", 16);
	r->route.gw = ip4("10.1.0.1", 32);
	CHECK(rtnl_run(&p, &u, &e) == 0);
	CHECK(exists("ok0") && exists("okp0"));
	CHECK(undo_mark(&u) == 1);
	has = (struct rtnl_req){ .op = RTNL_ADDR, .ifindex = link_index(sk, "okp0"), .addr.a = ip4("10.1.0.2", 24) };
	CHECK(rtnl_has(sk, &has) == 1);
	has.addr.a.prefix = 25;
	CHECK(rtnl_has(sk, &has) == 0);
	has = (struct rtnl_req){ .op = RTNL_ROUTE, .ifindex = link_index(sk, "okp0"), .route.dst = ip4("10.2.0.0", 16) };
	CHECK(rtnl_has(sk, &has) == 1);
	has.route.gw = ip4("10.1.0.9", 32);
	CHECK(rtnl_has(sk, &has) == 0);
	/* The command failing later takes it back. */
	CHECK(undo_unwind(&u, 0) == 0);
	CHECK(!exists("ok0") && !exists("okp0"));
	rtnl_plan_free(&p);
	undo_free(&u);
}

/* Units 0..3: 0 fine, 1 fails at its address (a planned failure before
 * it, at the same unit, comes first), 2 fails at its make, 3 fine. */
static void test_first_failure_in_unit_order(void)
{
	struct undo u = UNDO_INIT;
	struct rtnl_plan p;
	struct rtnl_error e = { 0 };
	struct rtnl_req *r;

	rtnl_plan_init(&p, sk);
	veth(&p, 0, "u0", "up0");
	veth(&p, 1, "u1", "up1");
	r = rtnl_add(&p, RTNL_FAILED, 1, 0, "u1");
	r->err = -EADDRNOTAVAIL;
	r->what = 7;
	r->k = 3;
	veth(&p, 2, "u2", "u2");	/* the same name twice: the kernel refuses */
	veth(&p, 3, "u3", "up3");
	CHECK(rtnl_run(&p, &u, &e) < 0);
	CHECK(e.req == 2 && e.unit == 1 && e.what == 7 && e.k == 3 && e.err == -EADDRNOTAVAIL && !e.resolve);
	CHECK(exists("u0"));
	CHECK(!exists("u1") && !exists("u3"));
	CHECK(undo_mark(&u) == 1);
	undo_unwind(&u, 0);
	CHECK(!exists("u0"));
	rtnl_plan_free(&p);
	undo_free(&u);
}

static void test_resolve_and_kernel_errors(void)
{
	struct undo u = UNDO_INIT;
	struct rtnl_plan p;
	struct rtnl_error e = { 0 };

	rtnl_plan_init(&p, sk);
	veth(&p, 0, "r0", "rp0");
	addr(&p, 0, "nosuch", "10.3.0.1");
	CHECK(rtnl_run(&p, &u, &e) < 0);
	CHECK(e.req == 1 && e.resolve && e.err == -ENODEV);
	CHECK(!exists("r0") && undo_mark(&u) == 0);
	rtnl_plan_free(&p);
	/* The same address twice: the second is the kernel's EEXIST. */
	rtnl_plan_init(&p, sk);
	veth(&p, 0, "r1", "rp1");
	addr(&p, 0, "r1", "10.3.0.1");
	addr(&p, 0, "r1", "10.3.0.1");
	CHECK(rtnl_run(&p, &u, &e) < 0);
	CHECK(e.req == 2 && !e.resolve && e.err == -EEXIST);
	CHECK(p.v[1].result == 0 && p.v[2].result == -EEXIST);
	CHECK(!exists("r1"));
	rtnl_plan_free(&p);
	undo_free(&u);
}

static void test_eexist_takes_nothing_back(void)
{
	struct undo u = UNDO_INIT;
	struct rtnl_plan p;
	struct rtnl_error e = { 0 };
	struct rtnl_req *r;

	rtnl_plan_init(&p, sk);
	veth(&p, 0, "x0", "xp0");
	CHECK(rtnl_run(&p, &u, &e) == 0);
	undo_commit(&u, 0);
	rtnl_plan_free(&p);
	rtnl_plan_init(&p, sk);
	veth(&p, 0, "x0", "xq0");
	CHECK(rtnl_run(&p, &u, &e) < 0 && e.err == -EEXIST);
	CHECK(exists("x0") && exists("xp0") && undo_mark(&u) == 0);
	rtnl_plan_free(&p);
	/* RTNL_KEEP: EEXIST is success, and nothing is pushed. */
	rtnl_plan_init(&p, sk);
	r = rtnl_add(&p, RTNL_BRIDGE, 0, 0, "x0");
	r->flags = RTNL_KEEP;
	CHECK(rtnl_run(&p, &u, &e) == 0 && p.v[0].result == -EEXIST && undo_mark(&u) == 0);
	rtnl_plan_free(&p);
	undo_free(&u);
}

static void test_links_del_and_gateway(void)
{
	struct undo u = UNDO_INIT;
	struct rtnl_plan p;
	struct rtnl_error e;
	const char *n[] = { "d0", "d1", "d2" }, *pn[] = { "dp0", "dp1", "dp2" };
	int idx[3];
	size_t gone;
	struct cidr a[2] = { ip4("10.5.0.1", 24) }, gw;

	rtnl_plan_init(&p, sk);
	for (int i = 0; i < 3; i++)
		veth(&p, (size_t)i, n[i], pn[i]);
	CHECK(rtnl_run(&p, &u, &e) == 0);
	undo_free(&u);
	for (int i = 0; i < 3; i++)
		idx[i] = link_index(sk, n[i]);
	CHECK(link_del(sk, idx[1], NULL) == 0);
	CHECK(rtnl_links_del(sk, idx, 3, &gone) == 0 && gone == 1);
	CHECK(!exists("d0") && !exists("d2"));
	rtnl_plan_free(&p);
	CHECK(rtnl_gateway_for(NULL, a, 1, AF_INET, 0, &gw) == 0 && gw.prefix == 24);
	CHECK(rtnl_gateway_for(NULL, a, 1, AF_INET6, 0, &gw) == -EADDRNOTAVAIL);
}

int main(void)
{
	if (unshare(CLONE_NEWNET) < 0 || !(sk = nl_route_open())) {
		printf("skipped: no network namespace of its own (%s)\n", strerror(errno));
		return UNIT_REPORT();
	}
	test_success_is_pushed_and_kept();
	test_first_failure_in_unit_order();
	test_resolve_and_kernel_errors();
	test_eexist_takes_nothing_back();
	test_links_del_and_gateway();
	nl_route_close(sk);
	return UNIT_REPORT();
}
