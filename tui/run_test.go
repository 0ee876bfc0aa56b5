package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/diff"
	"github.com/seccomp-workbench/seccomp-workbench/profile/lint"
	"github.com/seccomp-workbench/seccomp-workbench/runner"
	"github.com/seccomp-workbench/seccomp-workbench/tui/runpane"
)

// runLine types a command line after c and drives the run to its end.
func runLine(t *testing.T, m Model, key, line string) Model {
	t.Helper()
	m = press(t, m, key)
	if promptOf(m) == nil {
		t.Fatalf("%s should open the command prompt", key)
	}
	m = press(t, m, "ctrl+u")
	m = typeText(t, m, line)
	m = press(t, m, "enter")
	if m.ses != nil {
		t.Fatalf("the run of %q did not end", line)
	}
	return m
}

// The hand-tuning loop on the real kernel: deny mkdir, run mkdir, see
// FAIL with the denial, allow it from the run pane, re-run, see PASS.
func TestRunDenyAllowRerun(t *testing.T) {
	m := compiled(t, newTestModel(t))
	m = press(t, m, "/")
	m = typeText(t, m, "mkdir")
	m = press(t, m, "enter", "d")
	dir := filepath.Join(t.TempDir(), "made")
	m = runLine(t, m, "c", "mkdir "+dir)
	b := m.run.Banner()
	if b.Kind != runpane.Fail || !strings.Contains(b.Text, "FAIL") || !strings.Contains(b.Text, "mkdir") {
		t.Fatalf("banner after a denied mkdir: %+v", b)
	}
	ds := m.run.Denials()
	if len(ds) == 0 || ds[0].Syscall != "mkdir" || !strings.Contains(ds[0].Args, dir) || ds[0].Outcome != "errno(EPERM)" {
		t.Fatalf("denials: %+v", ds)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatal("the directory was made although mkdir was denied")
	}
	s := screen(m)
	if !strings.Contains(s, "Denials · 1") || !strings.Contains(s, "mkdir(") {
		t.Fatalf("the run pane should list the denial:\n%s", s)
	}
	// To the run pane; the denials column has the keyboard; a allows.
	m = press(t, m, "tab", "tab")
	if m.focus != paneRun {
		t.Fatal("tab tab focuses the run pane")
	}
	m = press(t, m, "a")
	if m.states["mkdir"].Badge() != "allow" {
		t.Fatalf("a in the run pane allows the denied call, mkdir is %s", m.states["mkdir"].Badge())
	}
	m = press(t, m, "r")
	if b := m.run.Banner(); b.Kind != runpane.Pass {
		t.Fatalf("re-run banner: %+v\n%s", b, screen(m))
	}
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("mkdir passed but made nothing: %v", err)
	}
	if len(m.run.Denials()) != 0 {
		t.Fatalf("denials after PASS: %+v", m.run.Denials())
	}
}

func TestRunOutputStreams(t *testing.T) {
	m := compiled(t, newTestModel(t))
	m = runLine(t, m, "c", `sh -c 'echo to-out; echo to-err >&2; exit 3'`)
	b := m.run.Banner()
	if b.Kind != runpane.Fail || !strings.Contains(b.Text, "exit status 3") {
		t.Fatalf("banner: %+v", b)
	}
	var out, errs bool
	for _, l := range m.run.Lines() {
		out = out || l.Stream == runpane.Stdout && l.Text == "to-out"
		errs = errs || l.Stream == runpane.Stderr && l.Text == "to-err"
	}
	if !out || !errs {
		t.Fatalf("stdout and stderr told apart: %+v", m.run.Lines())
	}
	if s := screen(m); !strings.Contains(s, "! to-err") || !strings.Contains(s, "  to-out") {
		t.Fatalf("the output column marks stderr:\n%s", s)
	}
}

func TestRunKilled(t *testing.T) {
	m := compiled(t, newTestModel(t))
	m = press(t, m, "/")
	m = typeText(t, m, "mkdir")
	m = press(t, m, "enter", "K")
	m = runLine(t, m, "c", "mkdir "+filepath.Join(t.TempDir(), "k"))
	if b := m.run.Banner(); !strings.Contains(b.Text, "KILLED by SIGSYS in mkdir") {
		t.Fatalf("banner: %+v", b)
	}
}

