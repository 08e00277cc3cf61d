/* cni.c - the CNI configuration and result objects over json-c (see cni.h). */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <netinet/in.h>

#include "cni.h"
#include "json.h"
#include "link.h"
#include "util.h"

const char *const cni_versions[CNI_NVERSIONS] = { "0.3.1", "0.4.0", "1.0.0", "1.1.0" };

int cni_version_index(const char *v)
{
	for (int i = 0; v && i < CNI_NVERSIONS; i++)
		if (streq(v, cni_versions[i]))
			return i;
	return -1;
}

int cni_error_set(struct cni_error *e, int code, const char *msg, const char *fmt, ...)
{
	va_list ap;

	if (e->code)
		return -1;
	e->code = code;
	snprintf(e->msg, sizeof(e->msg), "%s", msg);
	va_start(ap, fmt);
	vsnprintf(e->details, sizeof(e->details), fmt, ap);
	va_end(ap);
	return -1;
}

struct json_object *cni_json_parse(const char *buf, size_t len, const char **why)
{
	struct json_object *o = json_parse_whole(buf, len, why);

	if (o && !json_object_is_type(o, json_type_object)) {
		*why = "not a JSON object";
		json_object_put(o);
		return NULL;
	}
	return o;
}

const char *cni_json_string(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

#define ALNUM "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

bool cni_name_ok(const char *s)
{
	return s && *s && strchr(ALNUM, *s) && s[strspn(s, ALNUM "._-")] == 0 && strlen(s) <= NAME_MAX;
}

bool cni_args_ok(const char *args)
{
	for (const char *p = args; *p; ) {
		size_t len = strcspn(p, ";");
		const char *eq = memchr(p, '=', len);

		if (!eq || eq == p || memchr(eq + 1, '=', len - (size_t)(eq + 1 - p)))
			return false;
		p += len;
		if (*p)
			p++;
	}
	return true;
}

int cni_args_get(const char *args, const char *key, char *buf, size_t size)
{
	size_t klen = strlen(key);

	for (const char *p = args; p && *p; ) {
		size_t len = strcspn(p, ";");

		if (len > klen + 1 && strncmp(p, key, klen) == 0 && p[klen] == '=') {
			len -= klen + 1;
			if (len >= size)
				return -1;
			memcpy(buf, p + klen + 1, len);
			buf[len] = 0;
			return (int)len;
		}
		p += len;
		if (*p)
			p++;
	}
	return 0;
}

int cni_mac_parse(const char *s, uint8_t mac[6])
{
	unsigned b[6];
	int n = -1;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%n", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &n) != 6 ||
	    n != 17 || s[n] || strspn(s, "0123456789abcdefABCDEF:") != 17)
		return -1;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	/* the kernel refuses a multicast (or broadcast) address and zero */
	return (mac[0] & 1) || !(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]) ? -1 : 0;
}

/* The container end's MAC address, as the reference bridge plugin takes
 * it: runtimeConfig.mac (the mac capability) over args.cni.mac; "" or
 * none asks for nothing. */
static int parse_mac(struct json_object *root, struct cni_conf *conf, struct cni_error *err)
{
	static const char *const paths[][3] = { { "runtimeConfig", "mac" }, { "args", "cni", "mac" } };
	static const char *const names[] = { "runtimeConfig.mac", "args.cni.mac" };

	for (size_t i = 0; i < ARRAY_SIZE(paths) && !conf->has_mac; i++) {
		struct json_object *v = root;

		for (size_t k = 0; k < 3 && paths[i][k] && v; k++)
			if (!json_object_is_type(v, json_type_object) || !json_object_object_get_ex(v, paths[i][k], &v))
				v = NULL;
		if (!v || json_object_is_type(v, json_type_null) ||
		    (json_object_is_type(v, json_type_string) && !*json_object_get_string(v)))
			continue;
		if (!json_object_is_type(v, json_type_string) || cni_mac_parse(json_object_get_string(v), conf->mac) < 0)
			return cni_error_set(err, CNI_ERR_CONFIG, "invalid network configuration",
					     "%s: not a unicast MAC address", names[i]);
		conf->has_mac = true;
	}
	return 0;
}

