/* usernet.c - the user-mode network helper of a jail (usernet.h). */
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <poll.h>
#include <signal.h>
#include <stdnoreturn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "json.h"
#include "usernet.h"
#include "util.h"

/* How long a helper may take to configure the namespace: generous, since
 * a loaded machine is only slower; a helper that hangs is not waited on
 * for ever. */
#define READY_TIMEOUT_MS 30000

/* The fds the helper finds: its readiness pipe, slirp4netns's exit fd,
 * and the jail's namespaces for pasta. */
enum { FD_READY = 3, FD_EXIT = 4, FD_USERNS = 5, FD_NETNS = 6 };

static const struct {
	const char *name, *package;
} helpers[] = {
	[USERNET_PASTA] = { "pasta", "passt" },
	[USERNET_SLIRP4NETNS] = { "slirp4netns", "slirp4netns" },
};

int usernet_parse(const char *s, enum usernet_helper *h)
{
	for (size_t i = 1; i < ARRAY_SIZE(helpers); i++)
		if (streq(s, helpers[i].name)) {
			*h = (enum usernet_helper)i;
			return 0;
		}
	return -EINVAL;
}

int usernet_add_publish(struct usernet *u, const char *s)
{
	struct publish p, *v;

	if (publish_parse(s, &p) < 0)
		return -EINVAL;
	if (!(v = reallocarray(u->pub, u->npub + 1, sizeof(*v))))
		return -ENOMEM;
	u->pub = v;
	u->pub[u->npub++] = p;
	return 0;
}

const char *usernet_name(enum usernet_helper h)
{
	return h > USERNET_NONE && h < ARRAY_SIZE(helpers) ? helpers[h].name : "none";
}

const char *usernet_package(enum usernet_helper h)
{
	return h > USERNET_NONE && h < ARRAY_SIZE(helpers) ? helpers[h].package : "none";
}

int usernet_find(struct usernet *u)
{
	const char *name = usernet_name(u->helper);

	for (const char *p = getenv("PATH"); p && *p; p += strcspn(p, ":"), p += *p == ':') {
		int len = (int)strcspn(p, ":");
		struct stat st;

		if (len && snprintf(u->path, sizeof(u->path), "%.*s/%s", len, p, name) < (int)sizeof(u->path) &&
		    stat(u->path, &st) == 0 && S_ISREG(st.st_mode) && access(u->path, X_OK) == 0)
			return 0;
	}
	u->path[0] = '\0';
	return -ENOENT;
}

/* pasta's spec for one port: "[ADDR/]HOSTPORT:PORT". */
static char *pasta_spec(const struct publish *p)
{
	char addr[INET6_ADDRSTRLEN], *s;

	publish_addr(p, addr, sizeof(addr));
	if (asprintf(&s, "%s%s%u:%u", addr, *addr ? "/" : "", p->host_port, p->port) < 0)
		return NULL;
	return s;
}

/* The helper's command line, built in the helper's process just before
 * exec. pasta: in the foreground (it stays our child), configuring the
 * namespace as rootless Podman has it: no port forwarded but the published
 * ones, none from the jail to the caller's loopback (-T/-U none), and the
 * gateway not mapped to the caller's loopback either (--no-map-gw); it
 * writes its pid to FD_READY once the namespace is configured. It joins
 * the namespaces through fds nsnew opened: pasta drops every capability
 * first, and may then not open the /proc/PID/ns of a process that has
 * more. As root it would also switch to nobody, who may not join the
 * user namespace root made for the jail: it stays root (--runas 0:0), the
 * owner of that namespace, which is what lets it join with no capability
 * left (pasta_can_join).
 * slirp4netns: as Podman runs it, sandboxed, the caller's loopback out of
 * reach, with its own readiness and exit fds. */