func TestRunNotFound(t *testing.T) {
	m := compiled(t, newTestModel(t))
	m = runLine(t, m, "c", "/nonexistent/program")
	if b := m.run.Banner(); b.Kind != runpane.Fail || !strings.Contains(b.Text, "127") {
		t.Fatalf("banner: %+v", b)
	}
}

// learnMkdir makes mkdir undecided (setting it to the default removes it
// from every rule), runs `mkdir DIR` in learn mode and waits for the
// question about it.
func learnMkdir(t *testing.T, name string) (*harness, string) {
	m := compiled(t, newTestModel(t))
	m = press(t, m, "/")
	m = typeText(t, m, "mkdir")
	m = press(t, m, "enter", "d", "l", "ctrl+u")
	dir := filepath.Join(t.TempDir(), name)
	m = typeText(t, m, "mkdir "+dir)
	h := newHarness(t, m)
	h.press("enter")
	h.until("the learn question", func(m Model) bool { return asking(m, "Learn · pid") })
	return h, dir
}

// Learn mode asks about a call the profile does not decide and turns the
// answer into an edit.
func TestLearnMode(t *testing.T) {
	h, dir := learnMkdir(t, "learnt")
	if s := screen(h.m); !strings.Contains(s, "mkdir(") || !strings.Contains(s, dir) {
		t.Fatalf("the question shows the call:\n%s", s)
	}
	h.press("a")
	h.until("the end of the run", func(m Model) bool { return m.ses == nil })
	m := h.m
	if m.states["mkdir"].Badge() != "allow" {
		t.Fatalf("the answer becomes an edit: mkdir is %s", m.states["mkdir"].Badge())
	}
	if b := m.run.Banner(); b.Kind != runpane.Pass {
		t.Fatalf("banner: %+v", b)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Fatal("allowed in learn mode, mkdir made nothing")
	}
}

// A dialog that opens over a learn question (a diff result arriving)
// does not lose it: once that dialog closes the question is back, and
// answering it lets the paused command go on.
func TestLearnQuestionSurvivesOtherDialog(t *testing.T) {
	h, dir := learnMkdir(t, "held")
	m2, _ := h.m.Update(diffMsg{against: "preset:docker-default", changes: []diff.Change{{Scope: diff.ScopeSyscall, Syscall: "mkdir", ADesc: "allow", BDesc: "errno(EPERM)"}}})
	h.m = m2.(Model)
	if listOf(h.m) == nil {
		t.Fatalf("the diff should show:\n%s", screen(h.m))
	}
	h.press("esc")
	h.until("the learn question to be back once the diff closes", func(m Model) bool {
		return listOf(m) == nil && asking(m, "Learn · pid")
	})
	h.press("a")
	h.until("the end of the run", func(m Model) bool { return m.ses == nil })
	if _, err := os.Stat(dir); err != nil {
		t.Fatal("the answered question did not let mkdir run")
	}
}

func TestRecordOffersProfile(t *testing.T) {
	m := compiled(t, newTestModel(t))
	m = runLine(t, m, "R", "true")
	if !asking(m, "Recording finished") {
		t.Fatalf("a recording should be offered:\n%s", screen(m))
	}
	// The dialog names the engine that recorded, as `record` does.
	if !strings.Contains(screen(m), "Recorded by the ebpf engine") && !strings.Contains(screen(m), "Recorded by the notify engine") {
		t.Fatalf("the recording dialog should name its engine:\n%s", screen(m))
	}
	want := m.baseName() + "-recorded.json"
	m = press(t, m, "o")
	if !strings.HasPrefix(m.source, "recording of") || !m.dirty() {
		t.Fatalf("opened recording: source %q dirty %v", m.source, m.dirty())
	}
	if m.ed.Profile().DefaultAction == profile.ActAllow {
		t.Fatal("a recorded profile denies by default")
	}
	if m.states["execve"].Badge() != "allow" {
		t.Fatalf("the recording allows execve: %s", m.states["execve"].Badge())
	}
	// Save suggests the name the recording dialog's own save does, not
	// one made of the command line.
	m = press(t, m, "s")
	if v := promptOf(m).Value(); v != want {
		t.Fatalf("save suggests %q, want %q", v, want)
	}
}

