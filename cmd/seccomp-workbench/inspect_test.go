package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/diff"
	"github.com/seccomp-workbench/seccomp-workbench/profile/export"
)

// Inspecting real processes: under the workbench's own filter, under
// bubblewrap with an exported program, in a runc container, and under two
// stacked filters. Reading filters needs CAP_SYS_ADMIN: these run as root.

func needRootInspect(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("inspect needs CAP_SYS_ADMIN: run the tests as root (make test)")
	}
}

// startTarget starts a long-running command in the background and finds
// the process whose command line is exactly want (the command's own pid,
// or a descendant's, when a sandbox starts it).
func startTarget(t *testing.T, extra []*os.File, want []string, name string, args ...string) int {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.ExtraFiles = extra
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	})
	wantLine := strings.Join(want, "\x00") + "\x00"
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		ents, _ := os.ReadDir("/proc")
		for _, e := range ents {
			pid, err := strconv.Atoi(e.Name())
			if err != nil {
				continue
			}
			if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid)); err == nil && string(b) == wantLine {
				return pid
			}
		}
		if cmd.ProcessState != nil {
			break
		}
	}
	t.Fatalf("no process %q appeared; %s said: %s", want, name, out.String())
	return 0
}

// inspectDiff inspects pid, saves the recovered profile with -o and
// diffs it with want, resolved for env; it returns the --json report.
func inspectDiff(t *testing.T, pid int, want *profile.Profile, env profile.Env) inspectReport {
	t.Helper()
	out := filepath.Join(t.TempDir(), "recovered.json")
	stdout, stderr, code := workbenchExec(t, "", "inspect", strconv.Itoa(pid), "--json", "-o", out)
	if code != 0 {
		t.Fatalf("inspect exit %d: %s", code, stderr)
	}
	var rep inspectReport
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("inspect --json: %v\n%s", err, stdout)
	}
	got, err := profile.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	if cs := diff.Diff(want.Effective(env), got.Effective(env)); len(cs) > 0 {
		for i, c := range cs {
			if i < 10 {
				t.Errorf("differs: %s", c)
			}
		}
	}
	// The process is left running and untraced.
	st, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil || !strings.Contains(string(st), "TracerPid:\t0\n") {
		t.Errorf("after inspect the process is gone or still traced: %v", err)
	}
	return rep
}

func dockerDefault(t *testing.T) *profile.Profile {
	t.Helper()
	p, err := profile.Open("preset:docker-default")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestInspectWorkbenchRun(t *testing.T) {
	needRootInspect(t)
	wb := workbenchBinary(t)
	pid := startTarget(t, nil, []string{"sleep", "41.5"}, wb, "run", "--mode", "enforce", "--profile", "preset:docker-default", "--", "sleep", "41.5")
	rep := inspectDiff(t, pid, dockerDefault(t), profile.HostEnv())
	if rep.Mode != "filter" || len(rep.Filters) != 1 || rep.Checked == 0 {
		t.Errorf("report: mode %s, %d filters, %d checked", rep.Mode, len(rep.Filters), rep.Checked)
	}
	// The text form names the mode, the filter and the recovered rules.
	stdout, _, code := workbenchExec(t, "", "inspect", strconv.Itoa(pid))
	for _, w := range []string{"seccomp mode filter, 1 filter", "instructions", "recovered profile: default errno(EPERM)", "errno(ENOSYS): clone3"} {
		if code != 0 || !strings.Contains(stdout, w) {
			t.Errorf("inspect (exit %d) does not say %q:\n%s", code, w, stdout)
		}
	}

	// pid:PID is a PROFILE wherever one is accepted.
	if stdout, stderr, code := workbenchExec(t, "", "diff", "preset:docker-default", fmt.Sprintf("pid:%d", pid)); code != 0 || !strings.Contains(stdout, "no difference in meaning") {
		t.Errorf("diff against pid:%d: exit %d: %s%s", pid, code, stdout, stderr)
	}
	if stdout, stderr, code := workbenchExec(t, "", "explain", fmt.Sprintf("pid:%d", pid), "clone3"); code != 0 || !strings.Contains(stdout, "errno(ENOSYS)") {
		t.Errorf("explain pid:%d clone3: exit %d: %s%s", pid, code, stdout, stderr)
	}

	// As nobody: refused, and the error names the capability.
	t.Run("nobody", func(t *testing.T) {
		cmd := exec.Command(wb, "inspect", strconv.Itoa(pid))
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody, Groups: []uint32{}}}
		out, err := cmd.CombinedOutput()
		ee, ok := err.(*exec.ExitError)
		if !ok || ee.ExitCode() != 1 || !strings.Contains(string(out), "CAP_SYS_ADMIN") || strings.Count(strings.TrimSpace(string(out)), "\n") != 0 {
			t.Fatalf("as nobody: %v: %q; want exit 1 and one line naming CAP_SYS_ADMIN", err, out)
		}
	})
}

