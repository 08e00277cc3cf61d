/* jail - the syscall floor of "a full jail on a minimal root": what
 * `nsnew -a --rootfs DIR --mount-proc` does, and nothing else. clone3 into
 * every namespace type (user, mount, pid, net, uts, ipc, cgroup, time);
 * the parent maps the caller's uid and gid to 0 while the child waits on a
 * pipe; the child makes / private, binds DIR on itself, makes its proc,
 * sysfs and the six /dev nodes as detached trees, pivot_root(".", "."),
 * detaches the old root, places them, mounts tmpfs on /dev, /dev/shm, /tmp
 * and /run and devpts, and execs. No option parsing, no messages beyond
 * err(3), no clean-up: the namespaces go with the child.
 *   jail DIR COMMAND [ARG...]
 * Bench floor only. */
#define _GNU_SOURCE
#include <err.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x80
#endif
#define FLAGS (CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWUTS | \
	       CLONE_NEWIPC | CLONE_NEWCGROUP | CLONE_NEWTIME)

static const char *const nodes[] = { "null", "zero", "full", "random", "urandom", "tty" };

static void must(int r, const char *what)
{
	if (r < 0)
		err(125, "%s", what);
}

static int new_fs(const char *type, unsigned int attrs)
{
	int fs = (int)syscall(SYS_fsopen, type, FSOPEN_CLOEXEC), fd;

	must(fs, type);
	must((int)syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0), type);
	fd = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, attrs);
	must(fd, type);
	close(fs);
	return fd;
}

static void place(int fd, const char *dst)
{
	mkdir(dst, 0755);	/* a directory or a node to mount on: EEXIST is fine */
	must((int)syscall(SYS_move_mount, fd, "", AT_FDCWD, dst, MOVE_MOUNT_F_EMPTY_PATH), dst);
	close(fd);
}

static void tmpfs(const char *dst, unsigned long flags, const char *opts)
{
	mkdir(dst, 01777);
	must(mount("tmpfs", dst, "tmpfs", flags, opts), dst);
}

static void child(char *dir, char **cmd)
{
	const unsigned int safe = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
	int dev[6], proc, sys;
	char p[32];

	must(mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL), "private /");
	must(mount(dir, dir, NULL, MS_BIND | MS_REC, NULL), dir);
	for (int i = 0; i < 6; i++) {
		snprintf(p, sizeof(p), "/dev/%s", nodes[i]);
		dev[i] = (int)syscall(SYS_open_tree, AT_FDCWD, p, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
		must(dev[i], p);
	}
	proc = new_fs("proc", safe);
	sys = new_fs("sysfs", safe | MOUNT_ATTR_RDONLY);
	must(chdir(dir), dir);
	must((int)syscall(SYS_pivot_root, ".", "."), "pivot_root");
	must(umount2(".", MNT_DETACH), "detach");
	must(chdir("/"), "/");
	place(proc, "/proc");
	place(sys, "/sys");
	tmpfs("/dev", MS_NOSUID | MS_NOEXEC, "mode=0755");
	for (int i = 0; i < 6; i++) {
		snprintf(p, sizeof(p), "/dev/%s", nodes[i]);
		close(open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
		must((int)syscall(SYS_move_mount, dev[i], "", AT_FDCWD, p, MOVE_MOUNT_F_EMPTY_PATH), p);
	}
	mkdir("/dev/pts", 0755);
	must(mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666"), "devpts");
	tmpfs("/dev/shm", MS_NOSUID | MS_NODEV, "mode=1777");
	tmpfs("/tmp", MS_NOSUID | MS_NODEV, "mode=1777");
	tmpfs("/run", MS_NOSUID | MS_NODEV, "mode=0755");
	execvp(cmd[0], cmd);
	err(127, "%s", cmd[0]);
}

static void write_map(pid_t pid, const char *file, unsigned id)
{
	char path[64], line[32];
	int fd, n;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	n = snprintf(line, sizeof(line), "0 %u 1\n", id);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	must(fd, path);
	must((int)write(fd, line, (size_t)n), path);
	close(fd);
}

int main(int argc, char **argv)
{
	struct { uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls; }
		args = { .flags = FLAGS, .exit_signal = SIGCHLD };
	int sync[2], st;
	pid_t pid;
	char c;

	if (argc < 3)
		errx(125, "usage: jail DIR COMMAND [ARG...]");
	must(pipe2(sync, O_CLOEXEC), "pipe");
	pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
	must(pid, "clone3");
	if (pid == 0) {
		close(sync[1]);
		if (read(sync[0], &c, 1) != 1)
			_exit(125);
		child(argv[1], argv + 2);
	}
	close(sync[0]);
	write_map(pid, "gid_map", (unsigned)getegid());
	write_map(pid, "uid_map", (unsigned)geteuid());
	must((int)write(sync[1], "g", 1), "sync");
	close(sync[1]);
	must(waitpid(pid, &st, 0), "wait");
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
