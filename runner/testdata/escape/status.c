/*
 * status: what the target can see of its own containment, for the tests
 * to compare with what the run promises.
 *
 *   STATUS uid=U CapEff=HEX CapPrm=HEX CapBnd=HEX CapAmb=HEX NoNewPrivs=N CapInh=HEX
 *   STATUS pid=P ppid=Q procs=N
 *   STATUS fds=0,1,2
 *
 * procs counts the processes the target's /proc lists: in a PID
 * namespace of its own only the run's, on the host hundreds. fds lists
 * the target's open file descriptors (the listing's own left out): the
 * listener, the launch spec, the status pipe and the handoff socket stay
 * with the workbench.
 *
 *   status can-isolate
 *
 * is not a target: run directly as some user, it says whether the kernel
 * lets that user make the namespaces an isolated run needs (a user
 * namespace too when not root): "CAN-ISOLATE yes" or "CAN-ISOLATE no
 * ERRNO".
 */
#include "escape.h"
#include <sched.h>

static int can_isolate(void) {
	int flags = CLONE_NEWPID | CLONE_NEWNS;
	if (geteuid() != 0)
		flags |= CLONE_NEWUSER;
	if (unshare(flags) < 0) {
		printf("CAN-ISOLATE no %s\n", errname(errno));
		return 1;
	}
	printf("CAN-ISOLATE yes\n");
	return 0;
}

int main(int argc, char **argv) {
	if (argc == 2 && !strcmp(argv[1], "can-isolate"))
		return can_isolate();
	FILE *f = fopen("/proc/self/status", "r");
	if (!f) {
		perror("/proc/self/status");
		return 3;
	}
	char line[256], eff[32] = "?", prm[32] = "?", bnd[32] = "?", amb[32] = "?", inh[32] = "?", nnp[8] = "?";
	while (fgets(line, sizeof line, f)) {
		sscanf(line, "CapEff: %31s", eff);
		sscanf(line, "CapPrm: %31s", prm);
		sscanf(line, "CapBnd: %31s", bnd);
		sscanf(line, "CapAmb: %31s", amb);
		sscanf(line, "CapInh: %31s", inh);
		sscanf(line, "NoNewPrivs: %7s", nnp);
	}
	fclose(f);
	printf("STATUS uid=%d CapEff=%s CapPrm=%s CapBnd=%s CapAmb=%s NoNewPrivs=%s CapInh=%s\n", getuid(), eff, prm, bnd, amb, nnp, inh);
	int procs = 0;
	DIR *d = opendir("/proc");
	struct dirent *e;
	while (d && (e = readdir(d))) {
		char *end;
		strtol(e->d_name, &end, 10);
		if (!*end && e->d_name[0])
			procs++;
	}
	if (d)
		closedir(d);
	printf("STATUS pid=%d ppid=%d procs=%d\n", getpid(), getppid(), procs);
	d = opendir("/proc/self/fd");
	printf("STATUS fds=");
	for (int first = 1; d && (e = readdir(d));) {
		char *end;
		long fd = strtol(e->d_name, &end, 10);
		if (*end || !e->d_name[0] || fd == dirfd(d))
			continue;
		printf("%s%ld", first ? "" : ",", fd);
		first = 0;
	}
	printf("\n");
	if (d)
		closedir(d);
	return 0;
}
