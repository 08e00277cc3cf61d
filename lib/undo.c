/* undo.c - the undo stack. */
#include <errno.h>
#include <stdlib.h>

#include "undo.h"

int undo_push(struct undo *u, undo_fn fn, void *arg, void (*release)(void *arg))
{
	if (u->n == u->cap) {
		size_t cap = u->cap ? 2 * u->cap : 16;
		struct undo_step *v = reallocarray(u->v, cap, sizeof(*v));

		if (!v) {
			fn(arg);
			if (release)
				release(arg);
			return -ENOMEM;
		}
		u->v = v;
		u->cap = cap;
	}
	u->v[u->n++] = (struct undo_step){ fn, arg, release };
	return 0;
}

size_t undo_mark(const struct undo *u)
{
	return u->n;
}

int undo_unwind(struct undo *u, size_t mark)
{
	int first = 0;

	while (u->n > mark) {
		struct undo_step *s = &u->v[--u->n];
		int r = s->fn(s->arg);

		if (r < 0 && !first)
			first = r;
		if (s->release)
			s->release(s->arg);
	}
	return first;
}

void undo_commit(struct undo *u, size_t mark)
{
	while (u->n > mark) {
		struct undo_step *s = &u->v[--u->n];

		if (s->release)
			s->release(s->arg);
	}
}

void undo_free(struct undo *u)
{
	undo_commit(u, 0);
	free(u->v);
	*u = (struct undo)UNDO_INIT;
}