// Stopping a long run: esc stops it and the verdict says so.
func TestStopRun(t *testing.T) {
	m := compiled(t, newTestModel(t))
	m = press(t, m, "c", "ctrl+u")
	m = typeText(t, m, "sleep 30")
	h := newHarness(t, m)
	h.press("enter")
	h.until("the command to start", func(m Model) bool { return m.ses != nil && m.ses.run != nil && m.run.Len() > 0 })
	start := time.Now()
	h.press("esc")
	h.until("the run to end", func(m Model) bool { return m.ses == nil })
	if b := h.m.run.Banner(); !strings.Contains(b.Text, "stopped") {
		t.Fatalf("banner after esc: %+v", b)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("stopping took %s", d)
	}
}

// Quitting while a command runs stops it.
func TestQuitStopsRun(t *testing.T) {
	m := compiled(t, newTestModel(t))
	m = press(t, m, "c", "ctrl+u")
	m = typeText(t, m, "sleep 30")
	h := newHarness(t, m)
	h.press("enter")
	h.until("the command to start", func(m Model) bool { return m.ses != nil && m.ses.run != nil && m.run.Len() > 0 })
	r := h.m.ses.run
	h.press("q")
	h.until("quit", func(Model) bool { return h.quit })
	select {
	case <-r.Done():
	default:
		t.Fatal("the command is still running after quit")
	}
}

// Events of a run that is no longer shown are dropped.
func TestStaleRunEventsIgnored(t *testing.T) {
	m := compiled(t, newTestModel(t))
	m, _ = m.startCommand("true", runner.ModeWatch)
	stale := runEventsMsg{id: m.ses.id - 1, events: mkdirDenied(), closed: true}
	m = send(t, m, stale)
	if m.ses == nil || len(m.run.Denials()) != 0 || m.run.Banner().Kind != runpane.Running {
		t.Fatal("a stale run's events changed the run pane")
	}
	m = send(t, m, runEventsMsg{id: m.ses.id, events: mkdirDenied(), closed: true})
	if m.ses != nil || len(m.run.Denials()) != 1 || m.run.Banner().Kind != runpane.Fail {
		t.Fatal("the current run's events were not shown")
	}
}

// A line that comes in two batches (a prompt, then the rest of it) is
// shown whole: the run pane keeps the unfinished part from one Update to
// the next.
func TestRunOutputLineAcrossBatches(t *testing.T) {
	m := compiled(t, newTestModel(t))
	m, _ = m.startCommand("true", runner.ModeWatch)
	id := m.ses.id
	m = send(t, m, runEventsMsg{id: id, events: []runner.Event{runner.Output{Stream: runner.Stdout, Data: "Password: "}}})
	m = send(t, m, runEventsMsg{id: id, events: []runner.Event{runner.Output{Stream: runner.Stdout, Data: "ok\n", Lines: 1}}, closed: true})
	var got []string
	for _, l := range m.run.Lines() {
		if l.Stream == runpane.Stdout {
			got = append(got, l.Text)
		}
	}
	if len(got) != 1 || got[0] != "Password: ok" {
		t.Fatalf("stdout lines %q", got)
	}
}