/* Whether a field's value asks for something: null, false, 0, "", [] and
 * {} are what the reference plugin's Go decoding leaves at its default. */
static bool asks(struct json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null:
		return false;
	case json_type_boolean:
	case json_type_int:
		return json_object_get_int64(v) != 0;
	case json_type_double:
		return json_object_get_double(v) != 0;
	case json_type_string:
		return json_object_get_string_len(v) > 0;
	case json_type_array:
		return json_object_array_length(v) > 0;
	case json_type_object:
		return json_object_object_length(v) > 0;
	}
	return true;
}

/* Fields of the reference bridge plugin nskit does not implement: a
 * configuration that asks for them fails instead of being half-honoured.
 * Those it may ignore (ipMasqBackend: nskit masquerades with nftables in
 * its own table; preserveDefaultVlan: only with vlan) are not listed. */
static int check_unsupported(struct json_object *root, struct cni_error *err)
{
	static const char *const keys[] = {
		"disableContainerInterface", "enabledad", "forceAddress", "macspoofchk",
		"portIsolation", "promiscMode", "vlan", "vlanTrunk",
	};

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		struct json_object *v;

		if (!json_object_object_get_ex(root, keys[i], &v) || !asks(v))
			continue;
		return cni_error_set(err, CNI_ERR_FIELD, "unsupported field in network configuration", "%s: %.200s",
				     keys[i], json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
	}
	return 0;
}

static int bad_config(struct cni_error *err, const char *what)
{
	return cni_error_set(err, CNI_ERR_CONFIG, "invalid network configuration", "%s", what);
}

static int parse_bool(struct json_object *root, const char *key, bool *b, struct cni_error *err)
{
	struct json_object *v;

	if (!json_object_object_get_ex(root, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_boolean))
		return cni_error_set(err, CNI_ERR_CONFIG, "invalid network configuration", "%s: not a boolean", key);
	*b = json_object_get_boolean(v);
	return 0;
}

static int bad_port(struct cni_error *err, size_t i, const char *what)
{
	return cni_error_set(err, CNI_ERR_CONFIG, "invalid network configuration",
			     "runtimeConfig.portMappings[%zu]: %s", i, what);
}

static int json_port(struct json_object *o, const char *key, uint16_t *port)
{
	struct json_object *v;
	int64_t p;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return -1;
	p = json_object_get_int64(v);
	if (p < 1 || p > 65535)
		return -1;
	*port = (uint16_t)p;
	return 0;
}

/* runtimeConfig.portMappings, as the portMappings capability convention
 * gives them: [{"hostPort": 8080, "containerPort": 80, "protocol": "tcp",
 * "hostIP": "192.0.2.1"}]; protocol defaults to tcp, "" hostIP is any. */
static int parse_ports(struct json_object *root, struct cni_conf *conf, struct cni_error *err)
{
	struct json_object *rc, *arr;

	if (!json_object_object_get_ex(root, "runtimeConfig", &rc) ||
	    !json_object_object_get_ex(rc, "portMappings", &arr) || !arr)
		return 0;
	if (!json_object_is_type(arr, json_type_array))
		return bad_config(err, "runtimeConfig.portMappings: not an array");
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);
		struct cni_portmap pm = { .proto = IPPROTO_TCP };
		const char *proto = cni_json_string(e, "protocol"), *ip = cni_json_string(e, "hostIP");

		if (json_port(e, "hostPort", &pm.host_port) < 0 || json_port(e, "containerPort", &pm.container_port) < 0)
			return bad_port(err, i, "hostPort and containerPort must be numbers from 1 to 65535");
		if (proto && strcasecmp(proto, "udp") == 0)
			pm.proto = IPPROTO_UDP;
		else if (proto && *proto && strcasecmp(proto, "tcp") != 0)
			return cni_error_set(err, CNI_ERR_FIELD, "unsupported field in network configuration",
					     "runtimeConfig.portMappings[%zu].protocol: %.32s (tcp and udp are)", i, proto);
		if (ip && *ip && cidr_parse(ip, &pm.host_ip, false) < 0)
			return bad_port(err, i, "hostIP is not an address");
		/* 127.0.0.0/8 is forwarded with route_localnet; IPv6 has no
		 * such thing, so ::1 would answer nothing. */
		if (pm.host_ip.family == AF_INET6 && IN6_IS_ADDR_LOOPBACK(&pm.host_ip.addr.v6))
			return cni_error_set(err, CNI_ERR_FIELD, "unsupported field in network configuration",
					     "runtimeConfig.portMappings[%zu].hostIP: ::1 cannot be forwarded by the kernel "
					     "(publish on 127.0.0.1 or every address)", i);
		if (conf->nports == CNI_MAX_PORTS)
			return bad_port(err, i, "more than 64 port mappings");
		conf->ports[conf->nports++] = pm;
	}
	return 0;
}

