/*
 * probe: installs a seccomp filter read from a file (the kernel's struct
 * sock_filter array, as `seccomp-workbench export --format bpf` writes it)
 * and then makes exactly one raw syscall, printing what came back.
 *
 *   probe [--int80] [--no-filter] FILTER NR [ARG...]
 *
 * --int80 makes the call through the 32-bit `int $0x80` gate (x86_64 only),
 * so the filter sees AUDIT_ARCH_I386 and 32-bit arguments. --no-filter
 * skips the install (FILTER is not read), to see the call's own result.
 * Output: "ret=R errno=E". A filter that kills ends the process by SIGSYS.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

static long call_int80(unsigned long nr, const unsigned long *a)
{
#if defined(__x86_64__)
	long ret;
	/* ebp carries the sixth argument; it may be the frame pointer, so
	 * it is saved around the call. Built with -mno-red-zone: the push
	 * must not overwrite locals kept below the stack pointer. */
	register unsigned long a5 __asm__("r12") = a[5];
	__asm__ volatile("push %%rbp\n\t"
			 "mov %%r12d, %%ebp\n\t"
			 "int $0x80\n\t"
			 "pop %%rbp"
			 : "=a"(ret)
			 : "a"(nr), "b"(a[0]), "c"(a[1]), "d"(a[2]), "S"(a[3]), "D"(a[4]), "r"(a5)
			 : "memory", "cc", "r8", "r9", "r10", "r11");
	return (int)ret; /* the gate returns a 32-bit value in eax */
#else
	(void)nr;
	(void)a;
	return -ENOSYS;
#endif
}

static void usage(void)
{
	fprintf(stderr, "usage: probe [--int80] [--no-filter] FILTER NR [ARG...]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int i = 1, int80 = 0, nofilter = 0;
	for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--int80") == 0)
			int80 = 1;
		else if (strcmp(argv[i], "--no-filter") == 0)
			nofilter = 1;
		else
			usage();
	}
	if (argc - i < 2 || argc - i > 8)
		usage();
	const char *path = argv[i++];
	unsigned long nr = strtoul(argv[i++], NULL, 0);
	unsigned long a[6] = {0};
	for (int k = 0; i < argc; k++, i++)
		a[k] = strtoull(argv[i], NULL, 0);

	/* A killed probe must not leave a core dump behind. */
	struct rlimit none = {0, 0};
	setrlimit(RLIMIT_CORE, &none);
	/* Allocate stdout's buffer now, before the filter is in place. */
	static char outbuf[256];
	setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);

	if (!nofilter) {
		static unsigned char buf[8 * 4096];
		FILE *f = fopen(path, "rb");
		if (!f) {
			perror(path);
			return 3;
		}
		size_t n = fread(buf, 1, sizeof buf, f);
		fclose(f);
		if (n == 0 || n % 8 != 0) {
			fprintf(stderr, "%s: not a whole number of instructions\n", path);
			return 3;
		}
		struct sock_fprog prog = {.len = (unsigned short)(n / 8), .filter = (struct sock_filter *)buf};
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
			perror("PR_SET_NO_NEW_PRIVS");
			return 4;
		}
		if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) {
			perror("seccomp");
			return 4;
		}
	}

	long ret;
	int err = 0;
	if (int80) {
		ret = call_int80(nr, a);
		if (ret < 0 && ret >= -4095) {
			err = (int)-ret;
			ret = -1;
		}
	} else {
		errno = 0;
		ret = syscall((long)nr, a[0], a[1], a[2], a[3], a[4], a[5]);
		if (ret == -1)
			err = errno;
	}
	printf("ret=%ld errno=%d\n", ret, err);
	fflush(stdout);
	return 0;
}
