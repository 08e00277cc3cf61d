/* seccomp-default.c - the default profile as compiled at build time
 * (gen-profile), so a jail's start pays for loading it and not for
 * libseccomp's compiler; on another architecture than the build's, the
 * caller compiles it with sc_build_default instead. */
#include <errno.h>
#include <linux/filter.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

#include "nsnew/default-profile.h"
#include "nsnew/seccomp.h"
#include "util.h"

int sc_default_compiled(const struct sc_jail *j, struct sc_filter *f)
{
	static const struct {
		const struct sock_filter *prog;
		size_t n;
	} v[2][2] = {
		{ { sc_default_00, ARRAY_SIZE(sc_default_00) }, { sc_default_01, ARRAY_SIZE(sc_default_01) } },
		{ { sc_default_10, ARRAY_SIZE(sc_default_10) }, { sc_default_11, ARRAY_SIZE(sc_default_11) } },
	};
	const struct sock_filter *prog = v[j->admin][j->pidns].prog;
	size_t n = v[j->admin][j->pidns].n;

	if (seccomp_arch_native() != SC_DEFAULT_ARCH)
		return -ENOENT;
	if (f->nprog == ARRAY_SIZE(f->prog))
		return -E2BIG;
	if (!(f->prog[f->nprog].ins = malloc(n * sizeof(*prog))))
		return -ENOMEM;
	memcpy(f->prog[f->nprog].ins, prog, n * sizeof(*prog));
	f->prog[f->nprog++].n = n;
	return 0;
}
