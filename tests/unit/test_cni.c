/* test_cni.c - unit tests for lib/cni.h: the CNI configuration, results,
 * names and CNI_ARGS as nskit-cni reads them. */
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "cni.h"
#include "unit.h"

static int parse(const char *json, struct cni_conf *conf, struct cni_error *err)
{
	*err = (struct cni_error){ 0 };
	return cni_conf_parse(json, strlen(json), conf, err);
}

static void test_conf(void)
{
	struct cni_conf c;
	struct cni_error e;

	CHECK(parse("{\"cniVersion\":\"1.1.0\",\"name\":\"n-1.a_b\",\"bridge\":\"br0\",\"ipMasq\":true,"
		    "\"mtu\":1400,\"ipam\":{\"type\":\"host-local\"}} \n", &c, &e) == 0);
	CHECK(c.version == CNI_V110 && !strcmp(c.name, "n-1.a_b") && !strcmp(c.ipam, "host-local"));
	CHECK(!strcmp(c.bridge, "br0") && c.ipmasq && c.gateway && c.mtu == 1400 && !c.prev);
	cni_conf_free(&c);
	/* the spec's codes for each way a configuration is wrong */
	CHECK(parse("{\"cniVersion\": \"1.0.0\", \"name\": ", &c, &e) < 0 && e.code == CNI_ERR_DECODE);
	cni_conf_free(&c);
	CHECK(parse("[1]", &c, &e) < 0 && e.code == CNI_ERR_DECODE);
	cni_conf_free(&c);
	CHECK(parse("{\"cniVersion\":\"1.0.0\"} x", &c, &e) < 0 && e.code == CNI_ERR_DECODE);
	cni_conf_free(&c);
	CHECK(parse("{\"cniVersion\":\"0.2.0\",\"name\":\"n\"}", &c, &e) < 0 && e.code == CNI_ERR_VERSION);
	cni_conf_free(&c);
	CHECK(parse("{\"name\":\"n\"}", &c, &e) < 0 && e.code == CNI_ERR_CONFIG);
	cni_conf_free(&c);
	CHECK(parse("{\"cniVersion\":\"1.0.0\",\"name\":\"-n\",\"ipam\":{\"type\":\"x\"}}", &c, &e) < 0 &&
	      e.code == CNI_ERR_CONFIG && c.version == CNI_V100);
	cni_conf_free(&c);
	CHECK(parse("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"ipam\":{\"type\":\"../x\"}}", &c, &e) < 0 &&
	      e.code == CNI_ERR_CONFIG);
	cni_conf_free(&c);
	CHECK(parse("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"ipam\":{\"type\":\"x\"},\"mtu\":67}", &c, &e) < 0 &&
	      e.code == CNI_ERR_CONFIG);
	cni_conf_free(&c);
	CHECK(parse("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"ipam\":{\"type\":\"x\"},\"ipMasq\":\"yes\"}", &c, &e) < 0 &&
	      e.code == CNI_ERR_CONFIG);
	cni_conf_free(&c);
	CHECK(parse("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"ipam\":{\"type\":\"x\"},\"vlan\":7}", &c, &e) < 0 &&
	      e.code == CNI_ERR_FIELD && strstr(e.details, "vlan: 7"));
	cni_conf_free(&c);
	CHECK(parse("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"ipam\":{\"type\":\"x\"},\"hairpinMode\":false}", &c, &e) == 0);
	cni_conf_free(&c);
	/* flannel's delegate: isDefaultGateway implies isGateway, mtu 0 is the default */
	CHECK(parse("{\"cniVersion\":\"0.3.1\",\"name\":\"cbr0\",\"type\":\"nskit-cni\",\"isGateway\":false,"
		    "\"isDefaultGateway\":true,\"mtu\":0,\"ipMasq\":false,\"ipMasqBackend\":\"iptables\","
		    "\"forceAddress\":false,\"vlanTrunk\":[],\"args\":{\"cni\":{}},\"ipam\":{\"type\":\"host-local\"}}",
		    &c, &e) == 0);
	CHECK(c.default_gw && c.gateway && c.mtu == 0 && !c.ipmasq && c.version == CNI_V031);
	cni_conf_free(&c);
	CHECK(parse("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"ipam\":{\"type\":\"x\"},\"isDefaultGateway\":1}", &c, &e) < 0 &&
	      e.code == CNI_ERR_CONFIG);
	cni_conf_free(&c);
	CHECK(parse("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"ipam\":{\"type\":\"x\"},\"forceAddress\":true}", &c, &e) < 0 &&
	      e.code == CNI_ERR_FIELD && strstr(e.details, "forceAddress: true"));
	cni_conf_free(&c);
	/* the container's MAC: runtimeConfig.mac over args.cni.mac */
	CHECK(parse("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"ipam\":{\"type\":\"x\"},"
		    "\"args\":{\"cni\":{\"mac\":\"02:00:00:00:00:01\"}},\"runtimeConfig\":{\"mac\":\"02:00:00:00:00:02\"}}",
		    &c, &e) == 0 && c.has_mac && c.mac[5] == 2);
	cni_conf_free(&c);
	CHECK(parse("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"ipam\":{\"type\":\"x\"},"
		    "\"args\":{\"cni\":{\"mac\":\"02:00:00:00:00:01\"}},\"runtimeConfig\":{\"mac\":\"\"}}",
		    &c, &e) == 0 && c.has_mac && c.mac[5] == 1);
	cni_conf_free(&c);
	CHECK(parse("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"ipam\":{\"type\":\"x\"},"
		    "\"runtimeConfig\":{\"mac\":\"01:00:5e:00:00:01\"}}", &c, &e) < 0 &&
	      e.code == CNI_ERR_CONFIG && strstr(e.details, "runtimeConfig.mac: "));
	cni_conf_free(&c);
	CHECK(parse("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"ipam\":{\"type\":\"x\"},\"vlanTrunk\":[{\"id\":5}]}", &c, &e) < 0 &&
	      e.code == CNI_ERR_FIELD);
	cni_conf_free(&c);
	/* runtimeConfig.portMappings: protocol defaults to tcp, "" hostIP is any */
	CHECK(parse("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"ipam\":{\"type\":\"x\"},\"runtimeConfig\":"
		    "{\"portMappings\":[{\"hostPort\":8080,\"containerPort\":80},"
		    "{\"hostPort\":53,\"containerPort\":5353,\"protocol\":\"udp\",\"hostIP\":\"192.0.2.1\"}]}}", &c, &e) == 0);
	CHECK(c.nports == 2 && c.ports[0].proto == IPPROTO_TCP && c.ports[0].host_port == 8080 &&
	      c.ports[0].container_port == 80 && c.ports[0].host_ip.family == 0);
	CHECK(c.ports[1].proto == IPPROTO_UDP && c.ports[1].host_ip.family == AF_INET);
	cni_conf_free(&c);
	CHECK(parse("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"ipam\":{\"type\":\"x\"},\"runtimeConfig\":"
		    "{\"portMappings\":[{\"hostPort\":0,\"containerPort\":80}]}}", &c, &e) < 0 && e.code == CNI_ERR_CONFIG);
	cni_conf_free(&c);
	CHECK(parse("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"ipam\":{\"type\":\"x\"},\"runtimeConfig\":"
		    "{\"portMappings\":[{\"hostPort\":1,\"containerPort\":80,\"protocol\":\"sctp\"}]}}", &c, &e) < 0 &&
	      e.code == CNI_ERR_FIELD);
	cni_conf_free(&c);
}

