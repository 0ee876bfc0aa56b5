//go:build !lean

package runner

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// The eBPF recorder's loading, following and draining: the part of the
// engine that needs cilium/ebpf, which the lean build does not link
// (ebpf_lean.go).

// ebpfRecorder is one run's programs, maps and links. They load in the
// background while the shim starts (parsing the kernel's BTF is most of
// the engine's fixed cost); ready is closed when loading has ended, with
// loadErr, or coll and links, set.
type ebpfRecorder struct {
	ready   chan struct{}
	loadErr error
	coll    *ebpf.Collection
	links   []link.Link
	// Set by drain.
	lostProcs, lostCalls uint64
	err                  error
	leftTracked          int // entries left in tracked: processes whose end was not seen
}

// kernelOffsetsNow finds the offsets the programs read in the running
// kernel's BTF.
func kernelOffsetsNow() (kernelOffsets, error) {
	var off kernelOffsets
	regs := []string{"di", "si", "dx", "r10", "r8", "r9"} // the x86-64 syscall ABI's argument registers
	m, err := structMembers(kernelBTF, map[string][]string{
		"task_struct": {"tgid", "thread_info"},
		"thread_info": {"status"},
		"pt_regs":     regs,
	})
	if err != nil {
		return off, fmt.Errorf("the eBPF recorder needs the kernel's BTF (%s): %w", kernelBTF, err)
	}
	off.taskTgid = m["task_struct"]["tgid"]
	off.threadStatus = m["task_struct"]["thread_info"] + m["thread_info"]["status"]
	for i, r := range regs {
		off.regsArgs[i] = m["pt_regs"][r]
	}
	return off, nil
}

func startEBPFRecorder(base *profile.Effective, namesOnly bool) *ebpfRecorder {
	r := &ebpfRecorder{ready: make(chan struct{})}
	go func() {
		defer close(r.ready)
		if r.loadErr = r.load(base, namesOnly); r.loadErr != nil {
			r.unload()
		}
	}()
	return r
}

func (r *ebpfRecorder) load(base *profile.Effective, namesOnly bool) error {
	off, err := kernelOffsetsNow()
	if err != nil {
		return err
	}
	if r.coll, err = ebpf.NewCollection(ebpfCollectionSpec(off)); err != nil {
		return fmt.Errorf("loading the eBPF recorder: %w", err)
	}
	if err := r.fillMasks(base, namesOnly); err != nil {
		return err
	}
	for _, a := range []struct{ tp, prog string }{
		{"sched_process_fork", "fork"}, {"sched_process_exec", "exec"},
		{"sched_process_exit", "exit"}, {"sys_enter", "sys_enter"},
	} {
		l, err := link.AttachRawTracepoint(link.RawTracepointOptions{Name: a.tp, Program: r.coll.Programs[a.prog]})
		if err != nil {
			return fmt.Errorf("attaching the eBPF recorder: %w", err)
		}
		r.links = append(r.links, l)
	}
	return nil
}

// fillMasks sets the arguments passed on for each syscall: its risky
// arguments (catalog.RiskyArgs, which the recording writes rules for,
// unless namesOnly) and those the base's rules test, so that judging a
// call against the base sees every argument its outcome depends on.
func (r *ebpfRecorder) fillMasks(base *profile.Effective, namesOnly bool) error {
	cat := catalog.MustDefault()
	native := profile.NativeArch()
	tested := map[string]uint32{}
	if base != nil {
		for _, rule := range base.Rules {
			for _, a := range rule.Args {
				for _, n := range rule.Names {
					if a.Index < 6 {
						tested[n] |= 1 << a.Index
					}
				}
			}
		}
	}
	masks := r.coll.Maps[ebpfMasksMap]
	for nr := range uint32(ebpfMaxNr) {
		ent, ok := cat.ByNumber(native, int64(nr))
		if !ok {
			continue
		}
		m := tested[ent.Name]
		if !namesOnly {
			for _, a := range cat.RiskyArgs(ent.Name) {
				if i := a.At(native); i >= 0 && i < 6 {
					m |= 1 << i
				}
			}
		}
		if slices.Contains(ebpfFilterCalls(namesOnly), ent.Name) {
			m = maskFilter
		}
		if m != 0 {
			if err := masks.Put(nr, m); err != nil {
				return fmt.Errorf("eBPF recorder: filling the argument masks: %w", err)
			}
		}
	}
	return nil
}