func TestInspectBubblewrap(t *testing.T) {
	needRootInspect(t)
	bwrap, err := exec.LookPath("bwrap")
	if err != nil {
		t.Skip("bubblewrap is not installed")
	}
	p := dockerDefault(t)
	env := profile.HostEnv()
	prog, _, err := export.Export(p, env, export.FormatBPF, export.ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(t.TempDir(), "filter.bpf")
	if err := profile.WriteFileAtomic(f, prog, 0o600); err != nil {
		t.Fatal(err)
	}
	fd, err := os.Open(f)
	if err != nil {
		t.Fatal(err)
	}
	defer fd.Close()
	pid := startTarget(t, []*os.File{fd}, []string{"sleep", "41.6"}, bwrap,
		"--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--seccomp", "3", "--", "sleep", "41.6")
	inspectDiff(t, pid, p, env)
}

// Two filters: the workbench's (oldest) and the one the target loads
// itself (the probe installs a program from a file, then pauses). The
// recovered profile must answer what the kernel's precedence gives,
// computed here from the two profiles' own meanings: the strongest
// action, and between equal ones the newer filter's errno.
func TestInspectStackedFilters(t *testing.T) {
	needRootInspect(t)
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		t.Skip("gcc is not installed: no probe")
	}
	dir := t.TempDir()
	for _, d := range []string{filepath.Dir(dir), dir} {
		_ = os.Chmod(d, 0o755)
	}
	probe := filepath.Join(dir, "probe")
	if out, err := exec.Command(gcc, "-static", "-O2", "-mno-red-zone", "-o", probe, "../../testdata/explain/probe.c").CombinedOutput(); err != nil {
		t.Skipf("cannot build the static probe: %v\n%s", err, out)
	}
	outerJS := `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
		{"names":["acct"],"action":"SCMP_ACT_ERRNO","errnoRet":13},
		{"names":["swapon"],"action":"SCMP_ACT_KILL_PROCESS"},
		{"names":["uselib"],"action":"SCMP_ACT_LOG"},
		{"names":["personality"],"action":"SCMP_ACT_ERRNO","errnoRet":22,"args":[{"index":0,"value":8,"op":"SCMP_CMP_EQ"}]}]}`
	outerPath := filepath.Join(dir, "outer.json")
	if err := os.WriteFile(outerPath, []byte(outerJS), 0o644); err != nil {
		t.Fatal(err)
	}
	outer, err := profile.Load(outerPath)
	if err != nil {
		t.Fatal(err)
	}
	inner := dockerDefault(t)
	env := profile.HostEnv()
	prog, _, err := export.Export(inner, env, export.FormatBPF, export.ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	innerPath := filepath.Join(dir, "inner.bpf")
	if err := os.WriteFile(innerPath, prog, 0o644); err != nil {
		t.Fatal(err)
	}
	// probe FILTER 34: install the filter, then pause(2).
	pid := startTarget(t, nil, []string{probe, innerPath, "34"}, workbenchBinary(t),
		"run", "--mode", "enforce", "--profile", outerPath, "--", probe, innerPath, "34")
	out := filepath.Join(dir, "recovered.json")
	stdout, stderr, code := workbenchExec(t, "", "inspect", strconv.Itoa(pid), "-o", out)
	if code != 0 {
		t.Fatalf("inspect exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "2 filters") {
		t.Fatalf("want two filters:\n%s", stdout)
	}
	got, err := profile.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	eo, ei, eg := outer.Effective(env), inner.Effective(env), got.Effective(env)
	cat := catalog.MustDefault()
	checked := 0
	for _, arch := range env.Host.WithCompanions() {
		for _, ent := range cat.All() {
			if _, ok := ent.Number(arch); !ok {
				continue
			}
			for _, args := range profile.ArgInputs(arch, ent.Name, eo, ei) {
				do, _ := eo.DecideName(arch, ent.Name, args, profile.Options{})
				di, _ := ei.DecideName(arch, ent.Name, args, profile.Options{})
				want := profile.FromRet(stronger(profile.RetValue(do), profile.RetValue(di)))
				dg, _ := eg.DecideName(arch, ent.Name, args, profile.Options{})
				checked++
				if !dg.Same(want) {
					t.Errorf("%s on %s %s: outer %s, inner %s: the kernel does %s, the recovered profile %s", ent.Name, arch, profile.FormatArgs(args), do, di, want, dg)
				}
			}
		}
	}
	if checked < 1000 {
		t.Fatalf("only %d inputs compared", checked)
	}
	for name, want := range map[string]string{"swapon": "kill_process", "acct": "errno(EPERM)", "uselib": "errno(EPERM)"} {
		if d, _ := eg.DecideName(env.Host, name, [6]uint64{}, profile.Options{}); d.String() != want {
			t.Errorf("%s: recovered %s, want %s", name, d, want)
		}
	}
	if d, _ := eg.DecideName(env.Host, "personality", [6]uint64{8}, profile.Options{}); d.String() != "errno(EINVAL)" {
		t.Errorf("personality(8): recovered %s, want the outer filter's errno(EINVAL) (errno beats allow)", d)
	}
}

// stronger is the kernel's rule for two stacked answers (older, newer):
// the lower SECCOMP_RET_ACTION_FULL as a signed number wins; on a tie,
// the newer filter's.
func stronger(older, newer uint32) uint32 {
	if int32(older&profile.RetActionFull) < int32(newer&profile.RetActionFull) {
		return older
	}
	return newer
}

// A raw program that reads the instruction pointer: inspect reports the
// instruction, shows the program, writes no profile, exits 1.
func TestInspectInexpressibleFile(t *testing.T) {
	dir := t.TempDir()
	var prog []byte
	for _, in := range [][3]uint32{{0x20, 0, 8}, {0x15, 1 << 8, 0x1000}, {0x06, 0, profile.RetAllow}, {0x06, 0, profile.RetErrno | 1}} {
		b := make([]byte, 8)
		binary.NativeEndian.PutUint16(b, uint16(in[0]))
		b[2], b[3] = byte(in[1]>>8), byte(in[1])
		binary.NativeEndian.PutUint32(b[4:], in[2])
		prog = append(prog, b...)
	}
	f := filepath.Join(dir, "ip.bpf")
	if err := os.WriteFile(f, prog, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.json")
	stdout, stderr, code := workbenchExec(t, "", "inspect", f, "-o", out)
	if code != 1 || !strings.Contains(stderr, "instruction 0") || !strings.Contains(stderr, "instruction pointer") {
		t.Errorf("exit %d, stderr %q: want 1 and the instruction named", code, stderr)
	}
	if !strings.Contains(stdout, "instruction_pointer") {
		t.Errorf("the raw program is not shown:\n%s", stdout)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a profile was written for a program a profile cannot express")
	}
	// --json carries the error and the annotated program.
	stdout, _, code = workbenchExec(t, "", "inspect", "--json", f)
	var rep inspectReport
	if code != 1 || json.Unmarshal([]byte(stdout), &rep) != nil || !strings.Contains(rep.Error, "instruction pointer") ||
		len(rep.Filters) != 1 || len(rep.Filters[0].Asm) != 4 || !strings.Contains(rep.Filters[0].Asm[0].Comment, "instruction_pointer") {
		t.Errorf("--json exit %d: %s", code, stdout)
	}
	// Still explainable: the program runs on one call, step by step.
	stdout, stderr, code = workbenchExec(t, "", "inspect", f, "--trace", "read 3")
	if code != 0 || !strings.Contains(stdout, "instruction_pointer") || !strings.Contains(stdout, "the kernel's answer: allow") {
		t.Errorf("--trace exit %d: %s%s", code, stdout, stderr)
	}
	if _, stderr, code := workbenchExec(t, "", "inspect", f, "--trace", "nosuchcall"); code != 2 || !strings.Contains(stderr, "--trace") {
		t.Errorf("--trace of an unknown call: exit %d, %s", code, stderr)
	}
}

// export --format bpf, then inspect FILE -o: the same meaning.
func TestInspectRawRoundTrip(t *testing.T) {
	dir := t.TempDir()
	bpfPath, rec := filepath.Join(dir, "dd.bpf"), filepath.Join(dir, "rec.json")
	if _, stderr, code := workbenchExec(t, "", "export", "--format", "bpf", "-o", bpfPath, "preset:docker-default"); code != 0 {
		t.Fatal(stderr)
	}
	if _, stderr, code := workbenchExec(t, "", "inspect", bpfPath, "-o", rec); code != 0 {
		t.Fatal(stderr)
	}
	// The recovered JSON, and the raw file itself as a PROFILE.
	for _, b := range []string{rec, bpfPath} {
		stdout, stderr, code := workbenchExec(t, "", "diff", "preset:docker-default", b)
		if code != 0 || !strings.Contains(stdout, "no difference in meaning") {
			t.Fatalf("diff %s: exit %d: %s%s", b, code, stdout, stderr)
		}
	}
}

// A runc container started with Docker's default profile (the OCI
// export, as Docker hands it to runc): inspect its init process. runc
// builds its filter with the libseccomp it links, which leaves out names
// it does not know (profile.LinkedKnows; Effective.RuntimeDrops says the
// same), so the profile loaded is docker-default without those names.
func TestInspectRuncContainer(t *testing.T) {
	needRootInspect(t)
	rc, err := exec.LookPath("runc")
	if err != nil {
		t.Skip("runc is not installed (scripts/deps.sh test installs it)")
	}
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		t.Skip("gcc is not installed: no static probe")
	}
	dir := t.TempDir()
	bundle, state := filepath.Join(dir, "bundle"), filepath.Join(dir, "state")
	for _, d := range []string{"rootfs/proc", "rootfs/dev"} {
		if err := os.MkdirAll(filepath.Join(bundle, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := exec.Command(gcc, "-static", "-O2", "-mno-red-zone", "-o", filepath.Join(bundle, "rootfs", "probe"), "../../testdata/explain/probe.c").CombinedOutput(); err != nil {
		t.Skipf("cannot build the static probe: %v\n%s", err, out)
	}
	p := dockerDefault(t)
	env := profile.HostEnv()
	oci, _, err := export.Export(p, env, export.FormatOCI, export.ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	id := fmt.Sprintf("wb-inspect-%d", os.Getpid())
	cgroup := "/" + id
	caps := profile.DockerDefaultCaps()
	capsJS, _ := json.Marshal(caps)
	cfg := fmt.Sprintf(`{"ociVersion":"1.0.2","process":{"user":{"uid":0,"gid":0},"args":["/probe","--no-filter","-","34"],"env":["PATH=/"],"cwd":"/",
		"capabilities":{"bounding":%[1]s,"effective":%[1]s,"permitted":%[1]s},"noNewPrivileges":true},
		"root":{"path":"rootfs","readonly":true},"hostname":"inspect","mounts":[{"destination":"/proc","type":"proc","source":"proc"}],
		"linux":{"namespaces":[{"type":"pid"},{"type":"mount"},{"type":"ipc"},{"type":"uts"},{"type":"network"}],"cgroupsPath":%[2]q,"seccomp":%[3]s}}`,
		capsJS, cgroup, oci)
	if err := os.WriteFile(filepath.Join(bundle, "config.json"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = exec.Command(rc, "--root", state, "kill", id, "KILL").Run()
		time.Sleep(100 * time.Millisecond)
		_ = exec.Command(rc, "--root", state, "delete", "--force", id).Run()
		for _, d := range []string{filepath.Join("/sys/fs/cgroup", cgroup)} {
			_ = os.Remove(d)
		}
	})
	pid := startTarget(t, nil, []string{"/probe", "--no-filter", "-", "34"}, rc, "--root", state, "run", "--bundle", bundle, id)

	want := p.Clone()
	for _, r := range want.Syscalls {
		var kept []string
		for _, n := range r.AllNames() {
			if profile.LinkedKnows(n) {
				kept = append(kept, n)
			}
		}
		r.Names, r.Name = kept, ""
	}
	inspectDiff(t, pid, want, env)
}

// A process without seccomp: mode disabled, the allow-all profile, said
// so. Bad arguments: usage errors (exit 2) or one-line failures (exit 1).
func TestInspectUnconfinedAndBadArgs(t *testing.T) {
	needRootInspect(t)
	pid := startTarget(t, nil, []string{"sleep", "41.7"}, "sleep", "41.7")
	stdout, stderr, code := workbenchExec(t, "", "inspect", "--json", strconv.Itoa(pid))
	var rep inspectReport
	if code != 0 || json.Unmarshal([]byte(stdout), &rep) != nil {
		t.Fatalf("exit %d: %s%s", code, stdout, stderr)
	}
	if rep.Mode != "disabled" || rep.Profile == nil || rep.Profile.DefaultAction != profile.ActAllow || len(rep.Warnings) != 1 {
		t.Errorf("report %+v", rep)
	}
	dir := t.TempDir()
	json13, json16 := filepath.Join(dir, "13.json"), filepath.Join(dir, "16.json")
	if os.WriteFile(json13, []byte(`{"syscalls":1}`[:13]), 0o644) != nil || os.WriteFile(json16, []byte(`{"syscalls":[]}`+"\n"), 0o644) != nil {
		t.Fatal("cannot write the test files")
	}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"inspect", "0"}, 2, "not a process id"},
		{[]string{"inspect", "pid:abc"}, 2, "pid:PID"},
		{[]string{"inspect", "2147483647"}, 1, "no process 2147483647"},
		{[]string{"inspect", filepath.Join(t.TempDir(), "missing.bpf")}, 1, "no such file"},
		{[]string{"inspect", json13}, 1, "13 bytes is not a whole number of 8-byte instructions"},
		{[]string{"inspect", json16}, 1, "instruction 0 (code 0x227b"},
	} {
		_, stderr, code := workbenchExec(t, "", c.args...)
		if code != c.code || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, %q; want %d and %q", c.args, code, stderr, c.code, c.want)
		}
	}
}