static void test_result(void)
{
	static const char res[] = "{\"ips\":[{\"address\":\"10.1.0.2/24\",\"gateway\":\"10.1.0.1\",\"interface\":1},"
				  "{\"address\":\"fd00::2/64\",\"interface\":0}],"
				  "\"routes\":[{\"dst\":\"10.2.3.4/16\",\"gw\":\"10.1.0.9\"},{\"dst\":\"::/0\"}]}";
	static const char bad[] = "{\"ips\":[{\"address\":\"10.1.0.2\"}]}";
	const char *why;
	struct json_object *o = cni_json_parse(res, strlen(res), &why);
	struct cni_ip ips[CNI_MAX_IPS];
	struct cni_route rts[CNI_MAX_ROUTES];
	struct cni_error e = { 0 };
	size_t n;

	CHECK(o != NULL);
	CHECK(cni_result_ips(o, -1, ips, &n, &e) == 0 && n == 2);
	CHECK(ips[0].addr.family == AF_INET && ips[0].addr.prefix == 24 && ips[0].gw.family == AF_INET);
	CHECK(ips[1].addr.family == AF_INET6 && ips[1].gw.family == 0);
	CHECK(cni_result_ips(o, 1, ips, &n, &e) == 0 && n == 1 && ips[0].addr.family == AF_INET);
	CHECK(cni_result_routes(o, rts, &n, &e) == 0 && n == 2);
	CHECK(rts[0].dst.prefix == 16 && rts[0].dst.addr.b[2] == 0 && rts[0].gw.family == AF_INET);
	json_object_put(o);
	/* an address without its prefix is no result */
	o = cni_json_parse(bad, strlen(bad), &why);
	CHECK(o && cni_result_ips(o, -1, ips, &n, &e) < 0 && e.code == CNI_ERR_DECODE);
	json_object_put(o);
}

