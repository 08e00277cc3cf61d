/* lazylib.c - json-c and libseccomp for nsnew, loaded (dlopen) the first
 * time nsnew calls one of them.
 *
 * nsnew needs json-c only for an image's config (--rootfs of an image
 * mkrootfs unpacked), a rootless name's record and slirp4netns's reply,
 * and libseccomp only to compile a --seccomp=FILE profile. Linked, they
 * cost every run about 100 KiB of resident memory whether it calls them
 * or not (their own mappings, or, linked static, their code in nsnew's,
 * which the kernel's fault-around maps 64 KiB at a time), and DESIGN.md
 * wants nsnew's peak no higher than unshare's. So nsnew defines the
 * functions it calls here, each a call through a pointer; the library is
 * opened and every pointer looked up on the first call. That is in the
 * parent before any jail is made: the child only loads a filter built
 * already. Without the library, the first call ends nsnew with the
 * loader's message; a run that calls json-c only after it made something
 * opens it first (lazylib_need_jsonc). */
#include <dlfcn.h>
#include <errno.h>
#include <json-c/json.h>
#include <seccomp.h>
#include <stdarg.h>

#include "msg.h"
#include "nsnew/lazylib.h"
#include "util.h"

/* Open LIB and set the N pointers at SYMS to the functions NAMES names,
 * or exit with the loader's message. */
static void load(const char *lib, const char *const *names, void **syms, size_t n)
{
	void *h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
	const char *e;

	if (!h)
		xerrc(EXIT_TOOL, 0, "%s", (e = dlerror()) ? e : lib);
	for (size_t i = 0; i < n; i++)
		if (!(syms[i] = dlsym(h, names[i])))
			xerrc(EXIT_TOOL, 0, "%s: %s", lib, (e = dlerror()) ? e : names[i]);
}

/* Each library: its functions once, as a struct of pointers (filled as
 * an array of void *, in the same order as the names) and a name list. */
#define PTR(ret, name, ...) ret (*name)(__VA_ARGS__);
#define NAME(ret, name, ...) #name,

#define JSONC_FUNCS(F) \
	F(size_t, json_object_array_length, const struct json_object *) \
	F(struct json_object *, json_object_array_get_idx, const struct json_object *, size_t) \
	F(struct json_object *, json_object_get, struct json_object *) \
	F(const char *, json_object_get_string, struct json_object *) \
	F(int, json_object_is_type, const struct json_object *, enum json_type) \
	F(struct json_object *, json_object_new_object, void) \
	F(int, json_object_object_add, struct json_object *, const char *, struct json_object *) \
	F(json_bool, json_object_object_get_ex, const struct json_object *, const char *, struct json_object **) \
	F(int, json_object_put, struct json_object *) \
	F(const char *, json_object_to_json_string_ext, struct json_object *, int) \
	F(const char *, json_tokener_error_desc, enum json_tokener_error) \
	F(void, json_tokener_free, struct json_tokener *) \
	F(enum json_tokener_error, json_tokener_get_error, struct json_tokener *) \
	F(size_t, json_tokener_get_parse_end, struct json_tokener *) \
	F(struct json_tokener *, json_tokener_new, void) \
	F(struct json_object *, json_tokener_parse_ex, struct json_tokener *, const char *, int) \
	F(void, json_tokener_set_flags, struct json_tokener *, int)

#define SECCOMP_FUNCS(F) \
	F(scmp_filter_ctx, seccomp_init, uint32_t) \
	F(int, seccomp_attr_set, scmp_filter_ctx, enum scmp_filter_attr, uint32_t) \
	F(int, seccomp_syscall_resolve_name, const char *) \
	F(int, seccomp_rule_add_array, scmp_filter_ctx, uint32_t, int, unsigned int, const struct scmp_arg_cmp *) \
	F(void, seccomp_release, scmp_filter_ctx) \
	F(int, seccomp_load, const scmp_filter_ctx)

static struct { JSONC_FUNCS(PTR) } jc;
static struct { SECCOMP_FUNCS(PTR) } sc;

static void open_jsonc(void)
{
	static const char *const names[] = { JSONC_FUNCS(NAME) };

	if (!jc.json_object_put)
		load("libjson-c.so.5", names, (void **)&jc, ARRAY_SIZE(names));
}

void lazylib_need_jsonc(void)
{
	open_jsonc();
}

