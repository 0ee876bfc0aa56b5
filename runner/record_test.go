package runner

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

func TestRecordThenReplay(t *testing.T) {
	cmds := [][]string{
		{"/bin/ls", "/"},
		{"sh", "-c", "echo hi > /dev/null"},
	}
	for _, argv := range cmds {
		t.Run(strings.Join(argv, " "), func(t *testing.T) {
			res := runIt(t, Config{Mode: ModeRecord, Argv: argv})
			if res.verdict.Result != ResultPass {
				t.Fatalf("recording: %+v", res.verdict)
			}
			p := res.run.Recorded()
			if p == nil {
				t.Fatal("no recorded profile")
			}
			if p.DefaultAction != profile.ActErrno || p.DefaultErrno() != 1 || len(p.Syscalls) == 0 || len(p.Syscalls[0].Args) != 0 {
				t.Fatalf("recorded profile: %+v", p)
			}
			// After the names allowed whole, one rule per call and
			// combination of arguments (record_args.go).
			for _, r := range p.Syscalls[1:] {
				if slices.Equal(r.Names, []string{"clone3"}) && r.Action == profile.ActErrno && r.ErrnoRet != nil && *r.ErrnoRet == profile.ENOSYS {
					continue // record_clone3.go
				}
				if len(r.Names) != 1 || len(r.Args) == 0 || r.Action != profile.ActAllow || profile.RepeatsIndex(r.Args) {
					t.Errorf("recorded argument rule %+v", r)
				}
			}
			names := p.Syscalls[0].Names
			for _, n := range []string{"execve", "exit_group", "write"} {
				if !contains(names, n) && !(n == "write" && argv[0] == "/bin/ls") {
					t.Errorf("recorded names %v lack %s", names, n)
				}
			}
			if p.Architectures[0] != profile.NativeArch().Docker() {
				t.Errorf("architectures %v", p.Architectures)
			}
			counts := res.run.Counts()
			if counts["execve/"+string(profile.NativeArch())] < 1 || counts["exit_group/"+string(profile.NativeArch())] != 1 {
				t.Errorf("counts %v", counts)
			}
			// Save and load it back, then run the command under it.
			path := filepath.Join(t.TempDir(), "rec.json")
			if err := profile.SaveFresh(path, p); err != nil {
				t.Fatal(err)
			}
			loaded, err := profile.Load(path)
			if err != nil {
				t.Fatal(err)
			}
			e := loaded.Effective(profile.HostEnv())
			for _, mode := range []Mode{ModeWatch, ModeEnforce} {
				again := runIt(t, Config{Effective: e, Mode: mode, Argv: argv})
				if again.verdict.Result != ResultPass || again.stdout != res.stdout {
					t.Errorf("%s under the recording: %+v (denials %+v)\nstdout %q, recorded %q", mode, again.verdict, again.denials, again.stdout, res.stdout)
				}
			}
			// Something the recording did not see is denied.
			other := runIt(t, Config{Effective: e, Argv: []string{"sh", "-c", "mkdir " + t.TempDir() + "/x"}})
			if other.verdict.Result == ResultPass {
				t.Errorf("mkdir passed under a recording of %v", argv)
			}
		})
	}
}