static void test_names_and_args(void)
{
	CHECK(cni_name_ok("a") && cni_name_ok("0net.a_b-c"));
	CHECK(!cni_name_ok("") && !cni_name_ok(NULL) && !cni_name_ok("_a") && !cni_name_ok("a/b") && !cni_name_ok("a b"));
	CHECK(cni_args_ok("") && cni_args_ok("IP=10.0.0.1") && cni_args_ok("IgnoreUnknown=1;IP=10.0.0.1"));
	CHECK(cni_args_ok("K=;X=y"));
	{
		char b[18];
		uint8_t m[6];

		CHECK(cni_args_get("IgnoreUnknown=1;MAC=02:00:00:00:00:0a", "MAC", b, sizeof(b)) == 17 &&
		      !strcmp(b, "02:00:00:00:00:0a"));
		CHECK(cni_args_get("MAC=;X=1", "MAC", b, sizeof(b)) == 0 && cni_args_get("", "MAC", b, sizeof(b)) == 0);
		CHECK(cni_args_get("MACX=1;XMAC=1", "MAC", b, sizeof(b)) == 0);
		CHECK(cni_args_get("MAC=02:00:00:00:00:0a:ff", "MAC", b, sizeof(b)) == -1);
		CHECK(cni_mac_parse("02:00:00:00:00:0A", m) == 0 && m[0] == 2 && m[5] == 10);
		CHECK(cni_mac_parse("03:00:00:00:00:0a", m) < 0 && cni_mac_parse("00:00:00:00:00:00", m) < 0);
		CHECK(cni_mac_parse("2:0:0:0:0:a", m) < 0 && cni_mac_parse("02:00:00:00:00:0a ", m) < 0);
		CHECK(cni_mac_parse("02:00:00:00:00", m) < 0 && cni_mac_parse("+2:00:00:00:00:0a", m) < 0);
	}
	CHECK(!cni_args_ok("junk") && !cni_args_ok("=v") && !cni_args_ok("a=b=c") && !cni_args_ok("a=b;;c=d"));
	CHECK(cni_version_index("0.4.0") == CNI_V040 && cni_version_index("0.3.0") == -1);
}

int main(void)
{
	test_conf();
	test_result();
	test_names_and_args();
	return UNIT_REPORT();
}
