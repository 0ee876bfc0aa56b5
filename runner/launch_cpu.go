package runner

// Keeping to one CPU while a run is launched.
//
// Kernel rules: a process's memory map is live on every CPU one of its
// threads ran on, and a change to it that must reach the TLBs (a write
// fault that replaces a present page table entry: copy-on-write of a data
// page fault-around mapped read-only, or of the zero page a read mapped;
// munmap; mprotect) interrupts each of those CPUs and waits for it to
// answer (flush_tlb_mm_range, an IPI per CPU). Waking a thread whose CPU
// is idle is an interrupt too. The Go runtime spreads its threads
// (sysmon, the ones that take over a P during a system call, GC workers)
// over every CPU from the start, so the few hundred page faults of a
// launch mostly become IPIs; on a VM each is a trap into the hypervisor
// on both sides, and while the host is busy the other vCPU answers late:
// in a perf profile of 200 warm launches on the development VM in such an
// hour, 10% of all CPU time was smp_call_function_many_cond, 70% of it
// from write faults.
//
// So `seccomp-workbench run` keeps to the CPU it starts on: a
// constructor in the CLI (swb_hold_cpu, launch_cpu.c) narrows the first
// thread's mask before the runtime exists, and every thread inherits it
// (the runtime then sets GOMAXPROCS to 1, and runtime.NumCPU, read once
// at start, says 1 for the whole process: nothing on run's path may size
// work by it). The shim inherits it too and
// is given the mask the workbench was started with (shimCPUArgs,
// SHIM_CPUS_ARG): it sets up on the other CPUs and restores the whole
// mask before it forks the target, so the target and everything it
// starts run with the caller's mask. A run that has work of its own
// after the launch (a supervisor, output or input to relay) releases the
// hold once the filter is built (releaseCPU, in the background: with one
// P it runs while the launch waits for the target); one that only waits
// for the target keeps it to the end.

// #include "shim.h"
import "C"

import (
	"encoding/hex"
	"os"
	"runtime"
	"strconv"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// startCPUs returns the CPU mask the process was started with, when
// swb_hold_cpu narrowed it.
func startCPUs() (unix.CPUSet, bool) {
	var set unix.CPUSet
	ok := C.swb_held_cpus(unsafe.Pointer(&set), C.size_t(unsafe.Sizeof(set))) == 1
	return set, ok
}

// shimCPUArgs is the shim's argument with the mask the workbench was
// started with, or nothing when it did not narrow it. It is given even
// after releaseCPU: a thread that the release missed would otherwise
// pass one CPU on to the target.
func shimCPUArgs() []string {
	set, ok := startCPUs()
	if !ok {
		return nil
	}
	b := unsafe.Slice((*byte)(unsafe.Pointer(&set)), unsafe.Sizeof(set))
	n := len(b)
	for n > 0 && b[n-1] == 0 {
		n--
	}
	return []string{C.SHIM_CPUS_ARG + hex.EncodeToString(b[:n])}
}

var cpuRelease sync.Once

// releaseCPU gives each thread of the process the mask it was started
// with, and GOMAXPROCS the default for that mask unless the environment
// sets it. A thread created while the release goes on inherits its
// creator's mask, the old one if the creator was not done yet, so the
// threads are listed again until a listing shows none not done.
func releaseCPU() {
	cpuRelease.Do(func() {
		set, ok := startCPUs()
		if !ok {
			return
		}
		done := make(map[int]bool, 8)
		for {
			ents, err := os.ReadDir("/proc/self/task")
			if err != nil {
				return
			}
			fresh := false
			for _, e := range ents {
				tid, err := strconv.Atoi(e.Name())
				if err != nil || done[tid] {
					continue
				}
				done[tid], fresh = true, true
				// ESRCH: the thread has exited since the listing.
				unix.SchedSetaffinity(tid, &set)
			}
			if !fresh {
				break
			}
		}
		if n, err := strconv.Atoi(os.Getenv("GOMAXPROCS")); err != nil || n <= 0 {
			runtime.SetDefaultGOMAXPROCS()
		}
	})
}