static void open_seccomp(void)
{
	static const char *const names[] = { SECCOMP_FUNCS(NAME) };

	if (!sc.seccomp_load)
		load("libseccomp.so.2", names, (void **)&sc, ARRAY_SIZE(names));
}

/* json-c */

size_t json_object_array_length(const struct json_object *o)
{
	open_jsonc();
	return jc.json_object_array_length(o);
}

struct json_object *json_object_array_get_idx(const struct json_object *o, size_t i)
{
	open_jsonc();
	return jc.json_object_array_get_idx(o, i);
}

struct json_object *json_object_get(struct json_object *o)
{
	open_jsonc();
	return jc.json_object_get(o);
}

const char *json_object_get_string(struct json_object *o)
{
	open_jsonc();
	return jc.json_object_get_string(o);
}

int json_object_is_type(const struct json_object *o, enum json_type t)
{
	open_jsonc();
	return jc.json_object_is_type(o, t);
}

struct json_object *json_object_new_object(void)
{
	open_jsonc();
	return jc.json_object_new_object();
}

int json_object_object_add(struct json_object *o, const char *k, struct json_object *v)
{
	open_jsonc();
	return jc.json_object_object_add(o, k, v);
}

json_bool json_object_object_get_ex(const struct json_object *o, const char *k, struct json_object **v)
{
	open_jsonc();
	return jc.json_object_object_get_ex(o, k, v);
}

int json_object_put(struct json_object *o)
{
	open_jsonc();
	return jc.json_object_put(o);
}

const char *json_object_to_json_string_ext(struct json_object *o, int flags)
{
	open_jsonc();
	return jc.json_object_to_json_string_ext(o, flags);
}

const char *json_tokener_error_desc(enum json_tokener_error e)
{
	open_jsonc();
	return jc.json_tokener_error_desc(e);
}

void json_tokener_free(struct json_tokener *t)
{
	open_jsonc();
	jc.json_tokener_free(t);
}

enum json_tokener_error json_tokener_get_error(struct json_tokener *t)
{
	open_jsonc();
	return jc.json_tokener_get_error(t);
}

size_t json_tokener_get_parse_end(struct json_tokener *t)
{
	open_jsonc();
	return jc.json_tokener_get_parse_end(t);
}

struct json_tokener *json_tokener_new(void)
{
	open_jsonc();
	return jc.json_tokener_new();
}

struct json_object *json_tokener_parse_ex(struct json_tokener *t, const char *s, int len)
{
	open_jsonc();
	return jc.json_tokener_parse_ex(t, s, len);
}

void json_tokener_set_flags(struct json_tokener *t, int flags)
{
	open_jsonc();
	jc.json_tokener_set_flags(t, flags);
}

/* libseccomp */

scmp_filter_ctx seccomp_init(uint32_t def_action)
{
	open_seccomp();
	return sc.seccomp_init(def_action);
}

int seccomp_attr_set(scmp_filter_ctx ctx, enum scmp_filter_attr attr, uint32_t value)
{
	open_seccomp();
	return sc.seccomp_attr_set(ctx, attr, value);
}

int seccomp_syscall_resolve_name(const char *name)
{
	open_seccomp();
	return sc.seccomp_syscall_resolve_name(name);
}

/* A variadic call cannot be passed on: the comparisons are gathered into
 * the array form, as libseccomp's own seccomp_rule_add does. */
int seccomp_rule_add(scmp_filter_ctx ctx, uint32_t action, int syscall, unsigned int arg_cnt, ...)
{
	struct scmp_arg_cmp a[6];
	va_list ap;

	if (arg_cnt > ARRAY_SIZE(a))
		return -EINVAL;
	va_start(ap, arg_cnt);
	for (unsigned int i = 0; i < arg_cnt; i++)
		a[i] = va_arg(ap, struct scmp_arg_cmp);
	va_end(ap);
	return seccomp_rule_add_array(ctx, action, syscall, arg_cnt, a);
}

int seccomp_rule_add_array(scmp_filter_ctx ctx, uint32_t action, int syscall, unsigned int arg_cnt,
			   const struct scmp_arg_cmp *arg_array)
{
	open_seccomp();
	return sc.seccomp_rule_add_array(ctx, action, syscall, arg_cnt, arg_array);
}

void seccomp_release(scmp_filter_ctx ctx)
{
	open_seccomp();
	sc.seccomp_release(ctx);
}

int seccomp_load(const scmp_filter_ctx ctx)
{
	open_seccomp();
	return sc.seccomp_load(ctx);
}
