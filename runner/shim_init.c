// The shim is the init of the run: it forks the target and stays behind
// as its parent, with no filter, until the target's main process ends.
//
//   - Isolated, it is PID 1 of a new PID namespace. The kernel ignores
//     signals to an init that has no handler for them, so a target that is
//     PID 1 itself would not die of ctrl-c; here the init forwards every
//     signal to the target. It blocks them all and reads them from a
//     signalfd: a blocked signal is queued, never ignored, even for an
//     init. When the init exits, the kernel kills every other process of
//     the namespace: nothing the target started, however it detached,
//     outlives the run.
//   - Not isolated, it is a child subreaper: orphans of the target are
//     re-parented to it, and it kills and reaps them all before it exits.
//
// It is not dumpable, so a target running as the same user cannot ptrace
// it, open its /proc/PID/mem or take its fds with pidfd_getfd without
// CAP_SYS_PTRACE (which Docker's default set, and so the target's, lacks).
//
// The init tells the workbench the target's wait status over SHIM_EXIT_FD
// (its own exit status cannot say "killed by SIGSYS": an init cannot be
// killed by its own signals), and ends the whole tree when the workbench
// writes to SHIM_CTL_FD or goes away (end of file).

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "shim.h"

// How long the init keeps killing and reaping what the target left.
#define TREE_KILL_LIMIT_NS (3 * 1000000000LL)

// in_user_namespace reports whether the shim runs in a user namespace of
// its own (the unprivileged launch), where uid 0 maps to nobody.
static int in_user_namespace(void)
{
	FILE *f = fopen("/proc/self/uid_map", "re");
	if (f == NULL)
		return 1;
	char a[32], b[32], c[32], extra[2];
	int n = fscanf(f, "%31s %31s %31s %1s", a, b, c, extra);
	fclose(f);
	return n != 3 || strcmp(a, "0") || strcmp(b, "0") || strcmp(c, "4294967295");
}

// A growable list of pids.
struct pids {
	int *v;
	size_t n, cap;
};

static void push(struct pids *p, int pid)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 64;
		int *v = realloc(p->v, cap * sizeof *v);
		if (v == NULL)
			return;
		p->v = v, p->cap = cap;
	}
	p->v[p->n++] = pid;
}

// children_of appends the children of every thread of pid.
static void children_of(int pid, struct pids *out)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/task", pid);
	DIR *d = opendir(path);
	if (d == NULL)
		return;
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		if (e->d_name[0] == '.')
			continue;
		char file[320];
		snprintf(file, sizeof file, "/proc/%d/task/%s/children", pid, e->d_name);
		FILE *f = fopen(file, "re");
		if (f == NULL)
			continue;
		for (int c; fscanf(f, "%d", &c) == 1;)
			push(out, c);
		fclose(f);
	}
	closedir(d);
}

// kill_tree sends SIGKILL to every descendant of the init. As PID 1 of
// its namespace, kill(-1) reaches exactly the namespace's other
// processes; otherwise the descendants are found through /proc's children
// lists (orphans are re-parented to the init, a subreaper, so none is
// missed for long: each pass kills a generation).
static void kill_tree(int pid1)
{
	if (pid1) {
		kill(-1, SIGKILL);
		return;
	}
	struct pids q = {0};
	children_of(getpid(), &q);
	for (size_t i = 0; i < q.n; i++) {
		kill(q.v[i], SIGSTOP); // no more forks while we look
		children_of(q.v[i], &q);
		kill(q.v[i], SIGKILL);
	}
	free(q.v);
}

static long long now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

// shim_isolate sets up the mount namespace of an isolated run (the shim is
// PID 1 of its PID namespace).
void shim_isolate(void)
{
	char msg[1024];
	if (shim_mount_namespace(geteuid() == 0 && !in_user_namespace(), msg, sizeof msg) != 0)
		shim_fail(125, "isolation: %s; run with --isolate none to share the workbench's namespaces", msg);
}

// shim_init prepares, forks the target, then forwards signals and reaps
// until the target ends. pid1: the run is isolated (shim_isolate ran).
void shim_init(const struct shim_spec *s, const char *path, int pid1)
{
	if (!pid1)
		prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	struct shim_child *child = shim_child_prepare(s, path);
	fcntl(SHIM_EXIT_FD, F_SETFD, FD_CLOEXEC);
	fcntl(SHIM_CTL_FD, F_SETFD, FD_CLOEXEC);
	// Every signal is blocked before the fork so none sent in between is
	// lost; the child restores the mask.
	sigset_t all, old;
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	int sfd = signalfd(-1, &all, SFD_CLOEXEC);
	if (sfd < 0)
		shim_fail(125, "shim: signalfd: %s", shim_errstr(errno));
	// A bare clone, as fork without libc's atfork handlers.
	long pid = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
	if (pid < 0)
		shim_fail(125, "shim: fork: %s", shim_errstr(errno));
	if (pid == 0)
		shim_child_run(child, &old);
	// Signals go through a pidfd: once the target is reaped its pid may
	// name another process.
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		int err = errno;
		kill((pid_t)pid, SIGKILL);
		shim_fail(125, "shim: pidfd_open: %s", shim_errstr(err));
	}
	// What the target holds must not stay open here: the status pipe and
	// the handoff socket signal their end by closing, and a terminal's
	// master sees the end of the session only when no slave fd is left.
	close(SHIM_STATUS_FD);
	close(SHIM_HANDOFF_FD);
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		for (int fd = 0; fd <= 2; fd++)
			dup2(null, fd);
		close(null);
	}
	int ws = 0, ctl_open = 1;
	for (;;) {
		int st, w;
		while ((w = waitpid(-1, &st, WNOHANG)) > 0)
			if (w == pid) {
				ws = st;
				goto reaped;
			}
		if (w < 0 && errno == ECHILD)
			goto reaped;
		struct pollfd fds[2] = {{.fd = sfd, .events = POLLIN}, {.fd = SHIM_CTL_FD, .events = POLLIN}};
		if (poll(fds, ctl_open ? 2 : 1, -1) < 0)
			continue;
		if (fds[0].revents & POLLIN) {
			struct signalfd_siginfo si[16];
			ssize_t n = read(sfd, si, sizeof si);
			for (ssize_t i = 0; n > 0 && i < n / (ssize_t)sizeof si[0]; i++)
				if (si[i].ssi_signo != SIGCHLD)
					syscall(SYS_pidfd_send_signal, pidfd, si[i].ssi_signo, NULL, 0);
		}
		if (ctl_open && fds[1].revents) {
			// A byte, the end of the pipe or an error: end everything.
			ctl_open = 0;
			syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
			kill_tree(pid1);
		}
	}
reaped:;
	// Kill what is left (nothing, most often) and reap it all.
	long long deadline = now_ns() + TREE_KILL_LIMIT_NS;
	for (;;) {
		int st;
		int n = waitpid(-1, &st, WNOHANG);
		if ((n < 0 && errno == ECHILD) || now_ns() > deadline)
			break;
		if (n > 0)
			continue;
		kill_tree(pid1);
		nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
	}
	unsigned char rec[SHIM_EXIT_RECORD_LEN] = {'W', (unsigned char)ws, (unsigned char)(ws >> 8),
		(unsigned char)(ws >> 16), (unsigned char)(ws >> 24)};
	write(SHIM_EXIT_FD, rec, sizeof rec);
	_exit(0);
}
