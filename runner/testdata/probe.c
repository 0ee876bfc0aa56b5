/*
 * probe: a test target for the runner. Each argument is one operation,
 * its fields separated by ':'. Results go to stdout, one line each.
 *
 *   raw:NR[:A0..]   syscall(NR, A0..) with the given arguments
 *   mkdir:PATH      mkdir(PATH, 0755) by raw syscall
 *   openw:PATH      openat(AT_FDCWD, PATH, O_WRONLY|O_CREAT, 0644)
 *   int80:NR        the 32-bit ABI (int $0x80) call NR, no arguments
 *   fork OP...      run the remaining operations in a child, wait for it
 *   thread OP...    run the remaining operations in a second thread, join it
 *   bg OP...        run the remaining operations in a grandchild that is in
 *                   a new process group (same session), do not wait
 *   loop:N:NR       call NR N times, print how many failed and the time per call
 *   status          print Seccomp and NoNewPrivs of /proc/self/status
 *   sleep:SECONDS   sleep
 *   flood:MIB       write MIB MiB of 64-byte lines to stdout
 *   sigsys          catch SIGSYS from now on (prints "caught SIGSYS")
 *   sendmsg         sendmsg(5, ...) with junk in argument registers 3..5
 *   execve-nullenv  execve("/bin/true", argv, NULL)
 *   exit:CODE       exit with CODE
 *   #...            ignored (a marker for process listings)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void run(char **ops, int n);

static void report(const char *what, long ret, int err) {
	if (ret < 0)
		printf("%s = -1 %s\n", what, strerrorname_np(err) ? strerrorname_np(err) : "?");
	else
		printf("%s = %ld\n", what, ret);
	fflush(stdout);
}

static void on_sigsys(int sig) {
	(void)sig;
	static const char msg[] = "caught SIGSYS\n";
	write(1, msg, sizeof msg - 1);
}

struct job { char **ops; int n; };

static void *thread_main(void *p) {
	struct job *j = p;
	run(j->ops, j->n);
	return NULL;
}

static void op(char *s, char **rest, int nrest, int *consumed) {
	char *f[8] = {0};
	int nf = 0;
	char *save = NULL;
	for (char *t = strtok_r(s, ":", &save); t && nf < 8; t = strtok_r(NULL, ":", &save))
		f[nf++] = t;
	if (nf == 0 || f[0][0] == '#')
		return;
	char what[256];
	snprintf(what, sizeof what, "%s%s%s", f[0], nf > 1 ? " " : "", nf > 1 ? f[1] : "");
	if (!strcmp(f[0], "raw")) {
		long a[6] = {0};
		for (int i = 2; i < nf && i < 8; i++)
			a[i - 2] = strtol(f[i], NULL, 0);
		errno = 0;
		long r = syscall(strtol(f[1], NULL, 0), a[0], a[1], a[2], a[3], a[4], a[5]);
		report(what, r, errno);
	} else if (!strcmp(f[0], "mkdir")) {
		long r = syscall(SYS_mkdir, f[1], 0755);
		report(what, r, errno);
	} else if (!strcmp(f[0], "openw")) {
		long r = syscall(SYS_openat, AT_FDCWD, f[1], O_WRONLY | O_CREAT, 0644);
		report(what, r, errno);
	} else if (!strcmp(f[0], "int80")) {
#if defined(__x86_64__)
		long r, nr = strtol(f[1], NULL, 0);
		__asm__ volatile("int $0x80" : "=a"(r) : "a"(nr) : "memory");
		report(what, r < 0 && r > -4096 ? -1 : r, r < 0 && r > -4096 ? (int)-r : 0);
#else
		report(what, -1, ENOSYS);
#endif
	} else if (!strcmp(f[0], "fork")) {
		pid_t p = fork();
		if (p == 0) {
			run(rest, nrest);
			fflush(stdout);
			_exit(0);
		}
		int st;
		waitpid(p, &st, 0);
		printf("child status %d\n", st);
		fflush(stdout);
		*consumed = nrest;
	} else if (!strcmp(f[0], "thread")) {
		pthread_t t;
		struct job j = {rest, nrest};
		pthread_create(&t, NULL, thread_main, &j);
		pthread_join(t, NULL);
		*consumed = nrest;
	} else if (!strcmp(f[0], "bg")) {
		pid_t p = fork();
		if (p == 0) {
			setpgid(0, 0);
			if (fork() == 0) {
				run(rest, nrest);
				_exit(0);
			}
			_exit(0);
		}
		waitpid(p, NULL, 0);
		*consumed = nrest;
	} else if (!strcmp(f[0], "loop")) {
		long n = strtol(f[1], NULL, 0), nr = strtol(f[2], NULL, 0), bad = 0;
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (long i = 0; i < n; i++)
			if (syscall(nr, 0, 0, 0, 0, 0, 0) < 0)
				bad++;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		double ns = (t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec);
		printf("loop %ld failed %ld\n", n, bad);
		fprintf(stderr, "ns/call %.1f\n", n > 0 ? ns / n : 0);
		fflush(stdout);
	} else if (!strcmp(f[0], "status")) {
		FILE *st = fopen("/proc/self/status", "r");
		char line[256];
		while (st && fgets(line, sizeof line, st))
			if (!strncmp(line, "Seccomp:", 8) || !strncmp(line, "NoNewPrivs:", 11))
				fputs(line, stdout);
		if (st)
			fclose(st);
		fflush(stdout);
	} else if (!strcmp(f[0], "sleep")) {
		sleep(atoi(f[1]));
	} else if (!strcmp(f[0], "flood")) {
		char line[64];
		memset(line, 'x', sizeof line - 1);
		line[sizeof line - 1] = '\n';
		static char buf[1 << 16];
		for (size_t i = 0; i < sizeof buf; i += sizeof line)
			memcpy(buf + i, line, sizeof line);
		long total = strtol(f[1], NULL, 0) << 20;
		for (long done = 0; done < total; done += sizeof buf)
			if (write(1, buf, sizeof buf) < 0)
				break;
	} else if (!strcmp(f[0], "sigsys")) {
		signal(SIGSYS, on_sigsys);
	} else if (!strcmp(f[0], "sendmsg")) {
		char b = 'x';
		struct iovec iov = {&b, 1};
		struct msghdr m = {0};
		m.msg_iov = &iov;
		m.msg_iovlen = 1;
		long r = syscall(SYS_sendmsg, 5, &m, 0, 0x1234L, 0x5678L, 0x9abcL);
		report(what, r, errno);
	} else if (!strcmp(f[0], "execve-nullenv")) {
		char *argv[] = {"/bin/true", NULL};
		long r = syscall(SYS_execve, "/bin/true", argv, NULL, 0x1111L, 0x2222L, 0x3333L);
		report(what, r, errno);
	} else if (!strcmp(f[0], "exit")) {
		fflush(stdout);
		exit(atoi(f[1]));
	} else {
		fprintf(stderr, "probe: unknown operation %s\n", f[0]);
		exit(2);
	}
}

static void run(char **ops, int n) {
	for (int i = 0; i < n; i++) {
		int consumed = 0;
		char *copy = strdup(ops[i]);
		op(copy, ops + i + 1, n - i - 1, &consumed);
		free(copy);
		i += consumed;
	}
}

int main(int argc, char **argv) {
	run(argv + 1, argc - 1);
	fflush(stdout);
	return 0;
}
