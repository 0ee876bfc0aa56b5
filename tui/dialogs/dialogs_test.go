package dialogs

import (
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/tui/common"
	"github.com/seccomp-workbench/seccomp-workbench/tui/internal/keytest"
)

func newCommon() *common.Common {
	return common.New(catalog.MustDefault(), profile.Env{Host: catalog.X86_64})
}

func resultOf(t *testing.T, cmd tea.Cmd) Result {
	t.Helper()
	if cmd == nil {
		t.Fatal("no result")
	}
	r, ok := cmd().(Result)
	if !ok {
		t.Fatalf("not a result: %#v", cmd())
	}
	return r
}

func TestMenuKeysAndFilter(t *testing.T) {
	items := []Item{{Key: "y", Label: "yes", Value: "Y"}, {Key: "n", Label: "no", Value: "N"}}
	m := NewMenu(newCommon(), "q", "Question", []string{"Sure?"}, items, false)
	m.SetBounds(80, 24)
	if r := resultOf(t, second(m.Update(keytest.Key("n")))); r != (Result{ID: "q", OK: true, Value: "N"}) {
		t.Fatalf("n: %+v", r)
	}
	if r := resultOf(t, second(m.Update(keytest.Key("esc")))); r.OK {
		t.Fatal("esc cancels")
	}
	m, _ = m.Update(keytest.Key("j"))
	if r := resultOf(t, second(m.Update(keytest.Key("enter")))); r.Value != "N" {
		t.Fatalf("j enter: %+v", r)
	}

	var many []Item
	for _, n := range profile.ErrnoNames() {
		many = append(many, Item{Label: n, Value: n})
	}
	f := NewMenu(newCommon(), "e", "Errno", nil, many, true)
	f.SetBounds(80, 24)
	for _, r := range "nosys" {
		f, _ = f.Update(keytest.Key(string(r)))
	}
	if it, _ := f.Selected(); it.Value != "ENOSYS" {
		t.Fatalf("filter nosys: %q", it.Value)
	}
	if !strings.Contains(ansi.Strip(f.View()), "ENOSYS") {
		t.Fatal("the filtered item is shown")
	}
	lines := strings.Split(f.View(), "\n")
	for _, l := range lines {
		if ansi.StringWidth(l) != ansi.StringWidth(lines[0]) {
			t.Fatalf("ragged box:\n%s", ansi.Strip(f.View()))
		}
	}
}

func second(_ any, c tea.Cmd) tea.Cmd { return c }

func TestPromptHistory(t *testing.T) {
	p := NewPrompt(newCommon(), "cmd", "Run", nil, "", "", []string{"ls", "mkdir /x"})
	p.SetBounds(80, 24)
	p, _ = p.Update(keytest.Key("up"))
	if p.Value() != "mkdir /x" {
		t.Fatalf("up: %q", p.Value())
	}
	p, _ = p.Update(keytest.Key("up"))
	p, _ = p.Update(keytest.Key("up"))
	if p.Value() != "ls" {
		t.Fatalf("up up up: %q", p.Value())
	}
	p, _ = p.Update(keytest.Key("down"))
	p, _ = p.Update(keytest.Key("down"))
	if p.Value() != "" {
		t.Fatalf("back to the draft: %q", p.Value())
	}
	for _, r := range "true" {
		p, _ = p.Update(keytest.Key(string(r)))
	}
	if r := resultOf(t, second(p.Update(keytest.Key("enter")))); r != (Result{ID: "cmd", OK: true, Value: "true"}) {
		t.Fatalf("enter: %+v", r)
	}
}

func TestViewerScroll(t *testing.T) {
	var lines []string
	for i := 0; i < 100; i++ {
		lines = append(lines, strings.Repeat("x", i%30))
	}
	v := NewViewer(newCommon(), "d", "Diff", lines)
	v.SetBounds(80, 24)
	v, _ = v.Update(keytest.Key("end"))
	if !strings.Contains(ansi.Strip(v.View()), "of 100") || v.offset != 100-v.rows() {
		t.Fatalf("end: offset %d", v.offset)
	}
	v, _ = v.Update(tea.MouseWheelMsg{Button: tea.MouseWheelUp})
	if v.offset != 100-v.rows()-3 {
		t.Fatalf("wheel up: offset %d", v.offset)
	}
	if r := resultOf(t, second(v.Update(keytest.Key("q")))); !r.OK || r.ID != "d" {
		t.Fatalf("q closes: %+v", r)
	}
}

// A list reports the entry under the cursor, and an action only for an
// entry that offers it.
func TestListActions(t *testing.T) {
	fix := ListAction{Name: "fix", Binding: key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "fix"))}
	l := NewList(newCommon(), "l", "List", nil, []Entry{{Head: "one", Value: "1"}, {Head: "two", Value: "2", Actions: []string{"fix"}}}, "jump", fix)
	l.SetBounds(80, 24)
	if _, cmd := l.Update(keytest.Key("f")); cmd != nil {
		t.Fatal("f on an entry without a fix does nothing")
	}
	l, _ = l.Update(keytest.Key("down"))
	if r := resultOf(t, second(l.Update(keytest.Key("f")))); r != (Result{ID: "l", OK: true, Value: "2", Action: "fix"}) {
		t.Fatalf("f: %+v", r)
	}
	if r := resultOf(t, second(l.Update(keytest.Key("enter")))); r != (Result{ID: "l", OK: true, Value: "2"}) {
		t.Fatalf("enter: %+v", r)
	}
	if v := ansi.Strip(l.View()); !strings.Contains(v, "› two") || !strings.Contains(v, "f fix") {
		t.Fatalf("view:\n%s", v)
	}
}
