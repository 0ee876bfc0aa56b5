package runner

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/profile/lint"
)

// Start refuses a profile with a name no ABI has, in every mode that
// takes a profile, with check's own finding; AllowUnknown runs it.
func TestStartRefusesUnknownSyscall(t *testing.T) {
	e := eff(t, `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["getpid"], "action": "SCMP_ACT_ALLOW"},
		{"names": ["mkdir", "mkdri"], "action": "SCMP_ACT_ERRNO"}]}`)
	unknown := lint.UnknownSyscalls(e)
	if len(unknown) != 1 || unknown[0].Code != "unknown-syscall" || unknown[0].Syscall != "mkdri" {
		t.Fatalf("lint findings %+v", unknown)
	}
	found := false
	for _, f := range lint.LintEffective(e) {
		found = found || f == unknown[0]
	}
	if !found {
		t.Fatalf("check's lint does not report %+v", unknown[0])
	}
	marker := filepath.Join(t.TempDir(), "ran")
	for _, mode := range []Mode{ModeWatch, ModeEnforce, ModeRecord} {
		_, err := Start(context.Background(), Config{Effective: e, Mode: mode, Argv: []string{"touch", marker}})
		var ue *UnknownSyscallsError
		if !errors.As(err, &ue) || len(ue.Findings) != 1 || ue.Findings[0] != unknown[0] {
			t.Fatalf("%s: Start error %v, want the unknown-syscall finding", mode, err)
		}
		want := "syscalls[1]: mkdri: " + unknown[0].Message + " (" + unknown[0].Hint + "); fix the names"
		if msg := err.Error(); !strings.HasSuffix(msg, want) || strings.Contains(msg, "\n") {
			t.Errorf("%s: message %q, want one line ending %q", mode, msg, want)
		}
		if _, err := os.Stat(marker); err == nil {
			t.Fatalf("%s: the command ran", mode)
		}
	}
	res := runIt(t, Config{Effective: e, Argv: []string{"touch", marker}, AllowUnknown: true})
	if _, err := os.Stat(marker); res.verdict.Result != ResultPass || err != nil {
		t.Errorf("AllowUnknown: %+v", res.verdict)
	}
	// Names known on some ABI, even one the profile does not list, are not
	// unknown: chown32 exists only on 32-bit ABIs.
	known := eff(t, `{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"], "syscalls": [
		{"names": ["chown32", "arm_fadvise64_64"], "action": "SCMP_ACT_ERRNO"}]}`)
	if res := runIt(t, Config{Effective: known, Argv: []string{"true"}}); res.verdict.Result != ResultPass {
		t.Errorf("a profile with names of other ABIs: %+v", res.verdict)
	}
}
