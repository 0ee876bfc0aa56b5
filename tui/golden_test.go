package tui

import (
	"bytes"
	"strconv"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/runner"
)

// plain renders the view through a fixed colour profile (no colour, no
// attributes), so goldens do not depend on the terminal.
func plain(t *testing.T, m Model) string {
	t.Helper()
	var b bytes.Buffer
	w := &colorprofile.Writer{Forward: &b, Profile: colorprofile.NoTTY}
	if _, err := w.WriteString(m.View().Content); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// fakeRun shows a finished run from synthetic events: pids and times in
// a real run differ every time.
func fakeRun(t *testing.T, m Model, line string, events ...runner.Event) Model {
	t.Helper()
	return fakeRunIn(t, m, runner.ModeWatch, line, events...)
}

func fakeRunIn(t *testing.T, m Model, mode runner.Mode, line string, events ...runner.Event) Model {
	t.Helper()
	m, _ = m.startCommand(line, mode)
	return send(t, m, runEventsMsg{id: m.ses.id, events: events, closed: true})
}

// mkdirAudited is an audit-mode run of two mkdirs the profile denies.
func mkdirAudited() []runner.Event {
	d := runner.Denial{ID: 1, Pid: 4242, Arch: catalog.X86_64, Nr: 83, Syscall: "mkdir", Audit: true,
		ArgText: `mkdir("/tmp/wb-demo", 0777)`, Outcome: profile.Decision{Action: profile.ActErrno, Errno: 1}, Count: 2}
	return []runner.Event{
		runner.Started{Pid: 4242, Argv: []string{"sh"}, Mode: runner.ModeAudit},
		runner.WouldDeny{Denial: d},
		runner.Output{Stream: runner.Stdout, Data: "made\n", Lines: 1},
		runner.Exited{Code: 0},
		runner.Verdict{Result: runner.ResultPass, Mode: runner.ModeAudit, WouldDeny: []string{"mkdir"}, WouldDenyCounts: map[string]int{"mkdir": 2},
			Duration: 3 * time.Millisecond, Outcome: "exit status 0", Reason: "exit status 0; audit mode, nothing was denied; would deny: mkdir ×2"},
	}
}

func mkdirDenied() []runner.Event {
	d := runner.Denial{ID: 1, Pid: 4242, Arch: catalog.X86_64, Nr: 83, Syscall: "mkdir",
		ArgText: `mkdir("/tmp/wb-demo", 0777)`, Outcome: profile.Decision{Action: profile.ActErrno, Errno: 1}, Count: 1}
	return []runner.Event{
		runner.Started{Pid: 4242, Argv: []string{"mkdir", "/tmp/wb-demo"}},
		runner.Denied{Denial: d},
		runner.Output{Stream: runner.Stderr, Data: "mkdir: cannot create directory '/tmp/wb-demo': Operation not permitted\n", Lines: 1},
		runner.Exited{Code: 1},
		runner.Verdict{Result: runner.ResultFail, ExitCode: 1, Denied: []string{"mkdir"}, Duration: 3 * time.Millisecond,
			Outcome: "exit status 1", Reason: "exit status 1; denied: mkdir"},
	}
}

func TestGolden(t *testing.T) {
	// Each case builds its own model: copies of a Model share the editor.
	start := func(t *testing.T) Model { return compiled(t, newTestModel(t)) }
	denied := func(t *testing.T) Model {
		m := press(t, start(t), "/")
		m = typeText(t, m, "mkdir")
		m = press(t, m, "enter", "d")
		m, _ = drive(t, m, mustCompile(t, m))
		return m
	}
	ran := func(t *testing.T) Model {
		m := fakeRun(t, denied(t), "mkdir /tmp/wb-demo", mkdirDenied()...)
		m.status = ""
		return m
	}
	passedDenied := func(t *testing.T) Model {
		evs := mkdirDenied()
		evs[0] = runner.Started{Pid: 4242, Argv: []string{"sh"}, Isolation: "pid, mount namespaces; capabilities: Docker's default set"}
		evs[3] = runner.Exited{Code: 0}
		evs[4] = runner.Verdict{Result: runner.ResultFail, ExitCode: 0, Denied: []string{"mkdir"}, Duration: 3 * time.Millisecond,
			Outcome: "exit status 0", Reason: "exit status 0; denied: mkdir", Notes: []string{"watch mode: a note from the runner"}}
		m := fakeRun(t, denied(t), "sh -c 'mkdir /tmp/wb-demo || true'", evs...)
		m.status = ""
		return m
	}
	audited := func(t *testing.T) Model {
		m := press(t, denied(t), "m", "m")
		m = fakeRunIn(t, m, m.mode, "sh -c 'mkdir /tmp/wb-demo; rmdir /tmp/wb-demo; mkdir /tmp/wb-demo && echo made'", mkdirAudited()...)
		m.status = ""
		return m
	}
	learning := func(t *testing.T) Model {
		m := start(t)
		m, _ = m.startCommand("df /", "learn")
		q := runner.Question{Pid: 4242, Arch: catalog.X86_64, Nr: 137, Syscall: "statfs", ArgText: `statfs("/", 0x7ffc0000)`}
		m = send(t, m, askMsg{id: m.ses.id, q: q, reply: make(chan profile.Decision, 1)})
		m.status = ""
		return m
	}
	cases := []struct {
		name  string
		build func(*testing.T) Model
		keys  []string
	}{
		{"start", start, nil},
		{"denied", denied, nil},
		{"run", ran, []string{"tab", "tab"}},
		{"passed_denied", passedDenied, []string{"tab", "tab"}},
		{"audit", audited, []string{"tab", "tab"}},
		{"learn", learning, nil},
		{"program", denied, []string{"tab", "]"}},
		{"errno", denied, []string{"e"}},
		{"help", start, []string{"?"}},
		{"findings", start, []string{"!"}},
		{"impact", ran, []string{"tab", "tab", "a"}},
		{"output_view", ran, []string{"3", "left", "enter"}},
		{"denial_view", ran, []string{"3", "enter"}},
		{"diff", denied, []string{"v", "l"}},
		{"search_words", start, []string{"/", "n", "e", "t", " ", "d", "e", "n", "i", "e", "d", "enter"}},
		{"search_error", start, []string{"/", "r", "i", "s", "k", ":", "x"}},
		{"scenarios", scenariosShown, []string{"tab", "tab", "tab", "enter"}},
	}
	for _, c := range cases {
		for _, sz := range [][2]int{{80, 24}, {160, 48}} {
			t.Run(c.name+"_"+strconv.Itoa(sz[0])+"x"+strconv.Itoa(sz[1]), func(t *testing.T) {
				m := send(t, c.build(t), tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
				m = press(t, m, c.keys...)
				golden.RequireEqual(t, plain(t, m))
			})
		}
	}
}

func mustCompile(t *testing.T, m Model) tea.Msg {
	t.Helper()
	msgs := runCmd(t, m.compileCmd())
	if len(msgs) != 1 {
		t.Fatalf("compile gave %d messages", len(msgs))
	}
	return msgs[0]
}
