/* nskit-cni - a CNI plugin (specification 1.1.0; also speaks 0.3.1, 0.4.0
 * and 1.0.0) that wires a container's network namespace with a veth pair,
 * point-to-point or onto a bridge, addresses from a delegated IPAM plugin,
 * routes, and masquerade in nskit's own nftables table.
 *   CNI_COMMAND=ADD|DEL|CHECK|STATUS|GC|VERSION ... nskit-cni < CONFIG
 * Siblings: vethctl(8) and natctl(8), whose lib/rtnl.h and lib/nat.h it uses. */
#include <argp.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/rtnetlink.h>

#include "addr.h"
#include "cni.h"
#include "ipcfg.h"
#include "json.h"
#include "link.h"
#include "msg.h"
#include "nat.h"
#include "nl.h"
#include "ns.h"
#include "rtnl.h"
#include "undo.h"
#include "util.h"

#define STATE_DIR "/run/nskit-cni"
#define INPUT_MAX (16u << 20)
/* IFALIASZ, the NUL included */
#define ALIAS_SIZE 256
/* Names host_ifname tries before ADD gives up (a 32-bit hash collides
 * rarely: more than a few taken in a row is someone squatting on them). */
#define HOSTIF_TRIES 16

/* What ADD made so far, to undo on failure, and what the state file
 * records for DEL, CHECK and GC. */
#define MAX_PUBLISH (CNI_MAX_PORTS * 2)
struct made {
	bool state;	/* the state file is written */
	int lo;		/* the container's lo, when ADD brought it up */
	struct nl_sock *ctr;	/* the container's socket, for taking lo down */
	struct nat_masq masq[CNI_MAX_IPS];
	size_t nmasq;
	struct nat_publish pub[MAX_PUBLISH];
	size_t npub;
};

struct cni {
	/* the environment */
	const char *command, *containerid, *netns, *ifname, *args, *path;
	/* the configuration: raw bytes (passed on to IPAM as they came) and parsed */
	char *raw;
	size_t rawlen;
	struct cni_conf conf;
	/* the host end: the name ADD chose, or the one the state file records */
	char hostif[IF_NAMESIZE];
	/* the first error, reported once at exit */
	struct cni_error err;
	/* what ADD made: the state file's record, and how to take it back */
	struct made made;
	struct undo undo;
};

static const char doc[] =
	"A CNI plugin: wire a container's network namespace with a veth pair.\v"
	"Runtimes run it with CNI_COMMAND (ADD, DEL, CHECK, STATUS, GC, VERSION),\n"
	"CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME, CNI_ARGS and CNI_PATH in the\n"
	"environment and the network configuration on stdin; it writes the result\n"
	"(or the specification's error object) as JSON on stdout.\n"
	"\n"
	"Examples:\n"
	"  echo '{\"cniVersion\":\"1.1.0\"}' | CNI_COMMAND=VERSION nskit-cni\n"
	"  nsname add c1 && CNI_COMMAND=ADD CNI_CONTAINERID=c1 CNI_NETNS=/run/netns/c1 \\\n"
	"    CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni nskit-cni < net.conf\n"
	"  CNI_COMMAND=DEL CNI_CONTAINERID=c1 CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni \\\n"
	"    nskit-cni < net.conf\n"
	"\n"
	"Exit status: 0 success; 1 failure (the error object on stdout carries\n"
	"the specification's code); 2 usage error (command-line options).";

static const struct argp argp = { NULL, NULL, NULL, doc, NULL, NULL, NULL };

/* Record the first error; later ones (from undoing) are only logged. */
__attribute__((format(printf, 4, 5)))
static int fail(struct cni *c, int code, const char *msg, const char *fmt, ...)
{
	char details[sizeof(c->err.details)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(details, sizeof(details), fmt, ap);
	va_end(ap);
	if (c->err.code) {
		xwarnc(0, "also: %s: %s", msg, details);
		return -1;
	}
	return cni_error_set(&c->err, code, msg, "%s", details);
}

static int fail_sys(struct cni *c, int err, const char *what)
{
	return fail(c, CNI_ERR_SYSTEM, "system failure", "%s: %s", what, strerror(err < 0 ? -err : err));
}

static void release(struct cni *c)
{
	cni_conf_free(&c->conf);
	free(c->raw);
	c->raw = NULL;
}

/* The error object on stdout, one line on stderr, exit 1. */
static noreturn void report_error(struct cni *c)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "cniVersion",
		json_object_new_string(cni_versions[c->conf.version >= 0 ? c->conf.version : CNI_V110]));
	json_object_object_add(o, "code", json_object_new_int(c->err.code));
	json_object_object_add(o, "msg", json_object_new_string(c->err.msg));
	if (c->err.details[0])
		json_object_object_add(o, "details", json_object_new_string(c->err.details));
	json_print(o);
	release(c);
	xerrc(EXIT_FAIL, 0, "%s: %s", c->err.msg, c->err.details);
}

/* --- reading the request ------------------------------------------------ */

/* All of FD (up to INPUT_MAX bytes) in a malloc'd, NUL-terminated buffer:
 * its length, or -errno (-EFBIG when longer). */
static ssize_t read_all(int fd, char **out)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap + 1);

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		if (len == cap) {
			char *p = cap >= INPUT_MAX ? NULL : realloc(buf, cap * 2 + 1);

			if (!p) {
				free(buf);
				return -EFBIG;
			}
			buf = p;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(buf);
			return -errno;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = 0;
	*out = buf;
	return (ssize_t)len;
}

static int read_input(struct cni *c)
{
	ssize_t n = read_all(STDIN_FILENO, &c->raw);

	if (n < 0)
		return fail(c, CNI_ERR_IO, "reading the network configuration", "stdin: %s",
			    n == -EFBIG ? "more than 16 MiB" : strerror((int)-n));
	c->rawlen = (size_t)n;
	return 0;
}

/* The variables each command needs, checked before anything changes. */
static int check_env(struct cni *c)
{
	bool attach = !streq(c->command, "STATUS") && !streq(c->command, "GC");

	if (attach && !cni_name_ok(c->containerid))
		return fail(c, CNI_ERR_ENV, "invalid environment variables",
			    "CNI_CONTAINERID: missing, or not an alphanumeric followed by alphanumerics, '_', '.', '-'");
	if (attach && (!c->ifname || link_name_check(c->ifname) < 0))
		return fail(c, CNI_ERR_ENV, "invalid environment variables",
			    "CNI_IFNAME: missing, or not an interface name of 1 to %d bytes", LINK_NAME_MAX);
	if (!streq(c->command, "DEL") && attach && (!c->netns || !*c->netns))
		return fail(c, CNI_ERR_ENV, "invalid environment variables", "CNI_NETNS: missing");
	if (c->args && !cni_args_ok(c->args))
		return fail(c, CNI_ERR_ENV, "invalid environment variables",
			    "CNI_ARGS=%.200s: not KEY=VALUE pairs separated by ';'", c->args);
	/* The container end's MAC, as the reference bridge plugin takes it:
	 * the configuration's first, else CNI_ARGS MAC. */
	if (c->args && streq(c->command, "ADD") && !c->conf.has_mac) {
		char mac[32];
		int n = cni_args_get(c->args, "MAC", mac, sizeof(mac));

		if (n < 0 || (n > 0 && cni_mac_parse(mac, c->conf.mac) < 0))
			return fail(c, CNI_ERR_ENV, "invalid environment variables", "CNI_ARGS MAC: not a unicast MAC address");
		c->conf.has_mac = n > 0;
	}
	if (!streq(c->command, "STATUS") && (!c->path || !*c->path))
		return fail(c, CNI_ERR_ENV, "invalid environment variables",
			    "CNI_PATH: missing (needed to find the IPAM plugin)");
	return 0;
}

/* The host end's name for try K: "nsk" and 32 bits of FNV-1a over the
 * container id, the interface name and (after the first try) K. Such a
 * hash collides (cf7675c9f0123 and c2f58ef7b97bf with eth0), so the name
 * is no proof of ownership: ADD takes the next K while a name is taken,
 * the state file records the one it got, and DEL and CHECK read it there. */
static void host_ifname(struct cni *c, unsigned k)
{
	uint32_t h = 2166136261u;
	char n[16];
	const char *parts[] = { c->containerid, c->ifname, n };

	snprintf(n, sizeof(n), "%u", k);
	for (size_t i = 0; i < ARRAY_SIZE(parts) - (k == 0); i++)
		for (const unsigned char *p = (const unsigned char *)parts[i]; ; p++) {
			h = (h ^ *p) * 16777619u;	/* the NUL separates the parts */
			if (!*p)
				break;
		}
	snprintf(c->hostif, sizeof(c->hostif), "nsk%08x", h);
}

/* The alias ADD gives the host end (IFLA_IFALIAS, shown by `ip link`):
 * whose it is. DEL deletes a link only when it carries its own, so never a
 * colliding container's link, nor one an admin made under that name.
 * -ENAMETOOLONG when it does not fit in the kernel's 255 bytes. */
static int host_alias(const char *net, const char *cid, const char *ifname, char *buf, size_t size)
{
	int n = cid && ifname ? snprintf(buf, size, "nskit-cni %s %s %s", net, cid, ifname) : -1;

	return n >= 0 && (size_t)n < size ? 0 : -ENAMETOOLONG;
}

static int open_netns(struct cni *c)
{
	int fd;

	if (c->netns[0] != '/')
		return fail(c, CNI_ERR_ENV, "invalid environment variables", "CNI_NETNS=%s: not an absolute path", c->netns);
	fd = ns_open_path(c->netns, CLONE_NEWNET);
	if (fd == -ENOENT)
		return fail(c, CNI_ERR_NO_CONTAINER, "container unknown or does not exist", "CNI_NETNS=%s: %s",
			    c->netns, ns_open_strerror(fd, CLONE_NEWNET));
	if (fd < 0)
		return fail(c, CNI_ERR_ENV, "invalid environment variables", "CNI_NETNS=%s: %s",
			    c->netns, ns_open_strerror(fd, CLONE_NEWNET));
	return fd;
}