// track starts following pid (a host pid): pending until it execve's.
func (r *ebpfRecorder) track(pid int) error {
	<-r.ready
	if r.loadErr != nil {
		return fmt.Errorf("record: %w; use --engine notify", r.loadErr)
	}
	if err := r.coll.Maps[ebpfTrackedMap].Update(uint32(pid), uint32(statePending), ebpf.UpdateNoExist); err != nil {
		return fmt.Errorf("eBPF recorder: tracking the target (pid %d): %w", pid, err)
	}
	return nil
}

// drain stops the programs and feeds what they counted into rec (every
// process of the run is gone by then).
func (r *ebpfRecorder) drain(rec *recording) error {
	<-r.ready
	if r.coll == nil {
		return r.loadErr
	}
	for _, l := range r.links {
		l.Close()
	}
	r.links = nil
	native := profile.NativeArch()
	// The whole array in one call (BPF_MAP_LOOKUP_BATCH, Linux 5.6).
	keys, counts := make([]uint32, ebpfMaxNr), make([]uint64, ebpfMaxNr)
	var cursor ebpf.MapBatchCursor
	got, err := r.coll.Maps[ebpfCountsMap].BatchLookup(&cursor, keys, counts, nil)
	if err != nil && !errors.Is(err, ebpf.ErrKeyNotExist) {
		return fmt.Errorf("eBPF recorder: reading the counts: %w", err)
	}
	if got != ebpfMaxNr {
		return fmt.Errorf("eBPF recorder: reading the counts: %d of %d entries", got, ebpfMaxNr)
	}
	for i, n := range counts {
		if n > 0 {
			rec.addCount(native, int64(keys[i]), [6]uint64{}, n)
		}
	}
	var n uint64
	var akey [ebpfArgKeySize]byte
	it := r.coll.Maps[ebpfArgMap].Iterate()
	for it.Next(&akey, &n) {
		var args [6]uint64
		for i := range args {
			args[i] = binary.NativeEndian.Uint64(akey[8+8*i:])
		}
		rec.addCount(native, int64(binary.NativeEndian.Uint32(akey[:4])), args, n)
	}
	if err := it.Err(); err != nil {
		return fmt.Errorf("eBPF recorder: reading the counts: %w", err)
	}
	var pid, state uint32
	it = r.coll.Maps[ebpfTrackedMap].Iterate()
	for it.Next(&pid, &state) {
		r.leftTracked++
	}
	lost := r.coll.Maps[ebpfLostMap]
	if err := lost.Lookup(uint32(ebpfLostProcs), &r.lostProcs); err != nil {
		return err
	}
	return lost.Lookup(uint32(ebpfLostCalls), &r.lostCalls)
}

// incomplete is the error of a recording that missed something.
func (r *ebpfRecorder) incomplete() error {
	if r.lostProcs == 0 && r.lostCalls == 0 {
		return nil
	}
	return fmt.Errorf("the eBPF recorder's maps were full (%d processes not followed, %d calls not stored): the profile would be incomplete, so none is written; record again with --engine notify", r.lostProcs, r.lostCalls)
}

// close waits for the loading to end and unloads everything.
func (r *ebpfRecorder) close() {
	<-r.ready
	r.unload()
}

func (r *ebpfRecorder) unload() {
	for _, l := range r.links {
		l.Close()
	}
	r.links = nil
	if r.coll != nil {
		r.coll.Close()
		r.coll = nil
	}
}

// ebpfMapRefused says why the kernel refuses a BPF map ("" when it does
// not): what the capabilities allow a security module or a seccomp filter
// around the workbench may still refuse.
func ebpfMapRefused() string {
	m, err := ebpf.NewMap(&ebpf.MapSpec{Type: ebpf.Array, KeySize: 4, ValueSize: 4, MaxEntries: 1})
	if err != nil {
		return "the kernel refused a BPF map: " + err.Error()
	}
	m.Close()
	return ""
}