static char **helper_argv(const struct usernet *u, pid_t target, const char *api, bool userns)
{
	static const char *const pasta[] = {
		"-f", "-q", "--config-net", "--no-map-gw", "-T", "none", "-U", "none", "-P", "/proc/self/fd/3",
		"--netns", "/proc/self/fd/6", "--no-netns-quit",
	};
	static const char *const slirp[] = {
		"--configure", "--mtu=65520", "--disable-host-loopback", "--enable-sandbox",
		"--enable-seccomp", "--ready-fd=3", "--exit-fd=4",
	};
	size_t n = 0, max = 32 + 2 * u->npub;
	char **a = calloc(max, sizeof(char *));
	bool tcp = false, udp = false, root = geteuid() == 0;

	if (!a || asprintf(&a[n++], "%s", usernet_name(u->helper)) < 0)
		return NULL;
	if (u->helper == USERNET_PASTA) {
		for (size_t i = 0; i < ARRAY_SIZE(pasta); i++)
			a[n++] = (char *)pasta[i];
		if (root) {
			a[n++] = (char *)"--runas";
			a[n++] = (char *)"0:0";
		}
		if (userns) {
			a[n++] = (char *)"--userns";
			a[n++] = (char *)"/proc/self/fd/5";
		}
		for (size_t i = 0; i < u->npub; i++) {
			a[n++] = (char *)(u->pub[i].udp ? "-u" : "-t");
			if (!(a[n++] = pasta_spec(&u->pub[i])))
				return NULL;
			tcp |= !u->pub[i].udp;
			udp |= u->pub[i].udp;
		}
		if (!tcp) {
			a[n++] = (char *)"-t";
			a[n++] = (char *)"none";
		}
		if (!udp) {
			a[n++] = (char *)"-u";
			a[n++] = (char *)"none";
		}
	} else {
		for (size_t i = 0; i < ARRAY_SIZE(slirp); i++)
			a[n++] = (char *)slirp[i];
		if (api) {
			a[n++] = (char *)"--api-socket";
			a[n++] = (char *)api;
		}
	}
	if (u->helper == USERNET_SLIRP4NETNS &&
	    (asprintf(&a[n++], "%d", (int)target) < 0 || !(a[n++] = strdup("tap0"))))
		return NULL;
	return a;
}

/* /proc/PID/ns/TYPE opened; with SAME, whether it is our own namespace. */
static int open_ns(pid_t pid, const char *type, int *fd, bool *same)
{
	char path[64];
	struct stat a, b;

	snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, type);
	if ((*fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	snprintf(path, sizeof(path), "/proc/self/ns/%s", type);
	if (same)
		*same = stat(path, &a) == 0 && fstat(*fd, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev;
	return 0;
}

/* In the helper's process, before exec: WHAT failed, said where nsnew
 * reads the helper's last words. */
static noreturn void helper_failed(const struct usernet *u, const char *what)
{
	dprintf(u->log, "%s: %s\n", what, strerror(errno));
	_exit(127);
}

/* In the helper's process: its fds in place, out of nsnew's session (a ^C
 * at the caller's terminal is for the jail, which nsnew forwards it to),
 * killed when nsnew dies, then exec. */
static noreturn void exec_helper(const struct usernet *u, pid_t target, const char *api,
				 int ready, int exit_fd, pid_t parent)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC), userns = -1, netns = -1;
	bool pasta = u->helper == USERNET_PASTA, own_userns = false;
	char **argv;

	if (pasta && (open_ns(target, "user", &userns, &own_userns) < 0 || open_ns(target, "net", &netns, NULL) < 0))
		helper_failed(u, "the jail's namespaces");
	if (own_userns) {	/* the jail has no user namespace of its own */
		close(userns);
		userns = -1;
	}
	argv = helper_argv(u, target, api, userns >= 0);

	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0L, 0L, 0L) < 0 || getppid() != parent)
		_exit(127);	/* nsnew is gone already */
	/* Out of the way of fds 0-4 first, so no dup2 below clobbers one. */
	ready = fcntl(ready, F_DUPFD_CLOEXEC, 10);
	exit_fd = exit_fd >= 0 ? fcntl(exit_fd, F_DUPFD_CLOEXEC, 10) : -2;
	userns = userns >= 0 ? fcntl(userns, F_DUPFD_CLOEXEC, 10) : -2;
	netns = netns >= 0 ? fcntl(netns, F_DUPFD_CLOEXEC, 10) : -2;
	if (null < 0 || !argv || ready < 0 || exit_fd == -1 || userns == -1 || netns == -1 ||
	    setsid() < 0 || child_unblock() < 0 ||
	    dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(u->log, 2) < 0 ||
	    dup2(ready, FD_READY) != FD_READY || (exit_fd >= 0 && dup2(exit_fd, FD_EXIT) != FD_EXIT) ||
	    (userns >= 0 && dup2(userns, FD_USERNS) != FD_USERNS) || (netns >= 0 && dup2(netns, FD_NETNS) != FD_NETNS))
		helper_failed(u, "set up");
	execv(u->path, argv);
	helper_failed(u, u->path);
}