/* runtimeConfig.ips, as the ips capability convention gives them:
 * ["10.88.0.5/24", "fd00::5"]. IPAM reads them from the same
 * configuration bytes (nskit-cni passes them on unchanged, as the
 * reference plugins do); nskit-cni checks that IPAM gave them. */
static int parse_ips(struct json_object *root, struct cni_conf *conf, struct cni_error *err)
{
	struct json_object *rc, *arr;

	if (!json_object_object_get_ex(root, "runtimeConfig", &rc) ||
	    !json_object_object_get_ex(rc, "ips", &arr) || !arr)
		return 0;
	if (!json_object_is_type(arr, json_type_array))
		return bad_config(err, "runtimeConfig.ips: not an array");
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);
		const char *s = json_object_is_type(e, json_type_string) ? json_object_get_string(e) : NULL;
		struct cidr c;

		if (!s || cidr_parse(s, &c, false) < 0)
			return cni_error_set(err, CNI_ERR_CONFIG, "invalid network configuration",
					     "runtimeConfig.ips[%zu]: not an IP address", i);
		if (conf->nreq_ips == CNI_MAX_REQ_IPS)
			return bad_config(err, "runtimeConfig.ips: more than 8 addresses");
		conf->req_ips[conf->nreq_ips++] = c;
	}
	return 0;
}

int cni_conf_parse(const char *buf, size_t len, struct cni_conf *conf, struct cni_error *err)
{
	struct json_object *root, *v;
	const char *why, *s;

	*conf = (struct cni_conf){ .version = -1, .gateway = true, .hairpin = true };
	root = conf->root = cni_json_parse(buf, len, &why);
	if (!root)
		return cni_error_set(err, CNI_ERR_DECODE, "failed to decode the network configuration", "stdin: %s", why);
	if (!(s = cni_json_string(root, "cniVersion")))
		return bad_config(err, "cniVersion: missing or not a string");
	if ((conf->version = cni_version_index(s)) < 0)
		return cni_error_set(err, CNI_ERR_VERSION, "incompatible CNI versions",
				     "config is \"%.32s\", nskit-cni supports 0.3.1, 0.4.0, 1.0.0, 1.1.0", s);
	if (!cni_name_ok(conf->name = cni_json_string(root, "name")))
		return bad_config(err, "name: missing, or not an alphanumeric followed by alphanumerics, '_', '.', '-'");
	if (!json_object_object_get_ex(root, "ipam", &v) || !(s = cni_json_string(v, "type")) || !*s ||
	    strchr(s, '/') || streq(s, ".") || streq(s, ".."))
		return bad_config(err, "ipam.type: missing, or not the file name of an IPAM plugin");
	conf->ipam = s;
	if (json_object_object_get_ex(root, "bridge", &v) &&
	    (!(conf->bridge = cni_json_string(root, "bridge")) || link_name_check(conf->bridge) < 0))
		return bad_config(err, "bridge: not an interface name of 1 to 15 bytes");
	if (parse_bool(root, "isGateway", &conf->gateway, err) < 0 || parse_bool(root, "ipMasq", &conf->ipmasq, err) < 0 ||
	    parse_bool(root, "hairpinMode", &conf->hairpin, err) < 0 ||
	    parse_bool(root, "isDefaultGateway", &conf->default_gw, err) < 0)
		return -1;
	/* As in the reference bridge plugin: a default route via the bridge
	 * needs the bridge to hold the gateway. */
	conf->gateway |= conf->default_gw;
	/* 0 (what Go's decoding leaves when there is none): the default */
	if (json_object_object_get_ex(root, "mtu", &v)) {
		int64_t m = json_object_get_int64(v);

		if (!json_object_is_type(v, json_type_int) || (m != 0 && (m < 68 || m > 65535)))
			return bad_config(err, "mtu: not 0 or a number from 68 to 65535");
		conf->mtu = (uint32_t)m;
	}
	if (json_object_object_get_ex(root, "prevResult", &v) && json_object_is_type(v, json_type_object))
		conf->prev = v;
	if (json_object_object_get_ex(root, "dns", &v) && json_object_is_type(v, json_type_object) &&
	    json_object_object_length(v) > 0)
		conf->dns = v;
	if (parse_ports(root, conf, err) < 0 || parse_ips(root, conf, err) < 0 || parse_mac(root, conf, err) < 0)
		return -1;
	return check_unsupported(root, err);
}

