// seccomp-workbench-shim: the runner's shim as a program of its own,
// linked statically. `make build` puts it beside the workbench, which then
// starts it instead of re-executing itself: it has no dynamic loader, no
// libseccomp and no Go binary to map, so it starts, and forks the target,
// in a fraction of the time. Its code is the shim's own (../shim_*.c):
// the constructor there runs before this main, and this main only runs
// when the program was started some other way.

#include <stdio.h>

int main(void)
{
	fputs("seccomp-workbench-shim: this program is started by seccomp-workbench run, not by hand\n", stderr);
	return 2;
}