// A profile whose rules name a syscall no ABI has is refused when a run
// starts, with check's own finding, in the run pane and the status line;
// nothing runs.
func TestRunRefusesUnknownSyscall(t *testing.T) {
	p, err := profile.Parse("typo.json", []byte(`{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["mkdir", "mkdirr"], "action": "SCMP_ACT_ERRNO"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	opts := testOptions(t)
	opts.Profile, opts.Source = p, "typo.json"
	m, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	m = compiled(t, send(t, m, windowSize(160, 48)))
	marker := filepath.Join(t.TempDir(), "ran")
	m = runLine(t, m, "c", "touch "+marker)
	want := "syscalls[0]: mkdirr: " + lint.UnknownSyscalls(p.Effective(testEnv))[0].Message
	if b := m.run.Banner(); b.Kind != runpane.Fail || !strings.Contains(b.Text, "ERROR") || !strings.Contains(b.Text, want) {
		t.Fatalf("banner %+v, want an error with %q", b, want)
	}
	if !strings.Contains(m.status, want) {
		t.Errorf("status line %q, want %q", m.status, want)
	}
	if _, err := os.Stat(marker); !os.IsNotExist(err) {
		t.Error("the command ran under a profile with an unknown syscall")
	}
}

// A command that copes with a denial and exits 0 is not shown as a
// failure: the banner says it passed with denials (the verdict's result
// stays "fail" for scripts). The started line says how the run is
// isolated.
func TestRunPassedWithDenials(t *testing.T) {
	m := compiled(t, newTestModel(t))
	m = press(t, m, "/")
	m = typeText(t, m, "mkdir")
	m = press(t, m, "enter", "d")
	dir := filepath.Join(t.TempDir(), "made")
	m = runLine(t, m, "c", "sh -c 'mkdir "+dir+" 2>/dev/null; exit 0'")
	b := m.run.Banner()
	if b.Kind != runpane.PassDenied || !strings.Contains(b.Text, "PASSED WITH DENIALS") || !strings.Contains(b.Text, "denied: mkdir") {
		t.Fatalf("banner after exit 0 with a denial: %+v", b)
	}
	started := ""
	for _, l := range m.run.Lines() {
		if l.Stream == runpane.Info && strings.HasPrefix(l.Text, "started ") {
			started = l.Text
		}
	}
	if !strings.Contains(started, "isolation: ") {
		t.Fatalf("the started line does not say the isolation: %q", started)
	}
}

// The verdict's notes are shown in the run pane, and an exit 1 with
// denials is still a failure.
func TestRunVerdictNotes(t *testing.T) {
	m := compiled(t, newTestModel(t))
	evs := mkdirDenied()
	v := evs[len(evs)-1].(runner.Verdict)
	v.Notes = []string{"watch mode: something differs from enforce mode"}
	evs[len(evs)-1] = v
	m = fakeRun(t, m, "mkdir /tmp/wb-demo", evs...)
	if b := m.run.Banner(); b.Kind != runpane.Fail {
		t.Fatalf("exit 1 with a denial is a failure: %+v", b)
	}
	if !strings.Contains(screen(m), "note: watch mode: something differs") {
		t.Fatalf("the verdict's note is not shown:\n%s", screen(m))
	}
}

// esc and ctrl+c on a learn question leave learn mode: the command is
// stopped, not asked again; the question shows the call once.
func TestLearnModeExits(t *testing.T) {
	for _, k := range []string{"esc", "ctrl+c"} {
		t.Run(k, func(t *testing.T) {
			h, dir := learnMkdir(t, "left")
			if s := screen(h.m); strings.Contains(s, "mkdirmkdir") {
				t.Fatalf("the question names the call twice:\n%s", s)
			}
			h.press(k)
			h.until("the end of the run", func(m Model) bool { return m.ses == nil })
			if menuOf(h.m) != nil {
				t.Fatalf("%s leaves the question:\n%s", k, screen(h.m))
			}
			if h.quit {
				t.Fatalf("%s on a learn question quit the workbench", k)
			}
			// Stopped, or ended by the refused call before the stop
			// landed: over either way, and not a pass.
			if b := h.m.run.Banner(); b.Kind != runpane.Fail {
				t.Fatalf("banner after leaving learn mode: %+v", b)
			}
			if _, err := os.Stat(dir); !os.IsNotExist(err) {
				t.Fatal("the call was let through")
			}
		})
	}
}

// q on a learn question asks; going back shows the question again and
// answering it lets the command go on.
func TestLearnModeQuitAsks(t *testing.T) {
	h, dir := learnMkdir(t, "asked")
	h.press("q")
	if !asking(h.m, "Quit the workbench?") || h.quit {
		t.Fatalf("q asks first:\n%s", screen(h.m))
	}
	h.press("c")
	h.until("the question again", func(m Model) bool { return asking(m, "Learn · pid") })
	h.press("a")
	h.until("the end of the run", func(m Model) bool { return m.ses == nil })
	if _, err := os.Stat(dir); err != nil {
		t.Fatal("the answered question did not let mkdir run")
	}
}

// A learn question about a call every program needs warns before the
// user denies it.
func TestLearnWarnsAboutNeededCalls(t *testing.T) {
	m := compiled(t, newTestModel(t))
	m, _ = m.startCommand("true", "learn")
	q := runner.Question{Pid: 1, Syscall: "brk", ArgText: "brk(NULL)"}
	m = send(t, m, askMsg{id: m.ses.id, q: q, reply: make(chan profile.Decision, 1)})
	if s := screen(m); !strings.Contains(s, "every program needs brk") {
		t.Fatalf("no warning for brk:\n%s", s)
	}
	q = runner.Question{Pid: 1, Syscall: "statfs", ArgText: `statfs("/")`}
	m = send(t, m, askMsg{id: m.ses.id, q: q, reply: make(chan profile.Decision, 1)})
	if s := screen(m); strings.Contains(s, "every program needs statfs") {
		t.Fatalf("statfs is not in @default:\n%s", s)
	}
	m.ses.cancel()
}