/* --- delegation to the IPAM plugin -------------------------------------- */

/* The IPAM plugin's path, found in CNI_PATH: NULL with errno ENOENT
 * when no directory has it. */
static char *find_plugin(const struct cni *c)
{
	_cleanup_free_ char *dirs = strdup(c->path ? c->path : "");
	char *save = NULL;

	if (!dirs)
		return NULL;
	for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		char *p;
		struct stat st;

		if (asprintf(&p, "%s/%s", d, c->conf.ipam) < 0)
			return NULL;
		if (stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0)
			return p;
		free(p);
	}
	errno = ENOENT;
	return NULL;
}

static int fail_no_plugin(struct cni *c, int code, const char *msg)
{
	if (errno != ENOENT)
		return fail_sys(c, errno, "CNI_PATH");
	return fail(c, code, msg, "ipam.type: no plugin \"%s\" in CNI_PATH=%s", c->conf.ipam, c->path ? c->path : "");
}

/* The environment we were given, with CNI_COMMAND set to COMMAND. */
static char **delegate_env(const char *command)
{
	extern char **environ;
	size_t n = 0, k = 0;
	char **env;

	while (environ[n])
		n++;
	env = calloc(n + 2, sizeof(char *));
	if (!env || asprintf(&env[k++], "CNI_COMMAND=%s", command) < 0) {
		free(env);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "CNI_COMMAND=", 12) != 0)
			env[k++] = environ[i];
	return env;
}

/* The delegate's error object passed on with its code, or code 100 when
 * it printed none. */
