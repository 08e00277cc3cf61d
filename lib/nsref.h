/* nsref.h - the resolver: a namespace reference as the tools take it
 * (NAME, PID or PATH) to an fd. It sits above ns.h (nsfs files, pids) and
 * netnsdir.h (names), which never call each other. Part of libnskit,
 * which makes no ABI promise. */
#pragma once

/* Picked by its form: with a '/' an nsfs PATH, all digits a PID, else a
 * NAME in the netns directory (network namespaces only; -EINVAL for other
 * types). Returns an O_CLOEXEC fd, or ns_open_path's errors and -ESRCH. */
int ns_open_ref(const char *ref, int type);
