/* fuzz_extract - archive extraction (tools/mkrootfs/extract.h): the input is a tar
 * archive, unpacked into a scratch root with every flag a root caller
 * uses (owners, devices, setuid, whiteouts). Whatever the archive holds —
 * "../", absolute names, symlinks and hardlinks that point out — nothing
 * may appear outside the root: the root's parent holds only the root, and
 * the directory the scratch lives in (the sandbox's private /tmp) and "/"
 * gain no entry. */
#include <archive.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "extract.h"
#include "fuzz.h"

static char scratch[64];
static char *top_before, *tmp_before;

/* The names in DIR, sorted, as one string. */
static char *listing(const char *dir)
{
	struct dirent **e;
	int n = scandir(dir, &e, NULL, alphasort);
	char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);

	FUZZ_ASSERT(n >= 0 && f);
	for (int i = 0; i < n; i++) {
		fprintf(f, "%s\n", e[i]->d_name);
		free(e[i]);
	}
	free(e);
	fclose(f);
	return s;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	snprintf(scratch, sizeof(scratch), "/tmp/fuzz-extract.%d", (int)getpid());
	if (mkdir(scratch, 0700) < 0)
		abort();
	top_before = listing("/");
	tmp_before = listing("/tmp");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct archive *a = archive_read_new();
	struct extract x = { .flags = EXTRACT_OWNERS | EXTRACT_DEVICES | EXTRACT_SETUID | EXTRACT_WHITEOUTS };
	char root[96];
	int rootfd, dirfd;
	char *after;

	snprintf(root, sizeof(root), "%s/root", scratch);
	FUZZ_ASSERT(mkdir(root, 0755) == 0);
	rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	FUZZ_ASSERT(rootfd >= 0 && a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	if (archive_read_open_memory(a, data, size) == ARCHIVE_OK)
		extract_archive(a, rootfd, &x);
	extract_free(&x);
	archive_read_free(a);

	/* Nothing beside the root, nothing new in /tmp or /. */
	after = listing(scratch);
	FUZZ_ASSERT(!strcmp(after, ".\n..\nroot\n"));
	free(after);
	after = listing("/tmp");
	FUZZ_ASSERT(!strcmp(after, tmp_before));
	free(after);
	after = listing("/");
	FUZZ_ASSERT(!strcmp(after, top_before));
	free(after);

	dirfd = open(scratch, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	FUZZ_ASSERT(dirfd >= 0);
	FUZZ_ASSERT(remove_tree(dirfd, "root") == 0);
	close(dirfd);
	close(rootfd);
	return 0;
}
