// seccomp-workbench-shim: the runner's shim as a program of its own,
// linked statically against musl. `make build` puts it beside the
// workbench, which then starts it instead of re-executing itself: it has
// no dynamic loader, no libseccomp and no Go binary to map, and musl's
// start does none of glibc's CPU feature probing (CPUID, which a VM may
// trap), so it starts, and forks the target, in a fraction of the time.
// Its code is the shim's own (../shim_*.c), built with SHIM_STANDALONE:
// main calls it instead of a constructor.

#include <stdio.h>

#include "../shim.h"

int main(int argc, char **argv)
{
	shim_run(argc, argv);
	fputs("seccomp-workbench-shim: this program is started by seccomp-workbench run, not by hand\n", stderr);
	return 2;
}
