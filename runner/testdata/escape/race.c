/*
 * race: catch another run's shim in the moment between its execve and
 * its prctl(PR_SET_DUMPABLE, 0). An execve makes a process dumpable again
 * whatever its parent was, so for that moment any process of the same
 * user may ptrace it, before it has a filter or knows its target. This
 * program watches the children of its ancestors (the workbench forks each
 * run's shim) for MS milliseconds and tries PTRACE_SEIZE on each new one
 * over and over for its first 100 ms (before its execve it is still the
 * workbench's non-dumpable copy).
 *
 *   race WORKBENCH CEILING MS
 *
 * A seized process without a filter is a breach. A seized filtered one
 * (another run's target, just after its own execve: dumpable, and as
 * visible as the workbench when the runs share a PID namespace) is noted.
 * Exit status: 0 when no unfiltered process was seized, 1 otherwise.
 */
#include "escape.h"
#include <glob.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <time.h>

static long now_ms(void) {
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void seccomp_state(long pid, char *out, size_t n) {
	char path[64], line[256];
	snprintf(path, sizeof path, "/proc/%ld/status", pid);
	snprintf(out, n, "?");
	FILE *f = fopen(path, "r");
	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, "Seccomp:", 8))
			snprintf(out, n, "%s", line + 8 + strspn(line + 8, " \t"));
	if (f)
		fclose(f);
	out[strcspn(out, "\n")] = 0;
}

int main(int argc, char **argv) {
	usage_if(argc != 4, "race WORKBENCH CEILING MS");
	struct target anc[MAX_TARGETS];
	int nanc = find_targets(argv[1], atoi(argv[2]), anc);
	static long first[1 << 22]; /* when a pid was first seen, in ms */
	int seen = 0, breaches = 0, notes = 0, self = getpid();
	long pending[256];
	int npending = 0;
	char pattern[64];
	for (long end = now_ms() + atol(argv[3]); now_ms() < end && !breaches;) {
		for (int i = 0; i < nanc; i++) {
			snprintf(pattern, sizeof pattern, "/proc/%d/task/*/children", anc[i].pid);
			glob_t g;
			if (glob(pattern, 0, NULL, &g))
				continue;
			for (size_t k = 0; k < g.gl_pathc; k++) {
				FILE *f = fopen(g.gl_pathv[k], "r");
				long pid;
				while (f && fscanf(f, "%ld", &pid) == 1) {
					if (pid <= 0 || pid >= (long)(sizeof first / sizeof first[0]) || first[pid] || pid == self ||
					    has_target(anc, nanc, pid) || npending == 256)
						continue;
					first[pid] = now_ms();
					pending[npending++] = pid;
					seen++;
				}
				if (f)
					fclose(f);
			}
			globfree(&g);
		}
		for (int j = 0; j < npending; j++) {
			long pid = pending[j];
			int seized = ptrace(PTRACE_SEIZE, pid, 0, 0) == 0;
			if (!seized && now_ms() - first[pid] < 100)
				continue;
			pending[j--] = pending[--npending];
			if (!seized)
				continue;
			char state[32];
			seccomp_state(pid, state, sizeof state);
			if (!strcmp(state, "0")) {
				breaches++;
				printf("RESULT race pid=%ld (a new child of the workbench): BREACH PTRACE_SEIZE worked on an unfiltered process\n", pid);
			} else if (notes++ < 3) {
				printf("NOTE race pid=%ld: seized a process with seccomp mode %s (another run's target)\n", pid, state);
			}
			/* Detaching needs a stopped tracee. */
			int st;
			if (ptrace(PTRACE_INTERRUPT, pid, 0, 0) == 0 && waitpid(pid, &st, __WALL) == pid)
				ptrace(PTRACE_DETACH, pid, 0, 0);
		}
	}
	if (!breaches)
		printf("RESULT race: BLOCKED %d new processes seen, no unfiltered one could be seized\n", seen);
	return breaches ? 1 : 0;
}
