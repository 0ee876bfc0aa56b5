//go:build !lean

package runner

import (
	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
)

// The eBPF recorder's programs, written with cilium/ebpf's assembler so
// the build needs no compiler. Four programs share five maps:
//
//	tracked   hash   tgid -> state (pending, recording): the target's tree
//	counts    array  nr -> calls, for numbers whose arguments do not matter
//	argcounts hash   {nr, relevant args} -> calls, for the others
//	masks     array  nr -> bit i set: argument i matters (filled from Go)
//	lost      array  0: processes not tracked, 1: calls not stored
//
// All four are raw tracepoints (their arguments are the kernel's, not a
// formatted record): a classic tracepoint's perf event costs 70 ms to
// detach, as long as a whole short recording, and fills a record on every
// call. sys_enter (raw_syscalls:sys_enter: pt_regs and the number)
// counts a call of a tracked, recording thread group. sched_process_fork
// (the parent's and the child's task_struct) adds a child process to
// tracked with its parent's state; the tracepoint fires in kernel_clone before
// wake_up_new_task, so the child is tracked before it runs a single
// instruction. sched_process_exec turns a pending process into a
// recording one, and sched_process_exit removes a thread group when its
// last thread exits (group_dead), while its pid is still allocated: a pid
// is never reused while it is tracked.

// Map sizes: bounded, and every entry that does not fit is counted in
// lost, which makes the recording fail instead of silently shrinking.
const (
	ebpfMaxProcs   = 8192  // live processes of one run
	ebpfMaxNr      = 1024  // syscall numbers with an array slot
	ebpfMaxArgKeys = 32768 // distinct {nr, relevant args}
	ebpfLostProcs  = 0
	ebpfLostCalls  = 1
	ebpfArgKeySize = 8 + 6*8
	statePending   = 1
	stateRecording = 2
	bpfNoExist     = 1 // BPF_NOEXIST
	tsCompat       = 0x0002
	ebpfLicense    = "Dual MIT/GPL" // bpf_probe_read_kernel is GPL-only
	ebpfTrackedMap = "tracked"
	ebpfCountsMap  = "counts"
	ebpfArgMap     = "argcounts"
	ebpfMasksMap   = "masks"
	ebpfLostMap    = "lost"
	x32Bit         = int32(catalog.X32SyscallBit)
	// maskFilter in masks[nr]: the seccomp filter notifies the call and
	// the supervisor records (or answers) it, so the program skips it.
	maskFilter = 1 << 30
)

// kernelOffsets are the byte offsets the programs read from kernel
// structures, found in the running kernel's BTF.
type kernelOffsets struct {
	taskTgid     int32    // task_struct.tgid
	threadStatus int32    // task_struct.thread_info.status (x86: TS_COMPAT)
	regsArgs     [6]int32 // pt_regs: the registers of the six arguments
}

func ebpfMapSpecs() map[string]*ebpf.MapSpec {
	return map[string]*ebpf.MapSpec{
		ebpfTrackedMap: {Name: ebpfTrackedMap, Type: ebpf.Hash, KeySize: 4, ValueSize: 4, MaxEntries: ebpfMaxProcs},
		ebpfCountsMap:  {Name: ebpfCountsMap, Type: ebpf.Array, KeySize: 4, ValueSize: 8, MaxEntries: ebpfMaxNr},
		ebpfArgMap:     {Name: ebpfArgMap, Type: ebpf.Hash, KeySize: ebpfArgKeySize, ValueSize: 8, MaxEntries: ebpfMaxArgKeys},
		ebpfMasksMap:   {Name: ebpfMasksMap, Type: ebpf.Array, KeySize: 4, ValueSize: 4, MaxEntries: ebpfMaxNr},
		ebpfLostMap:    {Name: ebpfLostMap, Type: ebpf.Array, KeySize: 4, ValueSize: 8, MaxEntries: 2},
	}
}

// lookupTracked looks up the current thread group in tracked: r0 is the
// value or the program exits; r9 keeps the tgid, r10-4 holds it as a key.
func lookupTracked() asm.Instructions {
	return asm.Instructions{
		asm.FnGetCurrentPidTgid.Call(),
		asm.RSh.Imm(asm.R0, 32),
		asm.Mov.Reg(asm.R9, asm.R0),
		asm.StoreMem(asm.RFP, -4, asm.R0, asm.Word),
		asm.LoadMapPtr(asm.R1, 0).WithReference(ebpfTrackedMap),
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, -4),
		asm.FnMapLookupElem.Call(),
		asm.JEq.Imm(asm.R0, 0, "out"),
	}
}

// readKernelU32 reads the 32-bit word at base+off in kernel memory into
// r1 (through fp-8), jumping to lost when the read fails.
func readKernelU32(base asm.Register, off int32, lost string) asm.Instructions {
	return asm.Instructions{
		asm.Mov.Reg(asm.R3, base),
		asm.Add.Imm(asm.R3, off),
		asm.Mov.Reg(asm.R1, asm.RFP),
		asm.Add.Imm(asm.R1, -8),
		asm.Mov.Imm(asm.R2, 4),
		asm.FnProbeReadKernel.Call(),
		asm.JNE.Imm(asm.R0, 0, lost),
		asm.LoadMem(asm.R1, asm.RFP, -8, asm.Word),
	}
}

