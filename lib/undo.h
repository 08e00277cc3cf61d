/* undo.h - the one undo mechanism every tool uses. main() owns a stack;
 * each step that makes something (a link, a name, a mount, a child, a
 * file) pushes how to take it back; a failure unwinds the stack in
 * reverse, so a command that fails part-way leaves nothing it made; a
 * step whose result is the command's result commits (hands over) its
 * entries, and they stay. Nothing here prints or exits. Part of libnskit,
 * which makes no ABI promise. */
#pragma once

#include <stddef.h>

/* Take one thing back: 0, or -errno when it could not be. */
typedef int (*undo_fn)(void *arg);

struct undo_step {
	undo_fn fn;
	void *arg;
	void (*release)(void *arg);	/* frees ARG afterwards; may be NULL */
};

struct undo {
	struct undo_step *v;
	size_t n, cap;
};

#define UNDO_INIT { NULL, 0, 0 }

/* Push how to take back what a step just made. -ENOMEM when there is no
 * room: then FN(ARG) has been run (and ARG released) already, so the
 * caller just fails and the step is not left behind. */
int undo_push(struct undo *u, undo_fn fn, void *arg, void (*release)(void *arg));

/* Where the stack stands now: for undoing or committing one part (a
 * batch line) and no more. */
size_t undo_mark(const struct undo *u);

/* Run the entries pushed after MARK, newest first, and drop them. Every
 * entry runs even when one fails: the first -errno is returned. */
int undo_unwind(struct undo *u, size_t mark);

/* Drop the entries pushed after MARK without running them: what they
 * would take back is now the command's result. */
void undo_commit(struct undo *u, size_t mark);

/* Commit everything and free the stack. */
void undo_free(struct undo *u);
