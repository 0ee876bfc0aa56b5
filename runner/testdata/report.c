/*
 * report: a test target for what the runner reports about calls. Each
 * argument is one operation, its fields separated by ','. Results go to
 * stdout, one line each.
 *
 *   raw,NR             syscall(NR) with no arguments
 *   sigsys-ignore      SIGSYS to SIG_IGN
 *   sigsys-block       SIGSYS added to the signal mask
 *   sigsys-catch       catch SIGSYS (prints "caught SIGSYS code N" on each)
 *   mknod,PATH,MODE,MAJOR,MINOR   mknodat(AT_FDCWD, PATH, MODE (octal), makedev)
 *   connect4,IP,PORT   connect a TCP socket to IP:PORT
 *   connect6,IP,PORT   the same over IPv6
 *   bind4,IP,PORT      bind a UDP socket to IP:PORT
 *   sendto4,IP,PORT    sendto from a UDP socket to IP:PORT
 *   sendmsg4,IP,PORT   sendmsg from a UDP socket with msg_name IP:PORT
 *   unix,PATH          connect an AF_UNIX socket to PATH ('@' first: abstract)
 *   unames,N           uname(2) N times, each into a buffer of its own
 *   exit,CODE          exit with CODE
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <unistd.h>

static void report(const char *what, long ret, int err) {
	if (ret < 0)
		printf("%s = -1 %s\n", what, strerrorname_np(err) ? strerrorname_np(err) : "?");
	else
		printf("%s = %ld\n", what, ret);
	fflush(stdout);
}

static void on_sigsys(int sig, siginfo_t *si, void *uc) {
	(void)sig;
	(void)uc;
	char msg[64];
	int n = snprintf(msg, sizeof msg, "caught SIGSYS code %d\n", si->si_code);
	write(1, msg, n);
}

static void sockaddr4(struct sockaddr_in *a, const char *ip, const char *port) {
	memset(a, 0, sizeof *a);
	a->sin_family = AF_INET;
	a->sin_port = htons(atoi(port));
	inet_pton(AF_INET, ip, &a->sin_addr);
}

static void op(char *s) {
	char *f[8] = {0};
	int nf = 0;
	char *save = NULL;
	for (char *t = strtok_r(s, ",", &save); t && nf < 8; t = strtok_r(NULL, ",", &save))
		f[nf++] = t;
	if (nf == 0)
		return;
	long r;
	errno = 0;
	if (!strcmp(f[0], "raw")) {
		r = syscall(strtol(f[1], NULL, 0));
	} else if (!strcmp(f[0], "sigsys-ignore")) {
		r = signal(SIGSYS, SIG_IGN) == SIG_ERR ? -1 : 0;
	} else if (!strcmp(f[0], "sigsys-block")) {
		sigset_t set;
		sigemptyset(&set);
		sigaddset(&set, SIGSYS);
		r = sigprocmask(SIG_BLOCK, &set, NULL);
	} else if (!strcmp(f[0], "sigsys-catch")) {
		struct sigaction sa = {0};
		sa.sa_sigaction = on_sigsys;
		sa.sa_flags = SA_SIGINFO | SA_RESTART;
		r = sigaction(SIGSYS, &sa, NULL);
	} else if (!strcmp(f[0], "mknod")) {
		dev_t dev = makedev(atoi(f[3]), atoi(f[4]));
		r = syscall(SYS_mknodat, AT_FDCWD, f[1], strtol(f[2], NULL, 8), dev);
	} else if (!strcmp(f[0], "connect4") || !strcmp(f[0], "bind4") || !strcmp(f[0], "sendto4") || !strcmp(f[0], "sendmsg4")) {
		struct sockaddr_in a;
		sockaddr4(&a, f[1], f[2]);
		int tcp = !strcmp(f[0], "connect4");
		int fd = socket(AF_INET, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
		if (tcp)
			r = connect(fd, (struct sockaddr *)&a, sizeof a);
		else if (!strcmp(f[0], "bind4"))
			r = bind(fd, (struct sockaddr *)&a, sizeof a);
		else if (!strcmp(f[0], "sendto4"))
			r = sendto(fd, "x", 1, 0, (struct sockaddr *)&a, sizeof a);
		else {
			struct iovec iov = {"x", 1};
			struct msghdr m = {0};
			m.msg_name = &a;
			m.msg_namelen = sizeof a;
			m.msg_iov = &iov;
			m.msg_iovlen = 1;
			r = sendmsg(fd, &m, 0);
		}
		int e = errno;
		close(fd);
		errno = e;
	} else if (!strcmp(f[0], "connect6")) {
		struct sockaddr_in6 a = {0};
		a.sin6_family = AF_INET6;
		a.sin6_port = htons(atoi(f[2]));
		inet_pton(AF_INET6, f[1], &a.sin6_addr);
		int fd = socket(AF_INET6, SOCK_STREAM, 0);
		r = connect(fd, (struct sockaddr *)&a, sizeof a);
		int e = errno;
		close(fd);
		errno = e;
	} else if (!strcmp(f[0], "unix")) {
		struct sockaddr_un a = {0};
		a.sun_family = AF_UNIX;
		socklen_t len;
		if (f[1][0] == '@') {
			/* Abstract: a leading NUL, and the length says where it ends. */
			size_t n = strlen(f[1]);
			memcpy(a.sun_path + 1, f[1] + 1, n - 1);
			len = offsetof(struct sockaddr_un, sun_path) + n;
		} else {
			strncpy(a.sun_path, f[1], sizeof a.sun_path - 1);
			len = sizeof a;
		}
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);
		r = connect(fd, (struct sockaddr *)&a, len);
		int e = errno;
		close(fd);
		errno = e;
	} else if (!strcmp(f[0], "unames")) {
		int n = atoi(f[1]), bad = 0;
		for (int i = 0; i < n; i++) {
			/* Each buffer is live while the others are made, so no two
			 * calls share an address. */
			struct utsname *u = malloc(sizeof *u * (i + 1));
			if (syscall(SYS_uname, u + i) < 0)
				bad++;
		}
		r = bad;
	} else if (!strcmp(f[0], "exit")) {
		fflush(stdout);
		exit(atoi(f[1]));
	} else {
		fprintf(stderr, "report: unknown operation %s\n", f[0]);
		exit(2);
	}
	report(f[0], r, errno);
}

int main(int argc, char **argv) {
	/* A trap or kill must not leave a core file behind. */
	struct rlimit no = {0, 0};
	setrlimit(RLIMIT_CORE, &no);
	for (int i = 1; i < argc; i++) {
		char *copy = strdup(argv[i]);
		op(copy);
		free(copy);
	}
	fflush(stdout);
	return 0;
}