// bumpLost adds one to lost[slot] and leaves.
func bumpLost(label string, slot int64) asm.Instructions {
	return asm.Instructions{
		asm.StoreImm(asm.RFP, -4, slot, asm.Word).WithSymbol(label),
		asm.LoadMapPtr(asm.R1, 0).WithReference(ebpfLostMap),
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, -4),
		asm.FnMapLookupElem.Call(),
		asm.JEq.Imm(asm.R0, 0, "out"),
		asm.Mov.Imm(asm.R1, 1),
		asm.StoreXAdd(asm.R0, asm.R1, asm.DWord),
		asm.Ja.Label("out"),
	}
}

func exitZero() asm.Instructions {
	return asm.Instructions{
		asm.Mov.Imm(asm.R0, 0).WithSymbol("out"),
		asm.Return(),
	}
}

// sysEnterProg counts one call. Its number is taken as the low 32 bits
// of id, as seccomp_data.nr and the x86-64 dispatch take it: a number
// with high bits set runs the call of its low bits, so a kernel whose
// tracepoint reported the whole orig_ax must not make it unknown. Numbers with the x32 bit and calls through
// the i386 ABI (TS_COMPAT: the tracepoint gives no ABI, and the kernel
// marks the thread for the duration of a compat call) are left to the
// seccomp filter, which notifies exactly those.
func sysEnterProg(off kernelOffsets) asm.Instructions {
	insns := asm.Instructions{
		// Raw tracepoint arguments: (struct pt_regs *regs, long id).
		asm.LoadMem(asm.R7, asm.R1, 8, asm.DWord),
		asm.LoadMem(asm.R6, asm.R1, 0, asm.DWord),
	}
	insns = append(insns, lookupTracked()...)
	insns = append(insns,
		asm.LoadMem(asm.R1, asm.R0, 0, asm.Word),
		asm.JNE.Imm(asm.R1, stateRecording, "out"),
		asm.Mov.Reg32(asm.R7, asm.R7), // zero-extends: nr = (u32)id
		asm.JSet.Imm(asm.R7, x32Bit, "out"),
		asm.FnGetCurrentTask.Call(),
	)
	// Without the status the ABI is unknown: the call is lost.
	insns = append(insns, readKernelU32(asm.R0, off.threadStatus, "lostcall")...)
	insns = append(insns,
		asm.JSet.Imm(asm.R1, tsCompat, "out"),
		// r8 = masks[nr], 0 above the array.
		asm.Mov.Imm(asm.R8, 0),
		asm.JGE.Imm(asm.R7, ebpfMaxNr, "bykey"),
		asm.StoreMem(asm.RFP, -4, asm.R7, asm.Word),
		asm.LoadMapPtr(asm.R1, 0).WithReference(ebpfMasksMap),
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, -4),
		asm.FnMapLookupElem.Call(),
		asm.JEq.Imm(asm.R0, 0, "bykey"),
		asm.LoadMem(asm.R8, asm.R0, 0, asm.Word),
		asm.JSet.Imm(asm.R8, maskFilter, "out"),
		asm.JNE.Imm(asm.R8, 0, "bykey"),
		asm.LoadMapPtr(asm.R1, 0).WithReference(ebpfCountsMap),
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, -4),
		asm.FnMapLookupElem.Call(),
		asm.JEq.Imm(asm.R0, 0, "lostcall"),
		asm.Mov.Imm(asm.R1, 1),
		asm.StoreXAdd(asm.R0, asm.R1, asm.DWord),
		asm.Ja.Label("out"),
		// The key {nr, pad, args[6]} at r10-64, with the arguments that
		// do not matter zeroed.
		asm.StoreMem(asm.RFP, -64, asm.R7, asm.Word).WithSymbol("bykey"),
		asm.StoreImm(asm.RFP, -60, 0, asm.Word),
	)
	for i := range int16(6) {
		next := "arg" + string(rune('0'+i))
		insns = append(insns,
			asm.StoreImm(asm.RFP, -56+8*i, 0, asm.Word),
			asm.StoreImm(asm.RFP, -52+8*i, 0, asm.Word),
			asm.JSet.Imm(asm.R8, 1<<i, next+"read"),
			asm.Ja.Label(next),
			asm.Mov.Reg(asm.R1, asm.RFP).WithSymbol(next+"read"),
			asm.Add.Imm(asm.R1, int32(-56+8*i)),
			asm.Mov.Imm(asm.R2, 8),
			asm.Mov.Reg(asm.R3, asm.R6),
			asm.Add.Imm(asm.R3, off.regsArgs[i]),
			asm.FnProbeReadKernel.Call(),
			asm.JNE.Imm(asm.R0, 0, "lostcall"),
			asm.Mov.Imm(asm.R0, 0).WithSymbol(next),
		)
	}
	lookup := func(label string) asm.Instructions {
		return asm.Instructions{
			asm.LoadMapPtr(asm.R1, 0).WithReference(ebpfArgMap).WithSymbol(label),
			asm.Mov.Reg(asm.R2, asm.RFP),
			asm.Add.Imm(asm.R2, -64),
			asm.FnMapLookupElem.Call(),
		}
	}
	insns = append(insns, lookup("first")...)
	insns = append(insns,
		asm.JEq.Imm(asm.R0, 0, "insert"),
		asm.Mov.Imm(asm.R1, 1).WithSymbol("bump"),
		asm.StoreXAdd(asm.R0, asm.R1, asm.DWord),
		asm.Ja.Label("out"),
		asm.Mov.Imm(asm.R1, 1).WithSymbol("insert"),
		asm.StoreMem(asm.RFP, -72, asm.R1, asm.DWord),
		asm.LoadMapPtr(asm.R1, 0).WithReference(ebpfArgMap),
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, -64),
		asm.Mov.Reg(asm.R3, asm.RFP),
		asm.Add.Imm(asm.R3, -72),
		asm.Mov.Imm(asm.R4, bpfNoExist),
		asm.FnMapUpdateElem.Call(),
		asm.JEq.Imm(asm.R0, 0, "out"),
	)
	// Another CPU may have inserted the key meanwhile; otherwise the map
	// is full.
	insns = append(insns, lookup("again")...)
	insns = append(insns, asm.JNE.Imm(asm.R0, 0, "bump"))
	insns = append(insns, bumpLost("lostcall", ebpfLostCalls)...)
	return append(insns, exitZero()...)
}

