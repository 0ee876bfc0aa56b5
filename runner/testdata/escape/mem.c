/*
 * mem: write into the workbench's memory (and that of every other process
 * find_targets lists) without ptrace: through /proc/PID/mem, which writes
 * even read-only code pages, and with process_vm_writev. What is written
 * is the bytes read there a moment before, so a success changes nothing;
 * that it is allowed at all is the escape.
 *
 *   mem WORKBENCH CEILING
 *
 * Exit status: 0 when every attempt was blocked, 1 when any succeeded.
 */
#include "escape.h"
#include <sys/uio.h>

static int breaches;

/* mapping finds the start of the first mapping of pid whose permissions
 * begin with perms ("r-xp", "rw-p"); 0 when maps cannot be read. */
static unsigned long mapping(int pid, const char *perms) {
	char path[64], line[512];
	snprintf(path, sizeof path, "/proc/%d/maps", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	unsigned long start = 0, lo, hi;
	char p[8];
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, p) == 3 && !strcmp(p, perms)) {
			start = lo;
			break;
		}
	fclose(f);
	return start;
}

static void proc_mem(int pid, const char *why) {
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/mem", pid);
	int fd = open(path, O_RDWR);
	if (fd < 0) {
		printf("RESULT proc-mem pid=%d (%s): BLOCKED open O_RDWR=%s\n", pid, why, errname(errno));
		return;
	}
	breaches++;
	unsigned long code = mapping(pid, "r-xp");
	char buf[8];
	if (!code) {
		printf("RESULT proc-mem pid=%d (%s): BREACH opened for writing (maps unreadable)\n", pid, why);
	} else if (pread(fd, buf, sizeof buf, code) != sizeof buf) {
		printf("RESULT proc-mem pid=%d (%s): BREACH opened for writing (read at 0x%lx: %s)\n", pid, why, code, errname(errno));
	} else if (pwrite(fd, buf, sizeof buf, code) != sizeof buf) {
		printf("RESULT proc-mem pid=%d (%s): BREACH opened for writing (write at 0x%lx: %s)\n", pid, why, code, errname(errno));
	} else {
		printf("RESULT proc-mem pid=%d (%s): BREACH wrote its code at 0x%lx\n", pid, why, code);
	}
	close(fd);
}

static void vm_write(int pid, const char *why) {
	/* Without a readable map, an address that is never mapped: the kernel
	 * checks access to the process first (EPERM), then the address
	 * (EFAULT), so EFAULT alone proves the write was let through. */
	unsigned long data = mapping(pid, "rw-p");
	unsigned long addr = data ? data : 0x10;
	char buf[8] = {0};
	struct iovec local = {buf, sizeof buf}, remote = {(void *)addr, sizeof buf};
	if (data && process_vm_readv(pid, &local, 1, &remote, 1, 0) != sizeof buf)
		addr = 0x10, remote.iov_base = (void *)addr;
	ssize_t n = process_vm_writev(pid, &local, 1, &remote, 1, 0);
	if (n == sizeof buf) {
		breaches++;
		printf("RESULT vm-write pid=%d (%s): BREACH wrote %zd bytes at 0x%lx\n", pid, why, n, addr);
	} else if (errno == EFAULT) {
		breaches++;
		printf("RESULT vm-write pid=%d (%s): BREACH access granted (EFAULT at 0x%lx)\n", pid, why, addr);
	} else {
		printf("RESULT vm-write pid=%d (%s): BLOCKED process_vm_writev=%s\n", pid, why, errname(errno));
	}
}

int main(int argc, char **argv) {
	usage_if(argc != 3, "mem WORKBENCH CEILING");
	struct target t[MAX_TARGETS];
	int n = find_targets(argv[1], atoi(argv[2]), t);
	for (int i = 0; i < n; i++) {
		proc_mem(t[i].pid, t[i].why);
		vm_write(t[i].pid, t[i].why);
		fflush(stdout);
	}
	return breaches ? 1 : 0;
}