static int delegate_failed(struct cni *c, const char *command, const char *output, size_t len, int status)
{
	const char *why, *msg, *details;
	struct json_object *e = cni_json_parse(output, len, &why), *code;
	int r;

	msg = cni_json_string(e, "msg");
	details = cni_json_string(e, "details");
	if (e && json_object_object_get_ex(e, "code", &code) && json_object_get_int(code) > 0)
		r = fail(c, json_object_get_int(code), msg ? msg : "IPAM plugin failed", "%s %s: %s",
			 c->conf.ipam, command, details && *details ? details : msg ? msg : "no details");
	else
		r = fail(c, CNI_ERR_SYSTEM, "IPAM plugin failed", "%s %s: exit status %d", c->conf.ipam, command,
			 WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	json_object_put(e);
	return r;
}

/* Run the IPAM plugin with COMMAND, the same environment and the same
 * configuration bytes we got (the spec's delegation); its stderr is ours.
 * Its result object goes to *OUT when OUT is not NULL. */
static int delegate(struct cni *c, const char *command, struct json_object **out)
{
	_cleanup_free_ char *plugin = find_plugin(c), *output = NULL;
	_cleanup_close_ int cfg = -1, rd = -1;
	char **env;
	int pipefd[2], status, e;
	ssize_t len;
	pid_t pid;

	if (!plugin)
		return fail_no_plugin(c, CNI_ERR_CONFIG, "invalid network configuration");
	/* Its stdin is a memfd holding our configuration, so neither side
	 * can block on a full pipe whatever the sizes. */
	cfg = memfd_create("cni-config", MFD_CLOEXEC);
	if (cfg < 0 || write(cfg, c->raw, c->rawlen) != (ssize_t)c->rawlen || lseek(cfg, 0, SEEK_SET) < 0 ||
	    pipe2(pipefd, O_CLOEXEC) < 0)
		return fail_sys(c, cfg < 0 ? errno : EIO, "running the IPAM plugin");
	rd = pipefd[0];
	if (!(env = delegate_env(command))) {
		close(pipefd[1]);
		return fail_sys(c, ENOMEM, "running the IPAM plugin");
	}
	fflush(NULL);
	pid = fork();
	e = errno;
	if (pid == 0) {
		char *argv[] = { plugin, NULL };

		if (dup2(cfg, STDIN_FILENO) >= 0 && dup2(pipefd[1], STDOUT_FILENO) >= 0)
			execve(plugin, argv, env);
		_exit(127);
	}
	close(pipefd[1]);
	free(env[0]);
	free(env);
	if (pid < 0)
		return fail_sys(c, e, "fork");
	len = read_all(rd, &output);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return fail_sys(c, errno, "waitpid");
	if (len < 0)
		return fail_sys(c, (int)len, "reading the IPAM plugin's output");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return delegate_failed(c, command, output, (size_t)len, status);
	if (out) {
		const char *why;

		*out = cni_json_parse(output, (size_t)len, &why);
		if (!*out)
			return fail(c, CNI_ERR_DECODE, "failed to decode the IPAM result", "%s %s: %s",
				    c->conf.ipam, command, why);
	}
	return 0;
}

/* STATUS and GC came with 1.1.0: an IPAM plugin whose VERSION does not
 * list 1.1.0 (Debian 12's host-local is 1.0.0) cannot answer them, so it
 * is not asked, as a runtime gates them on the version. 1, 0 or -1. */
static int delegate_speaks_1_1(struct cni *c)
{
	struct json_object *out = NULL, *arr;
	int yes = 0;

	if (delegate(c, "VERSION", &out) < 0)
		return -1;
	if (json_object_object_get_ex(out, "supportedVersions", &arr) && json_object_is_type(arr, json_type_array))
		for (size_t i = 0; i < json_object_array_length(arr); i++) {
			const char *v = json_object_get_string(json_object_array_get_idx(arr, i));

			yes |= v && streq(v, cni_versions[CNI_V110]);
		}
	json_object_put(out);
	return yes;
}

/* --- results -------------------------------------------------------------- */

static struct json_object *iface_json(struct nl_sock *sk, int ifindex, const char *name, const char *sandbox)
{
	struct json_object *o = json_object_new_object();
	char mac[IPCFG_MACSTRLEN];

	json_object_object_add(o, "name", json_object_new_string(name));
	if (ipcfg_link_mac(sk, ifindex, mac, sizeof(mac)) == 0)
		json_object_object_add(o, "mac", json_object_new_string(mac));
	if (sandbox)
		json_object_object_add(o, "sandbox", json_object_new_string(sandbox));
	return o;
}

/* Append the elements of SRC[KEY] to DST's array KEY. */
static void append_array(struct json_object *dst, struct json_object *src, const char *key)
{
	struct json_object *from, *to;

	if (!src || !json_object_object_get_ex(src, key, &from) || !json_object_is_type(from, json_type_array))
		return;
	if (!json_object_object_get_ex(dst, key, &to)) {
		to = json_object_new_array();
		json_object_object_add(dst, key, to);
	}
	for (size_t i = 0; i < json_object_array_length(from); i++)
		json_object_array_add(to, json_object_get(json_object_array_get_idx(from, i)));
}

static size_t array_len(struct json_object *o, const char *key)
{
	struct json_object *a;

	return o && json_object_object_get_ex(o, key, &a) && json_object_is_type(a, json_type_array) ?
	       json_object_array_length(a) : 0;
}

/* DNS settings: an earlier plugin's, else the configuration's, else IPAM's. */
static struct json_object *pick_dns(struct cni *c, struct json_object *ipam)
{
	struct json_object *d;

	if (c->conf.prev && json_object_object_get_ex(c->conf.prev, "dns", &d) && json_object_is_type(d, json_type_object) &&
	    json_object_object_length(d) > 0)
		return d;
	if (c->conf.dns)
		return c->conf.dns;
	if (json_object_object_get_ex(ipam, "dns", &d) && json_object_is_type(d, json_type_object))
		return d;
	return NULL;
}

/* The ADD result: prevResult's content first (chaining), then what this
 * attachment made. IFACES holds our interfaces, the container's last. */
static struct json_object *build_result(struct cni *c, struct json_object *ipam, struct json_object *ifaces,
					const struct cni_ip *ips, size_t nips)
{
	struct json_object *r = json_object_new_object(), *arr, *dns;
	int ctr = (int)(array_len(c->conf.prev, "interfaces") + json_object_array_length(ifaces) - 1);

	json_object_object_add(r, "cniVersion", json_object_new_string(cni_versions[c->conf.version]));
	json_object_object_add(r, "interfaces", json_object_new_array());
	append_array(r, c->conf.prev, "interfaces");
	json_object_object_get_ex(r, "interfaces", &arr);
	for (size_t i = 0; i < json_object_array_length(ifaces); i++)
		json_object_array_add(arr, json_object_get(json_object_array_get_idx(ifaces, i)));
	append_array(r, c->conf.prev, "ips");
	if (!json_object_object_get_ex(r, "ips", &arr)) {
		arr = json_object_new_array();
		json_object_object_add(r, "ips", arr);
	}
	for (size_t i = 0; i < nips; i++) {
		struct json_object *o = json_object_new_object();
		char s[CIDR_STRLEN];

		if (c->conf.version < CNI_V100)
			json_object_object_add(o, "version", json_object_new_string(ips[i].addr.family == AF_INET ? "4" : "6"));
		json_object_object_add(o, "interface", json_object_new_int(ctr));
		json_object_object_add(o, "address", json_object_new_string(cidr_format(&ips[i].addr, true, s, sizeof(s))));
		if (ips[i].gw.family)
			json_object_object_add(o, "gateway", json_object_new_string(cidr_format(&ips[i].gw, false, s, sizeof(s))));
		json_object_array_add(arr, o);
	}
	append_array(r, c->conf.prev, "routes");
	append_array(r, ipam, "routes");
	dns = pick_dns(c, ipam);
	json_object_object_add(r, "dns", dns ? json_object_get(dns) : json_object_new_object());
	return r;
}

/* --- state: what ADD made that DEL and GC cannot see in the kernel ---------- */

/* STATE_DIR/NETWORK/CONTAINERID:IFNAME holds the attachment's container
 * id, interface name, host end and the masquerade and DNAT entries it
 * added, so DEL removes exactly those (even without a prevResult) and GC
 * finds stale attachments. The file is named for the attachment itself
 * (':' is in neither part), not for its host end: a hash collision gives
 * two attachments two files. Older versions named it after the host end
 * (nsk and 8 hex digits); DEL, CHECK and GC still read those. With TMP,
 * the temporary it is written to, whose leading '.' no file name of an
 * attachment has. */
static char *state_path(const struct cni *c, const char *file, bool tmp)
{
	char *p;

	if (asprintf(&p, STATE_DIR "/%s%s%s%s%s", c->conf.name, file ? "/" : "", file && tmp ? "." : "",
		     file ? file : "", file && tmp ? ".tmp" : "") < 0)
		return NULL;
	return p;
}

/* This attachment's state file name, CONTAINERID:IFNAME; NULL on ENOMEM. */
static char *state_file(const struct cni *c)
{
	char *f;

	return asprintf(&f, "%s:%s", c->containerid, c->ifname) < 0 ? NULL : f;
}

static bool legacy_state_file(const char *f)
{
	return strlen(f) == 11 && strncmp(f, "nsk", 3) == 0 && !f[3 + strspn(f + 3, "0123456789abcdef")];
}

/* O into TMP, then renamed to PATH: a reader sees the old file or the
 * whole new one. */
static int write_json(const char *tmp, struct json_object *o, const char *path)
{
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int r = 0;

	if (fd < 0)
		return -errno;
	errno = 0;
	if (json_object_to_fd(fd, o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE) < 0)
		r = errno ? -errno : -EIO;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	return r;
}

static int state_write(struct cni *c, const struct made *m)
{
	_cleanup_free_ char *f = state_file(c), *dir = state_path(c, NULL, false);
	_cleanup_free_ char *path = f ? state_path(c, f, false) : NULL, *tmp = f ? state_path(c, f, true) : NULL;
	struct json_object *o = json_object_new_object(), *arr = json_object_new_array();
	struct json_object *pub = json_object_new_array();
	int r = 0;

	json_object_object_add(o, "containerID", json_object_new_string(c->containerid));
	json_object_object_add(o, "ifname", json_object_new_string(c->ifname));
	json_object_object_add(o, "netns", json_object_new_string(c->netns));
	json_object_object_add(o, "hostif", json_object_new_string(c->hostif));
	for (size_t i = 0; i < m->nmasq; i++) {
		char s[CIDR_STRLEN];

		json_object_array_add(arr, json_object_new_string(cidr_format(&m->masq[i].subnet, true, s, sizeof(s))));
	}
	json_object_object_add(o, "masq", arr);
	for (size_t i = 0; i < m->npub; i++) {
		const struct nat_publish *p = &m->pub[i];
		struct json_object *e = json_object_new_object();
		char a[CIDR_STRLEN], to[CIDR_STRLEN];

		json_object_object_add(e, "protocol", json_object_new_string(p->proto == IPPROTO_UDP ? "udp" : "tcp"));
		json_object_object_add(e, "hostIP", json_object_new_string(p->addr.family ?
					cidr_format(&p->addr, false, a, sizeof(a)) : ""));
		json_object_object_add(e, "hostPort", json_object_new_int(p->port));
		json_object_object_add(e, "to", json_object_new_string(cidr_format(&p->to, false, to, sizeof(to))));
		json_object_object_add(e, "containerPort", json_object_new_int(p->to_port));
		json_object_array_add(pub, e);
	}
	json_object_object_add(o, "publish", pub);
	if (!dir || !path || !tmp)
		r = -ENOMEM;
	else if ((mkdir(STATE_DIR, 0700) < 0 && errno != EEXIST) || (mkdir(dir, 0700) < 0 && errno != EEXIST))
		r = -errno;
	else
		r = write_json(tmp, o, path);
	json_object_put(o);
	if (r < 0) {
		if (tmp)
			unlink(tmp);
		return fail_sys(c, r, path ? path : STATE_DIR);
	}
	return 0;
}

static struct json_object *state_read(const struct cni *c, const char *file)
{
	_cleanup_free_ char *path = state_path(c, file, false);
	int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	struct json_object *o;

	if (fd < 0 && errno == ENAMETOOLONG)
		errno = ENOENT;	/* an attachment ADD refused: it has none */
	if (fd < 0)
		return NULL;
	o = json_object_from_fd(fd);
	close(fd);
	if (!o)
		errno = ENOENT;	/* one that does not parse counts as none */
	return o;
}

/* An older version's state file for this attachment: named after the
 * host end of the first try, and only when it records this container id
 * and interface (a colliding container's is not ours). *FILE becomes its
 * name. NULL with errno set when there is none. */
static struct json_object *legacy_state(struct cni *c, char **file)
{
	struct json_object *st;
	const char *cid, *ifn;
	char *name;

	host_ifname(c, 0);
	if (!(st = state_read(c, c->hostif)))
		return NULL;
	cid = cni_json_string(st, "containerID");
	ifn = cni_json_string(st, "ifname");
	if (!cid || !ifn || !streq(cid, c->containerid) || !streq(ifn, c->ifname)) {
		json_object_put(st);
		errno = ENOENT;
		return NULL;
	}
	if (!(name = strdup(c->hostif))) {
		json_object_put(st);
		errno = ENOMEM;
		return NULL;
	}
	free(*file);
	*file = name;
	return st;
}

/* This attachment's state (its own file, else an older version's), its
 * file name into *FILE (malloc'd), and c->hostif set to the host end it
 * records ("" when it names no valid one). NULL with errno ENOENT when
 * there is none. */
static struct json_object *state_find(struct cni *c, char **file)
{
	struct json_object *st;
	const char *hostif;
	int e;

	c->hostif[0] = 0;
	if (!(*file = state_file(c))) {
		errno = ENOMEM;
		return NULL;
	}
	if (!(st = state_read(c, *file)) && errno == ENOENT)
		st = legacy_state(c, file);
	c->hostif[0] = 0;
	if (!st) {
		e = errno;
		free(*file);
		*file = NULL;
		errno = e;
		return NULL;
	}
	/* an older version's records none: its file is named after it */
	if (!(hostif = cni_json_string(st, "hostif")))
		hostif = *file;
	if (link_name_check(hostif) == 0)
		snprintf(c->hostif, sizeof(c->hostif), "%s", hostif);
	return st;
}

static void state_remove(const struct cni *c, const char *file)
{
	_cleanup_free_ char *path = state_path(c, file, false), *tmp = state_path(c, file, true);
	_cleanup_free_ char *old = NULL;

	if (path)
		unlink(path);
	/* and the temporary of a state_write killed before its rename */
	if (tmp)
		unlink(tmp);
	/* an older version's temporary: PATH.tmp (only for its file names:
	 * for CID:IFNAME it could be the file of (CID, IFNAME.tmp)) */
	if (path && legacy_state_file(file) && asprintf(&old, "%s.tmp", path) >= 0)
		unlink(old);
}

/* The masquerade and DNAT entries a state object records, into M. */
static void state_nat(struct json_object *st, struct made *m)
{
	struct json_object *arr;

	m->nmasq = m->npub = 0;
	if (st && json_object_object_get_ex(st, "masq", &arr) && json_object_is_type(arr, json_type_array))
		for (size_t i = 0; i < json_object_array_length(arr) && m->nmasq < CNI_MAX_IPS; i++) {
			const char *s = json_object_get_string(json_object_array_get_idx(arr, i));

			m->masq[m->nmasq] = (struct nat_masq){ 0 };
			if (s && cidr_parse(s, &m->masq[m->nmasq].subnet, true) == 0)
				m->nmasq++;
		}
	if (st && json_object_object_get_ex(st, "publish", &arr) && json_object_is_type(arr, json_type_array))
		for (size_t i = 0; i < json_object_array_length(arr) && m->npub < MAX_PUBLISH; i++) {
			struct json_object *e = json_object_array_get_idx(arr, i), *v;
			struct nat_publish p = { .proto = IPPROTO_TCP };
			const char *proto = cni_json_string(e, "protocol"), *a = cni_json_string(e, "hostIP");
			const char *to = cni_json_string(e, "to");
			int port = json_object_object_get_ex(e, "hostPort", &v) ? json_object_get_int(v) : 0;
			int to_port = json_object_object_get_ex(e, "containerPort", &v) ? json_object_get_int(v) : 0;

			if (proto && streq(proto, "udp"))
				p.proto = IPPROTO_UDP;
			if ((a && *a && cidr_parse(a, &p.addr, false) < 0) || !to || cidr_parse(to, &p.to, false) < 0 ||
			    port < 1 || port > 65535 || to_port < 1 || to_port > 65535)
				continue;
			p.port = (uint16_t)port;
			p.to_port = (uint16_t)to_port;
			m->pub[m->npub++] = p;
		}
}

/* --- masquerade, one entry per container address ------------------------------ */

/* Containers of one network share a subnet, so each is masqueraded by its
 * own address (/32 or /128): DEL then removes its entry and nothing that
 * belongs to a sibling, with no reference count to keep. An address some
 * wider entry (`natctl masq add SUBNET`) already covers is left to it. */
static int masq_add(struct cni *c, const struct cni_ip *ips, size_t nips, struct nat_masq *m, size_t *nm)
{
	struct nat *n = nat_open();
	struct nat_state st;
	int e;

	*nm = 0;
	if (!n)
		return fail_sys(c, errno, "nftables");
	e = nat_read(n, &st);
	for (size_t i = 0; i < nips && e == 0; i++) {
		struct nat_masq want = { .subnet = ips[i].addr };
		const struct nat_masq *o;

		want.subnet.prefix = (int)cidr_addr_len(&want.subnet) * 8;
		o = nat_masq_overlap(&st, &want);
		if (!o || !cidr_contains(&o->subnet, &want.subnet))
			m[(*nm)++] = want;
	}
	if (e == 0)
		nat_state_free(&st);
	if (e == 0 && *nm)
		e = nat_masq_add(n, m, *nm);
	if (e < 0) {
		*nm = 0;
		fail(c, CNI_ERR_SYSTEM, "system failure", "ipMasq: nftables table " NAT_FAMILY " " NAT_TABLE ": %s",
		     *nat_strerror(n) ? nat_strerror(n) : strerror(-e));
	}
	nat_close(n);
	return e < 0 ? -1 : 0;
}

/* Write-ahead: the state file names the masquerade entries (one per
 * address) before the transaction adds them (it is written before the
 * veth is made), so the DEL that follows an ADD killed in between still
 * finds and removes them; one that was never added (or that a wider entry
 * covers) is skipped there as gone. */
static void masq_plan(const struct cni_ip *ips, size_t nips, struct made *m)
{
	m->nmasq = 0;
	for (size_t i = 0; i < nips && m->nmasq < CNI_MAX_IPS; i++) {
		struct nat_masq *e = &m->masq[m->nmasq++];

		*e = (struct nat_masq){ .subnet = ips[i].addr };
		e->subnet.prefix = (int)cidr_addr_len(&e->subnet) * 8;
	}
}

/* Best effort, entry by entry: one already gone does not keep the others. */
static int masq_del(struct cni *c, const struct nat_masq *m, size_t nm)
{
	struct nat *n;
	int r = 0;

	if (!nm)
		return 0;
	if (!(n = nat_open()))
		return fail_sys(c, errno, "nftables");
	for (size_t i = 0; i < nm; i++) {
		int e = nat_masq_del(n, &m[i], 1);

		if (e < 0 && e != -ENOENT)
			r = fail(c, CNI_ERR_SYSTEM, "system failure", "ipMasq: removing an entry: %s",
				 *nat_strerror(n) ? nat_strerror(n) : strerror(-e));
	}
	nat_close(n);
	return r;
}

static struct cidr host_prefix(const struct cidr *a)
{
	struct cidr h = *a;

	h.prefix = (int)cidr_addr_len(a) * 8;
	return h;
}

/* --- published ports: the portMappings capability ------------------------------ */

/* DNAT entries for runtimeConfig.portMappings: per mapping, one for the
 * container's first address of each family the mapping's hostIP allows. */
static size_t publish_entries(const struct cni *c, const struct cni_ip *ips, size_t nips, struct nat_publish *p)
{
	static const int families[] = { AF_INET, AF_INET6 };
	size_t n = 0;

	for (size_t i = 0; i < c->conf.nports; i++)
		for (size_t f = 0; f < ARRAY_SIZE(families); f++) {
			const struct cni_portmap *pm = &c->conf.ports[i];
			size_t k = 0;

			if (pm->host_ip.family && pm->host_ip.family != families[f])
				continue;
			while (k < nips && ips[k].addr.family != families[f])
				k++;
			if (k == nips)
				continue;
			p[n++] = (struct nat_publish){ .proto = pm->proto, .addr = pm->host_ip, .port = pm->host_port,
						      .to = host_prefix(&ips[k].addr), .to_port = pm->container_port };
		}
	return n;
}

static const char *publish_name(const struct nat_publish *p, char *buf, size_t size)
{
	char a[CIDR_STRLEN];

	snprintf(buf, size, "%s%s%u/%s", p->addr.family ? cidr_format(&p->addr, false, a, sizeof(a)) : "",
		 p->addr.family ? ":" : "", p->port, p->proto == IPPROTO_UDP ? "udp" : "tcp");
	return buf;
}

/* One transaction for all of them; a host port another target holds is a
 * conflict, found before anything is added. */
static int publish_add(struct cni *c, const struct cni_ip *ips, size_t nips, struct made *m)
{
	struct nat_state st;
	struct nat *n;
	int e;

	if (!(m->npub = publish_entries(c, ips, nips, m->pub)))
		return 0;
	if (!(n = nat_open())) {
		m->npub = 0;
		return fail_sys(c, errno, "nftables");
	}
	e = nat_read(n, &st);
	for (size_t i = 0; i < m->npub && e == 0; i++) {
		const struct nat_publish *o = nat_publish_find(&st, &m->pub[i]);
		char name[CIDR_STRLEN + 16], to[CIDR_STRLEN];

		if (o && !nat_publish_same_target(o, &m->pub[i])) {
			fail(c, CNI_ERR_SYSTEM, "system failure", "portMappings: %s is published to %s already",
			     publish_name(&m->pub[i], name, sizeof(name)), cidr_format(&o->to, false, to, sizeof(to)));
			e = -EEXIST;
		}
	}
	nat_state_free(&st);	/* zeroed by nat_read even when it failed */
	if (e == 0 && (e = nat_publish_add(n, m->pub, m->npub)) < 0)
		fail(c, CNI_ERR_SYSTEM, "system failure", "portMappings: nftables table " NAT_FAMILY " " NAT_TABLE ": %s",
		     *nat_strerror(n) ? nat_strerror(n) : strerror(-e));
	else if (e < 0 && e != -EEXIST)
		fail_sys(c, e, "nftables");
	if (e < 0)
		m->npub = 0;
	nat_close(n);
	return e < 0 ? -1 : 0;
}

/* Entry by entry, and only those still pointing at this container: the
 * host port may have gone to another one since. */
static int publish_del(struct cni *c, const struct nat_publish *p, size_t np)
{
	struct nat_state st;
	struct nat *n;
	int r = 0, e;

	if (!np)
		return 0;
	if (!(n = nat_open()))
		return fail_sys(c, errno, "nftables");
	if ((e = nat_read(n, &st)) < 0) {
		nat_close(n);
		return fail_sys(c, e, "nftables");
	}
	for (size_t i = 0; i < np; i++) {
		const struct nat_publish *o = nat_publish_find(&st, &p[i]);

		if (!o || !nat_publish_same_target(o, &p[i]))
			continue;
		if ((e = nat_publish_del(n, &p[i], 1)) < 0 && e != -ENOENT)
			r = fail(c, CNI_ERR_SYSTEM, "system failure", "portMappings: removing an entry: %s",
				 *nat_strerror(n) ? nat_strerror(n) : strerror(-e));
	}
	nat_state_free(&st);
	nat_close(n);
	return r;
}

/* --- ADD ---------------------------------------------------------------------- */

/* What a request of ADD's plans is for, to word its failure. */
enum what { W_BRIDGE_UP = 1, W_GATEWAY, W_VETH, W_ALIAS, W_UP, W_PTP, W_ADDR, W_ROUTE };

static struct rtnl_req *plan_req(struct rtnl_plan *p, enum rtnl_op op, unsigned ns, int ifindex, enum what what)
{
	struct rtnl_req *r = rtnl_add(p, op, 0, ns, NULL);

	r->ifindex = ifindex;
	r->what = what;
	return r;
}

static void plan_addr(struct rtnl_plan *p, unsigned ns, int ifindex, const struct cidr *a, unsigned flags,
		      enum what what)
{
	struct rtnl_req *r = plan_req(p, RTNL_ADDR, ns, ifindex, what);

	r->addr.a = *a;
	r->flags = flags;
}

static struct rtnl_req *plan_route(struct rtnl_plan *p, unsigned ns, int ifindex, const struct cidr *dst,
				   const struct cidr *gw, enum what what)
{
	struct rtnl_req *r = plan_req(p, RTNL_ROUTE, ns, ifindex, what);

	r->route.dst = *dst;
	r->route.gw = gw ? *gw : (struct cidr){ 0 };
	r->route.scope = RT_SCOPE_LINK;
	return r;
}

/* Run P over main()'s undo stack, then free it: 0, or -1 with *E. */
static int plan_run(struct cni *c, struct rtnl_plan *p, struct rtnl_error *e)
{
	int r = rtnl_run(p, &c->undo, e);

	rtnl_plan_free(p);
	return r;
}

/* The bridge, made when missing, up, with the gateway addresses
 * (isGateway); shared by every attachment, so never taken back. */
static int bridge_ensure(struct cni *c, struct nl_sock *host, const struct cni_ip *ips, size_t nips)
{
	struct rtnl_plan p;
	struct rtnl_error re;
	struct rtnl_req *r;
	struct link_info li;
	int e = link_get(host, 0, c->conf.bridge, &li);

	if (e == -ENODEV) {
		rtnl_plan_init(&p, host);
		r = rtnl_add(&p, RTNL_BRIDGE, 0, 0, c->conf.bridge);
		r->flags = RTNL_KEEP;	/* EEXIST: a sibling ADD made it first */
		r->bridge.mtu = c->conf.mtu;
		e = plan_run(c, &p, &re) < 0 ? re.err : link_get(host, 0, c->conf.bridge, &li);
		/* Its address stays its own as ports come and go (a sibling that
		 * made it first has pinned it too). */
		if (e == 0)
			e = ipcfg_link_set_mac(host, li.ifindex, NULL);
	}
	if (e < 0)
		return fail(c, CNI_ERR_SYSTEM, "system failure", "bridge %s: %s", c->conf.bridge, strerror(-e));
	if (!streq(li.kind, "bridge"))
		return fail(c, CNI_ERR_CONFIG, "invalid network configuration", "bridge: %s is not a bridge", c->conf.bridge);
	rtnl_plan_init(&p, host);
	if (!li.up)
		plan_req(&p, RTNL_UP, 0, li.ifindex, W_BRIDGE_UP);
	for (size_t i = 0; c->conf.gateway && i < nips; i++) {
		struct cidr g = ips[i].gw;

		g.prefix = ips[i].addr.prefix;
		if (g.family)
			plan_addr(&p, 0, li.ifindex, &g, RTNL_KEEP, W_GATEWAY);
	}
	if (plan_run(c, &p, &re) == 0)
		return li.ifindex;
	if (re.what == W_GATEWAY)
		return fail(c, CNI_ERR_SYSTEM, "system failure", "bridge %s: gateway address: %s", c->conf.bridge,
			    strerror(-re.err));
	return fail(c, CNI_ERR_SYSTEM, "system failure", "bridge %s: %s", c->conf.bridge, strerror(-re.err));
}

/* The gateway of route RT: its own, else the first of the addresses' of
 * its family. */
static bool route_gateway(const struct cni_route *rt, const struct cni_ip *ips, size_t nips, struct cidr *gw)
{
	struct cidr v[CNI_MAX_IPS];
	size_t n = 0;

	if (rt->gw.family) {
		*gw = rt->gw;
		return true;
	}
	for (size_t i = 0; i < nips; i++)
		if (ips[i].gw.family && ips[i].gw.family == ips[i].addr.family)
			v[n++] = ips[i].gw;
	return rtnl_gateway_for(NULL, v, n, rt->dst.family, 0, gw) == 0;
}

/* Point-to-point, as the reference ptp plugin wires it: the container's
 * address without its prefix route, the gateway on-link over the veth, the
 * subnet via the gateway; the host end holds the gateway as a host address
 * and routes the container's address to it. Every container on the network
 * reaches the others through the host. */
static void plan_ptp(struct rtnl_plan *p, unsigned ctr, int hidx, int cidx, const struct cni_ip *ip)
{
	struct cidr gw = host_prefix(&ip->gw), me = host_prefix(&ip->addr), net = ip->addr;

	cidr_to_network(&net);
	plan_addr(p, ctr, cidx, &ip->addr, RTNL_NOPREFIXROUTE, W_PTP);
	plan_addr(p, 0, hidx, &gw, RTNL_NOPREFIXROUTE, W_PTP);
	plan_route(p, 0, hidx, &me, NULL, W_PTP);
	plan_route(p, ctr, cidx, &gw, NULL, W_PTP);
	if (ip->addr.prefix != me.prefix)
		plan_route(p, ctr, cidx, &net, &ip->gw, W_PTP);
}

/* Both ends skip duplicate address detection for IPv6 (the wire has
 * only them): otherwise their link-local addresses stay tentative for a
 * second or more after ADD, and neighbour discovery across the pair, so
 * the first packets, fail meanwhile. A kernel without IPv6 has no files. */
static int no_dad(struct cni *c, int nsfd)
{
	char path[64];
	int e;

	snprintf(path, sizeof(path), "net/ipv6/conf/%s/accept_dad", c->hostif);
	if ((e = ipcfg_sysctl_write(-1, path, "0")) < 0 && e != -ENOENT)
		return fail_sys(c, e, path);
	snprintf(path, sizeof(path), "net/ipv6/conf/%s/accept_dad", c->ifname);
	if ((e = ipcfg_sysctl_write(nsfd, path, "0")) < 0 && e != -ENOENT)
		return fail_sys(c, e, path);
	return 0;
}

/* Push FN(C) onto main()'s undo stack: 0, or -1 (then FN has run). */
static int push_undo(struct cni *c, undo_fn fn)
{
	return undo_push(&c->undo, fn, c, NULL) < 0 ? fail_sys(c, ENOMEM, "undo") : 0;
}

static int undo_state(void *arg)
{
	struct cni *c = arg;
	_cleanup_free_ char *f = state_file(c);

	if (f)
		state_remove(c, f);
	return 0;
}

/* The veth pair, its host end under the first name of host_ifname's
 * sequence that no link has: a name taken (a colliding container's host
 * end, a link of the admin's) is passed over, never touched. The state
 * file records the name before the pair is made, so the DEL after an ADD
 * killed here finds it; then the alias says whose it is. The host end's
 * ifindex, or -1. */
static int make_veth(struct cni *c, struct nl_sock *host, int nsfd, int master)
{
	char alias[ALIAS_SIZE];
	bool made = false;
	int e;

	if ((e = host_alias(c->conf.name, c->containerid, c->ifname, alias, sizeof(alias))) < 0)
		return fail_sys(c, e, "host interface alias");
	for (unsigned k = 0; k < HOSTIF_TRIES && !made; k++) {
		struct rtnl_plan p;
		struct rtnl_error re;
		struct rtnl_req *r;

		host_ifname(c, k);
		if ((e = link_index(host, c->hostif)) >= 0)
			continue;
		if (e != -ENODEV)
			return fail_sys(c, e, c->hostif);
		if (!c->made.state && push_undo(c, undo_state) < 0)
			return -1;
		c->made.state = true;
		if (state_write(c, &c->made) < 0)
			return -1;
		rtnl_plan_init(&p, host);
		r = plan_req(&p, RTNL_VETH, 0, 0, W_VETH);
		r->link = c->hostif;
		r->veth = (struct link_veth){ .name = c->hostif, .peer = c->ifname, .netns_fd = -1,
					      .peer_netns_fd = nsfd, .mtu = c->conf.mtu, .master = master };
		r = plan_req(&p, RTNL_ALIAS, 0, 0, W_ALIAS);
		r->link = c->hostif;
		r->alias = alias;
		if (plan_run(c, &p, &re) == 0) {
			made = true;
			continue;
		}
		/* EEXIST for a host end made meanwhile: the next name */
		if (re.what == W_VETH && re.err == -EEXIST && link_index(host, c->hostif) >= 0)
			continue;
		if (re.what == W_VETH)
			return fail(c, CNI_ERR_SYSTEM, "system failure", "veth %s/%s: %s", c->hostif, c->ifname,
				    strerror(-re.err));
		return fail_sys(c, re.err, "host interface alias");
	}
	if (!made)
		return fail(c, CNI_ERR_SYSTEM, "system failure", "host interface of (%s, %s): the %d names it may take are taken",
			    c->containerid, c->ifname, HOSTIF_TRIES);
	if ((e = link_index(host, c->hostif)) < 0)
		return fail_sys(c, e, "the new veth pair");
	return e;
}

/* The container's lo, when it is down: its ifindex in c->made.lo, and
 * "down again" pushed onto the undo stack. 0 or -1. */
static int undo_lo(void *arg)
{
	struct cni *c = arg;

	return ipcfg_link_down(c->made.ctr, c->made.lo);
}

static int lo_down(struct cni *c, struct nl_sock *ctr)
{
	struct link_info li;
	int e = link_get(ctr, 0, "lo", &li);

	if (e < 0)
		return fail_sys(c, e, "lo");
	if (li.up)
		return 0;
	c->made.lo = li.ifindex;
	c->made.ctr = ctr;
	return push_undo(c, undo_lo);
}

/* Links up, addresses and routes: one plan. Up only after the sysctls: a
 * link-local address is made (and DAD'd) when its link comes up. */
static void plan_wiring(struct cni *c, struct rtnl_plan *p, unsigned ctr, int hidx, int cidx,
			const struct cni_ip *ips, size_t nips, const struct cni_route *rts, size_t nrts)
{
	plan_req(p, RTNL_UP, 0, hidx, W_UP);
	plan_req(p, RTNL_UP, ctr, cidx, W_UP);
	if (c->made.lo > 0)
		plan_req(p, RTNL_UP, ctr, c->made.lo, W_UP);
	for (size_t i = 0; i < nips; i++)
		if (c->conf.bridge)
			plan_addr(p, ctr, cidx, &ips[i].addr, 0, W_ADDR);
		else
			plan_ptp(p, ctr, hidx, cidx, &ips[i]);
	/* One to the same destination out of this interface is there already
	 * when the IPAM routes name the subnet itself (checked afterwards: out
	 * of another interface, a second network's default route, it is a
	 * conflict, as in the reference plugins). */
	for (size_t i = 0; i < nrts; i++) {
		struct cidr gw;
		bool via = route_gateway(&rts[i], ips, nips, &gw);
		struct rtnl_req *r = plan_route(p, ctr, cidx, &rts[i].dst, via ? &gw : NULL, W_ROUTE);

		r->route.scope = via ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
		r->flags = RTNL_KEEP;
		r->k = (int)i;
	}
}

/* A route whose destination was routed already: out of our interface. */
static int routes_ours(struct cni *c, struct nl_sock *ctr, int cidx, const struct rtnl_plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct rtnl_req *r = &p->v[i];
		struct rtnl_req mine = { .op = RTNL_ROUTE, .ifindex = cidx, .route.dst = r->route.dst };
		char s[CIDR_STRLEN];

		if (r->what != W_ROUTE || r->result != -EEXIST || rtnl_has(ctr, &mine) == 1)
			continue;
		return fail(c, CNI_ERR_SYSTEM, "system failure", "route to %s: CNI_NETNS has one through another interface",
			    cidr_format(&r->route.dst, true, s, sizeof(s)));
	}
	return 0;
}

