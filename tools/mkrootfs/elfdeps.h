/* elfdeps.h - what the dynamic loader needs of an ELF file (PT_INTERP,
 * DT_NEEDED, DT_RPATH, DT_RUNPATH), read with libelf, never by running
 * ldd; and the directory list of ld.so.conf. Part of mkrootfs's own library (no ABI
 * promise). Functions return 0 or -errno (-ENOEXEC: not an ELF file). */
#pragma once

#include <stddef.h>

struct elf_deps {
	int elfclass;		/* ELFCLASS32 or ELFCLASS64 */
	int machine;		/* e_machine */
	char *interp;		/* PT_INTERP, or NULL (static, or a library) */
	char **needed;		/* DT_NEEDED names in order */
	size_t nneeded;
	char *rpath, *runpath;	/* NULL when absent */
};

/* Read the ELF file open on FD. */
int elf_deps_read(int fd, struct elf_deps *d);
void elf_deps_free(struct elf_deps *d);

/* The library directories named by ld.so.conf at PATH, following its
 * "include GLOB" lines (relative globs from PATH's directory), in order,
 * without duplicates. A missing PATH gives an empty list. */
int ldconf_dirs(const char *path, char ***dirs, size_t *n);
