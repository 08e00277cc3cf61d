/* cni.h - the Container Network Interface's JSON, read strictly for
 * nskit-cni (and its fuzz target): the network configuration, result
 * objects (ips, routes), CNI_ARGS, names, the specification's versions and
 * error codes. Nothing here prints: a failure fills a struct cni_error
 * that the tool reports as the spec's error object. Part of nskit-cni's own library,
 * which makes no ABI promise. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

/* The specification's error codes; 100 and up are nskit's own. */
enum {
	CNI_ERR_VERSION = 1,		/* incompatible CNI version */
	CNI_ERR_FIELD = 2,		/* unsupported field in the configuration */
	CNI_ERR_NO_CONTAINER = 3,	/* container unknown or gone */
	CNI_ERR_ENV = 4,		/* invalid necessary environment variable */
	CNI_ERR_IO = 5,			/* I/O failure */
	CNI_ERR_DECODE = 6,		/* failed to decode content */
	CNI_ERR_CONFIG = 7,		/* invalid network configuration */
	CNI_ERR_AGAIN = 11,		/* try again later */
	CNI_ERR_UNAVAILABLE = 50,	/* STATUS: cannot service ADD */
	CNI_ERR_SYSTEM = 100,		/* a kernel or nftables request failed */
	CNI_ERR_CHECK = 101,		/* CHECK: the attachment is not as ADD made it */
};

/* The versions spoken, oldest first. */
enum { CNI_V031, CNI_V040, CNI_V100, CNI_V110, CNI_NVERSIONS };
extern const char *const cni_versions[CNI_NVERSIONS];
/* The index of V in cni_versions, or -1. */
int cni_version_index(const char *v);

struct cni_error {
	int code;		/* 0: none yet */
	char msg[128];
	char details[768];
};

/* Record the error unless one is recorded already (the first one is what
 * the caller reports). Returns -1. */
int cni_error_set(struct cni_error *e, int code, const char *msg, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Strict JSON: one object and nothing after it but white space, in LEN
 * bytes (no NUL needed after them). NULL and *WHY set when it is not. */
struct json_object *cni_json_parse(const char *buf, size_t len, const char **why);
/* O[KEY] when it is a string, else NULL (O may be NULL). */
const char *cni_json_string(struct json_object *o, const char *key);

/* The spec's rule for network names and container ids: an alphanumeric,
 * then alphanumerics, '_', '.' or '-' (at most NAME_MAX bytes). */
bool cni_name_ok(const char *s);
/* "KEY=VALUE;KEY=VALUE...": each pair one '=' with a key before it. */
bool cni_args_ok(const char *args);
/* The value of KEY in well-formed ARGS into BUF: its length, 0 when it
 * is not there or empty, -1 when it does not fit in SIZE bytes. */
int cni_args_get(const char *args, const char *key, char *buf, size_t size);
/* A unicast Ethernet address "aa:bb:cc:dd:ee:ff" into MAC: 0 or -1. */
int cni_mac_parse(const char *s, uint8_t mac[6]);

#define CNI_MAX_PORTS 64
#define CNI_MAX_REQ_IPS 8

/* One runtimeConfig.portMappings entry (the portMappings capability). */
struct cni_portmap {
	int proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	struct cidr host_ip;	/* family 0: every local address */
	uint16_t host_port, container_port;
};

struct cni_conf {
	struct json_object *root;	/* the whole configuration (owned) */
	struct json_object *prev, *dns;	/* prevResult, dns: inside ROOT or NULL */
	const char *name, *ipam, *bridge;	/* inside ROOT; bridge NULL: none */
	int version;		/* index in cni_versions, -1 before it is known */
	bool ipmasq, gateway;
	bool default_gw;	/* isDefaultGateway (implies gateway): a default route via it */
	bool has_mac;		/* runtimeConfig.mac, else args.cni.mac: the container end's */
	uint8_t mac[6];
	bool hairpin;		/* hairpinMode (default true): bridge ports reflect */
	uint32_t mtu;		/* 0: the kernel's default */
	struct cni_portmap ports[CNI_MAX_PORTS];	/* runtimeConfig.portMappings */
	size_t nports;
	struct cidr req_ips[CNI_MAX_REQ_IPS];	/* runtimeConfig.ips (the ips capability) */
	size_t nreq_ips;
};

/* Parse and check the network configuration nskit-cni takes: cniVersion
 * (1 when unknown), name, ipam.type (a file name), bridge, isGateway,
 * isDefaultGateway, ipMasq, hairpinMode, mtu (0: the default), dns,
 * prevResult, runtimeConfig.mac and args.cni.mac (a unicast MAC address;
 * runtimeConfig's first), runtimeConfig.portMappings (hostPort, containerPort,
 * protocol tcp or udp, hostIP; ::1 is code 2) and runtimeConfig.ips
 * (addresses, with or without a prefix). The reference bridge plugin's
 * fields it does not implement are code 2 when they ask for something
 * (not null, false, 0, "" or empty). 0,
 * or -1 with *ERR filled (CONF->version set as soon as it is known); free
 * with cni_conf_free() either way. */
int cni_conf_parse(const char *buf, size_t len, struct cni_conf *conf, struct cni_error *err);
void cni_conf_free(struct cni_conf *conf);

#define CNI_MAX_IPS 8
#define CNI_MAX_ROUTES 64

struct cni_ip {
	struct cidr addr;	/* with its prefix */
	struct cidr gw;		/* family 0: none */
};

struct cni_route {
	struct cidr dst;	/* a network: host bits cleared */
	struct cidr gw;		/* family 0: none given */
};

/* The "ips" of a result (an IPAM plugin's or a prevResult), those of
 * interface index IFACE only when IFACE >= 0; at most CNI_MAX_IPS. */
int cni_result_ips(struct json_object *res, int iface, struct cni_ip *ips, size_t *n, struct cni_error *err);
/* The "routes" of a result; at most CNI_MAX_ROUTES. */
int cni_result_routes(struct json_object *res, struct cni_route *rts, size_t *n, struct cni_error *err);