static int wire(struct cni *c, struct nl_sock *host, struct nl_sock *ctr, int nsfd,
		const struct cni_ip *ips, size_t nips, const struct cni_route *rts, size_t nrts,
		struct json_object *ifaces)
{
	struct rtnl_plan p;
	struct rtnl_error re;
	int master = 0, hidx, cidx, e;
	char s[CIDR_STRLEN];

	if (c->conf.bridge && (master = bridge_ensure(c, host, ips, nips)) < 0)
		return -1;
	if ((hidx = make_veth(c, host, nsfd, master)) < 0)
		return -1;
	if ((cidx = link_index(ctr, c->ifname)) < 0)
		return fail_sys(c, ENODEV, "the new veth pair");
	/* Set while it is down, before any neighbour has learnt another. */
	if (c->conf.has_mac && (e = ipcfg_link_set_mac(ctr, cidx, c->conf.mac)) < 0)
		return fail_sys(c, e, "container MAC address");
	if (no_dad(c, nsfd) < 0)
		return -1;
	/* Hairpin on the bridge port: with br_netfilter a connection from
	 * the container to its own published port is bridged back out of the
	 * port it came in by. The port goes with the pair on failure. */
	if (c->conf.bridge && c->conf.hairpin && (e = ipcfg_brport_hairpin(host, hidx, true)) < 0)
		return fail_sys(c, e, "bridge port hairpin mode");
	/* The container's lo comes up too (the reference plugins leave that to
	 * the loopback plugin; a netns a runtime made has it down), and goes
	 * down again if this ADD fails. */
	if (lo_down(c, ctr) < 0)
		return -1;
	rtnl_plan_init(&p, host);
	plan_wiring(c, &p, (unsigned)rtnl_plan_ns(&p, ctr), hidx, cidx, ips, nips, rts, nrts);
	if (rtnl_run(&p, &c->undo, &re) == 0)
		e = routes_ours(c, ctr, cidx, &p);
	else if (re.what == -1)
		e = fail_sys(c, re.err, "plan");
	else if (re.what == W_UP)
		e = fail_sys(c, re.err, "links up");
	else if (re.what == W_PTP)
		e = fail_sys(c, re.err, "point-to-point addresses and routes");
	else if (re.what == W_ADDR)
		e = fail_sys(c, re.err, "container address");
	else
		e = fail(c, CNI_ERR_SYSTEM, "system failure", "route to %s: %s",
			 cidr_format(&rts[re.k].dst, true, s, sizeof(s)), strerror(-re.err));
	rtnl_plan_free(&p);
	if (e < 0)
		return -1;
	/* The host routes between containers and out: forwarding on, as the
	 * reference plugins turn it on; never turned off (other attachments
	 * need it). */
	for (size_t i = 0; i < nips; i++) {
		bool forwarding;

		if ((e = nat_forwarding_on(ips[i].addr.family, &forwarding)) < 0)
			return fail_sys(c, e, "forwarding sysctl");
	}
	if (c->conf.bridge)
		json_object_array_add(ifaces, iface_json(host, master, c->conf.bridge, NULL));
	json_object_array_add(ifaces, iface_json(host, hidx, c->hostif, NULL));
	json_object_array_add(ifaces, iface_json(ctr, cidx, c->ifname, c->netns));
	return 0;
}

