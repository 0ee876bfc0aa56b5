package tui

import (
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/compile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/export"
)

// compiled drives the model's first compile to completion.
func compiled(t *testing.T, m Model) Model {
	t.Helper()
	for _, msg := range runCmd(t, m.Init()) {
		m, _ = drive(t, m, msg)
	}
	if m.prog == nil || m.progErr != nil {
		t.Fatalf("compile: prog %v err %v", m.prog != nil, m.progErr)
	}
	return m
}

func TestSearchDenyUndo(t *testing.T) {
	m := compiled(t, newTestModel(t))
	if st := m.states["mkdir"]; st.Badge() != "allow" {
		t.Fatalf("docker-default should allow mkdir, badge %s", st.Badge())
	}
	m = press(t, m, "/")
	if !m.catalog.Searching() {
		t.Fatal("/ should open the search line")
	}
	m = typeText(t, m, "mkdir")
	if e := m.catalog.Selected(); e == nil || e.Name != "mkdir" {
		t.Fatalf("search mkdir selects %v", e)
	}
	// q is text while searching, not quit.
	m = press(t, m, "enter")
	if m.catalog.Searching() || m.catalog.Filter() != "mkdir" {
		t.Fatalf("enter keeps the filter: searching %v filter %q", m.catalog.Searching(), m.catalog.Filter())
	}
	gen := m.ed.Generation()
	m2, cmd := m.Update(keyMsg("d"))
	m = m2.(Model)
	if st := m.states["mkdir"]; st.Badge() != "errno(EPERM)" {
		t.Fatalf("d should deny mkdir with EPERM at once, badge %s", st.Badge())
	}
	if !m.dirty() || m.ed.Generation() == gen || !m.compiling {
		t.Fatalf("after d: dirty %v gen %d→%d compiling %v", m.dirty(), gen, m.ed.Generation(), m.compiling)
	}
	if !strings.Contains(screen(m), "compiling and verifying") || !strings.Contains(screen(m), "● unsaved") {
		t.Fatalf("header should show the compile and the unsaved mark:\n%s", screen(m))
	}
	// The command compiles this generation and verifies it.
	var got *compiledMsg
	for _, msg := range runCmd(t, cmd) {
		if c, ok := msg.(compiledMsg); ok {
			got = &c
		}
	}
	if got == nil || got.gen != m.ed.Generation() || got.err != nil {
		t.Fatalf("compile message: %+v", got)
	}
	m = send(t, m, *got)
	if x, err := compile.ExplainName(m.prog, testEnv.Host, "mkdir", [6]uint64{}); err != nil || x.Decision.String() != "errno(EPERM)" {
		t.Fatalf("compiled filter for mkdir: %v %v", x, err)
	}
	if !strings.Contains(screen(m), "compiled & verified") {
		t.Fatal("header should say compiled & verified")
	}
	m = press(t, m, "u")
	if m.states["mkdir"].Badge() != "allow" || m.dirty() {
		t.Fatalf("undo: badge %s dirty %v", m.states["mkdir"].Badge(), m.dirty())
	}
	m = press(t, m, "ctrl+r")
	if m.states["mkdir"].Badge() != "errno(EPERM)" {
		t.Fatalf("redo: badge %s", m.states["mkdir"].Badge())
	}
	m = press(t, m, "esc")
	if m.catalog.Filter() != "" {
		t.Fatal("esc in the catalog clears the kept filter")
	}
}

// A compile result for an older generation is dropped, and the current
// generation is compiled instead: one compile at a time, newest wins.
func TestStaleCompileDropped(t *testing.T) {
	m := compiled(t, newTestModel(t))
	m = press(t, m, "/")
	m = typeText(t, m, "mkdir")
	m = press(t, m, "enter")
	m2, first := m.Update(keyMsg("d"))
	m = m2.(Model)
	m2, second := m.Update(keyMsg("a"))
	m = m2.(Model)
	for _, msg := range runCmd(t, second) {
		if _, ok := msg.(compiledMsg); ok {
			t.Fatal("a second compile started while one was running")
		}
	}
	var stale compiledMsg
	for _, msg := range runCmd(t, first) {
		if c, ok := msg.(compiledMsg); ok {
			stale = c
		}
	}
	prog := m.prog
	m2, again := m.Update(stale)
	m = m2.(Model)
	if m.prog != prog || again == nil {
		t.Fatal("a stale compile result must be dropped and the current generation compiled")
	}
	var fresh compiledMsg
	for _, msg := range runCmd(t, again) {
		fresh = msg.(compiledMsg)
	}
	if fresh.gen != m.ed.Generation() {
		t.Fatalf("recompiled generation %d, current %d", fresh.gen, m.ed.Generation())
	}
}

