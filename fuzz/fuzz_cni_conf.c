/* fuzz_cni_conf - the CNI network configuration and result objects
 * (tools/nskit-cni/cni.h), as nskit-cni reads them from stdin and from its IPAM
 * plugin: an accepted configuration has a known version, a name by the
 * spec's rule, an IPAM plugin file name and an MTU in range; a rejected
 * one carries one of the spec's codes for configurations; addresses and
 * routes read from the same bytes as a result stay within their bounds and
 * families. The first line of the input also goes to the CNI_ARGS check. */
#include <netinet/in.h>
#include <sys/socket.h>

#include "cni.h"
#include "fuzz.h"

static void check_result(struct json_object *res)
{
	struct cni_ip ips[CNI_MAX_IPS];
	struct cni_route rts[CNI_MAX_ROUTES];
	struct cni_error err = { 0 };
	size_t n;

	if (cni_result_ips(res, -1, ips, &n, &err) == 0) {
		FUZZ_ASSERT(n <= CNI_MAX_IPS && err.code == 0);
		for (size_t i = 0; i < n; i++)
			FUZZ_ASSERT(!ips[i].gw.family || ips[i].gw.family == ips[i].addr.family);
	} else {
		FUZZ_ASSERT(err.code == CNI_ERR_DECODE || err.code == CNI_ERR_CONFIG);
	}
	err = (struct cni_error){ 0 };
	if (cni_result_routes(res, rts, &n, &err) == 0) {
		FUZZ_ASSERT(n <= CNI_MAX_ROUTES);
		for (size_t i = 0; i < n; i++) {
			FUZZ_ASSERT(cidr_is_network(&rts[i].dst));
			FUZZ_ASSERT(!rts[i].gw.family || rts[i].gw.family == rts[i].dst.family);
		}
	} else {
		FUZZ_ASSERT(err.code == CNI_ERR_DECODE || err.code == CNI_ERR_CONFIG);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cni_conf conf;
	struct cni_error err = { 0 };
	char *s = fuzz_str(data, size);

	if (cni_args_ok(s)) {
		char mac[32];
		uint8_t m[6];

		if (cni_args_get(s, "MAC", mac, sizeof(mac)) > 0)
			cni_mac_parse(mac, m);
	}
	if (cni_conf_parse((const char *)data, size, &conf, &err) == 0) {
		FUZZ_ASSERT(err.code == 0);
		FUZZ_ASSERT(conf.version >= 0 && conf.version < CNI_NVERSIONS);
		FUZZ_ASSERT(cni_name_ok(conf.name));
		FUZZ_ASSERT(!conf.default_gw || conf.gateway);
		FUZZ_ASSERT(!conf.has_mac || !(conf.mac[0] & 1));
		FUZZ_ASSERT(conf.ipam && *conf.ipam && !strchr(conf.ipam, '/'));
		FUZZ_ASSERT(conf.mtu == 0 || (conf.mtu >= 68 && conf.mtu <= 65535));
		FUZZ_ASSERT(!conf.bridge || (*conf.bridge && strlen(conf.bridge) <= 15));
		FUZZ_ASSERT(conf.nports <= CNI_MAX_PORTS);
		for (size_t i = 0; i < conf.nports; i++) {
			FUZZ_ASSERT(conf.ports[i].proto == IPPROTO_TCP || conf.ports[i].proto == IPPROTO_UDP);
			FUZZ_ASSERT(conf.ports[i].host_port >= 1 && conf.ports[i].container_port >= 1);
		}
		check_result(conf.root);
		if (conf.prev)
			check_result(conf.prev);
	} else {
		FUZZ_ASSERT(err.code == CNI_ERR_VERSION || err.code == CNI_ERR_FIELD ||
			    err.code == CNI_ERR_DECODE || err.code == CNI_ERR_CONFIG);
		FUZZ_ASSERT(err.msg[0]);
	}
	cni_conf_free(&conf);
	free(s);
	return 0;
}