func TestRecordOntoBase(t *testing.T) {
	// The base denies mkdir and getppid; the recording uses mkdir, so the
	// merged profile allows it, keeps the base's rules, and leaves getppid
	// denied.
	base := `{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"], "syscalls": [
		{"names": ["mkdir", "mkdirat", "getppid"], "action": "SCMP_ACT_ERRNO"}]}`
	dir := t.TempDir()
	res := runIt(t, Config{Mode: ModeRecord, Effective: eff(t, base), Argv: []string{"mkdir", dir + "/x"}})
	p := res.run.Recorded()
	if p == nil || res.verdict.Result != ResultPass {
		t.Fatalf("verdict %+v", res.verdict)
	}
	if len(p.Syscalls) != 2 || p.Syscalls[0].Action != profile.ActAllow || p.Syscalls[1].Action != profile.ActErrno {
		t.Fatalf("merged rules: %+v", p.Syscalls)
	}
	if got := strings.Join(p.Syscalls[0].Names, ","); got != "mkdir" && got != "mkdirat" {
		t.Errorf("the added rule allows %s, want only the mkdir call used", got)
	}
	if _, err := os.Stat(dir + "/x"); err != nil {
		t.Error("the recorded command did not run for real")
	}
	os.Remove(dir + "/x")
	e := p.Effective(profile.HostEnv())
	if again := runIt(t, Config{Effective: e, Argv: []string{"mkdir", dir + "/x"}}); again.verdict.Result != ResultPass {
		t.Errorf("replay: %+v", again.verdict)
	}
	if d, _ := e.DecideName(profile.NativeArch(), "getppid", [6]uint64{}, profile.Options{}); d.Action != profile.ActErrno {
		t.Errorf("getppid is %v in the merged profile, want the base's errno", d)
	}
}

func TestRecordCompatABI(t *testing.T) {
	needAmd64(t)
	res := runIt(t, Config{Mode: ModeRecord, Argv: []string{probe(t), "int80:20"}})
	p := res.run.Recorded()
	if p == nil || !contains(p.Architectures, "SCMP_ARCH_X86") {
		t.Fatalf("architectures %v, want x86 included", p.Architectures)
	}
	if res.run.Counts()["getpid/x86"] != 1 {
		t.Errorf("counts %v", res.run.Counts())
	}
	// x86's mmap takes its arguments in memory: a rule on its prot
	// would hold nothing there, so mmap is allowed by name.
	if notes := strings.Join(res.run.RecordedNotes(), "\n"); !strings.Contains(notes, "mmap is allowed by name: on x86 its prot is in memory") {
		t.Errorf("notes %q", notes)
	}
	for _, r := range p.Syscalls {
		if contains(r.Names, "mmap") && len(r.Args) > 0 {
			t.Errorf("a rule on mmap's arguments in a profile for x86: %+v", r)
		}
	}
	again := runIt(t, Config{Effective: p.Effective(profile.HostEnv()), Argv: []string{probe(t), "int80:20"}})
	if again.verdict.Result != ResultPass || strings.Contains(again.stdout, "-1") {
		t.Errorf("replay: %+v %q", again.verdict, again.stdout)
	}
}

