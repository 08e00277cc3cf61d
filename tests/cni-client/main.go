// nskit-cni-client: a small container runtime's network side, for
// tests/test_cni.sh. It drives a CNI network configuration list through
// libcni, the library containerd (via go-cni) and Podman link, so the
// plugins see the requests a real runtime makes: the per-plugin config
// derived from the list, capability arguments filtered by each plugin's
// "capabilities", prevResult chained through ADD and taken from libcni's
// result cache for CHECK and DEL.
//
// Usage:
//
//	nskit-cni-client [options] add|check|del CONFLIST CONTAINERID NETNS
//
// ADD prints the list's final result as JSON. CHECK and DEL, like
// Podman's teardown, reuse the capability and CNI arguments cached at ADD
// unless -caps or -args is given. Any failure prints one line,
// "nskit-cni-client: COMMAND: error", and exits 1; a usage error exits 2.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/containernetworking/cni/libcni"
)

const prog = "nskit-cni-client"

func usage() {
	fmt.Fprintf(os.Stderr, "usage: %s [options] add|check|del CONFLIST CONTAINERID NETNS\n", prog)
	flag.PrintDefaults()
}

func fail(cmd string, err error) {
	// One line: libcni's errors may carry a plugin's multi-line details.
	msg := strings.Join(strings.Fields(err.Error()), " ")
	fmt.Fprintf(os.Stderr, "%s: %s: %s\n", prog, cmd, msg)
	os.Exit(1)
}

// cniArgs parses "K=V;K2=V2" (the CNI_ARGS form) into libcni's pairs.
func cniArgs(s string) ([][2]string, error) {
	var out [][2]string
	for _, kv := range strings.Split(s, ";") {
		if kv == "" {
			continue
		}
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("-args: %q is not KEY=VALUE", kv)
		}
		out = append(out, [2]string{k, v})
	}
	return out, nil
}

func main() {
	flag.Usage = usage
	ifname := flag.String("ifname", "eth0", "interface name inside the container (CNI_IFNAME)")
	path := flag.String("path", os.Getenv("CNI_PATH"), "colon-separated plugin directories (default $CNI_PATH)")
	cacheDir := flag.String("cache-dir", "", "libcni's result cache (default libcni's, /var/lib/cni)")
	caps := flag.String("caps", "", "capability arguments, a JSON object such as {\"portMappings\": [...]}")
	args := flag.String("args", "", "CNI_ARGS as KEY=VALUE;KEY=VALUE")
	flag.Parse()
	if flag.NArg() != 4 {
		usage()
		os.Exit(2)
	}
	cmd, file, id, netns := flag.Arg(0), flag.Arg(1), flag.Arg(2), flag.Arg(3)
	if cmd != "add" && cmd != "check" && cmd != "del" {
		fmt.Fprintf(os.Stderr, "%s: %s: unknown command (add, check or del)\n", prog, cmd)
		os.Exit(2)
	}

	list, err := libcni.ConfListFromFile(file)
	if err != nil {
		fail(cmd, err)
	}
	rt := &libcni.RuntimeConf{ContainerID: id, NetNS: netns, IfName: *ifname}
	if rt.Args, err = cniArgs(*args); err != nil {
		fail(cmd, err)
	}
	if *caps != "" {
		if err := json.Unmarshal([]byte(*caps), &rt.CapabilityArgs); err != nil {
			fail(cmd, fmt.Errorf("-caps: %w", err))
		}
	}
	var dirs []string
	for _, d := range filepath.SplitList(*path) {
		if d != "" {
			dirs = append(dirs, d)
		}
	}
	cni := libcni.NewCNIConfigWithCacheDir(dirs, *cacheDir, nil)

	// What ADD was given, as a runtime remembers it for teardown.
	if cmd != "add" {
		_, cached, err := cni.GetNetworkListCachedConfig(list, rt)
		if err != nil {
			fail(cmd, err)
		}
		if cached != nil {
			if *caps == "" {
				rt.CapabilityArgs = cached.CapabilityArgs
			}
			if *args == "" {
				rt.Args = cached.Args
			}
		}
	}

	ctx := context.Background()
	switch cmd {
	case "add":
		res, err := cni.AddNetworkList(ctx, list, rt)
		if err != nil {
			fail(cmd, err)
		}
		if err := res.Print(); err != nil {
			fail(cmd, err)
		}
	case "check":
		if err := cni.CheckNetworkList(ctx, list, rt); err != nil {
			fail(cmd, err)
		}
	case "del":
		if err := cni.DelNetworkList(ctx, list, rt); err != nil {
			fail(cmd, err)
		}
	}
}
