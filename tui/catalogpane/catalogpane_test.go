package catalogpane

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/tui/common"
	"github.com/seccomp-workbench/seccomp-workbench/tui/internal/keytest"
)

var env = profile.Env{Host: catalog.X86_64, Kernel: profile.Kernel{Major: 6, Minor: 18}}

func newPane(t *testing.T) Model {
	t.Helper()
	c := common.New(catalog.MustDefault(), env)
	p, err := profile.Open("preset:docker-default")
	if err != nil {
		t.Fatal(err)
	}
	m := New(c)
	m.SetStates(common.States(p.Effective(env), c.Catalog))
	m.SetSize(40, 20)
	m.SetFocused(true)
	return m
}

func press(m Model, keys ...string) Model {
	for _, k := range keys {
		m, _ = m.Update(keytest.Key(k))
	}
	return m
}

func TestNavigation(t *testing.T) {
	m := newPane(t)
	if e := m.Selected(); e == nil || e.Name != "add_key" {
		t.Fatalf("starts on the first critical call, got %v", e)
	}
	m = press(m, "j", "down")
	if m.Selected().Name != "delete_module" {
		t.Fatalf("j down: %s", m.Selected().Name)
	}
	m = press(m, "k")
	if m.Selected().Name != "bpf" {
		t.Fatalf("k: %s", m.Selected().Name)
	}
	m = press(m, "end")
	last := m.Selected()
	if last == nil || last.Risk != catalog.Low {
		t.Fatalf("end: %v", last)
	}
	m = press(m, "home")
	if _, ok := m.SelectedTier(); !ok || m.Selected() != nil {
		t.Fatal("home: the first row is the critical tier's header")
	}
	m = press(m, "pgdown")
	if m.cursor != m.listHeight() {
		t.Fatalf("pgdown moves a page: cursor %d, page %d", m.cursor, m.listHeight())
	}
}

func TestSearch(t *testing.T) {
	m := newPane(t)
	m = press(m, "/")
	if !m.Searching() {
		t.Fatal("/ opens the search line")
	}
	m = press(m, "m", "k", "d")
	if m.Selected() == nil || m.Selected().Name != "mkdir" {
		t.Fatalf("mkd selects mkdir first, got %v", m.Selected())
	}
	for _, r := range m.rows {
		if r.entry == nil {
			t.Fatal("search results are a flat ranked list")
		}
	}
	m = press(m, "down")
	if m.Selected().Name != "mkdirat" {
		t.Fatalf("down moves in the results: %s", m.Selected().Name)
	}
	m = press(m, "enter")
	if m.Searching() || m.Filter() != "mkd" || len(m.rows) != len(m.matches) {
		t.Fatal("enter keeps the filter")
	}
	// j/k are navigation again once the filter is kept.
	m = press(m, "k")
	if m.Selected().Name != "mkdir" {
		t.Fatalf("k after enter: %s", m.Selected().Name)
	}
	m = press(m, "esc")
	if m.Filter() != "" || m.Selected().Name != "mkdir" {
		t.Fatalf("esc clears the filter and keeps the selection: %q %v", m.Filter(), m.Selected())
	}
	m = press(m, "/", "z", "z", "z", "q", "esc")
	if m.Filter() != "" || m.Searching() {
		t.Fatal("esc while typing clears")
	}
}

func TestFold(t *testing.T) {
	m := newPane(t)
	n := len(m.rows)
	m = press(m, "home", "enter")
	if len(m.rows) != n-38 || !m.folded[0] {
		t.Fatalf("folding critical: %d rows of %d", len(m.rows), n)
	}
	if v := ansi.Strip(m.View()); !strings.Contains(v, "▸ CRITICAL 38: 2 allow, 36 deny") {
		t.Fatalf("a folded tier keeps its counts:\n%s", v)
	}
	m = press(m, "right")
	if len(m.rows) != n {
		t.Fatal("right unfolds")
	}
	m = press(m, "j", "left")
	if !m.folded[0] || m.Selected() != nil {
		t.Fatal("left on a call folds its tier and moves to the header")
	}
	if !m.Select("kexec_load") || m.folded[0] || m.Selected().Name != "kexec_load" {
		t.Fatal("Select unfolds the tier of the call")
	}
}

