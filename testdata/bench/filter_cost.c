/* What a filter costs on every call the target makes: installs the
 * program in FILE (struct sock_filter array in host order, as
 * `export --format bpf` writes it), or none without FILE, then times N
 * calls of getppid (a call no rule looks at the arguments of) and N of
 * personality(0xffffffff) (a query that changes nothing, and a call whose
 * rules compare its argument in Docker's default profile).
 * Usage: filter_cost N [FILE]
 * Prints "getppid_ns X" and "personality_ns Y" on stdout. */
#define _GNU_SOURCE
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void) {
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

static int load(const char *path) {
	/* The kernel takes at most BPF_MAXINSNS instructions. */
	static struct sock_filter insns[BPF_MAXINSNS + 1];
	FILE *f = fopen(path, "rb");
	if (!f) return perror(path), -1;
	size_t n = fread(insns, sizeof insns[0], BPF_MAXINSNS + 1, f);
	fclose(f);
	if (n == 0 || n > BPF_MAXINSNS) return fprintf(stderr, "%s: %zu instructions\n", path, n), -1;
	struct sock_fprog prog = {(unsigned short)n, insns};
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) return perror("no_new_privs"), -1;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog)) return perror("seccomp"), -1;
	return 0;
}

int main(int argc, char **argv) {
	if (argc < 2 || argc > 3) return fprintf(stderr, "usage: filter_cost N [FILE]\n"), 2;
	long n = atol(argv[1]);
	if (n <= 0) return fprintf(stderr, "filter_cost: N must be positive\n"), 2;
	if (argc == 3 && load(argv[2])) return 1;
	double t0 = now_ns();
	for (long i = 0; i < n; i++) syscall(SYS_getppid);
	double t1 = now_ns();
	for (long i = 0; i < n; i++) syscall(SYS_personality, 0xffffffffUL);
	double t2 = now_ns();
	printf("getppid_ns %.1f\npersonality_ns %.1f\n", (t1 - t0) / n, (t2 - t1) / n);
	return 0;
}
