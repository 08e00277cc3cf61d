/* elfdeps.c - ELF dependencies over libelf, and ld.so.conf (see elfdeps.h). */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <glob.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elfdeps.h"
#include "util.h"

static int push(char ***v, size_t *n, const char *s)
{
	char **nv;

	for (size_t i = 0; i < *n; i++)
		if (streq((*v)[i], s))
			return 0;
	nv = reallocarray(*v, *n + 2, sizeof(char *));
	if (!nv)
		return -ENOMEM;
	*v = nv;
	if (!(nv[*n] = strdup(s)))
		return -ENOMEM;
	nv[++*n] = NULL;
	return 0;
}

static int read_interp(Elf *elf, struct elf_deps *d)
{
	size_t phnum, fsize;
	char *raw = elf_rawfile(elf, &fsize);

	if (elf_getphdrnum(elf, &phnum) < 0)
		return -ENOEXEC;
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_INTERP)
			continue;
		if (!raw || ph.p_offset >= fsize || ph.p_filesz > fsize - ph.p_offset || !ph.p_filesz)
			return -ENOEXEC;
		d->interp = strndup(raw + ph.p_offset, ph.p_filesz);
		return d->interp ? 0 : -ENOMEM;
	}
	return 0;
}

static int read_dynamic(Elf *elf, struct elf_deps *d)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *data;
		size_t ent;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNAMIC)
			continue;
		data = elf_getdata(scn, NULL);
		ent = gelf_fsize(elf, ELF_T_DYN, 1, EV_CURRENT);
		if (!data || !ent)
			return -ENOEXEC;
		for (size_t i = 0; i < data->d_size / ent; i++) {
			GElf_Dyn dyn;
			const char *s;
			int r = 0;

			if (!gelf_getdyn(data, (int)i, &dyn) || dyn.d_tag == DT_NULL)
				break;
			if (dyn.d_tag != DT_NEEDED && dyn.d_tag != DT_RPATH && dyn.d_tag != DT_RUNPATH)
				continue;
			s = elf_strptr(elf, sh.sh_link, dyn.d_un.d_val);
			if (!s)
				return -ENOEXEC;
			if (dyn.d_tag == DT_NEEDED)
				r = push(&d->needed, &d->nneeded, s);
			else if (dyn.d_tag == DT_RPATH && !d->rpath)
				r = (d->rpath = strdup(s)) ? 0 : -ENOMEM;
			else if (dyn.d_tag == DT_RUNPATH && !d->runpath)
				r = (d->runpath = strdup(s)) ? 0 : -ENOMEM;
			if (r < 0)
				return r;
		}
		return 0;
	}
	return 0;
}

int elf_deps_read(int fd, struct elf_deps *d)
{
	GElf_Ehdr eh;
	Elf *elf;
	int r;

	*d = (struct elf_deps){ 0 };
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -ENOSYS;
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf)
		return -ENOEXEC;
	if (elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh)) {
		elf_end(elf);
		return -ENOEXEC;
	}
	d->elfclass = gelf_getclass(elf);
	d->machine = eh.e_machine;
	r = read_interp(elf, d);
	if (!r)
		r = read_dynamic(elf, d);
	elf_end(elf);
	if (r < 0)
		elf_deps_free(d);
	return r;
}

void elf_deps_free(struct elf_deps *d)
{
	for (size_t i = 0; i < d->nneeded; i++)
		free(d->needed[i]);
	free(d->needed);
	free(d->interp);
	free(d->rpath);
	free(d->runpath);
	*d = (struct elf_deps){ 0 };
}

static int ldconf_read(const char *path, char ***dirs, size_t *n, int depth)
{
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	int r = 0;

	if (depth > 8)
		return -ELOOP;
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	while (r == 0 && getline(&line, &cap, f) >= 0) {
		char *p = line, *save = NULL;

		line[strcspn(line, "#\n")] = '\0';
		p += strspn(p, " \t");
		if (!strncmp(p, "include", 7) && (p[7] == ' ' || p[7] == '\t')) {
			char *pat = p + 8, *full = NULL;
			glob_t g;

			pat += strspn(pat, " \t");
			pat[strcspn(pat, " \t")] = '\0';
			if (*pat != '/') {
				const char *slash = strrchr(path, '/');
				int dl = slash ? (int)(slash - path) : 1;

				if (asprintf(&full, "%.*s/%s", dl, slash ? path : ".", pat) < 0)
					r = -ENOMEM;
				pat = full;
			}
			if (r == 0 && glob(pat, 0, NULL, &g) == 0) {
				for (size_t i = 0; r == 0 && i < g.gl_pathc; i++)
					r = ldconf_read(g.gl_pathv[i], dirs, n, depth + 1);
				globfree(&g);
			}
			free(full);
			continue;
		}
		if (!strncmp(p, "hwcap", 5))
			continue;
		for (char *w = strtok_r(p, " \t,:", &save); w && r == 0; w = strtok_r(NULL, " \t,:", &save))
			if (*w == '/')
				r = push(dirs, n, w);
	}
	free(line);
	fclose(f);
	return r;
}

int ldconf_dirs(const char *path, char ***dirs, size_t *n)
{
	*dirs = NULL;
	*n = 0;
	return ldconf_read(path, dirs, n, 0);
}
