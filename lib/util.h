/* util.h - small helpers every nskit source may use: cleanup attributes
 * and fd ownership. Part of libnskit, which makes no ABI promise. */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define streq(a, b) (strcmp((a), (b)) == 0)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static inline void close_ptr(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}

static inline void free_ptr(void *p)
{
	free(*(void **)p);
}

#define _cleanup_close_ __attribute__((cleanup(close_ptr)))
#define _cleanup_free_ __attribute__((cleanup(free_ptr)))

/* Hand an fd out of a _cleanup_close_ variable. */
static inline int steal_fd(int *fd)
{
	int r = *fd;
	*fd = -1;
	return r;
}

static inline void *steal_pointer(void *pp)
{
	void **p = pp;
	void *r = *p;
	*p = NULL;
	return r;
}