// A recording allows what every program may need but a short run rarely
// shows. Proof on the kernel: a recording of a sleep that nobody stopped
// still lets the sleep be stopped and continued, which the kernel resumes
// through restart_syscall; without it in the profile the sleep fails.
func TestRecordAllowsWhatShortRunsMiss(t *testing.T) {
	cat := catalog.MustDefault()
	ent, _ := cat.Lookup("clock_nanosleep")
	nr, ok := ent.Number(profile.NativeArch())
	if !ok {
		t.Skip("no clock_nanosleep on this ABI")
	}
	// The child sleeps; once it is inside clock_nanosleep (its
	// /proc/PID/syscall says so) it gets $SIG and then SIGCONT. The grep
	// runs at least once however fast the child gets there, so the
	// recording and the replays take the same path.
	script := fmt.Sprintf(`sleep 1 & p=$!
while :; do
	grep -q '^State:.*Z' /proc/$p/status && exit 9
	read -r n rest </proc/$p/syscall && [ "$n" = %d ] && break
done
kill -$SIG $p; kill -CONT $p; wait $p`, nr)
	argv := []string{"sh", "-c", script}
	env := func(sig string) []string { return append(os.Environ(), "SIG="+sig) }

	// Names only: kill's signal is not the point here (with argument
	// rules the recording of SIGCONT would deny the SIGSTOP).
	res := runIt(t, Config{Mode: ModeRecord, Argv: argv, Env: env("CONT"), RecordNamesOnly: true})
	p := res.run.Recorded()
	if res.verdict.Result != ResultPass || p == nil {
		t.Fatalf("recording: %+v", res.verdict)
	}
	if res.run.Counts()["restart_syscall/"+string(profile.NativeArch())] != 0 {
		t.Fatal("the recording saw restart_syscall: it cannot show that the profile adds it")
	}
	names := p.Syscalls[0].Names
	for _, n := range []string{"restart_syscall", "rt_sigreturn", "exit", "exit_group"} {
		if !contains(names, n) {
			t.Errorf("recorded names lack %s: %v", n, names)
		}
	}
	sigreturn, _ := cat.Lookup("sigreturn")
	_, onNative := sigreturn.Number(profile.NativeArch())
	if contains(names, "sigreturn") != onNative {
		t.Errorf("sigreturn recorded %v, but it exists on %s: %v", contains(names, "sigreturn"), profile.NativeArch(), onNative)
	}

	e := p.Effective(profile.HostEnv())
	if again := runIt(t, Config{Effective: e, Mode: ModeEnforce, Argv: argv, Env: env("STOP")}); again.verdict.Result != ResultPass {
		t.Errorf("stopped and continued under the recording: %+v\n%s", again.verdict, again.stderr)
	}
	// The same profile without restart_syscall: the continued sleep fails.
	without := p.Clone()
	without.Syscalls[0].Names = slices.DeleteFunc(slices.Clone(names), func(n string) bool { return n == "restart_syscall" })
	res = runIt(t, Config{Effective: without.Effective(profile.HostEnv()), Mode: ModeEnforce, Argv: argv, Env: env("STOP")})
	if res.verdict.Result == ResultPass {
		t.Errorf("without restart_syscall the stopped sleep still passed: the test does not show what it should")
	}
}

// With a base, what the base already allows is not added again; what it
// denies is.
func TestRecordAlwaysOntoBase(t *testing.T) {
	base := `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["restart_syscall", "mkdir"], "action": "SCMP_ACT_ERRNO"}]}`
	res := runIt(t, Config{Mode: ModeRecord, Effective: eff(t, base), Argv: []string{"true"}})
	p := res.run.Recorded()
	if p == nil || len(p.Syscalls) != 2 || strings.Join(p.Syscalls[0].Names, ",") != "restart_syscall" {
		t.Fatalf("recorded onto the base: %+v", p)
	}
	if got := res.run.RecordedNames(); !slices.Equal(got, []string{"restart_syscall"}) {
		t.Errorf("RecordedNames %v", got)
	}
}

// Two recordings of different programs merge into one profile that allows
// what either used, with the counts summed; a run without a recording is
// refused.
func TestMergeRecorded(t *testing.T) {
	a := runIt(t, Config{Mode: ModeRecord, Argv: []string{"/bin/ls", "/"}})
	b := runIt(t, Config{Mode: ModeRecord, Argv: []string{"sh", "-c", "mkdir -p " + t.TempDir() + "/x"}})
	p, counts, names, err := MergeRecorded([]*Run{a.run, b.run})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"getdents64", "mkdir", "execve"} {
		if !contains(names, n) || !contains(p.Syscalls[0].Names, n) {
			t.Errorf("merged names %v lack %s", names, n)
		}
	}
	total := func(cs []SyscallCount) (n int) {
		for _, c := range cs {
			n += c.Count
		}
		return n
	}
	if got, want := total(counts), total(a.run.Syscalls())+total(b.run.Syscalls()); got != want {
		t.Errorf("merged %d calls, the runs made %d", got, want)
	}
	e := runIt(t, Config{Mode: ModeEnforce, Effective: p.Effective(profile.HostEnv()), Argv: []string{"/bin/true"}})
	if _, _, _, err := MergeRecorded([]*Run{a.run, e.run}); err == nil {
		t.Error("an enforce run was merged as a recording")
	}
}
