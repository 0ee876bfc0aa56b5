/*
 * ownlistener: answer its own notifications without stealing anyone's
 * listener. The target stacks a filter of its own that routes mkdir to
 * user notification, with a listener it holds itself. When the newest
 * filter and an older one both say "notify", the newest one's listener
 * gets the call, and its "continue" lets the call run; in watch mode the
 * workbench's filter turns the profile's denials into notifications, so
 * this would turn watch mode into allow-all. The kernel refuses a second
 * listener in one filter chain (EBUSY), which is what must happen here.
 *
 *   ownlistener WORKBENCH CEILING MKDIR
 *
 * (WORKBENCH and CEILING, which every escape program takes, are unused.)
 * Exit status: 0 when blocked, 1 when the denied mkdir ran.
 */
#include "escape.h"
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

struct job {
	const char *path;
	volatile int done;
	long ret;
	int err;
};

static void *do_mkdir(void *p) {
	struct job *j = p;
	usleep(20000);
	j->ret = syscall(SYS_mkdir, j->path, 0755);
	j->err = errno;
	j->done = 1;
	return NULL;
}

int main(int argc, char **argv) {
	usage_if(argc != 4, "ownlistener WORKBENCH CEILING MKDIR");
	struct sock_filter prog[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mkdir, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog fprog = {sizeof prog / sizeof prog[0], prog};
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	int fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &fprog);
	if (fd < 0) {
		printf("RESULT ownlistener pid=%d (self): BLOCKED seccomp(NEW_LISTENER)=%s\n", getpid(), errname(errno));
		printf("TARGETS 0:\n");
		return 0;
	}
	struct job j = {.path = argv[3]};
	pthread_t th;
	pthread_create(&th, NULL, do_mkdir, &j);
	int answered = 0;
	for (int i = 0; i < 100 && !j.done; i++) {
		answered += answer_one(fd);
	}
	pthread_join(th, NULL);
	int breach = j.ret == 0;
	printf("RESULT ownlistener pid=%d (self): %s own listener answered %d; mkdir(%s) = %ld%s%s\n", getpid(),
	       breach ? "BREACH" : "BLOCKED", answered, argv[3], j.ret, j.ret < 0 ? " " : "", j.ret < 0 ? errname(j.err) : "");
	printf("TARGETS 0:\n");
	return breach;
}