/* What ADD takes back when a later step fails, from main()'s stack. */
static int undo_ipam(void *arg)
{
	delegate(arg, "DEL", NULL);
	return 0;
}

/* Only the entries masq_add and publish_add added (they leave the
 * counts 0 when they fail): the planned ones may be someone else's. */
static int undo_nat(void *arg)
{
	struct cni *c = arg;

	masq_del(c, c->made.masq, c->made.nmasq);
	publish_del(c, c->made.pub, c->made.npub);
	return 0;
}

/* What ADD checks before it changes anything: 0 or -1. */
static int add_allowed(struct cni *c, struct nl_sock *ctr)
{
	_cleanup_free_ char *file = NULL;
	char alias[ALIAS_SIZE];
	struct json_object *st;

	if (link_index(ctr, c->ifname) >= 0)
		return fail(c, CNI_ERR_ENV, "invalid environment variables", "CNI_IFNAME=%s: already exists in CNI_NETNS=%s",
			    c->ifname, c->netns);
	if (host_alias(c->conf.name, c->containerid, c->ifname, alias, sizeof(alias)) < 0)
		return fail(c, CNI_ERR_ENV, "invalid environment variables",
			    "CNI_CONTAINERID, CNI_IFNAME: with the network name, longer than an interface alias (255 bytes)");
	if ((st = state_find(c, &file))) {
		json_object_put(st);
		return fail(c, CNI_ERR_SYSTEM, "system failure", "(%s, %s) is attached already (host end %s): ADD twice without DEL?",
			    c->containerid, c->ifname, c->hostif);
	}
	return errno == ENOENT ? 0 : fail_sys(c, errno, STATE_DIR);
}

