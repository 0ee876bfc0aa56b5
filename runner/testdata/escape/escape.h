/*
 * Shared by the escape programs: finding the processes a target would
 * attack, and printing one result line per attempt.
 *
 * Every program takes WORKBENCH CEILING as its first two arguments:
 * WORKBENCH is the path of the workbench binary (the shim runs it too),
 * CEILING a pid the walk up the process tree must not reach (the test's
 * own process, or the one above it): nothing at or above it is touched.
 *
 * Result lines (the tests read them):
 *   RESULT <attack> pid=<N> (<why>): BLOCKED <details>
 *   RESULT <attack> pid=<N> (<why>): BREACH <details>
 *   TARGETS <n>: <pid>(<why>) ...
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define MAX_TARGETS 32

struct target {
	int pid;
	const char *why; /* "ancestor" or "workbench binary" */
};

static inline const char *errname(int e) {
	const char *n = strerrorname_np(e);
	return n ? n : "?";
}

/* ppid_of reads field 4 of /proc/PID/stat (after the parenthesised comm,
 * which may itself contain spaces and parentheses). */
static inline int ppid_of(int pid) {
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	char *p = strrchr(buf, ')');
	int ppid;
	if (!p || sscanf(p + 1, " %*c %d", &ppid) != 1)
		return -1;
	return ppid;
}

/* runs_binary: /proc/PID/exe or argv[0] is the workbench, or the static
 * shim beside it (EXE-shim), which is what a run's init runs when it is
 * there. The exe link of a non-dumpable process cannot be read, its
 * cmdline can. */
static inline int runs_one(int pid, const char *exe);
static inline int runs_binary(int pid, const char *exe) {
	char shim[4096];
	snprintf(shim, sizeof shim, "%s-shim", exe);
	return runs_one(pid, exe) || runs_one(pid, shim);
}

static inline int runs_one(int pid, const char *exe) {
	char path[64], buf[4096];
	snprintf(path, sizeof path, "/proc/%d/exe", pid);
	ssize_t n = readlink(path, buf, sizeof buf - 1);
	if (n > 0) {
		buf[n] = 0;
		if (!strcmp(buf, exe))
			return 1;
	}
	snprintf(path, sizeof path, "/proc/%d/cmdline", pid);
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	return !strcmp(buf, exe);
}

static inline int has_target(struct target *t, int n, int pid) {
	for (int i = 0; i < n; i++)
		if (t[i].pid == pid)
			return 1;
	return 0;
}

/* find_targets lists the ancestors (the chain of parents from
 * /proc/PID/stat: the direct parent whatever it runs, then each one above
 * while it runs the workbench binary, never the ceiling) and every other
 * process in /proc that runs the workbench binary (a reparented target
 * finds the workbench that way), then prints the TARGETS line. */
static inline int find_targets(const char *exe, int ceiling, struct target *t) {
	int n = 0, self = getpid();
	for (int p = getppid(); p > 0 && p != ceiling && n < MAX_TARGETS; p = ppid_of(p)) {
		if (has_target(t, n, p) || (n > 0 && !runs_binary(p, exe)))
			break;
		t[n++] = (struct target){p, "ancestor"};
	}
	DIR *d = opendir("/proc");
	struct dirent *e;
	while (d && (e = readdir(d)) && n < MAX_TARGETS) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		if (*end || pid <= 0 || pid == self || pid == ceiling || has_target(t, n, pid))
			continue;
		if (runs_binary(pid, exe))
			t[n++] = (struct target){pid, "workbench binary"};
	}
	if (d)
		closedir(d);
	printf("TARGETS %d:", n);
	for (int i = 0; i < n; i++)
		printf(" %d(%s)", t[i].pid, t[i].why);
	printf("\n");
	fflush(stdout);
	return n;
}

/* answer_one waits up to 20 ms for a notification on the listener fd and
 * lets the call run: 1 if one was answered. */
static inline int answer_one(int fd) {
	struct pollfd pfd = {fd, POLLIN, 0};
	if (poll(&pfd, 1, 20) <= 0)
		return 0;
	struct seccomp_notif req;
	memset(&req, 0, sizeof req);
	if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
		return 0;
	struct seccomp_notif_resp resp = {.id = req.id, .flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE};
	return ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp) == 0;
}

static inline void usage_if(int bad, const char *u) {
	if (bad) {
		fprintf(stderr, "usage: %s\n", u);
		exit(2);
	}
}