// forkProg tracks a new process of a tracked one (a new thread belongs to
// its tracked thread group already).
func forkProg(off kernelOffsets) asm.Instructions {
	insns := asm.Instructions{
		// Raw tracepoint arguments: (struct task_struct *parent, *child).
		asm.LoadMem(asm.R6, asm.R1, 8, asm.DWord),
	}
	insns = append(insns, lookupTracked()...)
	insns = append(insns,
		asm.LoadMem(asm.R8, asm.R0, 0, asm.Word),
		asm.StoreMem(asm.RFP, -12, asm.R8, asm.Word),
	)
	insns = append(insns, readKernelU32(asm.R6, off.taskTgid, "lostproc")...)
	insns = append(insns,
		asm.JEq.Reg(asm.R1, asm.R9, "out"),
		asm.LoadMapPtr(asm.R1, 0).WithReference(ebpfTrackedMap),
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, -8),
		asm.Mov.Reg(asm.R3, asm.RFP),
		asm.Add.Imm(asm.R3, -12),
		asm.Mov.Imm(asm.R4, 0), // BPF_ANY
		asm.FnMapUpdateElem.Call(),
		asm.JEq.Imm(asm.R0, 0, "out"),
	)
	insns = append(insns, bumpLost("lostproc", ebpfLostProcs)...)
	return append(insns, exitZero()...)
}

// execProg starts the recording of a pending process at its execve: the
// shim's calls between the fork and the execve are not the target's.
func execProg() asm.Instructions {
	insns := lookupTracked()
	insns = append(insns,
		asm.StoreImm(asm.R0, 0, stateRecording, asm.Word),
	)
	return append(insns, exitZero()...)
}

// exitProg forgets a thread group when its last thread exits.
func exitProg() asm.Instructions {
	insns := asm.Instructions{
		// Raw tracepoint arguments: (struct task_struct *p, bool group_dead).
		asm.LoadMem(asm.R6, asm.R1, 8, asm.DWord),
	}
	insns = append(insns, lookupTracked()...)
	insns = append(insns,
		asm.And.Imm(asm.R6, 0xff),
		asm.Mov.Reg(asm.R1, asm.R6),
		asm.JEq.Imm(asm.R1, 0, "out"),
		asm.LoadMapPtr(asm.R1, 0).WithReference(ebpfTrackedMap),
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, -4),
		asm.FnMapDeleteElem.Call(),
	)
	return append(insns, exitZero()...)
}

func ebpfCollectionSpec(off kernelOffsets) *ebpf.CollectionSpec {
	prog := func(name string, typ ebpf.ProgramType, insns asm.Instructions) *ebpf.ProgramSpec {
		return &ebpf.ProgramSpec{Name: name, Type: typ, Instructions: insns, License: ebpfLicense}
	}
	return &ebpf.CollectionSpec{
		Maps: ebpfMapSpecs(),
		Programs: map[string]*ebpf.ProgramSpec{
			"sys_enter": prog("swb_sys_enter", ebpf.RawTracepoint, sysEnterProg(off)),
			"fork":      prog("swb_fork", ebpf.RawTracepoint, forkProg(off)),
			"exec":      prog("swb_exec", ebpf.RawTracepoint, execProg()),
			"exit":      prog("swb_exit", ebpf.RawTracepoint, exitProg()),
		},
	}
}