func TestScopeFamilyAndTier(t *testing.T) {
	m := compiled(t, newTestModel(t))
	m = press(t, m, "/")
	m = typeText(t, m, "mkdir")
	m = press(t, m, "enter", "f")
	if m.scope != ScopeFamily {
		t.Fatalf("f: scope %s", m.scope)
	}
	m = press(t, m, "K")
	for _, n := range []string{"mkdir", "mkdirat"} {
		if b := m.states[n].Badge(); b != "kill" {
			t.Errorf("family scope: %s is %s", n, b)
		}
	}
	m = press(t, m, "f")
	if m.scope != ScopeTier {
		t.Fatalf("f f: scope %s", m.scope)
	}
	m = press(t, m, "L")
	for name, st := range m.states {
		e, _ := m.c.Catalog.Lookup(name)
		if e.Risk == "low" && st.Badge() != "log" {
			t.Fatalf("tier scope: low-risk %s is %s", name, st.Badge())
		}
	}
}

func TestErrnoPicker(t *testing.T) {
	m := compiled(t, newTestModel(t))
	m = press(t, m, "/")
	m = typeText(t, m, "mkdir")
	m = press(t, m, "enter", "e")
	if menuOf(m) == nil {
		t.Fatal("e should open the errno picker")
	}
	if it, _ := menuOf(m).Selected(); it.Value != "EPERM" {
		t.Fatalf("the picker starts on the commonest errno, got %q", it.Value)
	}
	m = typeText(t, m, "eacces")
	m, _ = drive(t, m, keyMsg("enter"))
	if menuOf(m) != nil || m.states["mkdir"].Badge() != "errno(EACCES)" {
		t.Fatalf("picked EACCES: menu open %v, badge %s", menuOf(m) != nil, m.states["mkdir"].Badge())
	}
	// esc cancels without an edit.
	gen := m.ed.Generation()
	m = press(t, m, "e", "esc")
	if menuOf(m) != nil || m.ed.Generation() != gen {
		t.Fatal("esc should close the picker without an edit")
	}
}

func TestDefaultAction(t *testing.T) {
	m := compiled(t, newTestModel(t))
	m = press(t, m, "D", "a")
	if m.ed.Profile().DefaultAction != profile.ActAllow {
		t.Fatalf("D a: default %s", m.ed.Profile().DefaultAction)
	}
	m = press(t, m, "D", "e")
	m = typeText(t, m, "enosys")
	m = press(t, m, "enter")
	if p := m.ed.Profile(); p.DefaultAction != profile.ActErrno || p.DefaultErrno() != 38 {
		t.Fatalf("D e ENOSYS: default %s errno %d", p.DefaultAction, p.DefaultErrno())
	}
	if !strings.Contains(screen(m), "default errno(ENOSYS)") {
		t.Fatal("the header shows the default action")
	}
}

func TestSaveAsAndQuit(t *testing.T) {
	m := compiled(t, newTestModel(t))
	m = press(t, m, "/")
	m = typeText(t, m, "mkdir")
	m = press(t, m, "enter", "d", "S")
	if promptOf(m) == nil {
		t.Fatal("S should ask where to save")
	}
	path := filepath.Join(t.TempDir(), "out.json")
	m = press(t, m, "ctrl+u")
	m = typeText(t, m, path)
	m = press(t, m, "enter")
	if m.dirty() || m.path != path || !strings.Contains(m.status, "saved to "+path) {
		t.Fatalf("after save: dirty %v path %q status %q", m.dirty(), m.path, m.status)
	}
	saved, err := profile.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := saved.Effective(testEnv).DecideName(testEnv.Host, "mkdir", [6]uint64{}, profile.Options{})
	if d.String() != "errno(EPERM)" {
		t.Fatalf("saved profile: mkdir %s", d)
	}
	// Clean now: q quits at once.
	m2, msgs := drive(t, m, keyMsg("q"))
	if !quitIn(msgs) || !m2.quitting {
		t.Fatal("q with nothing unsaved should quit")
	}
}