/* The ips capability: IPAM read runtimeConfig.ips from the configuration
 * we passed on; one that ignores it must not leave the container on
 * another address unnoticed. */
static int check_requested_ips(struct cni *c, const struct cni_ip *ips, size_t nips)
{
	for (size_t i = 0; i < c->conf.nreq_ips; i++) {
		const struct cidr *want = &c->conf.req_ips[i];
		bool got = false;
		char s[CIDR_STRLEN];

		for (size_t k = 0; k < nips && !got; k++)
			got = ips[k].addr.family == want->family &&
			      memcmp(ips[k].addr.addr.b, want->addr.b, cidr_addr_len(want)) == 0;
		if (!got)
			return fail(c, CNI_ERR_CONFIG, "invalid network configuration",
				    "runtimeConfig.ips: %s did not give %s (does it take the ips capability?)",
				    c->conf.ipam, cidr_format(want, false, s, sizeof(s)));
	}
	return 0;
}

/* isDefaultGateway, as the reference bridge plugin reads it: for each
 * family the container has an address of, a default route via that
 * address's gateway, unless the IPAM routes hold one already. It goes into
 * the IPAM result's routes as well, so ADD's result lists it and CHECK
 * looks for it. 0 or -1. */
static int add_default_routes(struct cni *c, struct json_object *ipam, const struct cni_ip *ips, size_t nips,
			      struct cni_route *rts, size_t *nrts)
{
	static const int families[] = { AF_INET, AF_INET6 };

	for (size_t f = 0; f < ARRAY_SIZE(families); f++) {
		struct json_object *arr, *o;
		struct cni_route rt = { .dst.family = families[f] };
		char s[CIDR_STRLEN];
		size_t i = 0, k = 0;

		while (i < nips && ips[i].addr.family != families[f])
			i++;
		while (k < *nrts && !(rts[k].dst.family == families[f] && rts[k].dst.prefix == 0))
			k++;
		if (i == nips || k < *nrts)
			continue;
		if (!ips[i].gw.family)
			return fail(c, CNI_ERR_CONFIG, "invalid network configuration",
				    "isDefaultGateway: %s gave no gateway for %s", c->conf.ipam,
				    cidr_format(&ips[i].addr, true, s, sizeof(s)));
		if (*nrts == CNI_MAX_ROUTES)
			return fail(c, CNI_ERR_CONFIG, "invalid network configuration", "more than 64 routes");
		rt.gw = ips[i].gw;
		rts[(*nrts)++] = rt;
		if (!json_object_object_get_ex(ipam, "routes", &arr) || !json_object_is_type(arr, json_type_array)) {
			arr = json_object_new_array();
			json_object_object_add(ipam, "routes", arr);
		}
		o = json_object_new_object();
		json_object_object_add(o, "dst", json_object_new_string(cidr_format(&rt.dst, true, s, sizeof(s))));
		json_object_object_add(o, "gw", json_object_new_string(cidr_format(&rt.gw, false, s, sizeof(s))));
		json_object_array_add(arr, o);
	}
	return 0;
}

/* The addresses and routes the IPAM plugin gives: 0 or -1. */
static int add_ipam(struct cni *c, struct json_object **ipam, struct cni_ip *ips, size_t *nips,
		    struct cni_route *rts, size_t *nrts)
{
	_cleanup_free_ char *plugin = find_plugin(c);

	if (!plugin)
		return fail_no_plugin(c, CNI_ERR_CONFIG, "invalid network configuration");
	/* The spec: a delegated plugin that fails ADD is called again with DEL. */
	if (push_undo(c, undo_ipam) < 0)
		return -1;
	if (delegate(c, "ADD", ipam) < 0 || cni_result_ips(*ipam, -1, ips, nips, &c->err) < 0 ||
	    cni_result_routes(*ipam, rts, nrts, &c->err) < 0)
		return -1;
	if (!*nips)
		return fail(c, CNI_ERR_CONFIG, "invalid network configuration", "ipam: %s gave no address", c->conf.ipam);
	if (check_requested_ips(c, ips, *nips) < 0)
		return -1;
	if (c->conf.default_gw && add_default_routes(c, *ipam, ips, *nips, rts, nrts) < 0)
		return -1;
	for (size_t i = 0; i < *nips && !c->conf.bridge; i++)
		if (!ips[i].gw.family)
			return fail(c, CNI_ERR_CONFIG, "invalid network configuration",
				    "ipam: point-to-point needs a gateway for each address (none for ips[%zu])", i);
	return 0;
}

