// The target between the init's fork and its execve: the pid report, the
// capability set, no_new_privs, the filter, the listener's handoff. Once
// the filter is installed every call goes through it: the code makes only
// the calls the filter's exemption (or the supervisor) lets the shim make,
// each through syscall(2), whose symbol the first call before the filter
// has bound (no lazy binding, no libc internals, after it).

#define _GNU_SOURCE
#include <errno.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "shim.h"

struct shim_child {
	const struct shim_spec *spec;
	const char *path;
	struct sock_fprog fprog;
	int terminal, wait_tracked;
	int drop_caps;
	uint64_t cap_drop; // capabilities to drop from the bounding set
	struct __user_cap_header_struct cap_hdr;
	struct __user_cap_data_struct cap_data[2];
	// The listener's handoff: one byte and the fd as SCM_RIGHTS.
	struct msghdr listen_msg;
	struct iovec listen_iov;
	char listen_b;
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} listen_ctl;
	unsigned char record[SHIM_RAW_RECORD_LEN];
};

// last_cap is the highest capability number this kernel knows.
static int last_cap(void)
{
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
	int n = CAP_LAST_CAP;
	if (f != NULL) {
		if (fscanf(f, "%d", &n) != 1)
			n = CAP_LAST_CAP;
		fclose(f);
	}
	return n;
}

