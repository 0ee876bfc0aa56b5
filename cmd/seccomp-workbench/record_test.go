package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

func TestRecordThenRun(t *testing.T) {
	out := filepath.Join(t.TempDir(), "ls.json")
	stdout, stderr, code := workbenchExec(t, "", "record", "-o", out, "--", "ls", "/")
	if code != 0 || !strings.Contains(stdout, "proc") {
		t.Fatalf("record: exit %d stdout %q stderr %s", code, stdout, stderr)
	}
	for _, want := range []string{"seccomp-workbench: recorded ", "SYSCALL", "ARCH", "COUNT", "execve", "exit_group", "seccomp-workbench: wrote " + out} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	p, err := profile.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	// One allow rule for the calls allowed whole, then argument rules
	// (mmap's prot ...).
	if p.DefaultAction != profile.ActErrno || len(p.Syscalls) < 2 || len(p.Syscalls[0].Args) != 0 || len(p.Syscalls[1].Args) == 0 {
		t.Errorf("recorded profile %+v", p)
	}
	stdout2, stderr2, code := workbenchExec(t, "", "run", "--profile", out, "--", "ls", "/")
	if code != 0 || stdout2 != stdout || !strings.HasSuffix(stderr2, "seccomp-workbench: PASS: exit status 0\n") {
		t.Errorf("run under the recording: exit %d, stderr %s", code, stderr2)
	}
	entries, _ := os.ReadDir(filepath.Dir(out))
	if len(entries) != 1 {
		t.Errorf("files next to OUT: %v", entries)
	}
}

func TestRecordOntoBaseCLI(t *testing.T) {
	base := writeProfile(t, `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}`)
	dir := t.TempDir()
	out := filepath.Join(dir, "merged.json")
	_, stderr, code := workbenchExec(t, "", "record", "-o", out, "--base", base, "--", "mkdir", dir+"/x")
	if code != 0 || !strings.Contains(stderr, "plus an allow rule for mkdir") {
		t.Fatalf("exit %d stderr %s", code, stderr)
	}
	p, err := profile.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Syscalls) != 2 || p.Syscalls[0].Action != profile.ActAllow || p.Syscalls[1].Action != profile.ActErrno {
		t.Errorf("merged rules %+v", p.Syscalls)
	}
}

func TestRecordErrors(t *testing.T) {
	out := filepath.Join(t.TempDir(), "x.json")
	if _, stderr, code := workbenchExec(t, "", "record", "--", "true"); code != 2 || !strings.Contains(stderr, "-o OUT is required") {
		t.Errorf("no -o: exit %d %s", code, stderr)
	}
	if _, stderr, code := workbenchExec(t, "", "record", "-o", out, "--", "no-such-cmd-xyz"); code != 127 || !strings.Contains(stderr, "not found") {
		t.Errorf("not found: exit %d %s", code, stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a profile was written for a command that never started")
	}
	if _, stderr, code := workbenchExec(t, "", "record", "-o", out, "--base", "preset:nope", "--", "true"); code != 125 || !strings.Contains(stderr, "no such preset") {
		t.Errorf("bad base: exit %d %s", code, stderr)
	}
	if _, stderr, code := workbenchExec(t, "", "record", "-o", out, "--", "sh", "-c", "exit 5"); code != 5 || !strings.Contains(stderr, "exit status 5") {
		t.Errorf("failing command: exit %d %s", code, stderr)
	}
	if _, err := os.Stat(out); err != nil {
		t.Error("no profile written for a command that ran and failed")
	}
}

// record finds out whether it can write OUT before it runs the command:
// a one-line error, exit 125, the command not run and OUT untouched.
func TestRecordChecksOutFirst(t *testing.T) {
	dir := t.TempDir()
	marker := filepath.Join(dir, "ran")
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, out, msg string
	}{
		{"no such directory", filepath.Join(dir, "missing", "p.json"),
			"seccomp-workbench: record: -o " + filepath.Join(dir, "missing", "p.json") + ": cannot create a file in " + filepath.Join(dir, "missing") + ": no such file or directory: check that the directory exists and is writable\n"},
		{"a directory", sub, "seccomp-workbench: record: -o " + sub + ": is a directory, not a regular file: give the path of a file\n"},
		{"not a regular file", "/dev/null", "seccomp-workbench: record: -o /dev/null: not a regular file: give the path of a file\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			stdout, stderr, code := workbenchExec(t, "", "record", "-o", c.out, "--", "touch", marker)
			if code != 125 || stderr != c.msg || stdout != "" {
				t.Errorf("exit %d, stderr %q; want 125 and %q", code, stderr, c.msg)
			}
			if _, err := os.Stat(marker); err == nil {
				t.Fatal("the command ran")
			}
		})
	}
	if entries, _ := os.ReadDir(sub); len(entries) != 0 {
		t.Errorf("files left in %s: %v", sub, entries)
	}
}

// As an unprivileged user, a directory the user cannot write to: the
// existing OUT keeps its content, and nothing is created next to it.
func TestRecordChecksOutUnprivileged(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to run the workbench as nobody")
	}
	bin := workbenchBinary(t)
	dir := t.TempDir()
	for _, d := range []string{filepath.Dir(dir), dir} { // root's, not writable by nobody
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(dir, "p.json")
	if err := os.WriteFile(out, []byte("keep me\n"), 0o666); err != nil {
		t.Fatal(err)
	}
	open := filepath.Join(t.TempDir(), "open") // where nobody may write
	if err := os.Chmod(filepath.Dir(open), 0o777); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "record", "-o", out, "--", "touch", filepath.Join(filepath.Dir(open), "ran"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	cmd.Dir = "/"
	var errb strings.Builder
	cmd.Stderr = &errb
	err := cmd.Run()
	want := "seccomp-workbench: record: -o " + out + ": cannot create a file in " + dir + ": permission denied: check that the directory exists and is writable\n"
	if cmd.ProcessState == nil || cmd.ProcessState.ExitCode() != 125 || errb.String() != want {
		t.Errorf("as nobody: %v, stderr %q; want 125 and %q", err, errb.String(), want)
	}
	if data, _ := os.ReadFile(out); string(data) != "keep me\n" {
		t.Errorf("OUT now holds %q", data)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("files next to OUT: %v", entries)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(open), "ran")); err == nil {
		t.Error("the command ran")
	}
}

// The recorded profile allows restart_syscall, the signal returns and the
// exits even when the command made none of them but exit_group.
func TestRecordAddsAlwaysNeeded(t *testing.T) {
	out := filepath.Join(t.TempDir(), "p.json")
	_, stderr, code := workbenchExec(t, "", "record", "-o", out, "--", "true")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, n := range []string{"restart_syscall", "rt_sigreturn"} {
		if strings.Contains(stderr, "\n"+n+" ") {
			t.Fatalf("true called %s: the test cannot show that record adds it\n%s", n, stderr)
		}
	}
	p, err := profile.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"restart_syscall", "rt_sigreturn", "exit", "exit_group"} {
		if !slices.Contains(p.Syscalls[0].Names, n) {
			t.Errorf("the recorded profile does not allow %s: %v", n, p.Syscalls[0].Names)
		}
	}
}