static int cmd_add(struct cni *c)
{
	_cleanup_close_ int nsfd = open_netns(c);
	struct nl_sock *host = NULL, *ctr = NULL;
	struct json_object *ipam = NULL, *ifaces = json_object_new_array();
	struct cni_ip ips[CNI_MAX_IPS];
	struct cni_route rts[CNI_MAX_ROUTES];
	size_t nips = 0, nrts = 0;
	int r = -1;

	if (nsfd < 0)
		goto out;
	if (!(host = nl_route_open()) || !(ctr = link_sock_open_ns(nsfd))) {
		fail_sys(c, errno, "netlink");
		goto out;
	}
	if (add_allowed(c, ctr) < 0 || add_ipam(c, &ipam, ips, &nips, rts, &nrts) < 0)
		goto out;
	if (c->conf.ipmasq)
		masq_plan(ips, nips, &c->made);
	if (wire(c, host, ctr, nsfd, ips, nips, rts, nrts, ifaces) < 0 ||
	    (c->conf.ipmasq && masq_add(c, ips, nips, c->made.masq, &c->made.nmasq) < 0))
		goto out;
	if (push_undo(c, undo_nat) < 0 || publish_add(c, ips, nips, &c->made) < 0 ||
	    state_write(c, &c->made) < 0)
		goto out;
	json_print(build_result(c, ipam, ifaces, ips, nips));
	r = 0;
out:
	/* The stack borrows the sockets: taken back before they close. */
	if (r < 0)
		undo_unwind(&c->undo, 0);
	json_object_put(ipam);
	json_object_put(ifaces);
	nl_route_close(ctr);
	nl_route_close(host);
	return r;
}

/* --- DEL ------------------------------------------------------------------------ */

/* The ifindex of host end HOSTIF when it is the one ADD made for (CID,
 * IFN): its alias says so or, for an ADD killed before it set the alias
 * (or an older version's, which set none), it is the veth peer of IFN in
 * NETNS. 0 when there is no such link or it is someone else's (a
 * colliding container's, one an admin made under that name): not ours to
 * delete. -errno when that could not be found out. */
static int own_host_end(struct cni *c, struct nl_sock *host, const char *hostif, const char *cid, const char *ifn,
			const char *netns)
{
	char want[ALIAS_SIZE], alias[ALIAS_SIZE];
	struct link_info hi, ci;
	struct nl_sock *ctr;
	int e, fd;

	if (!*hostif || (e = link_get_alias(host, 0, hostif, &hi, alias, sizeof(alias))) == -ENODEV)
		return 0;
	if (e < 0)
		return e;
	if (!streq(hi.kind, "veth"))
		return 0;
	if (host_alias(c->conf.name, cid, ifn, want, sizeof(want)) < 0)
		return 0;
	if (streq(alias, want))
		return hi.ifindex;
	if (*alias || !netns || netns[0] != '/')
		return 0;
	/* A namespace that is gone took the veth pair with it. */
	if ((fd = ns_open_path(netns, CLONE_NEWNET)) == -ENOENT)
		return 0;
	if (fd < 0)
		return fd;
	ctr = link_sock_open_ns(fd);
	e = errno;
	close(fd);
	if (!ctr)
		return -e;
	e = link_get(ctr, 0, ifn, &ci);
	nl_route_close(ctr);
	if (e == -ENODEV)
		return 0;
	if (e < 0)
		return e;
	return streq(ci.kind, "veth") && ci.peer_ifindex == hi.ifindex && hi.peer_ifindex == ci.ifindex ? hi.ifindex : 0;
}

/* Remove what state ST (file FILE) says is the attachment's: its host end
 * (the peer goes with it) when it proves its own, the masquerade and DNAT
 * entries, then the state. Whatever is already gone is no error: DEL is
 * idempotent and works after the netns is deleted. A failure leaves the
 * state, so the next DEL finds what it names. */
static int remove_attachment(struct cni *c, struct nl_sock *host, const char *file, struct json_object *st,
			     const char *netns)
{
	const char *cid = cni_json_string(st, "containerID"), *ifn = cni_json_string(st, "ifname");
	const char *hostif = cni_json_string(st, "hostif");
	struct made m;
	int idx;

	if (!hostif)	/* an older version's state, named after it */
		hostif = file;
	if (link_name_check(hostif) < 0)
		hostif = "";
	if ((idx = own_host_end(c, host, hostif, cid, ifn, netns)) < 0)
		return fail(c, CNI_ERR_SYSTEM, "system failure", "%s: %s", hostif, strerror(-idx));
	if (idx > 0 && (idx = link_del(host, idx, NULL)) < 0 && idx != -ENODEV)
		return fail(c, CNI_ERR_SYSTEM, "system failure", "%s: %s", hostif, strerror(-idx));
	state_nat(st, &m);
	if (masq_del(c, m.masq, m.nmasq) < 0 || publish_del(c, m.pub, m.npub) < 0)
		return -1;
	state_remove(c, file);
	return 0;
}

/* Only what the attachment's own state file records is removed: without
 * one (a DEL after a failed ADD, a second DEL, a container never added)
 * nothing here is provably this container's, so only the IPAM plugin,
 * which keys its leases by container id and interface, is asked. */
static int cmd_del(struct cni *c)
{
	struct nl_sock *host = nl_route_open();
	_cleanup_free_ char *file = NULL;
	struct json_object *st;
	int r = 0;

	if (!host)
		return fail_sys(c, errno, "netlink");
	/* A state file that is there but cannot be read fails this DEL with
	 * nothing removed: the runtime's next DEL still finds what it names. */
	if (!(st = state_find(c, &file)) && errno != ENOENT) {
		r = fail_sys(c, errno, STATE_DIR);
		nl_route_close(host);
		return r;
	}
	if (st)
		r = remove_attachment(c, host, file, st, c->netns);
	else if ((file = state_file(c)))
		state_remove(c, file);	/* the temporary of an ADD killed writing it */
	json_object_put(st);
	nl_route_close(host);
	/* The lease is released even when our own cleanup failed. */
	if (delegate(c, "DEL", NULL) < 0)
		r = -1;
	return r;
}

/* --- CHECK ------------------------------------------------------------------------- */

/* The index of our container interface in prevResult's interfaces, or -1. */
static int prev_iface(struct cni *c)
{
	struct json_object *arr;

	if (!json_object_object_get_ex(c->conf.prev, "interfaces", &arr) || !json_object_is_type(arr, json_type_array))
		return -1;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *o = json_object_array_get_idx(arr, i);
		const char *n = cni_json_string(o, "name"), *sb = cni_json_string(o, "sandbox");

		if (n && sb && streq(n, c->ifname) && streq(sb, c->netns))
			return (int)i;
	}
	return -1;
}

/* CHECK's verdict when the kernel disagrees with ADD's result. */
#define NOT_AS_ADDED CNI_ERR_CHECK, "attachment not as ADD made it"

static int check_links(struct cni *c, struct nl_sock *host, struct nl_sock *ctr, struct link_info *ci)
{
	char want[ALIAS_SIZE], alias[ALIAS_SIZE];
	struct link_info hi;
	int e;

	if ((e = link_get(ctr, 0, c->ifname, ci)) < 0)
		return fail(c, NOT_AS_ADDED, "%s in %s: %s", c->ifname, c->netns, strerror(-e));
	if (!streq(ci->kind, "veth") || !ci->up)
		return fail(c, NOT_AS_ADDED, "%s in %s: not an up veth", c->ifname, c->netns);
	if (!*c->hostif)
		return fail(c, NOT_AS_ADDED, "the state of (%s, %s) names no host end", c->containerid, c->ifname);
	if ((e = link_get_alias(host, 0, c->hostif, &hi, alias, sizeof(alias))) < 0)
		return fail(c, NOT_AS_ADDED, "host end %s: %s", c->hostif, strerror(-e));
	/* None: an older version's (the peering below proves it ours). */
	if (*alias && (host_alias(c->conf.name, c->containerid, c->ifname, want, sizeof(want)) < 0 || !streq(alias, want)))
		return fail(c, NOT_AS_ADDED, "host end %s: alias \"%s\" is another attachment's", c->hostif, alias);
	if (hi.peer_ifindex != ci->ifindex || ci->peer_ifindex != hi.ifindex)
		return fail(c, NOT_AS_ADDED, "host end %s is not the peer of %s", c->hostif, c->ifname);
	if (c->conf.bridge && (e = link_index(host, c->conf.bridge)) != hi.master)
		return fail(c, NOT_AS_ADDED, "host end %s is not on bridge %s", c->hostif, c->conf.bridge);
	return 0;
}

static int check_addrs(struct cni *c, struct nl_sock *ctr, int cidx)
{
	struct cni_ip ips[CNI_MAX_IPS];
	struct cni_route rts[CNI_MAX_ROUTES];
	size_t nips, nrts;
	int idx = prev_iface(c), e;

	if (idx < 0)
		return fail(c, NOT_AS_ADDED, "prevResult lists no interface %s in %s", c->ifname, c->netns);
	if (cni_result_ips(c->conf.prev, idx, ips, &nips, &c->err) < 0 ||
	    cni_result_routes(c->conf.prev, rts, &nrts, &c->err) < 0)
		return -1;
	/* The requests ADD's plan made, each looked for. */
	for (size_t i = 0; i < nips; i++) {
		struct rtnl_req r = { .op = RTNL_ADDR, .ifindex = cidx, .addr.a = ips[i].addr };
		char s[CIDR_STRLEN];

		if ((e = rtnl_has(ctr, &r)) != 1)
			return fail(c, NOT_AS_ADDED, "%s: address %s %s", c->ifname, cidr_format(&ips[i].addr, true, s, sizeof(s)),
					    e < 0 ? strerror(-e) : "missing");
	}
	/* Routes out of our interface (via the gateway when the result names
	 * one), those of a family we have an address of: the result's other
	 * routes may belong to other plugins of the chain. */
	for (size_t i = 0; i < nrts; i++) {
		struct rtnl_req r = { .op = RTNL_ROUTE, .ifindex = cidx, .route = { .dst = rts[i].dst, .gw = rts[i].gw } };
		char s[CIDR_STRLEN];
		struct cidr gw;

		if (!route_gateway(&rts[i], ips, nips, &gw) || (e = rtnl_has(ctr, &r)) == 1)
			continue;
		return fail(c, NOT_AS_ADDED, "%s: route to %s %s", c->ifname, cidr_format(&rts[i].dst, true, s, sizeof(s)),
				    e < 0 ? strerror(-e) : "missing");
	}
	return 0;
}

