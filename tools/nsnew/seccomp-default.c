/* seccomp-default.c - the default profile as compiled at build time
 * (gen-profile), so a jail's start pays for loading it and not for
 * libseccomp's compiler, nor for loading libseccomp (lazylib.c). It fits
 * nsnew's architecture: gen-profile is built by the same compiler for the
 * same target and run in the build, and libseccomp's native architecture
 * is fixed when libseccomp is compiled; the filter itself checks the
 * architecture of every call, too. */
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

	if (f->nprog == ARRAY_SIZE(f->prog))
		return -E2BIG;
	if (!(f->prog[f->nprog].ins = malloc(n * sizeof(*prog))))
		return -ENOMEM;
	memcpy(f->prog[f->nprog].ins, prog, n * sizeof(*prog));
	f->prog[f->nprog++].n = n;
	return 0;
}
