// The workbench keeping to one CPU while it launches (see launch_cpu.go
// for why). Only the workbench binary has this file: the static shim is
// built from shim_*.c.

#define _GNU_SOURCE
#include <sched.h>
#include <string.h>

#include "shim.h"

static cpu_set_t held_from; // the mask the process was started with
static int held;

// swb_hold_cpu narrows the calling thread's CPU mask to the CPU it runs
// on. Called from a constructor, before the Go runtime has a thread of
// its own, it is every thread's: each inherits its creator's mask. It
// does nothing when the mask has one CPU already, or more CPUs than a
// cpu_set_t holds (sched_getaffinity then fails with EINVAL).
void swb_hold_cpu(void)
{
	cpu_set_t one;
	int cpu;
	if (held || sched_getaffinity(0, sizeof held_from, &held_from) != 0 || CPU_COUNT(&held_from) < 2)
		return;
	cpu = sched_getcpu();
	if (cpu < 0 || cpu >= CPU_SETSIZE || !CPU_ISSET(cpu, &held_from))
		return;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	if (sched_setaffinity(0, sizeof one, &one) == 0)
		held = 1;
}

// swb_held_cpus copies the mask the process was started with into mask
// (size bytes, a cpu_set_t's at least) and returns 1 when swb_hold_cpu
// narrowed it, else 0.
int swb_held_cpus(void *mask, size_t size)
{
	if (!held || size < sizeof held_from)
		return 0;
	memcpy(mask, &held_from, sizeof held_from);
	return 1;
}
