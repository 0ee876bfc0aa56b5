package tui

import (
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/runner"
	"github.com/seccomp-workbench/seccomp-workbench/tui/dialogs"
	"github.com/seccomp-workbench/seccomp-workbench/tui/internal/keytest"
)

// The runner re-executes the test binary as its shim.
func TestMain(m *testing.M) {
	if runner.IsShim(os.Args) {
		runner.ShimMain()
	}
	os.Exit(m.Run())
}

// testEnv pins the host so that views do not depend on the kernel the
// tests run on.
var testEnv = profile.Env{Host: catalog.X86_64, Kernel: profile.Kernel{Major: 6, Minor: 18}, Caps: profile.DockerDefaultCaps()}

func testOptions(t testing.TB) Options {
	t.Helper()
	p, err := profile.Open("preset:docker-default")
	if err != nil {
		t.Fatal(err)
	}
	return Options{Profile: p, Source: "preset:docker-default", Env: testEnv, StateDir: t.TempDir(), RunTimeout: 20 * time.Second}
}

func newTestModel(t testing.TB) Model {
	t.Helper()
	m, err := New(testOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	return send(t, m, windowSize(160, 48))
}

func windowSize(w, h int) tea.WindowSizeMsg { return tea.WindowSizeMsg{Width: w, Height: h} }

func keyMsg(k string) tea.KeyPressMsg { return keytest.Key(k) }

// send runs Update without running the returned command.
func send(t testing.TB, m Model, msg tea.Msg) Model {
	t.Helper()
	m2, _ := m.Update(msg)
	return m2.(Model)
}

// typeText sends each character as a key press.
func typeText(t testing.TB, m Model, s string) Model {
	for _, r := range s {
		m = send(t, m, keyMsg(string(r)))
	}
	return m
}

// exec runs a command and returns the messages it produces, flattening
// batches and sequences; a command that does not finish within the
// deadline fails the test.
func runCmd(t testing.TB, cmd tea.Cmd) []tea.Msg {
	t.Helper()
	if cmd == nil {
		return nil
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	var msg tea.Msg
	select {
	case msg = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("a command did not finish in 30s")
	}
	if msg == nil {
		return nil
	}
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range b {
			out = append(out, runCmd(t, c)...)
		}
		return out
	}
	// tea.Sequence's message is an unexported slice of commands.
	if v := reflect.ValueOf(msg); v.Kind() == reflect.Slice && v.Type().Elem() == reflect.TypeOf(tea.Cmd(nil)) {
		var out []tea.Msg
		for i := 0; i < v.Len(); i++ {
			out = append(out, runCmd(t, v.Index(i).Interface().(tea.Cmd))...)
		}
		return out
	}
	return []tea.Msg{msg}
}

// drive sends msg, then runs every command that follows and feeds its
// messages back, until nothing is left to do. It returns the model and
// every message seen (tea.QuitMsg among them when the model quit).
func drive(t testing.TB, m Model, msg tea.Msg) (Model, []tea.Msg) {
	t.Helper()
	queue := []tea.Msg{msg}
	var seen []tea.Msg
	for len(queue) > 0 {
		next := queue[0]
		queue = queue[1:]
		seen = append(seen, next)
		if _, ok := next.(tea.QuitMsg); ok {
			continue
		}
		m2, cmd := m.Update(next)
		m = m2.(Model)
		queue = append(queue, runCmd(t, cmd)...)
	}
	return m, seen
}

// press drives a sequence of keys.
func press(t testing.TB, m Model, keys ...string) Model {
	t.Helper()
	for _, k := range keys {
		m, _ = drive(t, m, keyMsg(k))
	}
	return m
}

// screen is the plain text of the view.
func screen(m Model) string { return ansi.Strip(m.Render()) }

func checkScreen(t *testing.T, m Model, w, h int) {
	t.Helper()
	lines := strings.Split(m.Render(), "\n")
	if w > 0 && h > 0 && len(lines) != h {
		t.Fatalf("%d×%d: view has %d lines", w, h, len(lines))
	}
	for i, l := range lines {
		if lw := ansi.StringWidth(l); lw > max(w, 0) && w > 0 {
			t.Fatalf("%d×%d: line %d is %d cells wide: %q", w, h, i, lw, ansi.Strip(l))
		}
	}
}

func quitIn(msgs []tea.Msg) bool {
	for _, m := range msgs {
		if _, ok := m.(tea.QuitMsg); ok {
			return true
		}
	}
	return false
}

// harness runs commands concurrently, as Bubble Tea does, for flows in
// which a command blocks until another's message is handled (learn mode
// pauses the run until the question is answered).
type harness struct {
	t    testing.TB
	m    Model
	ch   chan tea.Msg
	quit bool
	// busy counts commands still running: one may be writing the
	// recovery file into the test's StateDir.
	busy sync.WaitGroup
}

func newHarness(t testing.TB, m Model) *harness {
	h := &harness{t: t, m: m, ch: make(chan tea.Msg, 64)}
	// Registered after the StateDir's TempDir, so it runs before that is
	// removed: a recovery write finishing during the removal would fail
	// it ("directory not empty"). A command that waits for a run still
	// going is not waited for past the bound.
	t.Cleanup(func() {
		done := make(chan struct{})
		go func() { h.busy.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(3 * time.Second):
		}
	})
	return h
}

func (h *harness) run(cmd tea.Cmd) {
	if cmd != nil {
		h.busy.Add(1)
		go func() {
			msg := cmd()
			h.busy.Done()
			h.ch <- msg
		}()
	}
}

// send handles one message and starts the commands it returns.
func (h *harness) send(msg tea.Msg) {
	switch msg := msg.(type) {
	case nil:
		return
	case tea.QuitMsg:
		h.quit = true
		return
	case tea.BatchMsg:
		for _, c := range msg {
			h.run(c)
		}
		return
	}
	if v := reflect.ValueOf(msg); v.Kind() == reflect.Slice && v.Type().Elem() == reflect.TypeOf(tea.Cmd(nil)) {
		for i := 0; i < v.Len(); i++ {
			h.send(v.Index(i).Interface().(tea.Cmd)())
		}
		return
	}
	m2, cmd := h.m.Update(msg)
	h.m = m2.(Model)
	h.run(cmd)
}

func (h *harness) press(keys ...string) {
	for _, k := range keys {
		h.send(keyMsg(k))
	}
}

// until handles messages as they come until cond holds.
func (h *harness) until(what string, cond func(Model) bool) {
	h.t.Helper()
	deadline := time.After(30 * time.Second)
	for !cond(h.m) {
		select {
		case msg := <-h.ch:
			h.send(msg)
		case <-deadline:
			h.t.Fatalf("waited 30s for %s:\n%s", what, screen(h.m))
		}
	}
}

// The top dialog as its concrete type, nil when the top is another kind
// (or nothing is open).
func menuOf(m Model) *dialogs.Menu     { return topAs[dialogs.Menu](m) }
func promptOf(m Model) *dialogs.Prompt { return topAs[dialogs.Prompt](m) }
func viewerOf(m Model) *dialogs.Viewer { return topAs[dialogs.Viewer](m) }
func listOf(m Model) *dialogs.List     { return topAs[dialogs.List](m) }

func topAs[T dialogs.Box](m Model) *T {
	d, ok := m.stack.top()
	if !ok {
		return nil
	}
	if b, ok := d.box.(T); ok {
		return &b
	}
	return nil
}

// asking reports whether the top dialog is a menu titled with prefix.
func asking(m Model, prefix string) bool {
	mn := menuOf(m)
	return mn != nil && strings.HasPrefix(mn.Title, prefix)
}

// setCursor puts the top menu's cursor on the item with value v.
func setCursor(m Model, v string) Model {
	mn := menuOf(m)
	mn.SetCursor(v)
	m.stack = m.stack.withTop(*mn)
	return m
}
