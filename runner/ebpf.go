package runner

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/cbpf"
	"github.com/seccomp-workbench/seccomp-workbench/profile/compile"
)

// Engine selects how record mode observes the target's calls.
type Engine string

const (
	// EngineAuto records with eBPF where the workbench may load tracing
	// programs and with notify elsewhere; RecordEngine says which.
	EngineAuto Engine = "auto"
	// EngineNotify routes every call through the seccomp listener: the
	// target stops at each call until the supervisor has counted it.
	EngineNotify Engine = "notify"
	// EngineEBPF counts native calls in a BPF program on the syscall-entry
	// tracepoint, without stopping the target; the seccomp filter notifies
	// only the calls the tracepoint cannot attribute to an ABI (i386 and
	// x32). It needs CAP_BPF and CAP_PERFMON (root has both).
	EngineEBPF Engine = "ebpf"
)

// ParseEngine accepts auto, notify or ebpf ("" is auto).
func ParseEngine(s string) (Engine, error) {
	switch Engine(s) {
	case "":
		return EngineAuto, nil
	case EngineAuto, EngineNotify, EngineEBPF:
		return Engine(s), nil
	}
	return "", fmt.Errorf("unknown engine %q: use auto, notify or ebpf", s)
}

// procPidInitIno is the inode of the initial PID namespace
// (PROC_PID_INIT_INO): BPF helpers report pids as that namespace numbers
// them, and the workbench must number them the same way.
const procPidInitIno = 0xEFFFFFFC

// kernelBTF describes the running kernel's types.
const kernelBTF = "/sys/kernel/btf/vmlinux"

// ebpfUnavailable says why the eBPF recorder cannot run in this
// workbench ("" when it can, as far as can be told before loading).
func ebpfUnavailable() string {
	if why := EBPFWhyNot(); why != "" {
		return why
	}
	return ebpfMapRefused()
}

// EBPFWhyNot says why this workbench cannot load the eBPF recorder, as
// far as the host, its capabilities, its PID namespace, the kernel's BTF
// and tracepoints tell ("" when none of these stands in the way; the
// kernel may still refuse a BPF map, which only the full build can try).
func EBPFWhyNot() string {
	if runtime.GOARCH != "amd64" {
		return "the eBPF recorder supports x86_64 hosts only"
	}
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return "reading the workbench's capabilities: " + err.Error()
	}
	eff := uint64(data[0].Effective) | uint64(data[1].Effective)<<32
	var missing []string
	for _, c := range []struct {
		bit  uint
		name string
	}{{unix.CAP_BPF, "CAP_BPF"}, {unix.CAP_PERFMON, "CAP_PERFMON"}} {
		if eff&(1<<c.bit) == 0 {
			missing = append(missing, c.name)
		}
	}
	if len(missing) > 0 {
		return "the eBPF recorder needs CAP_BPF and CAP_PERFMON (root has both), and the workbench lacks " + strings.Join(missing, " and ")
	}
	var st unix.Stat_t
	if err := unix.Stat("/proc/self/ns/pid", &st); err != nil || st.Ino != procPidInitIno {
		return "the workbench runs in a PID namespace of its own, and eBPF reports the host's pids"
	}
	if _, err := os.Stat(kernelBTF); err != nil {
		return "the eBPF recorder needs the kernel's BTF (" + kernelBTF + "): " + errors.Unwrap(err).Error()
	}
	if _, err := tracepointField("sched", "sched_process_exit", "bool group_dead"); err != nil {
		return err.Error()
	}
	return ""
}

// chooseEngine resolves e for a run in mode m whose target may keep caps:
// the engine, why (for auto), and for eBPF the recorder, loading.
// base is the profile a recording is judged against (nil for none);
// namesOnly, that it writes no argument rules.
func chooseEngine(e Engine, m Mode, caps []string, base *profile.Effective, namesOnly bool) (Engine, string, *ebpfRecorder, error) {
	e, err := ParseEngine(string(e))
	if err != nil {
		return "", "", nil, err
	}
	if m != ModeRecord {
		if e == EngineEBPF {
			return "", "", nil, fmt.Errorf("the ebpf engine records: it goes with record mode, not %s", m)
		}
		return EngineNotify, "", nil, nil
	}
	if e == EngineNotify {
		return EngineNotify, "as asked", nil, nil
	}
	why := ebpfUnavailable()
	if why == "" && profile.CapMask(caps)&(1<<unix.CAP_SYS_ADMIN) != 0 {
		// BPF_MAP_GET_FD_BY_ID takes CAP_SYS_ADMIN alone: such a target
		// could open the recorder's maps and rewrite what they say.
		why = "the target keeps CAP_SYS_ADMIN, with which it could open the recorder's BPF maps"
	}
	if why == "" {
		return EngineEBPF, "the workbench has CAP_BPF and CAP_PERFMON", startEBPFRecorder(base, namesOnly), nil
	}
	if e == EngineEBPF {
		return "", "", nil, errors.New("record --engine ebpf: " + why + "; use --engine notify")
	}
	return EngineNotify, why, nil, nil
}

