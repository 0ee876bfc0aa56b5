package scenario

import (
	"encoding/xml"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/runner"
)

func intp(n int) *int { return &n }

func TestJudge(t *testing.T) {
	fail1 := runner.Verdict{Result: runner.ResultFail, ExitCode: 1, Reason: "exit status 1; denied: socket", Denied: []string{"socket"}}
	ok := runner.Verdict{Result: runner.ResultPass, Reason: "exit status 0"}
	sock := runner.Denial{ID: 1, Syscall: "socket", ArgText: "socket(AF_INET, SOCK_STREAM, 0)",
		Outcome: profile.Decision{Action: profile.ActErrno, Errno: 1}}
	mkdir := runner.Denial{ID: 1, Syscall: "mkdir", ArgText: `mkdir("/x", 0777)`, Outcome: profile.Decision{Action: profile.ActKillProcess}}
	audit := runner.Verdict{Result: runner.ResultPass, Mode: runner.ModeAudit, WouldDeny: []string{"socket"}, WouldDenyCounts: map[string]int{"socket": 1},
		Reason: "exit status 0; audit mode, nothing was denied; would deny: socket"}
	auditSock := sock
	auditSock.Audit = true
	cases := []struct {
		name string
		e    Expect
		o    Observation
		want []string
	}{
		{"all held", Expect{Result: "fail", Exit: intp(1), Denied: []string{"socket"}}, Observation{Verdict: fail1, Denials: []runner.Denial{sock}}, nil},
		{"never denied", Expect{Denied: []string{"socket"}}, Observation{Verdict: runner.Verdict{Denied: []string{"mkdir"}}, Denials: []runner.Denial{mkdir}},
			[]string{"denied: socket was never denied (denied: mkdir)"}},
		{"nothing denied", Expect{Denied: []string{"socket"}}, Observation{Verdict: ok}, []string{"denied: socket was never denied (nothing was denied)"}},
		{"not_denied", Expect{NotDenied: []string{"socket"}}, Observation{Verdict: fail1, Denials: []runner.Denial{sock}},
			[]string{"not_denied: socket(AF_INET, SOCK_STREAM, 0) was denied (errno EPERM)"}},
		{"not_denied star", Expect{NotDenied: []string{"*"}}, Observation{Verdict: fail1, Denials: []runner.Denial{sock, mkdir}},
			[]string{"not_denied: socket(AF_INET, SOCK_STREAM, 0) was denied (errno EPERM)", `not_denied: mkdir("/x", 0777) was denied (kill_process)`}},
		{"exit", Expect{Exit: intp(0)}, Observation{Verdict: fail1}, []string{"exit: got 1, want 0 (exit status 1; denied: socket)"}},
		{"result", Expect{Result: "pass"}, Observation{Verdict: fail1}, []string{"result: got fail (exit status 1; denied: socket), want pass"}},
		{"signal", Expect{Signal: "SIGSYS"}, Observation{Verdict: ok}, []string{"signal: got no signal, want SIGSYS (exit status 0)"}},
		{"output", Expect{Output: regexp.MustCompile("bin")}, Observation{Verdict: ok, Stdout: strings.Repeat("x\n", 12)},
			[]string{`output: no match for "bin" in 12 lines of stdout`}},
		{"stderr", Expect{Stderr: regexp.MustCompile("Err")}, Observation{Verdict: ok, Stderr: "one"}, []string{`stderr: no match for "Err" in 1 line of stderr`}},
		{"duration", Expect{MaxDuration: 2 * time.Second}, Observation{Verdict: ok, Duration: 3200 * time.Millisecond}, []string{"max_duration: took 3.2s, limit 2s"}},
		// Audit mode: nothing was denied; denied/not_denied match what
		// would have been, and the messages say so.
		{"audit: would deny held", Expect{Result: "pass", Exit: intp(0), Denied: []string{"socket"}}, Observation{Verdict: audit, Denials: []runner.Denial{auditSock}}, nil},
		{"audit: would never deny", Expect{Denied: []string{"mkdir"}}, Observation{Verdict: audit, Denials: []runner.Denial{auditSock}},
			[]string{"denied: mkdir would never have been denied (audit mode: would deny: socket)"}},
		{"audit: would deny nothing", Expect{Denied: []string{"mkdir"}}, Observation{Verdict: runner.Verdict{Result: runner.ResultPass, Mode: runner.ModeAudit}},
			[]string{"denied: mkdir would never have been denied (audit mode: the profile would deny nothing)"}},
		{"audit: not_denied", Expect{NotDenied: []string{"*"}}, Observation{Verdict: audit, Denials: []runner.Denial{auditSock}},
			[]string{"not_denied: socket(AF_INET, SOCK_STREAM, 0) would have been denied (errno EPERM; audit mode: it ran)"}},
		{"audit: the exit status is the command's", Expect{Exit: intp(1)}, Observation{Verdict: audit},
			[]string{"exit: got 0, want 1 (exit status 0; audit mode, nothing was denied; would deny: socket)"}},
		{"could not start", Expect{Exit: intp(0)}, Observation{Verdict: runner.Verdict{Result: runner.ResultError, ExitCode: 127, Reason: "could not start: /nope: not found"}},
			[]string{"exit: got 127, want 0 (could not start: /nope: not found)"}},
	}
	for _, c := range cases {
		got := Judge(c.e, c.o)
		if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want)
		}
	}
}

func TestWriteJUnitParsesBack(t *testing.T) {
	s1, s2 := &Scenario{Name: "a <b>"}, &Scenario{Name: "c"}
	rs := []Result{
		{Scenario: s1, Profile: "p1", Passed: true, Stdout: "out\x01\n", Duration: time.Second},
		{Scenario: s2, Profile: "p1", Failures: []string{"exit: got 1, want 0", "denied: x was never denied"}, Stderr: "boom"},
		{Scenario: s1, Profile: "p2", Err: errors.New("setup failed: exit 3"), Failures: []string{"setup failed: exit 3"}},
	}
	var b strings.Builder
	if err := WriteJUnit(&b, rs); err != nil {
		t.Fatal(err)
	}
	var got junitSuites
	if err := xml.Unmarshal([]byte(b.String()), &got); err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	if got.Tests != 3 || got.Failures != 1 || got.Errors != 1 || len(got.Suites) != 2 {
		t.Fatalf("totals: %+v", got)
	}
	p1 := got.Suites[0]
	if p1.Name != "p1" || p1.Tests != 2 || p1.Failures != 1 || p1.Time != "1.000" || p1.Cases[0].Name != "a <b>" || p1.Cases[0].Classname != "p1" {
		t.Errorf("p1: %+v", p1)
	}
	if f := p1.Cases[1].Failure; f == nil || f.Text != "exit: got 1, want 0\ndenied: x was never denied" || p1.Cases[1].SystemErr != "boom" {
		t.Errorf("failure: %+v", p1.Cases[1])
	}
	if e := got.Suites[1].Cases[0].Error; e == nil || e.Message != "setup failed: exit 3" {
		t.Errorf("error: %+v", got.Suites[1].Cases[0])
	}
}

func TestWriteText(t *testing.T) {
	s := &Scenario{Name: "n"}
	var b strings.Builder
	_ = WriteText(&b, []Result{{Scenario: s, Profile: "p", Passed: true, Duration: 400 * time.Millisecond},
		{Scenario: s, Profile: "q", Failures: []string{"exit: got 1, want 0"}, Duration: time.Second}}, false)
	want := "✔ n @ p (0.4s)\n✘ n @ q (1.0s)\n    exit: got 1, want 0\n1 passed, 1 failed (1.4 s of runs)\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}