struct shim_child *shim_child_prepare(const struct shim_spec *s, const char *path)
{
	struct shim_child *c = calloc(1, sizeof *c);
	if (c == NULL)
		shim_fail(125, "shim: out of memory");
	c->spec = s;
	c->path = path;
	c->fprog.len = s->prog_len;
	c->fprog.filter = s->prog;
	c->terminal = (s->options & SHIM_OPT_TERMINAL) != 0;
	c->wait_tracked = (s->options & SHIM_OPT_WAIT_TRACKED) != 0;
	c->listen_b = 'L';
	c->listen_iov.iov_base = &c->listen_b;
	c->listen_iov.iov_len = 1;
	c->listen_msg.msg_iov = &c->listen_iov;
	c->listen_msg.msg_iovlen = 1;
	c->listen_msg.msg_control = c->listen_ctl.buf;
	c->listen_msg.msg_controllen = sizeof c->listen_ctl.buf;
	struct cmsghdr *cm = CMSG_FIRSTHDR(&c->listen_msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	c->record[0] = 'X';
	// Only a process that holds CAP_SETPCAP can shrink its bounding set;
	// one that holds nothing has nothing to drop.
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct cur[2];
	if (syscall(SYS_capget, &hdr, cur) != 0)
		shim_fail(125, "shim: capget: %s", shim_errstr(errno));
	uint64_t eff = cur[0].effective | (uint64_t)cur[1].effective << 32;
	if (eff & (1ULL << CAP_SETPCAP)) {
		c->drop_caps = 1;
		int last = last_cap();
		for (int i = 0; i <= last && i < 64; i++)
			if (!(s->cap_mask & (1ULL << i)))
				c->cap_drop |= 1ULL << i;
		uint64_t keep = s->cap_mask & eff;
		c->cap_hdr.version = _LINUX_CAPABILITY_VERSION_3;
		c->cap_data[0].effective = c->cap_data[0].permitted = (uint32_t)keep;
		c->cap_data[1].effective = c->cap_data[1].permitted = (uint32_t)(keep >> 32);
	}
	return c;
}

// raw_fail reports a failure on the status pipe as a binary record and
// exits. After the filter, the write and the exit go through it like any
// other call; the secret in registers 3..5 marks them as the shim's for
// the supervisor, which lets them run (the target has not started).
static void __attribute__((noreturn)) raw_fail(struct shim_child *c, int stage, int err, int code)
{
	const uint64_t *m = c->spec->secret;
	c->record[1] = (unsigned char)stage;
	c->record[4] = (unsigned char)err;
	c->record[5] = (unsigned char)(err >> 8);
	syscall(SYS_write, SHIM_STATUS_FD, c->record, SHIM_RAW_RECORD_LEN, m[0], m[1], m[2]);
	for (;;)
		syscall(SYS_exit_group, code, 0, 0, m[0], m[1], m[2]);
}

// shim_child_run: the init installs no signal handler (it reads signals
// from a signalfd), so the dispositions are those the shim's execve left,
// default or ignored, as the target's execve keeps them; only the mask
// the init blocked everything with is undone.
void shim_child_run(struct shim_child *c, const void *old_mask)
{
	const uint64_t *m = c->spec->secret;
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, old_mask, NULL, 8);
	syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (c->terminal) {
		if (syscall(SYS_setsid) < 0)
			raw_fail(c, SHIM_STAGE_TERMINAL, errno, 125);
		if (syscall(SYS_ioctl, 0, TIOCSCTTY, 0) != 0)
			raw_fail(c, SHIM_STAGE_TERMINAL, errno, 125);
	}
	// One byte: the kernel adds our credentials (the socket has
	// SO_PASSCRED), the pid in the workbench's PID namespace.
	char pid_b = 'P', ack;
	struct iovec pid_iov = {.iov_base = &pid_b, .iov_len = 1};
	struct msghdr pid_msg = {.msg_iov = &pid_iov, .msg_iovlen = 1};
	if (syscall(SYS_sendmsg, SHIM_HANDOFF_FD, &pid_msg, 0) < 0)
		raw_fail(c, SHIM_STAGE_PID, errno, 125);
	if (c->wait_tracked) {
		// The eBPF recorder follows this process from the byte on.
		long n = syscall(SYS_read, SHIM_HANDOFF_FD, &ack, 1);
		if (n != 1)
			raw_fail(c, SHIM_STAGE_PID, n < 0 ? errno : 0, 125);
	}
	// Ambient capabilities (the shim's own, in a user namespace) would
	// survive the execve.
	syscall(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (c->drop_caps) {
		for (int i = 0; i < 64; i++)
			if ((c->cap_drop & (1ULL << i)) && syscall(SYS_prctl, PR_CAPBSET_DROP, i, 0, 0, 0) != 0)
				raw_fail(c, SHIM_STAGE_CAPS, errno, 125);
		if (syscall(SYS_capset, &c->cap_hdr, c->cap_data) != 0)
			raw_fail(c, SHIM_STAGE_CAPS, errno, 125);
	}
	// no_new_privs: without CAP_SYS_ADMIN the kernel takes a filter only
	// from a process that can gain no privilege by execve.
	if (syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		raw_fail(c, SHIM_STAGE_NO_NEW_PRIVS, errno, 125);
	unsigned long flags = c->spec->flags;
	long fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &c->fprog);
	if (fd < 0 && errno == EINVAL && (flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)) {
		// Before Linux 5.19: the supervisor copes with re-sent calls.
		flags &= ~(unsigned long)SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
		fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &c->fprog);
	}
	if (fd < 0)
		raw_fail(c, SHIM_STAGE_SECCOMP, errno, 125);
	// The filter is active from here on. The last two calls carry the
	// secret in argument registers 3..5, which the kernel ignores for them
	// and the filter's exemption checks, so they pass without a
	// notification nobody could answer yet.
	if (flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) {
		int lfd = (int)fd;
		memcpy(CMSG_DATA(CMSG_FIRSTHDR(&c->listen_msg)), &lfd, sizeof lfd);
		if (syscall(SYS_sendmsg, SHIM_HANDOFF_FD, &c->listen_msg, 0, m[0], m[1], m[2]) < 0)
			raw_fail(c, SHIM_STAGE_HANDOFF, errno, 125);
	}
	syscall(SYS_execve, c->path, c->spec->argv, c->spec->envp, m[0], m[1], m[2]);
	raw_fail(c, SHIM_STAGE_EXEC, errno, errno == ENOENT ? 127 : 126);
}