// tracepointField returns a field's offset from a tracepoint's format
// file. The raw tracepoint sched_process_exit's second argument,
// group_dead, is new in 6.16; the classic tracepoint's format shows
// whether it is there.
func tracepointField(group, name, field string) (int, error) {
	path := "/sys/kernel/tracing/events/" + group + "/" + name + "/format"
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("tracefs: %w", err)
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		rest, ok := strings.CutPrefix(strings.TrimSpace(line), "field:"+field+";")
		if !ok {
			continue
		}
		var off int
		if _, err := fmt.Sscanf(strings.TrimSpace(rest), "offset:%d;", &off); err == nil {
			return off, nil
		}
	}
	return 0, fmt.Errorf("%s: no field %q (a kernel before 6.16 does not report group_dead)", path, field)
}

// addCount records n calls of nr with args (the arguments that matter,
// the others zero): the observation goes through add once, and the count
// is made up to n.
func (r *recording) addCount(arch catalog.Arch, nr int64, args [6]uint64, n uint64) {
	r.add(arch, nr, args)
	r.counts[archNr{arch, nr}] += int(n) - 1
}

// ebpfFilterCalls are the native calls the seccomp filter still
// notifies in a run recorded with eBPF: clone3, which a recording with
// argument rules answers ENOSYS (record_clone3.go) — a tracepoint cannot
// answer a call.
func ebpfFilterCalls(namesOnly bool) []string {
	if namesOnly {
		return nil
	}
	return []string{clone3Name}
}

// ebpfFilter is the seccomp filter of a run recorded with eBPF: it allows
// every native call (the BPF program counts those) but calls, and
// notifies the rest: another ABI (i386 through int 0x80 on x86_64, where
// the tracepoint gives no ABI) and numbers with the x32 bit (which the BPF
// program skips, as the kernel marks x32 calls only by that bit).
func ebpfFilter(calls []string) (*compile.Program, error) {
	native := profile.NativeArch()
	ai, _ := native.Info()
	cat := catalog.MustDefault()
	var nrs []uint32
	for _, c := range calls {
		if ent, ok := cat.Lookup(c); ok {
			if nr, ok := ent.Number(native); ok {
				nrs = append(nrs, uint32(nr))
			}
		}
	}
	// The last instruction notifies; a skip counts from the next one.
	n := 6 + len(nrs)
	toNotify := func(i int) uint8 { return uint8(n - 1 - (i + 1)) }
	insns := []bpf.Instruction{
		bpf.LoadAbsolute{Off: cbpf.OffArch, Size: 4},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: ai.Audit, SkipFalse: toNotify(1)},
		bpf.LoadAbsolute{Off: cbpf.OffNr, Size: 4},
		bpf.JumpIf{Cond: bpf.JumpBitsSet, Val: catalog.X32SyscallBit, SkipTrue: toNotify(3)},
	}
	for _, nr := range nrs {
		insns = append(insns, bpf.JumpIf{Cond: bpf.JumpEqual, Val: nr, SkipTrue: toNotify(len(insns))})
	}
	insns = append(insns,
		bpf.RetConstant{Val: unix.SECCOMP_RET_ALLOW},
		bpf.RetConstant{Val: unix.SECCOMP_RET_USER_NOTIF},
	)
	raw, err := bpf.Assemble(insns)
	if err != nil {
		return nil, err
	}
	return &compile.Program{Insns: raw, Effective: &profile.Effective{Arches: []catalog.Arch{native}}}, nil
}

// ackTracked tells the target's shim child, which waits for it before it
// installs the filter, that the recorder follows it.
func ackTracked(handoff int) error {
	_, err := unix.Write(handoff, []byte{'T'})
	if err != nil {
		return os.NewSyscallError("write handoff", err)
	}
	return nil
}

// followTarget, for a run recorded with eBPF, tracks the target's main
// process (pid as the workbench's, the initial, PID namespace numbers it)
// and lets it go on to its filter and execve.
func (r *Run) followTarget(pid int, handoff int) error {
	if r.p.bpf == nil {
		return nil
	}
	if err := r.p.bpf.track(pid); err != nil {
		return err
	}
	return ackTracked(handoff)
}

// drainEBPF collects the eBPF recorder's counts into the recording and
// unloads it; the run's processes are all gone.
func (r *Run) drainEBPF() {
	b := r.p.bpf
	if b == nil {
		return
	}
	if r.rec != nil && r.end.startCode == 0 {
		if err := b.drain(r.rec); err != nil {
			b.err = err
		} else {
			b.err = b.incomplete()
		}
	}
	b.close()
}

// RecordEngine says which engine records a record-mode run and why
// (what auto found); "" in other modes.
func (r *Run) RecordEngine() (Engine, string) {
	if r.mode != ModeRecord {
		return "", ""
	}
	return r.p.engine, r.p.engineWhy
}

// RecordError is, after a record-mode run, why its recording cannot be
// trusted to be complete (the eBPF recorder lost observations); Recorded
// is nil then.
func (r *Run) RecordError() error {
	if r.p.bpf == nil {
		return nil
	}
	return r.p.bpf.err
}
