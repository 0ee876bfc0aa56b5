/*
 * status: what the target can see of its own containment, for the tests
 * to compare with what the run promises.
 *
 *   STATUS uid=U CapEff=HEX CapPrm=HEX CapBnd=HEX CapAmb=HEX NoNewPrivs=N
 *   STATUS pid=P ppid=Q procs=N
 *
 * procs counts the processes the target's /proc lists: in a PID
 * namespace of its own only the run's, on the host hundreds.
 */
#include "escape.h"

int main(void) {
	FILE *f = fopen("/proc/self/status", "r");
	if (!f) {
		perror("/proc/self/status");
		return 3;
	}
	char line[256], eff[32] = "?", prm[32] = "?", bnd[32] = "?", amb[32] = "?", nnp[8] = "?";
	while (fgets(line, sizeof line, f)) {
		sscanf(line, "CapEff: %31s", eff);
		sscanf(line, "CapPrm: %31s", prm);
		sscanf(line, "CapBnd: %31s", bnd);
		sscanf(line, "CapAmb: %31s", amb);
		sscanf(line, "NoNewPrivs: %7s", nnp);
	}
	fclose(f);
	printf("STATUS uid=%d CapEff=%s CapPrm=%s CapBnd=%s CapAmb=%s NoNewPrivs=%s\n", getuid(), eff, prm, bnd, amb, nnp);
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
	return 0;
}
