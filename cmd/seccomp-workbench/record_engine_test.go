package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
)

// As root, auto records with eBPF and says so; --engine notify is kept.
func TestRecordEngineAsRoot(t *testing.T) {
	if os.Geteuid() != 0 || runtime.GOARCH != "amd64" {
		t.Skip("needs root on x86_64")
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "seccomp-workbench: engine ebpf (the workbench has CAP_BPF and CAP_PERFMON)\n"},
		{[]string{"--engine", "notify"}, "seccomp-workbench: engine notify (as asked)\n"},
		{[]string{"--engine", "ebpf"}, "seccomp-workbench: engine ebpf (the workbench has CAP_BPF and CAP_PERFMON)\n"},
	} {
		out := filepath.Join(t.TempDir(), "p.json")
		args := append(append([]string{"record", "-o", out}, c.args...), "--", "true")
		_, stderr, code := workbenchExec(t, "", args...)
		if code != 0 || !strings.HasPrefix(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want it to start with %q", c.args, code, stderr, c.want)
		}
	}
	_, stderr, code := workbenchExec(t, "", "record", "-o", filepath.Join(t.TempDir(), "p.json"), "--engine", "bpf", "--", "true")
	if code != 2 || !strings.HasPrefix(stderr, "seccomp-workbench: record: --engine: unknown engine \"bpf\": use auto, notify or ebpf\n") {
		t.Errorf("--engine bpf: exit %d, stderr %q", code, stderr)
	}
}

// As nobody, auto falls back to notify and says why; --engine ebpf fails
// with one line naming the capabilities, before the command runs.
func TestRecordEngineUnprivileged(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to run the workbench as nobody")
	}
	bin := workbenchBinary(t)
	dir := t.TempDir()
	if err := os.Chmod(filepath.Dir(dir), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (string, int) {
		cmd := exec.Command(bin, args...)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		cmd.Dir = "/"
		var errb strings.Builder
		cmd.Stderr = &errb
		cmd.Run()
		return errb.String(), cmd.ProcessState.ExitCode()
	}
	marker := filepath.Join(dir, "ran")
	stderr, code := run("record", "-o", filepath.Join(dir, "e.json"), "--engine", "ebpf", "--", "touch", marker)
	want := "seccomp-workbench: record --engine ebpf: the eBPF recorder needs CAP_BPF and CAP_PERFMON (root has both), and the workbench lacks CAP_BPF and CAP_PERFMON; use --engine notify\n"
	if code != 125 || stderr != want {
		t.Errorf("--engine ebpf as nobody: exit %d, stderr %q; want 125 and %q", code, stderr, want)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("the command ran")
	}
	stderr, code = run("record", "-o", filepath.Join(dir, "a.json"), "--", "touch", marker)
	want = "seccomp-workbench: engine notify (the eBPF recorder needs CAP_BPF and CAP_PERFMON (root has both), and the workbench lacks CAP_BPF and CAP_PERFMON)\n"
	if code != 0 || !strings.HasPrefix(stderr, want) {
		t.Errorf("auto as nobody: exit %d, stderr %q; want it to start with %q", code, stderr, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "a.json")); err != nil {
		t.Error(err)
	}
}
