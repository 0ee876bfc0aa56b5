package main

import (
	"os"
	"path/filepath"
	"strings"
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
	if p.DefaultAction != profile.ActErrno || len(p.Syscalls) != 1 {
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
