package runner

import (
	"strings"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/lint"
)

// clone3's flags are out of a filter's reach, so a recording answers it
// ENOSYS and writes that answer: clone3 cannot carry CLONE_NEWUSER past
// the mask the recording puts on clone, a program that falls back to
// clone keeps working, and a program that never used clone3 does not get
// the lint's clone3 error.
func TestRecordClone3AnswersENOSYS(t *testing.T) {
	needAmd64(t)
	res := runIt(t, Config{Mode: ModeRecord, Argv: []string{argprobe(t), "clone3:0", "clone:0x11"}})
	if res.verdict.Result != ResultPass || !strings.Contains(res.stdout, "clone3:0 errno=38\n") || !strings.Contains(res.stdout, "clone:0x11 ok\n") {
		t.Fatalf("recording: clone3 should answer ENOSYS and clone run: %+v\n%s", res.verdict, res.stdout)
	}
	p := res.run.Recorded()
	var rule *profile.Rule
	for _, r := range p.Syscalls {
		if contains(r.Names, "clone3") {
			if rule != nil || r.Action != profile.ActErrno || r.ErrnoRet == nil || *r.ErrnoRet != profile.ENOSYS || len(r.Names) != 1 {
				t.Fatalf("clone3 in the recorded profile: %+v", r)
			}
			rule = r
		}
	}
	if rule == nil {
		t.Fatal("the recorded profile has no clone3 rule")
	}
	if notes := strings.Join(res.run.RecordedNotes(), "\n"); !strings.Contains(notes, "clone3 answered ENOSYS (1×)") {
		t.Errorf("notes %q do not say clone3 answered ENOSYS", notes)
	}
	for _, f := range lint.Lint(p, profile.HostEnv()) {
		if f.Code == "clone3-errno" {
			t.Errorf("lint: %s", f.Message)
		}
	}

	// The attack: clone3 with CLONE_NEWUSER, which clone's mask denies.
	out := replay(t, p, ModeWatch, "clone3:0x10000000", "clone3:0", "clone:0x11", "clone:0x10000011")
	for _, want := range []string{"clone3:0x10000000 errno=38\n", "clone3:0 errno=38\n", "clone:0x11 ok\n"} {
		if !strings.Contains(out.stdout, want) {
			t.Errorf("replay lacks %q:\n%s", want, out.stdout)
		}
	}
	wantDenied(t, out, "clone:0x10000011", "clone", "clone(SIGCHLD|CLONE_NEWUSER")

	// A program that never calls clone3 gets the same answer for it.
	plain := runIt(t, Config{Mode: ModeRecord, Argv: []string{argprobe(t), "clone:0x11"}})
	for _, f := range lint.Lint(plain.run.Recorded(), profile.HostEnv()) {
		if f.Code == "clone3-errno" {
			t.Errorf("a recording without clone3: lint: %s", f.Message)
		}
	}

	// --names-only lets clone3 run while recording and allows it by
	// name, as it allows every call it saw.
	names := runIt(t, Config{Mode: ModeRecord, RecordNamesOnly: true, Argv: []string{argprobe(t), "clone3:0"}})
	if !strings.Contains(names.stdout, "clone3:0 ok\n") {
		t.Errorf("names-only recording: clone3 did not run:\n%s", names.stdout)
	}
	if d := names.run.Recorded().Effective(profile.HostEnv()); !d.Decide(profile.NativeArch(), 435, [6]uint64{}, profile.Options{}).Action.LetsThrough() {
		t.Errorf("names-only recording does not allow clone3")
	}
}