/* The helper's last line of complaint, for nsnew's message. */
static void last_words(const struct usernet *u, char *why, size_t size)
{
	char buf[4096], *line = buf, *nl;
	off_t end = u->log >= 0 ? lseek(u->log, 0, SEEK_END) : -1;
	ssize_t n;

	*why = '\0';
	if (end <= 0)
		return;
	n = pread(u->log, buf, sizeof(buf) - 1, end > (off_t)sizeof(buf) - 1 ? end - (off_t)sizeof(buf) + 1 : 0);
	if (n <= 0)
		return;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	if ((nl = strrchr(buf, '\n')))
		line = nl + 1;
	for (char *c = line; *c; c++)	/* one line, printable */
		if ((unsigned char)*c < ' ')
			*c = ' ';
	snprintf(why, size, "%s", line);
}

/* Wait until the helper says it is ready on READY (any byte), or exits. */
static int wait_ready(int ready)
{
	struct pollfd p = { ready, POLLIN, 0 };
	char buf[32];
	int r = poll(&p, 1, READY_TIMEOUT_MS);

	if (r < 0)
		return -errno;
	if (r == 0)
		return -ETIMEDOUT;
	return read(ready, buf, sizeof(buf)) > 0 ? 0 : -ECHILD;
}

/* One port forwarded through slirp4netns's API socket: a request, then
 * the reply read until the helper closes the connection. */
static int slirp_forward(const char *api, const struct publish *p, char *why, size_t size)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char addr[INET6_ADDRSTRLEN], req[256], reply[1024];
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct json_object *j, *err;
	size_t len = 0;
	ssize_t n;
	int r = 0;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", api);
	publish_addr(p, addr, sizeof(addr));
	n = snprintf(req, sizeof(req),
		     "{\"execute\": \"add_hostfwd\", \"arguments\": {\"proto\": \"%s\", "
		     "\"host_addr\": \"%s\", \"host_port\": %u, \"guest_port\": %u}}",
		     p->udp ? "udp" : "tcp", *addr ? addr : "0.0.0.0", p->host_port, p->port);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || write(fd, req, (size_t)n) != n ||
	    shutdown(fd, SHUT_WR) < 0)
		return -errno;
	while (len < sizeof(reply) - 1 && (n = read(fd, reply + len, sizeof(reply) - 1 - len)) > 0)
		len += (size_t)n;
	if (n < 0)
		return -errno;
	reply[len] = '\0';
	if (!(j = json_parse_whole(reply, len, NULL)))
		return -EPROTO;
	if (json_object_object_get_ex(j, "error", &err)) {
		struct json_object *desc;

		snprintf(why, size, "port %u: %s", p->host_port,
			 json_object_object_get_ex(err, "desc", &desc) ? json_object_get_string(desc) : "refused");
		r = -EADDRNOTAVAIL;
	} else if (!json_object_object_get_ex(j, "return", &err)) {
		r = -EPROTO;
	}
	json_object_put(j);
	return r;
}

/* slirp4netns's API socket lives in a directory of our own only while the
 * ports are added: the published ports are all known now, and nothing else
 * is to talk to the helper. */
static int api_dir(char *dir, size_t size)
{
	const char *base = getenv("XDG_RUNTIME_DIR");

	if (!base || *base != '/' || strlen(base) > 60)
		base = "/tmp";
	snprintf(dir, size, "%s/nsnew-usernet.XXXXXX", base);
	return mkdtemp(dir) ? 0 : -errno;
}

/* As root, pasta drops CAP_SYS_ADMIN before it joins the jail's network
 * namespace (Debian 12's passt 2023-03 does; nothing asks it to keep it),
 * so the namespace must belong to a user namespace of the jail's own,
 * which root, pasta's user, owns: -EPERM and why when it does not. */
