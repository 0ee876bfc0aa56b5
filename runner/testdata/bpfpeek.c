/*
 * bpfpeek: the attack on the eBPF recorder from inside the run. It walks
 * the kernel's BPF map ids and tries to open each (the recorder's maps
 * among them) to rewrite what they hold. Prints one line per step.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static long bpf(int cmd, union bpf_attr *attr) {
	return syscall(SYS_bpf, cmd, attr, sizeof *attr);
}

int main(void) {
	union bpf_attr a;
	memset(&a, 0, sizeof a);
	long r = bpf(BPF_MAP_GET_NEXT_ID, &a);
	printf("next_id = %s\n", r < 0 ? strerrorname_np(errno) : "ok");
	int opened = 0;
	for (unsigned id = 1; id < 100000; id++) {
		memset(&a, 0, sizeof a);
		a.map_id = id;
		if (bpf(BPF_MAP_GET_FD_BY_ID, &a) >= 0)
			opened++;
		else if (errno != ENOENT)
			break;
	}
	printf("opened %d maps, last error %s\n", opened, errno ? strerrorname_np(errno) : "none");
	return 0;
}
