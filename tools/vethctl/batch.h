/* batch.h - batch files: a tool's commands, one per line (`-b FILE` or
 * `-b -` for stdin). The text is cut into lines in place, each line into
 * words at blanks; a word starting with '#' ends the line (a comment).
 * Lines are numbered from 1 and named "FILE:LINE" ("stdin:LINE" for -) in
 * messages. Nothing here prints or exits; part of vethctl's own library (no ABI
 * promise). */
#pragma once

#include <stddef.h>

struct batch {
	char *text;		/* the whole file, NUL-terminated; owned */
	char *next;		/* the rest of it, NULL at the end */
	const char *file;	/* as given: a path, or "-" for stdin */
	size_t lineno;		/* of the line batch_next_line returned last */
};

/* Read FILE (or stdin when FILE is "-") whole into *B: 0 or -errno. */
int batch_read(struct batch *b, const char *file);
/* A batch over TEXT (malloc'd, NUL-terminated), which *B now owns. */
void batch_init(struct batch *b, const char *file, char *text);
/* The next line, its '\n' cut off (text after a NUL byte is never
 * reached), or NULL at the end. The line lives in B's text. */
char *batch_next_line(struct batch *b);
/* Where the last line came from, "FILE:LINE", malloc'd (NULL: ENOMEM). */
char *batch_where(const struct batch *b);
/* Split LINE in place into words, an argv for argp: ARGV0, the words up
 * to a '#' word, NULL. Returns argc (1 for a blank or comment line) with
 * *ARGV malloc'd (the words live in LINE: free only the array), or
 * -ENOMEM. */
int batch_split(char *line, const char *argv0, char ***argv);
void batch_free(struct batch *b);