func TestQuitAsksWhenDirty(t *testing.T) {
	m := compiled(t, newTestModel(t))
	m = press(t, m, "a")
	m, msgs := drive(t, m, keyMsg("q"))
	if quitIn(msgs) || menuOf(m) == nil {
		t.Fatal("q with unsaved edits should ask")
	}
	m, msgs = drive(t, m, keyMsg("c"))
	if quitIn(msgs) || menuOf(m) != nil {
		t.Fatal("c cancels the quit")
	}
	_, msgs = drive(t, press(t, m, "q"), keyMsg("d"))
	if !quitIn(msgs) {
		t.Fatal("d discards and quits")
	}
}

// Edits are kept in a recovery file and offered back by the next
// workbench on the same profile; a clean quit removes the file.
func TestRecovery(t *testing.T) {
	o := testOptions(t)
	m, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	m = compiled(t, send(t, m, windowSize(160, 48)))
	m = press(t, m, "/")
	m = typeText(t, m, "mkdir")
	m = press(t, m, "enter", "d")
	file := recoveryFile(o.StateDir, m.recoveryKey())
	if _, err := os.Stat(file); err != nil {
		t.Fatalf("no recovery file after an edit: %v", err)
	}
	// A new workbench (the old one "crashed") offers the edits back.
	m2, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	m2 = send(t, m2, windowSize(160, 48))
	for _, msg := range runCmd(t, m2.Init()) {
		m2, _ = drive(t, m2, msg)
	}
	if !asking(m2, "Recover unsaved edits?") {
		t.Fatal("the recovery offer did not appear")
	}
	m2 = press(t, m2, "r")
	if !m2.dirty() || m2.states["mkdir"].Badge() != "errno(EPERM)" {
		t.Fatalf("restored: dirty %v mkdir %s", m2.dirty(), m2.states["mkdir"].Badge())
	}
	// Discard and quit: the file goes.
	_, msgs := drive(t, press(t, m2, "q"), keyMsg("d"))
	if !quitIn(msgs) {
		t.Fatal("did not quit")
	}
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Fatalf("recovery file still there after a clean quit: %v", err)
	}
}

