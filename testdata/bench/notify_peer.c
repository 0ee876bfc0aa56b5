/* The floor for a notified, denied call: a minimal supervisor in C.
 * The child installs a filter that sends getppid to a listener and loops
 * N calls of it, timing them; the parent takes the listener with
 * pidfd_getfd, asks for synchronous wake-ups when the kernel has them
 * (SECCOMP_IOCTL_NOTIF_SET_FLAGS, Linux 6.6) and answers every
 * notification with EPERM: poll, then RECV, then SEND.
 * With "setsid", the child leads a session of its own first, as the
 * workbench's target does (with autogroup scheduling, a scheduling group
 * of its own too).
 * Usage: notify_peer N [setsid]   (prints "ns/call X" on stderr) */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP 1
#endif

static int child(long n, int wfd) {
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {sizeof f / sizeof f[0], f};
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) return perror("no_new_privs"), 1;
	int fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	if (fd < 0) return perror("seccomp"), 1;
	if (write(wfd, &fd, sizeof fd) != sizeof fd) return 1;
	close(wfd);
	syscall(SYS_getppid); /* the first one waits for the supervisor */
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++) syscall(SYS_getppid);
	clock_gettime(CLOCK_MONOTONIC, &b);
	double ns = (b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec);
	fprintf(stderr, "ns/call %.1f\n", ns / n);
	return 0;
}

int main(int argc, char **argv) {
	long n = argc > 1 ? atol(argv[1]) : 100000;
	int p[2];
	if (pipe(p)) return perror("pipe"), 1;
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		if (argc > 2 && strcmp(argv[2], "setsid") == 0 && setsid() < 0) _exit((perror("setsid"), 1));
		_exit(child(n, p[1]));
	}
	close(p[1]);
	int cfd;
	if (read(p[0], &cfd, sizeof cfd) != sizeof cfd) return fprintf(stderr, "no listener\n"), 1;
	int pidfd = syscall(SYS_pidfd_open, pid, 0);
	int fd = pidfd < 0 ? -1 : syscall(SYS_pidfd_getfd, pidfd, cfd, 0);
	if (fd < 0) return perror("pidfd_getfd"), 1;
	if (ioctl(fd, SECCOMP_IOCTL_NOTIF_SET_FLAGS, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP, 0))
		fprintf(stderr, "no synchronous wake-up: %s\n", strerror(errno));
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;
	for (;;) {
		struct pollfd pf = {fd, POLLIN, 0};
		if (poll(&pf, 1, -1) < 0) { if (errno == EINTR) continue; break; }
		if (pf.revents & (POLLHUP | POLLERR)) break;
		memset(&req, 0, sizeof req);
		if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &req)) { if (errno == EINTR || errno == ENOENT) continue; break; }
		memset(&resp, 0, sizeof resp);
		resp.id = req.id;
		resp.error = -EPERM;
		if (ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp) && errno != ENOENT) break;
	}
	int st;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}
