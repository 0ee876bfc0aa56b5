// argprobe makes one raw syscall per argument, with the arguments the
// argument names, and prints what the kernel (or the filter) answered:
// "ACTION ok" or "ACTION errno=N". Used by the argument-recording tests.
//
//   socket:DOMAIN:TYPE   socket(DOMAIN, TYPE, 0), closed again; DOMAIN
//                        may have bits above 32 (the kernel ignores them)
//   clone:FLAGS          clone(FLAGS, 0, 0, 0, 0): the child exits at once
//   unshare:FLAGS        unshare(FLAGS)
//   clone3:FLAGS         clone3 with clone_args.flags = FLAGS and
//                        exit_signal SIGCHLD: the child exits at once
// Numbers are C literals (2, 0x10000011).
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static unsigned long num(const char *s) { return strtoul(s, NULL, 0); }

static void report(const char *what, long rc) {
	if (rc < 0)
		printf("%s errno=%d\n", what, errno);
	else
		printf("%s ok\n", what);
	fflush(stdout);
}

int main(int argc, char **argv) {
	for (int i = 1; i < argc; i++) {
		char buf[256];
		snprintf(buf, sizeof buf, "%s", argv[i]);
		char *op = strtok(buf, ":"), *a = strtok(NULL, ":"), *b = strtok(NULL, ":");
		long rc;
		if (!strcmp(op, "socket") && a && b) {
			rc = syscall(SYS_socket, num(a), num(b), 0UL);
			if (rc >= 0)
				close(rc);
		} else if (!strcmp(op, "clone") && a) {
			rc = syscall(SYS_clone, num(a), 0UL, 0UL, 0UL, 0UL);
			if (rc == 0)
				syscall(SYS_exit_group, 0);
			if (rc > 0)
				waitpid(rc, NULL, 0);
		} else if (!strcmp(op, "clone3") && a) {
			/* struct clone_args as of Linux 5.3 (CLONE_ARGS_SIZE_VER0). */
			uint64_t ca[8] = {num(a), 0, 0, 0, SIGCHLD, 0, 0, 0};
			rc = syscall(435 /* clone3 on x86_64 */, ca, sizeof ca);
			if (rc == 0)
				syscall(SYS_exit_group, 0);
			if (rc > 0)
				waitpid(rc, NULL, 0);
		} else if (!strcmp(op, "unshare") && a) {
			rc = syscall(SYS_unshare, num(a));
		} else {
			fprintf(stderr, "argprobe: %s: unknown action\n", argv[i]);
			return 2;
		}
		report(argv[i], rc);
	}
	return 0;
}