/* The masquerade and DNAT entries the state file ST records are in the table. */
static int check_nat(struct cni *c, struct json_object *st)
{
	struct nat_state ns;
	struct made m;
	struct nat *n;
	int r = 0, e;

	state_nat(st, &m);
	if (!m.nmasq && !m.npub)
		return 0;
	if (!(n = nat_open()))
		return fail_sys(c, errno, "nftables");
	if ((e = nat_read(n, &ns)) < 0) {
		nat_close(n);
		return fail_sys(c, e, "nftables");
	}
	for (size_t i = 0; i < m.nmasq && r == 0; i++) {
		bool found = false;
		char s[CIDR_STRLEN];

		for (size_t k = 0; k < ns.nmasq; k++)
			found |= nat_masq_equal(&ns.masq[k], &m.masq[i]);
		if (!found)
			r = fail(c, NOT_AS_ADDED, "ipMasq: %s is not masqueraded",
				 cidr_format(&m.masq[i].subnet, true, s, sizeof(s)));
	}
	for (size_t i = 0; i < m.npub && r == 0; i++) {
		const struct nat_publish *o = nat_publish_find(&ns, &m.pub[i]);
		char name[CIDR_STRLEN + 16];

		if (!o || !nat_publish_same_target(o, &m.pub[i]))
			r = fail(c, NOT_AS_ADDED, "portMappings: %s is not published to the container",
				 publish_name(&m.pub[i], name, sizeof(name)));
	}
	nat_state_free(&ns);
	nat_close(n);
	return r;
}

static int cmd_check(struct cni *c)
{
	_cleanup_close_ int nsfd = -1;
	_cleanup_free_ char *file = NULL;
	struct nl_sock *host = NULL, *ctr = NULL;
	struct json_object *st;
	struct link_info ci;
	int r = -1;

	if (c->conf.version < CNI_V040)
		return fail(c, CNI_ERR_VERSION, "incompatible CNI versions", "CHECK needs cniVersion 0.4.0 or later");
	if (!c->conf.prev)
		return fail(c, CNI_ERR_CONFIG, "invalid network configuration", "prevResult: missing (CHECK needs ADD's result)");
	if ((nsfd = open_netns(c)) < 0)
		return -1;
	if (!(st = state_find(c, &file)))
		return errno == ENOENT ? fail(c, NOT_AS_ADDED, "no state for (%s, %s) under " STATE_DIR "/%s",
					      c->containerid, c->ifname, c->conf.name) : fail_sys(c, errno, STATE_DIR);
	if (!(host = nl_route_open()) || !(ctr = link_sock_open_ns(nsfd)))
		fail_sys(c, errno, "netlink");
	else if (check_links(c, host, ctr, &ci) == 0 && check_addrs(c, ctr, ci.ifindex) == 0 && check_nat(c, st) == 0)
		r = delegate(c, "CHECK", NULL);
	json_object_put(st);
	nl_route_close(ctr);
	nl_route_close(host);
	return r;
}

/* --- STATUS and GC -------------------------------------------------------------------- */

static int cmd_status(struct cni *c)
{
	_cleanup_free_ char *plugin = NULL;
	struct nl_sock *sk;

	if (c->conf.version < CNI_V110)
		return fail(c, CNI_ERR_VERSION, "incompatible CNI versions", "STATUS needs cniVersion 1.1.0");
	if (!(sk = nl_route_open()))
		return fail(c, CNI_ERR_UNAVAILABLE, "plugin not available", "netlink: %s", strerror(errno));
	nl_route_close(sk);
	if (c->conf.ipmasq) {
		struct nat *n = nat_open();
		struct nat_state st;
		int e = n ? nat_read(n, &st) : -errno;

		if (e == 0)
			nat_state_free(&st);
		nat_close(n);
		if (e < 0)
			return fail(c, CNI_ERR_UNAVAILABLE, "plugin not available", "ipMasq: nftables: %s", strerror(-e));
	}
	if (!(plugin = find_plugin(c)))
		return fail_no_plugin(c, CNI_ERR_UNAVAILABLE, "plugin not available");
	/* The spec: a plugin that delegates ADD asks its delegate too. */
	switch (delegate_speaks_1_1(c)) {
	case 1:
		return delegate(c, "STATUS", NULL);
	case 0:
		return 0;
	default:
		return -1;
	}
}

static bool attachment_valid(struct json_object *valid, const char *cid, const char *ifname)
{
	for (size_t i = 0; valid && i < json_object_array_length(valid); i++) {
		struct json_object *a = json_object_array_get_idx(valid, i);
		const char *vc = cni_json_string(a, "containerID"), *vi = cni_json_string(a, "ifname");

		if (vc && vi && streq(vc, cid) && streq(vi, ifname))
			return true;
	}
	return false;
}

/* Remove the attachments of this network that are not in
 * cni.dev/valid-attachments; errors are collected, the sweep goes on. */
static int gc_sweep(struct cni *c, struct json_object *valid)
{
	_cleanup_free_ char *path = state_path(c, NULL, false);
	struct nl_sock *host = nl_route_open();
	struct dirent *de;
	DIR *d;

	if (!host)
		return fail_sys(c, errno, "netlink");
	d = path ? opendir(path) : NULL;
	while (d && (de = readdir(d))) {
		const char *f = de->d_name;
		struct json_object *st;
		const char *cid, *ifn;

		/* CID:IFNAME, or an older version's nsk and 8 hex digits;
		 * not a temporary (.NAME.tmp) of an ADD under way */
		if (!(strchr(f, ':') && f[0] != '.') && !legacy_state_file(f))
			continue;
		st = state_read(c, f);
		cid = cni_json_string(st, "containerID");
		ifn = cni_json_string(st, "ifname");
		/* No netns: without the alias, GC has no proof a host end is
		 * this attachment's (its namespace path may name another's now). */
		if (!cid || !ifn || !attachment_valid(valid, cid, ifn))
			remove_attachment(c, host, f, st, NULL);
		json_object_put(st);
	}
	if (d)
		closedir(d);
	nl_route_close(host);
	return c->err.code ? -1 : 0;
}

static int cmd_gc(struct cni *c)
{
	struct json_object *valid = NULL;
	int r;

	if (c->conf.version < CNI_V110)
		return fail(c, CNI_ERR_VERSION, "incompatible CNI versions", "GC needs cniVersion 1.1.0");
	if (json_object_object_get_ex(c->conf.root, "cni.dev/valid-attachments", &valid) && valid &&
	    !json_object_is_type(valid, json_type_array))
		return fail(c, CNI_ERR_CONFIG, "invalid network configuration", "cni.dev/valid-attachments: not an array");
	r = gc_sweep(c, valid);
	/* The spec: GC is forwarded to delegated plugins, errors or not. */
	switch (delegate_speaks_1_1(c)) {
	case 1:
		if (delegate(c, "GC", NULL) < 0)
			r = -1;
		break;
	case 0:
		break;
	default:
		r = -1;
	}
	return r;
}

/* --- VERSION and main --------------------------------------------------------------------- */

static int cmd_version(struct cni *c)
{
	struct json_object *o = json_object_new_object(), *arr = json_object_new_array(), *in = NULL;
	const char *why, *v = NULL;

	if (c->rawlen && (in = cni_json_parse(c->raw, c->rawlen, &why)))
		v = cni_json_string(in, "cniVersion");
	json_object_object_add(o, "cniVersion", json_object_new_string(v ? v : cni_versions[CNI_V110]));
	for (size_t i = 0; i < CNI_NVERSIONS; i++)
		json_object_array_add(arr, json_object_new_string(cni_versions[i]));
	json_object_object_add(o, "supportedVersions", arr);
	json_object_put(in);
	json_print(o);
	return 0;
}

/* Stdin and, for every command but VERSION, the configuration and the
 * variables the command needs: all checked before anything changes. */
static int read_request(struct cni *c, bool version)
{
	if (read_input(c) < 0)
		return -1;
	if (version)
		return 0;
	if (cni_conf_parse(c->raw, c->rawlen, &c->conf, &c->err) < 0 || check_env(c) < 0)
		return -1;
	return 0;
}

static const struct {
	const char *name;
	int (*run)(struct cni *);
} commands[] = {
	{ "ADD", cmd_add },
	{ "CHECK", cmd_check },
	{ "DEL", cmd_del },
	{ "GC", cmd_gc },
	{ "STATUS", cmd_status },
	{ "VERSION", cmd_version },
};

int main(int argc, char **argv)
{
	struct cni c = { .conf.version = -1, .undo = UNDO_INIT };
	int (*run)(struct cni *) = NULL;

	nskit_init(EXIT_USAGE);
	argp_parse(&argp, argc, argv, 0, NULL, NULL);
	c.command = getenv("CNI_COMMAND");
	c.containerid = getenv("CNI_CONTAINERID");
	c.netns = getenv("CNI_NETNS");
	c.ifname = getenv("CNI_IFNAME");
	c.args = getenv("CNI_ARGS");
	c.path = getenv("CNI_PATH");
	for (size_t i = 0; c.command && i < ARRAY_SIZE(commands); i++)
		if (streq(c.command, commands[i].name))
			run = commands[i].run;
	if (!run)
		fail(&c, CNI_ERR_ENV, "invalid environment variables",
		     "CNI_COMMAND: missing or not one of ADD, DEL, CHECK, STATUS, GC, VERSION");
	else if (read_request(&c, run == cmd_version) == 0)
		run(&c);
	undo_free(&c.undo);
	if (c.err.code)
		report_error(&c);
	release(&c);
	return EXIT_OK;
}