func TestMouseAndSize(t *testing.T) {
	m := newPane(t)
	m.Click(3) // border, header, add_key, bpf
	if m.Selected().Name != "bpf" {
		t.Fatalf("click row 3: %v", m.Selected())
	}
	m.Scroll(10)
	if m.offset != 10 || m.cursor < 10 {
		t.Fatalf("scroll: offset %d cursor %d", m.offset, m.cursor)
	}
	for _, sz := range [][2]int{{40, 20}, {10, 5}, {3, 2}, {0, 0}, {200, 60}} {
		m.SetSize(sz[0], sz[1])
		lines := strings.Split(m.View(), "\n")
		if sz[1] > 0 && len(lines) != sz[1] {
			t.Fatalf("%v: %d lines", sz, len(lines))
		}
		for _, l := range lines {
			if ansi.StringWidth(l) > sz[0] {
				t.Fatalf("%v: line too wide: %q", sz, ansi.Strip(l))
			}
		}
	}
}

func TestBadgesAndMarks(t *testing.T) {
	m := newPane(t)
	m.SetSize(60, 40)
	m.Select("clone")
	v := ansi.Strip(m.View())
	if !strings.Contains(v, "clone") || !strings.Contains(v, common.MarkConditional) {
		t.Fatalf("clone carries the argument-condition mark:\n%s", v)
	}
}

// matchNames searches for q and returns the names found.
func matchNames(t *testing.T, m Model, q string) []string {
	t.Helper()
	m = press(m, "/")
	for _, r := range q {
		m = press(m, string(r))
	}
	m = press(m, "enter")
	if err := m.QueryError(); err != nil {
		t.Fatalf("%q: %v", q, err)
	}
	var out []string
	for _, mt := range m.matches {
		out = append(out, mt.Entry.Name)
	}
	return out
}

func has(names []string, want ...string) bool {
	for _, w := range want {
		found := false
		for _, n := range names {
			found = found || n == w
		}
		if !found {
			return false
		}
	}
	return true
}

// Search reads categories and descriptions, not only names, and takes
// filter words.
func TestSearchBeyondNames(t *testing.T) {
	m := newPane(t)
	for _, c := range []struct {
		q    string
		want []string
	}{
		{"net", []string{"socket", "connect"}},
		{"network", []string{"socket", "connect", "bind"}},
		{"mount", []string{"mount", "fsopen", "pivot_root"}},
		{"risk:critical", []string{"ptrace", "kexec_load"}},
		{"@mount", []string{"mount", "umount2"}},
		{"network-io", []string{"socket", "sendmsg"}},
	} {
		if got := matchNames(t, m, c.q); !has(got, c.want...) {
			t.Errorf("/%s: %d matches, want %v among them", c.q, len(got), c.want)
		}
	}
	if got := matchNames(t, m, "mkdir"); len(got) == 0 || got[0] != "mkdir" {
		t.Errorf("a name still ranks first: %v", got)
	}
	for _, n := range matchNames(t, m, "risk:critical") {
		if e, _ := m.c.Catalog.Lookup(n); e.Risk != catalog.Risk("critical") {
			t.Errorf("risk:critical kept %s (%s)", n, e.Risk)
		}
	}
	for _, n := range matchNames(t, m, "denied risk:high") {
		if st := m.states[n]; st.Action == profile.ActAllow {
			t.Errorf("denied kept %s, which is allowed", n)
		}
	}
	m2 := press(m, "/", "r", "i", "s", "k", ":", "x")
	if err := m2.QueryError(); err == nil || !strings.Contains(err.Error(), "risk:critical") {
		t.Errorf("a bad risk is an error naming the values: %v", err)
	}
	if v := ansi.Strip(m2.View()); !strings.Contains(v, "risk:x: use") {
		t.Errorf("the error is shown:\n%s", v)
	}
}

// changed lists the calls whose treatment differs from the profile as
// opened, and follows edits.
func TestSearchChanged(t *testing.T) {
	m := newPane(t)
	m.SetBaseline(m.states)
	if got := matchNames(t, m, "changed"); len(got) != 0 {
		t.Fatalf("nothing changed yet: %v", got)
	}
	p, _ := profile.Open("preset:docker-default")
	ed := profile.NewEditor(p)
	if err := ed.SetSyscall("mkdir", profile.ActErrno, 1); err != nil {
		t.Fatal(err)
	}
	m = press(m, "/", "c", "h", "a", "n", "g", "e", "d", "enter")
	m.SetStates(common.States(ed.Profile().Effective(env), m.c.Catalog))
	var got []string
	for _, mt := range m.matches {
		got = append(got, mt.Entry.Name)
	}
	if len(got) != 1 || got[0] != "mkdir" {
		t.Fatalf("changed after denying mkdir: %v", got)
	}
}