// The recovery store drops a write that finishes after a later removal.
func TestRecoveryStoreOrder(t *testing.T) {
	s := &recoveryStore{}
	file := filepath.Join(t.TempDir(), "r.json")
	if err := s.apply(2, file, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.apply(1, file, []byte("{}")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Fatal("an older write brought the file back")
	}
}

func TestFocusAndHelp(t *testing.T) {
	m := compiled(t, newTestModel(t))
	m = press(t, m, "tab")
	if m.focus != paneDetail {
		t.Fatalf("tab: focus %d", m.focus)
	}
	m = press(t, m, "]")
	if m.detail.Tab() != 1 || !strings.Contains(screen(m), "executes") {
		t.Fatal("] shows the program tab with the executed path")
	}
	m = press(t, m, "tab", "/")
	if m.focus != paneCatalog || !m.catalog.Searching() {
		t.Fatalf("/ in the run pane searches the catalog: focus %d", m.focus)
	}
	m = press(t, m, "esc")
	m = press(t, m, "?")
	if viewerOf(m) == nil || !strings.Contains(screen(m), "learn mode") {
		t.Fatal("? shows every key")
	}
	m = press(t, m, "esc")
	if viewerOf(m) != nil {
		t.Fatal("esc closes help")
	}
}

func TestExport(t *testing.T) {
	m := compiled(t, newTestModel(t))
	m = press(t, m, "x")
	if menuOf(m) == nil {
		t.Fatal("x opens the format picker")
	}
	m = setCursor(m, string(export.FormatSystemd))
	m = press(t, m, "enter")
	if promptOf(m) == nil || !strings.HasSuffix(promptOf(m).Value(), ".conf") {
		t.Fatal("the export asks for a path, suggesting a .conf file")
	}
	path := filepath.Join(t.TempDir(), "x.conf")
	m = press(t, m, "ctrl+u")
	m = typeText(t, m, path)
	m = press(t, m, "enter")
	data, err := os.ReadFile(path)
	if err != nil || !strings.Contains(string(data), "SystemCallFilter=") {
		t.Fatalf("export: %v\n%s", err, data)
	}
	if !strings.Contains(m.status, "exported systemd to "+path) {
		t.Fatalf("status %q", m.status)
	}
}

func TestDiffView(t *testing.T) {
	m := compiled(t, newTestModel(t))
	m = press(t, m, "/")
	m = typeText(t, m, "mkdir")
	m = press(t, m, "enter", "d", "v", "l")
	if listOf(m) == nil {
		t.Fatal("v l shows the diff against the loaded profile")
	}
	s := screen(m)
	if !strings.Contains(s, "mkdir") || !strings.Contains(s, "Diff · 1 change") {
		t.Fatalf("diff view:\n%s", s)
	}
	// enter jumps to the change's syscall; r reverts it.
	m = press(t, m, "/", "ctrl+u")
	m = typeText(t, m, "ptrace")
	m = press(t, m, "enter", "esc")
	m = press(t, m, "v", "l", "enter")
	if e := m.catalog.Selected(); listOf(m) != nil || e == nil || e.Name != "mkdir" {
		t.Fatalf("enter in the diff jumps to mkdir: %v", e)
	}
	m = press(t, m, "v", "l", "r")
	if b := m.states["mkdir"].Badge(); b != "allow" {
		t.Fatalf("r reverts mkdir to the loaded profile's allow: %s", b)
	}
	// Against any file: one that denies chmod.
	path := filepath.Join(t.TempDir(), "other.json")
	if err := profile.Save(path, m.ed.Profile()); err != nil {
		t.Fatal(err)
	}
	m.catalog.Select("chmod")
	m.syncSelection()
	m = press(t, m, "d", "v", "f")
	if promptOf(m) == nil {
		t.Fatalf("v f asks for a file:\n%s", screen(m))
	}
	m = typeText(t, m, path)
	m = press(t, m, "enter")
	if s := screen(m); listOf(m) == nil || !strings.Contains(s, "chmod") || !strings.Contains(s, "A = "+path) {
		t.Fatalf("diff against a file:\n%s", s)
	}
}

// File errors say what to do, and the prompt comes back with the path.
func TestFileErrorsKeepThePath(t *testing.T) {
	m := compiled(t, newTestModel(t))
	missing := filepath.Join(t.TempDir(), "no", "such", "dir", "x.json")
	m = press(t, m, "x")
	m = setCursor(m, string(export.FormatDocker))
	m = press(t, m, "enter", "ctrl+u")
	m = typeText(t, m, missing)
	m = press(t, m, "enter")
	if promptOf(m) == nil || promptOf(m).Value() != missing || !strings.Contains(promptOf(m).Err, "does not exist: create it first") {
		t.Fatalf("a failed export asks again with the path and the reason:\n%s", screen(m))
	}
	m = press(t, m, "esc", "o")
	m = typeText(t, m, "/no/such/profile.json")
	m = press(t, m, "enter")
	if promptOf(m) == nil || promptOf(m).Value() != "/no/such/profile.json" || promptOf(m).Err == "" {
		t.Fatalf("a failed open keeps the typed path:\n%s", screen(m))
	}
}

// tab completes a path in the file prompts.
func TestPathCompletion(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"alpha.json", "alphabet.json", "beta.json"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	m := compiled(t, newTestModel(t))
	m = press(t, m, "o")
	m = typeText(t, m, filepath.Join(dir, "b"))
	m = press(t, m, "tab")
	if v := promptOf(m).Value(); v != filepath.Join(dir, "beta.json") {
		t.Fatalf("tab completed %q", v)
	}
	m = press(t, m, "ctrl+u")
	m = typeText(t, m, filepath.Join(dir, "al"))
	m = press(t, m, "tab")
	if v := promptOf(m).Value(); v != filepath.Join(dir, "alpha") {
		t.Fatalf("tab completed %q to the common prefix", v)
	}
	if s := screen(m); !strings.Contains(s, "alpha.json  alphabet.json") {
		t.Fatalf("the candidates are listed:\n%s", s)
	}
}

func TestOpenPresetGuardsEdits(t *testing.T) {
	m := compiled(t, newTestModel(t))
	m = press(t, m, "a", "p")
	if menuOf(m) == nil {
		t.Fatal("p opens the presets")
	}
	m = setCursor(m, "preset:deny-critical")
	m = press(t, m, "enter")
	if !asking(m, "Unsaved edits") {
		t.Fatal("opening with unsaved edits asks first")
	}
	m = press(t, m, "d")
	if m.source != "preset:deny-critical" || m.dirty() {
		t.Fatalf("opened %q dirty %v", m.source, m.dirty())
	}
}

func TestTabbedLayoutKeys(t *testing.T) {
	m := compiled(t, newTestModel(t))
	m = send(t, m, windowSize(80, 24))
	if m.layout.Mode != Tabbed {
		t.Fatal("80×24 is tabbed")
	}
	s := screen(m)
	if !strings.Contains(s, "[1 Syscalls]") || strings.Contains(s, "Output ·") {
		t.Fatalf("tabbed: only the focused pane is drawn:\n%s", s)
	}
	m = press(t, m, "tab", "tab")
	if !strings.Contains(screen(m), "Output ·") {
		t.Fatal("the run tab shows the run pane")
	}
}

func TestMouse(t *testing.T) {
	m := compiled(t, newTestModel(t))
	// Rows 0-1 are the header, 2 the catalog's border, 3 the CRITICAL
	// tier, 4 add_key and 5 bpf.
	m, _ = drive(t, m, tea.MouseClickMsg{X: 5, Y: 5, Button: tea.MouseLeft})
	if e := m.catalog.Selected(); e == nil || e.Name != "bpf" {
		t.Fatalf("click selected %v", e)
	}
	before := m.catalog.Selected().Name
	m, _ = drive(t, m, tea.MouseWheelMsg{X: 5, Y: 10, Button: tea.MouseWheelDown})
	if m.catalog.Selected().Name == before {
		t.Fatal("the wheel over the catalog scrolls it")
	}
	m, _ = drive(t, m, tea.MouseClickMsg{X: 100, Y: 30, Button: tea.MouseLeft})
	if m.focus != paneRun {
		t.Fatalf("a click in the run pane focuses it, focus %d", m.focus)
	}
}

func TestLightBackground(t *testing.T) {
	m := newTestModel(t)
	m = send(t, m, tea.BackgroundColorMsg{Color: lightGrey})
	if m.c.Styles.IsDark {
		t.Fatal("a light background selects the light styles")
	}
}

var lightGrey = color.RGBA{R: 0xee, G: 0xee, B: 0xee, A: 0xff}

// A click on a tab's label in the tab bar focuses that pane: tabAt and
// tabBar agree on where each tab is.
func TestTabBarClicks(t *testing.T) {
	m := compiled(t, newTestModel(t))
	m = send(t, m, windowSize(80, 24))
	bar := strings.Split(screen(m), "\n")[m.layout.Tabs.Y]
	for pane, name := range m.tabNames() {
		x := strings.Index(bar, name)
		if x < 0 {
			t.Fatalf("tab %q not in the bar %q", name, bar)
		}
		for _, dx := range []int{0, len(name) - 1} {
			m, _ = drive(t, m, tea.MouseClickMsg{X: x + dx, Y: m.layout.Tabs.Y, Button: tea.MouseLeft})
			if m.focus != pane {
				t.Fatalf("click at %d on %q focused pane %d", x+dx, name, m.focus)
			}
		}
	}
}
