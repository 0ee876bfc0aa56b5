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

const nrSocket = 41 // x86_64

// denyMkdirSocket denies mkdir with EPERM and socket with EACCES.
const denyMkdirSocket = `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
	{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1},
	{"names": ["socket"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}`

// Audit mode lets the calls the profile denies run, and reports each with
// its arguments and the outcome it would have had.
func TestAuditContinuesAndReports(t *testing.T) {
	needAmd64(t)
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	res := runIt(t, Config{Effective: eff(t, denyMkdirSocket), Mode: ModeAudit,
		Argv: []string{probe(t), "mkdir:" + a, "mkdir:" + b, fmt.Sprintf("raw:%d:1:1:0", nrSocket), "exit:0"}})
	for _, d := range []string{a, b} {
		if st, err := os.Stat(d); err != nil || !st.IsDir() {
			t.Errorf("%s was not made: the call was not continued (%v)", d, err)
		}
	}
	for _, want := range []string{"mkdir " + a + " = 0", "mkdir " + b + " = 0", "raw 41 = "} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("stdout %q lacks %q", res.stdout, want)
		}
	}
	if strings.Contains(res.stdout, "-1 E") {
		t.Errorf("a call failed in audit mode: %q", res.stdout)
	}
	if _, ok := findEvent[Denied](res.events); ok {
		t.Errorf("a Denied event in audit mode: %+v", res.events)
	}
	want := map[string]string{ // arguments → outcome it would have had
		fmt.Sprintf("mkdir(%q, 0755)", a): "errno(EPERM)",
		fmt.Sprintf("mkdir(%q, 0755)", b): "errno(EPERM)",
		"socket(AF_UNIX, SOCK_STREAM, 0)": "errno(EACCES)",
	}
	for _, d := range res.denials {
		if !d.Audit || want[d.ArgText] != d.Outcome.String() || d.Count != 1 {
			t.Errorf("row %q → %s audit=%v count %d, want one of %v", d.ArgText, d.Outcome, d.Audit, d.Count, want)
		}
		delete(want, d.ArgText)
	}
	if len(want) > 0 {
		t.Errorf("no row for %v", want)
	}
	v := res.verdict
	if v.Result != ResultPass || v.ExitCode != 0 || len(v.Denied) != 0 || v.Mode != ModeAudit {
		t.Errorf("verdict %+v: want pass, exit 0, nothing denied, audit", v)
	}
	if !slices.Equal(v.WouldDeny, []string{"mkdir", "socket"}) || v.WouldDenyCounts["mkdir"] != 2 || v.WouldDenyCounts["socket"] != 1 {
		t.Errorf("would deny %v %v", v.WouldDeny, v.WouldDenyCounts)
	}
	if w := "exit status 0; audit mode, nothing was denied; would deny: mkdir ×2, socket"; v.Reason != w {
		t.Errorf("reason %q, want %q", v.Reason, w)
	}
	// The same run in watch mode denies: the difference is audit's.
	c := filepath.Join(dir, "c")
	w := runIt(t, Config{Effective: eff(t, denyMkdirSocket), Mode: ModeWatch, Argv: []string{probe(t), "mkdir:" + c}})
	if _, err := os.Stat(c); err == nil || !strings.Contains(w.stdout, "-1 EPERM") || !slices.Equal(w.verdict.Denied, []string{"mkdir"}) {
		t.Errorf("watch mode: %q %+v (made: %v)", w.stdout, w.verdict, err == nil)
	}
}