static int pasta_can_join(pid_t target, char *why, size_t size)
{
	_cleanup_close_ int fd = -1;
	bool same;
	int r;

	if (geteuid() != 0)
		return 0;
	if ((r = open_ns(target, "user", &fd, &same)) < 0)
		return r;
	if (!same)
		return 0;
	snprintf(why, size, "as root, pasta (passt 2023-03, as in Debian 12) drops CAP_SYS_ADMIN "
		 "before it joins the jail's network: give the jail its own user namespace (-U) "
		 "or use --user-net=slirp4netns");
	return -EPERM;
}

int usernet_start(struct usernet *u, pid_t target, char *why, size_t size)
{
	_cleanup_close_ int ready_r = -1, ready_w = -1, exit_r = -1;
	int ready[2], ex[2] = { -1, -1 }, r;
	char dir[128] = "", api[160] = "";
	bool slirp = u->helper == USERNET_SLIRP4NETNS;
	pid_t self = getpid();

	*why = '\0';
	if (!slirp && (r = pasta_can_join(target, why, size)) < 0)
		return r;
	if (pipe2(ready, O_CLOEXEC) < 0)
		return -errno;
	ready_r = ready[0];
	ready_w = ready[1];
	if (slirp && pipe2(ex, O_CLOEXEC) < 0)
		return -errno;
	exit_r = ex[0];
	u->exit_fd = ex[1];
	if ((u->log = memfd_create("nsnew-usernet-log", MFD_CLOEXEC)) < 0)
		return -errno;
	if (slirp && u->npub) {
		if ((r = api_dir(dir, sizeof(dir))) < 0)
			return r;
		snprintf(api, sizeof(api), "%s/api.sock", dir);
	}
	u->pid = fork();
	if (u->pid < 0) {
		r = -errno;
		goto out;
	}
	if (u->pid == 0)
		exec_helper(u, target, *api ? api : NULL, ready_w, exit_r, self);
	close(ready_w);
	ready_w = -1;
	r = wait_ready(ready_r);
	for (size_t i = 0; r == 0 && slirp && i < u->npub; i++)
		r = slirp_forward(api, &u->pub[i], why, size);
out:
	if (*api)
		unlink(api);
	if (*dir)
		rmdir(dir);
	if (r < 0) {
		usernet_stop(u);
		if (!*why)
			last_words(u, why, size);
	}
	close(u->log);	/* the helper has its own */
	u->log = -1;
	return r;
}

/* SIGKILL: the helper has nothing to clean up (its API socket is gone
 * already). Not reaped: nsnew exits right after, and its exit is not held
 * up by the helper's own (tearing down its sandbox and the jail's tap
 * takes longer than the jail's whole start); the killed helper runs no
 * more code and its parent's parent reaps it. */
void usernet_stop(struct usernet *u)
{
	if (u->pid > 0) {
		kill(u->pid, SIGKILL);
		u->pid = 0;
	}
	if (u->exit_fd >= 0) {
		close(u->exit_fd);
		u->exit_fd = -1;
	}
}

/* slirp4netns answers DNS on 10.0.2.3 and forwards it to the caller's
 * resolvers, which the jail may not reach itself (a resolver on the
 * caller's loopback): the jail's resolv.conf names 10.0.2.3, with the
 * caller's other lines (search, options), as Podman writes it. pasta
 * copies the caller's addresses and routes, so its jail keeps the
 * caller's file. */
int usernet_resolv_conf(const struct usernet *u, int host)
{
	static const char ns[] = "nameserver 10.0.2.3\n";
	_cleanup_free_ char *buf = NULL;
	_cleanup_close_ int fd = -1;
	FILE *in;
	size_t cap = 0;
	ssize_t n;

	if (u->helper != USERNET_SLIRP4NETNS)
		return host;
	if ((fd = memfd_create("resolv.conf", MFD_CLOEXEC)) < 0 || write(fd, ns, sizeof(ns) - 1) < 0)
		return -errno;
	if (host >= 0) {
		if (!(in = fdopen(host, "r")))
			return -errno;
		while ((n = getline(&buf, &cap, in)) > 0) {
			const char *w = buf + strspn(buf, " \t");

			if (strncmp(w, "nameserver", 10) != 0 && write(fd, buf, (size_t)n) < 0) {
				fclose(in);
				return -errno;
			}
		}
		fclose(in);
	}
	if (lseek(fd, 0, SEEK_SET) < 0)
		return -errno;
	return steal_fd(&fd);
}
