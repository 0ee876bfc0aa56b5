//go:build !lean

package runner

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cilium/ebpf/btf"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// needEBPF skips where the eBPF recorder cannot run (not root, no BTF).
func needEBPF(t *testing.T) {
	t.Helper()
	needAmd64(t)
	if why := ebpfUnavailable(); why != "" {
		t.Skip(why)
	}
}

// recordWith records argv with engine and checks that it passed and was
// recorded by that engine.
func recordWith(t *testing.T, engine Engine, argv ...string) *result {
	t.Helper()
	res := runIt(t, Config{Mode: ModeRecord, Engine: engine, Argv: argv})
	if res.verdict.Result != ResultPass {
		t.Fatalf("%s recording of %v: %+v\nstdout %q\nstderr %q", engine, argv, res.verdict, res.stdout, res.stderr)
	}
	if got, why := res.run.RecordEngine(); got != engine {
		t.Fatalf("asked for %s, recorded with %s (%s)", engine, got, why)
	}
	if err := res.run.RecordError(); err != nil {
		t.Fatal(err)
	}
	if res.run.Recorded() == nil {
		t.Fatal("no recorded profile")
	}
	return res
}

func profileJSON(t *testing.T, p *profile.Profile) string {
	t.Helper()
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The same deterministic workloads give the same counts and the same
// profile under both engines.
func TestEBPFMatchesNotify(t *testing.T) {
	needEBPF(t)
	pr := probe(t)
	dir := t.TempDir()
	for _, f := range []string{"a", "b", "c"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte(f), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	work := t.TempDir()
	workloads := map[string][]string{
		"ls":    {"/bin/ls", "-la", dir},
		"probe": {pr, "openw:" + filepath.Join(work, "f"), "raw:41:1:1:0", "raw:41:1:2:0", "raw:16:-1:0x5401:0", "fork", "raw:102"},
		"sh":    {"/bin/sh", "-c", "/bin/ls " + dir + " >/dev/null; /bin/cat " + dir + "/a; /bin/true"},
	}
	for name, argv := range workloads {
		t.Run(name, func(t *testing.T) {
			n := recordWith(t, EngineNotify, argv...)
			e := recordWith(t, EngineEBPF, argv...)
			if n.stdout != e.stdout {
				t.Errorf("output differs:\nnotify %q\nebpf   %q", n.stdout, e.stdout)
			}
			if !slices.Equal(n.run.Syscalls(), e.run.Syscalls()) {
				t.Errorf("counts differ:\nnotify %v\nebpf   %v", n.run.Syscalls(), e.run.Syscalls())
			}
			if a, b := profileJSON(t, n.run.Recorded()), profileJSON(t, e.run.Recorded()); a != b {
				t.Errorf("profiles differ:\nnotify %s\nebpf   %s", a, b)
			}
			if a, b := n.run.RecordedNotes(), e.run.RecordedNotes(); !slices.Equal(a, b) {
				t.Errorf("notes differ:\nnotify %q\nebpf   %q", a, b)
			}
		})
	}
}

// Onto a base whose rule tests an argument that does not otherwise
// matter (write's fd), each call is judged on its real value: the
// write to fd 2 the base refuses is added, as with notify.
func TestEBPFOntoBaseSeesTestedArguments(t *testing.T) {
	needEBPF(t)
	base := eff(t, `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["write"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 2, "op": "SCMP_CMP_EQ"}]}]}`)
	argv := []string{probe(t), "raw:1:2:0:0"} // write(2, NULL, 0)
	for _, engine := range []Engine{EngineNotify, EngineEBPF} {
		res := runIt(t, Config{Mode: ModeRecord, Engine: engine, Effective: base, Argv: argv})
		if got, _ := res.run.RecordEngine(); got != engine || res.run.Recorded() == nil {
			t.Fatalf("%s: engine %s, verdict %+v", engine, got, res.verdict)
		}
		if names := res.run.RecordedNames(); !slices.Equal(names, []string{"write"}) {
			t.Errorf("%s: added %v, want [write]", engine, names)
		}
	}
}

// clone3, which the recording answers ENOSYS, goes through the filter and
// the supervisor in both engines; where a base lets it through it runs and
// is counted once, not once more by the BPF program.
func TestEBPFClone3(t *testing.T) {
	needEBPF(t)
	argv := []string{argprobe(t), "clone3:0"}
	for _, c := range []struct {
		base *profile.Effective
		want int
	}{{nil, 0}, {eff(t, allowAll), 1}} {
		var outs []string
		for _, engine := range []Engine{EngineNotify, EngineEBPF} {
			res := runIt(t, Config{Mode: ModeRecord, Engine: engine, Effective: c.base, Argv: argv})
			if got, _ := res.run.RecordEngine(); got != engine || res.run.Recorded() == nil {
				t.Fatalf("%s: engine %s, verdict %+v", engine, got, res.verdict)
			}
			if n := res.run.Counts()["clone3/x86_64"]; n != c.want {
				t.Errorf("%s, base %v: clone3 counted %d times, want %d", engine, c.base != nil, n, c.want)
			}
			outs = append(outs, res.stdout)
		}
		if outs[0] != outs[1] {
			t.Errorf("base %v: the program saw %q under notify, %q under ebpf", c.base != nil, outs[0], outs[1])
		}
	}
}

// Every process of the tree is recorded: forked children, a grandchild
// forked at once, a thread, and children that execve other programs; the
// shim's own calls between its fork and the target's execve are not.
func TestEBPFFollowsTheTree(t *testing.T) {
	needEBPF(t)
	pr := probe(t)
	dir := t.TempDir()
	res := recordWith(t, EngineEBPF, "/bin/sh", "-c",
		pr+" raw:24 fork raw:100 fork fork raw:99 & "+pr+" thread raw:98 & wait; /bin/mkdir "+dir+"/made")
	if _, err := os.Stat(filepath.Join(dir, "made")); err != nil {
		t.Fatal(err)
	}
	names := res.run.Recorded().Syscalls[0].Names
	// Calls neither sh nor the probe makes otherwise.
	for _, want := range []string{"sched_yield", "times", "sysinfo", "getrusage"} {
		if !slices.Contains(names, want) {
			t.Errorf("%s (from a process of the tree) not recorded: %v", want, names)
		}
	}
	if !slices.Contains(names, "mkdir") && !slices.Contains(names, "mkdirat") {
		t.Errorf("the exec'd mkdir's call not recorded: %v", names)
	}
	// Each process left tracked when its last thread exited, the thread's
	// exit before it did not.
	if n := res.run.p.bpf.leftTracked; n != 0 {
		t.Errorf("%d processes still tracked after the run", n)
	}
	for _, shim := range []string{"seccomp", "capset", "sendmsg"} {
		if slices.Contains(names, shim) {
			t.Errorf("%s, a call of the shim before the target's execve, was recorded: %v", shim, names)
		}
	}
}

// Without namespaces of its own the target's pids are the workbench's:
// the same recording.
func TestEBPFWithoutNamespaces(t *testing.T) {
	needEBPF(t)
	argv := []string{"/bin/sh", "-c", "/bin/ls / >/dev/null; /bin/true"}
	n := recordWith(t, EngineNotify, argv...)
	res := runIt(t, Config{Mode: ModeRecord, Engine: EngineEBPF, Argv: argv, Isolate: IsolateNone})
	if res.verdict.Result != ResultPass || res.run.Recorded() == nil {
		t.Fatalf("verdict %+v", res.verdict)
	}
	if a, b := profileJSON(t, n.run.Recorded()), profileJSON(t, res.run.Recorded()); a != b {
		t.Errorf("profiles differ:\nnotify %s\nebpf   %s", a, b)
	}
}

// The main thread's exit does not end the recording of the threads that
// go on: a thread group is forgotten only when its last thread exits.
func TestEBPFLeaderExitsFirst(t *testing.T) {
	needEBPF(t)
	bin := buildBinary(t, "leaderexit", "leaderexit.c")
	res := recordWith(t, EngineEBPF, bin)
	if res.run.Counts()["sched_yield/x86_64"] != 1 {
		t.Errorf("the surviving thread's sched_yield: %v", res.run.Syscalls())
	}
}

// The attack from inside: a root target (Docker's default capabilities)
// tries to find the recorder's maps by id and open them. The kernel wants
// CAP_SYS_ADMIN for both, which the target does not keep.
func TestEBPFTargetCannotReachTheMaps(t *testing.T) {
	needEBPF(t)
	bin := buildBinary(t, "bpfpeek", "bpfpeek.c")
	res := recordWith(t, EngineEBPF, bin)
	if res.stdout != "next_id = EPERM\nopened 0 maps, last error EPERM\n" {
		t.Errorf("the target reached BPF maps: %q", res.stdout)
	}
}

// A call through the i386 ABI (int 0x80 from a 64-bit program: the
// tracepoint cannot tell its ABI) is recorded through the seccomp filter
// as x86's getpid, not as x86_64's call of the same number (writev), and
// the recording replays.
func TestEBPFCompatCall(t *testing.T) {
	needEBPF(t)
	pr := probe(t)
	res := recordWith(t, EngineEBPF, pr, "int80:20", "raw:0x40000066")
	counts := res.run.Counts()
	if counts["getpid/x86"] != 1 {
		t.Errorf("the x86 getpid: counts %v", counts)
	}
	// x32's getuid (the x32 bit on 102): the filter's, whether or not
	// this kernel runs x32 calls.
	if counts["getuid/x32"] != 1 || counts["getuid/x86_64"] != 0 {
		t.Errorf("the x32 getuid: counts %v", counts)
	}
	if counts["writev/x86_64"] != 0 {
		t.Errorf("the int 0x80 call was also counted as x86_64's writev: %v", counts)
	}
	p := res.run.Recorded()
	if !slices.Contains(p.Architectures, "SCMP_ARCH_X86") {
		t.Errorf("architectures %v lack x86", p.Architectures)
	}
	for _, mode := range []Mode{ModeWatch, ModeEnforce} {
		again := runIt(t, Config{Effective: p.Effective(profile.HostEnv()), Mode: mode, Argv: []string{pr, "int80:20", "raw:0x40000066"}})
		if again.verdict.Result != ResultPass || strings.Contains(again.stdout, "int80 20 = -1") || strings.Contains(again.stdout, "EPERM") || len(again.denials) > 0 {
			t.Errorf("%s replay: %+v %q (denials %+v)", mode, again.verdict, again.stdout, again.denials)
		}
	}
}

// A number with high bits set runs the call of its low 32 bits (x86-64
// dispatches on the 32-bit number, as seccomp judges it), though the
// tracepoint's id is the whole register: the recorder records getppid,
// not an unknown number, so the call cannot hide that way.
func TestEBPFHighBitsOfTheNumber(t *testing.T) {
	needEBPF(t)
	pr := probe(t)
	res := recordWith(t, EngineEBPF, pr, "raw:0x10000006e")
	if strings.Contains(res.stdout, "-1") {
		t.Skipf("this kernel refuses the number: %q", res.stdout)
	}
	if !slices.Contains(res.run.Recorded().Syscalls[0].Names, "getppid") {
		t.Errorf("getppid through 0x10000006e not recorded: %v", res.run.Syscalls())
	}
}

// Replaying the eBPF recording of real programs passes, and it stays
// tight: what they did not do is denied.
func TestEBPFRecordingReplays(t *testing.T) {
	needEBPF(t)
	for _, argv := range [][]string{{"/bin/ls", "/"}, {"/bin/sh", "-c", "echo hi | /bin/cat"}} {
		res := recordWith(t, EngineEBPF, argv...)
		e := res.run.Recorded().Effective(profile.HostEnv())
		for _, mode := range []Mode{ModeWatch, ModeEnforce} {
			again := runIt(t, Config{Effective: e, Mode: mode, Argv: argv})
			if again.verdict.Result != ResultPass || strings.Contains(again.stdout, "int80 20 = -1") || strings.Contains(again.stdout, "EPERM") || len(again.denials) > 0 {
				t.Errorf("%v, %s under the recording: %+v (denials %+v)", argv, mode, again.verdict, again.denials)
			}
		}
		other := runIt(t, Config{Effective: e, Argv: []string{"/bin/sh", "-c", "mkdir " + t.TempDir() + "/x"}})
		if other.verdict.Result == ResultPass {
			t.Errorf("mkdir passed under the recording of %v", argv)
		}
	}
}

// More distinct argument values than the map holds: the recording fails
// rather than leave some out.
func TestEBPFFullMapFails(t *testing.T) {
	needEBPF(t)
	flood := buildBinary(t, "argflood", "argflood.c")
	res := runIt(t, Config{Mode: ModeRecord, Engine: EngineEBPF, Argv: []string{flood, "40000"}})
	if res.verdict.Result != ResultPass {
		t.Fatalf("verdict %+v", res.verdict)
	}
	err := res.run.RecordError()
	if err == nil || !strings.Contains(err.Error(), "calls not stored") {
		t.Fatalf("RecordError = %v", err)
	}
	if res.run.Recorded() != nil {
		t.Error("an incomplete recording was returned")
	}
	if _, _, _, err := MergeRecorded([]*Run{res.run}); err == nil {
		t.Error("MergeRecorded took an incomplete recording")
	}
}

// The engine names: the ebpf engine goes with record mode only, and not
// for a target that keeps CAP_SYS_ADMIN (it could open the maps by id).
func TestEngineChoice(t *testing.T) {
	needEBPF(t)
	argv := []string{"true"}
	if _, err := Start(t.Context(), Config{Mode: ModeRecord, Engine: EngineEBPF, Caps: []string{"CAP_SYS_ADMIN"}, Argv: argv}); err == nil || !strings.Contains(err.Error(), "CAP_SYS_ADMIN") {
		t.Errorf("ebpf for a target with CAP_SYS_ADMIN: %v", err)
	}
	res := runIt(t, Config{Mode: ModeRecord, Caps: []string{"CAP_SYS_ADMIN"}, Argv: argv})
	if e, why := res.run.RecordEngine(); e != EngineNotify || !strings.Contains(why, "CAP_SYS_ADMIN") {
		t.Errorf("auto for a target with CAP_SYS_ADMIN: %s (%s)", e, why)
	}
	res = runIt(t, Config{Mode: ModeRecord, Argv: argv})
	if e, why := res.run.RecordEngine(); e != EngineEBPF {
		t.Errorf("auto as root: %s (%s)", e, why)
	}
	if _, err := ParseEngine("bpf"); err == nil {
		t.Error("ParseEngine took bpf")
	}
	if _, err := Start(t.Context(), Config{Mode: ModeWatch, Engine: EngineEBPF, Effective: eff(t, allowAll), Argv: []string{"true"}}); err == nil || !strings.Contains(err.Error(), "record mode") {
		t.Errorf("ebpf in watch mode: %v", err)
	}
}

// The BTF walk finds the offsets cilium/ebpf's full decoder finds.
func TestKernelOffsetsAgreeWithCilium(t *testing.T) {
	if _, err := os.Stat(kernelBTF); err != nil {
		t.Skip(err)
	}
	off, err := kernelOffsetsNow()
	if err != nil {
		t.Fatal(err)
	}
	spec, err := btf.LoadKernelSpec()
	if err != nil {
		t.Fatal(err)
	}
	member := func(s, m string) int32 {
		var st *btf.Struct
		if err := spec.TypeByName(s, &st); err != nil {
			t.Fatal(err)
		}
		for _, mem := range st.Members {
			if mem.Name == m {
				return int32(mem.Offset.Bytes())
			}
		}
		t.Fatalf("%s has no %s", s, m)
		return 0
	}
	if want := member("task_struct", "tgid"); off.taskTgid != want {
		t.Errorf("tgid at %d, cilium says %d", off.taskTgid, want)
	}
	if want := member("task_struct", "thread_info") + member("thread_info", "status"); off.threadStatus != want {
		t.Errorf("status at %d, cilium says %d", off.threadStatus, want)
	}
	for i, r := range []string{"di", "si", "dx", "r10", "r8", "r9"} {
		if want := member("pt_regs", r); off.regsArgs[i] != want {
			t.Errorf("pt_regs.%s at %d, cilium says %d", r, off.regsArgs[i], want)
		}
	}
	if _, err := structMembers(kernelBTF, map[string][]string{"task_struct": {"no_such_member"}}); err == nil {
		t.Error("a missing member was not an error")
	}
}
