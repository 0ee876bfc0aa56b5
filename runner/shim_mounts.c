// The mount namespace of an isolated run. Unprivileged, the run's user
// namespace already keeps the host's sysctls, sysfs and devices out of
// reach (they belong to the initial user namespace). A root target with
// Docker's capabilities has no CAP_SYS_ADMIN to undo a mount, but it has
// CAP_DAC_OVERRIDE and CAP_MKNOD, and as root the host's /proc/sys, /sys
// and device nodes are its to write: core_pattern runs a program of its
// choice as root outside any filter, and a disk's block device is the
// whole file system. So, as a container runtime does, the shim makes
// those read-only or hides them, takes device nodes away from every file
// system (nodev) and gives the target a /dev of its own with only the
// harmless nodes.

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mount.h>
#ifndef MOUNT_ATTR_RDONLY
/* musl's sys/mount.h has no mount_setattr(2) types. */
#include <linux/mount.h>
#endif
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "shim.h"

// Made read-only; hidden (a file under /dev/null, a directory under an
// empty read-only tmpfs).
static const char *const proc_read_only[] = {"/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/bus", "/proc/fs"};
static const char *const proc_masked[] = {"/proc/kcore", "/proc/keys", "/proc/timer_list", "/proc/sched_debug",
	"/proc/latency_stats", "/proc/acpi", "/proc/scsi", "/proc/asound", "/sys/firmware",
	"/sys/devices/virtual/powercap"};

// The character devices of the target's /dev.
static const struct {
	const char *name;
	unsigned major, minor;
} dev_nodes[] = {{"null", 1, 3}, {"zero", 1, 5}, {"full", 1, 7}, {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0}, {"ptmx", 5, 2}};

static const struct {
	const char *name, *to;
} dev_links[] = {{"fd", "/proc/self/fd"}, {"stdin", "/proc/self/fd/0"}, {"stdout", "/proc/self/fd/1"},
	{"stderr", "/proc/self/fd/2"}, {"core", "/proc/kcore"}};

#define N(a) (sizeof(a) / sizeof((a)[0]))

// failed writes "op path: error" (errno's) to msg and returns -1.
static int failed(char *msg, size_t size, const char *op, const char *path)
{
	snprintf(msg, size, "%s %s: %s", op, path, shim_errstr(errno));
	return -1;
}

// setattr sets attr on path and every mount below it.
static int setattr(const char *path, uint64_t attr, char *msg, size_t size)
{
	struct mount_attr a = {.attr_set = attr};
	if (syscall(SYS_mount_setattr, AT_FDCWD, path, AT_RECURSIVE, &a, sizeof a) != 0 && errno != ENOENT)
		return failed(msg, size, "mount_setattr", path);
	return 0;
}

static int bind_read_only(const char *p, char *msg, size_t size)
{
	if (mount(p, p, NULL, MS_BIND | MS_REC, NULL) != 0)
		return errno == ENOENT ? 0 : failed(msg, size, "bind-mounting", p);
	return setattr(p, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, msg, size);
}

static int mask(const char *p, char *msg, size_t size)
{
	struct stat st;
	int err;
	if (stat(p, &st) != 0)
		return 0; // not on this kernel
	if (S_ISDIR(st.st_mode))
		err = mount("tmpfs", p, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0");
	else
		err = mount("/dev/null", p, NULL, MS_BIND, NULL);
	return err != 0 ? failed(msg, size, "masking", p) : 0;
}

// own_dev mounts the target's /dev: a tmpfs with dev_nodes, the usual
// links, the host's pseudo-terminals (pts, a detached copy, or -1), and a
// writable /dev/shm; then it is made read-only, so a target with
// CAP_MKNOD cannot add a node to it.
static int own_dev(int pts, char *msg, size_t size)
{
	char p[64];
	if (mount("tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=755,size=64k") != 0)
		return failed(msg, size, "mounting a tmpfs on", "/dev");
	for (size_t i = 0; i < N(dev_nodes); i++) {
		snprintf(p, sizeof p, "/dev/%s", dev_nodes[i].name);
		if (mknod(p, S_IFCHR | 0666, makedev(dev_nodes[i].major, dev_nodes[i].minor)) != 0)
			return failed(msg, size, "mknod", p);
		chmod(p, 0666); // whatever the umask
	}
	for (size_t i = 0; i < N(dev_links); i++) {
		snprintf(p, sizeof p, "/dev/%s", dev_links[i].name);
		if (symlink(dev_links[i].to, p) != 0) {
			char op[64];
			snprintf(op, sizeof op, "symlink %s", dev_links[i].to);
			return failed(msg, size, op, p);
		}
	}
	static const char *const dirs[] = {"/dev/pts", "/dev/shm", "/dev/mqueue"};
	for (size_t i = 0; i < N(dirs); i++)
		if (mkdir(dirs[i], 0755) != 0)
			return failed(msg, size, "mkdir", dirs[i]);
	if (pts >= 0 && syscall(SYS_move_mount, pts, "", AT_FDCWD, "/dev/pts", MOVE_MOUNT_F_EMPTY_PATH) != 0)
		return failed(msg, size, "moving the pseudo-terminals to", "/dev/pts");
	if (mount("shm", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size=65536k") != 0)
		return failed(msg, size, "mounting", "/dev/shm");
	mount("mqueue", "/dev/mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	if (mount(NULL, "/dev", NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NOEXEC, "mode=755,size=64k") != 0)
		return failed(msg, size, "making read-only", "/dev");
	return 0;
}

// shim_mount_namespace sets up the run's mount namespace; the shim is PID
// 1 of the run's PID namespace. root says the target runs as root on the
// host (no user namespace).
int shim_mount_namespace(int root, char *msg, size_t size)
{
	// Slaves first, so nothing mounted here propagates to the host.
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) != 0)
		return failed(msg, size, "making mounts private", "/");
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0)
		return failed(msg, size, "mounting a new proc on", "/proc");
	if (!root)
		return 0;
	for (size_t i = 0; i < N(proc_read_only); i++)
		if (bind_read_only(proc_read_only[i], msg, size) != 0)
			return -1;
	for (size_t i = 0; i < N(proc_masked); i++)
		if (mask(proc_masked[i], msg, size) != 0)
			return -1;
	if (setattr("/sys", MOUNT_ATTR_RDONLY, msg, size) != 0)
		return -1;
	// The host's pseudo-terminals stay usable (a terminal run's own is one
	// of them); take a copy before nodev reaches it.
	int pts = (int)syscall(SYS_open_tree, AT_FDCWD, "/dev/pts", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	int err = setattr("/", MOUNT_ATTR_NODEV, msg, size);
	if (err == 0)
		err = own_dev(pts, msg, size);
	if (pts >= 0)
		close(pts);
	return err;
}