void cni_conf_free(struct cni_conf *conf)
{
	json_object_put(conf->root);
	*conf = (struct cni_conf){ .version = conf->version };
}

static int parse_cidr_field(struct json_object *o, const char *key, bool need_prefix, struct cidr *cd)
{
	const char *s = cni_json_string(o, key);

	return s && cidr_parse(s, cd, need_prefix) == 0 ? 0 : -1;
}

static int bad_result(struct cni_error *err, const char *what, size_t i)
{
	return cni_error_set(err, CNI_ERR_DECODE, "failed to decode a result", "%s[%zu]: bad address or gateway",
			     what, i);
}

int cni_result_ips(struct json_object *res, int iface, struct cni_ip *ips, size_t *n, struct cni_error *err)
{
	struct json_object *arr, *v;

	*n = 0;
	if (!res || !json_object_object_get_ex(res, "ips", &arr) || !json_object_is_type(arr, json_type_array))
		return 0;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);
		struct cni_ip ip = { 0 };

		if (iface >= 0 && (!json_object_object_get_ex(e, "interface", &v) ||
				   !json_object_is_type(v, json_type_int) || json_object_get_int64(v) != iface))
			continue;
		if (parse_cidr_field(e, "address", true, &ip.addr) < 0 ||
		    (cni_json_string(e, "gateway") && parse_cidr_field(e, "gateway", false, &ip.gw) < 0) ||
		    (ip.gw.family && ip.gw.family != ip.addr.family))
			return bad_result(err, "ips", i);
		if (*n == CNI_MAX_IPS)
			return bad_config(err, "more than 8 addresses");
		ips[(*n)++] = ip;
	}
	return 0;
}

int cni_result_routes(struct json_object *res, struct cni_route *rts, size_t *n, struct cni_error *err)
{
	struct json_object *arr;

	*n = 0;
	if (!res || !json_object_object_get_ex(res, "routes", &arr) || !json_object_is_type(arr, json_type_array))
		return 0;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);
		struct cni_route rt = { 0 };

		if (parse_cidr_field(e, "dst", true, &rt.dst) < 0 ||
		    (cni_json_string(e, "gw") && parse_cidr_field(e, "gw", false, &rt.gw) < 0) ||
		    (rt.gw.family && rt.gw.family != rt.dst.family))
			return bad_result(err, "routes", i);
		cidr_to_network(&rt.dst);
		if (*n == CNI_MAX_ROUTES)
			return bad_config(err, "more than 64 routes");
		rts[(*n)++] = rt;
	}
	return 0;
}