// Every outcome the profile can have is continued in audit mode: a would-
// be kill, trap, trace or notify does not stop the command, and the
// directory is made each time. Log stays a logged call (the profile lets
// it run too); ENOSYS is listed apart, as the watch verdict does.
func TestAuditEachAction(t *testing.T) {
	needAmd64(t)
	pr := probe(t)
	for _, c := range []struct {
		action       string
		errno        int
		logged, nosy bool
	}{
		{action: "SCMP_ACT_KILL_PROCESS"},
		{action: "SCMP_ACT_KILL_THREAD"},
		{action: "SCMP_ACT_TRAP"},
		{action: "SCMP_ACT_TRACE"},
		{action: "SCMP_ACT_NOTIFY"},
		{action: "SCMP_ACT_ERRNO", errno: 1},
		{action: "SCMP_ACT_ERRNO", errno: 38, nosy: true},
		{action: "SCMP_ACT_LOG", logged: true},
	} {
		t.Run(fmt.Sprintf("%s/%d", profile.Action(c.action).Short(), c.errno), func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "x")
			res := runIt(t, Config{Effective: eff(t, denyOne("mkdir", c.action, c.errno)), Mode: ModeAudit,
				Argv: []string{pr, "mkdir:" + dir, "exit:0"}})
			v := res.verdict
			if _, err := os.Stat(dir); err != nil || !strings.Contains(res.stdout, "mkdir "+dir+" = 0") {
				t.Fatalf("mkdir did not run: %v; stdout %q; %s", err, res.stdout, v.Reason)
			}
			if v.Result != ResultPass || v.ExitCode != 0 || v.Signal != "" || v.KilledIn != "" || len(v.Denied) != 0 {
				t.Fatalf("verdict %+v", v)
			}
			d, ok := res.denied("mkdir")
			if !ok || d.Outcome.Action != profile.Action(c.action) || d.Audit == c.logged {
				t.Fatalf("row %+v (found %v)", d, ok)
			}
			_, logged := findEvent[Logged](res.events)
			_, would := findEvent[WouldDeny](res.events)
			if logged != c.logged || would == c.logged {
				t.Errorf("Logged %v WouldDeny %v", logged, would)
			}
			switch {
			case c.logged:
				if len(v.WouldDeny) != 0 || len(v.WouldNotImplement) != 0 {
					t.Errorf("log: would deny %v / ENOSYS %v", v.WouldDeny, v.WouldNotImplement)
				}
			case c.nosy:
				if len(v.WouldDeny) != 0 || !slices.Equal(v.WouldNotImplement, []string{"mkdir"}) ||
					!strings.Contains(v.Reason, "would answer ENOSYS: mkdir") || len(v.Notes) != 1 {
					t.Errorf("ENOSYS: %+v", v)
				}
			default:
				if !slices.Equal(v.WouldDeny, []string{"mkdir"}) || !strings.Contains(v.Reason, "would deny: mkdir") {
					t.Errorf("would deny %v, reason %q", v.WouldDeny, v.Reason)
				}
			}
		})
	}
}

// A call from an ABI the profile does not list, which the kernel kills,
// runs in audit mode and is reported with its ABI.
func TestAuditForeignABI(t *testing.T) {
	needAmd64(t)
	only64 := eff(t, `{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"], "syscalls": []}`)
	res := runIt(t, Config{Effective: only64, Mode: ModeAudit, Argv: []string{probe(t), "int80:20", "exit:0"}})
	v := res.verdict
	if v.Result != ResultPass || !strings.Contains(res.stdout, "int80 20 = ") || strings.Contains(res.stdout, "-1") {
		t.Fatalf("stdout %q verdict %+v", res.stdout, v)
	}
	d, ok := res.denied("getpid")
	if !ok || d.Arch != catalog.X86 || !d.Audit || d.Outcome.Rule != profile.RuleBadArch || !slices.Equal(v.WouldDeny, []string{"getpid"}) {
		t.Errorf("row %+v, would deny %v", d, v.WouldDeny)
	}
}

// A profile that denies execve cannot start anything; audit mode runs the
// command anyway and says so.
func TestAuditExecveDenied(t *testing.T) {
	res := runIt(t, Config{Effective: eff(t, denyOne("execve", "SCMP_ACT_ERRNO", 1)), Mode: ModeAudit, Argv: []string{"true"}})
	v := res.verdict
	if v.Result != ResultPass || !slices.Equal(v.WouldDeny, []string{"execve"}) || len(v.Notes) != 1 ||
		!strings.Contains(v.Notes[0], "would deny execve") {
		t.Errorf("verdict %+v", v)
	}
}
