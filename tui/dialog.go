package tui

import (
	"fmt"
	"path/filepath"
	"strings"
	"syscall"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/diff"
	"github.com/seccomp-workbench/seccomp-workbench/profile/export"
	"github.com/seccomp-workbench/seccomp-workbench/runner"
	"github.com/seccomp-workbench/seccomp-workbench/tui/common"
	"github.com/seccomp-workbench/seccomp-workbench/tui/dialogs"
	"github.com/seccomp-workbench/seccomp-workbench/tui/runpane"
)

// What an open dialog's result is for.
const (
	pendErrno      = "errno"
	pendDefault    = "default"
	pendDefaultErr = "default-errno"
	pendPreset     = "preset"
	pendOpen       = "open"
	pendSaveAs     = "save-as"
	pendExport     = "export"
	pendExportPath = "export-path"
	pendDiff       = "diff"
	pendCommand    = "command"
	pendQuit       = "quit"
	pendDiscard    = "discard"
	pendRecovery   = "recovery"
	pendRecorded   = "recorded"
	pendLearn      = "learn"
	pendHelp       = "help"
	pendDiffView   = "diff-view"
	pendDiffFile   = "diff-file"
	// diffFile is the diff menu's "a file…" choice.
	diffFile       = "\x00file"
	pendRecordedAs = "recorded-save-as"
	pendOutSearch  = "output-search"
	pendLearnQuit  = "learn-quit"
	pendFindings   = "findings"
	pendLintExport = "lint-export"
	pendView       = "view"
)

// pending is the context of the open dialog.
type pending struct {
	id     string
	name   string // syscall (or tier) an errno is for
	scope  Scope
	format export.Format
	mode   runner.Mode // run mode a command line is for
	then   func(Model) (Model, tea.Cmd)
	ask    *askMsg
	rec    *recoveryFoundMsg
	prof   *profile.Profile
	// changes are the diff's, for its list's choices.
	changes []diff.Change
}

func (m *Model) closeDialogs() {
	m.menu, m.prompt, m.viewer, m.list = nil, nil, nil, nil
}

// replaceDialogs makes room for a new dialog. An unanswered learn-mode
// question is held, not dropped: nothing else would answer it and the
// command would stay paused.
func (m *Model) replaceDialogs() {
	if m.menu != nil && m.pending.id == pendLearn && m.pending.ask != nil {
		m.heldAsk = m.pending.ask
	}
	m.closeDialogs()
}

func (m *Model) openMenu(id, title string, msg []string, items []dialogs.Item, filter bool) *dialogs.Menu {
	m.replaceDialogs()
	mn := dialogs.NewMenu(m.c, id, title, msg, items, filter)
	mn.SetBounds(m.c.Width, m.c.Height)
	m.menu = &mn
	m.pending = pending{id: id}
	return m.menu
}

func (m *Model) openPrompt(id, title string, msg []string, value, placeholder string, history []string) {
	m.replaceDialogs()
	p := dialogs.NewPrompt(m.c, id, title, msg, value, placeholder, history)
	p.SetBounds(m.c.Width, m.c.Height)
	m.prompt = &p
	m.pending = pending{id: id}
}

func (m *Model) openList(id, title string, header []string, entries []dialogs.Entry, enter string, actions ...dialogs.ListAction) {
	m.replaceDialogs()
	l := dialogs.NewList(m.c, id, title, header, entries, enter, actions...)
	l.SetBounds(m.c.Width, m.c.Height)
	m.list = &l
	m.pending = pending{id: id}
}

// openPathPrompt asks for a file path; tab completes it.
func (m *Model) openPathPrompt(id, title string, msg []string, value string) {
	m.openPrompt(id, title, msg, value, "file path", nil)
	m.prompt.CompletePaths()
}

func (m *Model) openViewer(id, title string, lines []string) {
	m.replaceDialogs()
	v := dialogs.NewViewer(m.c, id, title, lines)
	v.SetBounds(m.c.Width, m.c.Height)
	m.viewer = &v
	m.pending = pending{id: id}
}

// openErrnoMenu asks which errno name (or tier) should answer with.
func (m Model) openErrnoMenu(name string, scope Scope) (Model, tea.Cmd) {
	what := name
	if scope == ScopeFamily {
		what += " and its family"
	} else if scope == ScopeTier {
		what = "the tier of " + name
	}
	mn := m.openErrnoPicker(pendErrno, "Which errno should "+what+" fail with?")
	if st, ok := m.states[name]; ok && st.Errno != 0 {
		mn.SetCursor(profile.ErrnoName(st.Errno))
	}
	m.pending.name, m.pending.scope = name, scope
	return m, nil
}

// openErrnoPicker opens the list of errno names, the common ones first.
func (m *Model) openErrnoPicker(id, question string) *dialogs.Menu {
	var items []dialogs.Item
	add := func(n uint, name string) {
		items = append(items, dialogs.Item{Label: fmt.Sprintf("%-10s", name), Detail: errnoText(n), Value: name})
	}
	seen := map[string]bool{}
	for _, n := range profile.CommonErrnos() {
		name := profile.ErrnoName(n)
		seen[name] = true
		add(n, name)
	}
	for _, name := range profile.ErrnoNames() {
		if !seen[name] {
			n, _ := profile.ParseErrno(name)
			add(n, name)
		}
	}
	return m.openMenu(id, "Deny with errno", []string{question}, items, true)
}

func errnoText(n uint) string {
	if n == 0 || n > 4095 {
		return ""
	}
	return fmt.Sprintf("%3d %s", n, syscall.Errno(n).Error())
}

func (m *Model) openDefaultMenu() {
	def := m.ed.Profile()
	items := []dialogs.Item{
		{Key: "e", Label: "errno", Detail: "fail unlisted calls with an errno (Docker's choice)", Value: string(profile.ActErrno)},
		{Key: "a", Label: "allow", Detail: "a deny list: only the listed calls are stopped", Value: string(profile.ActAllow)},
		{Key: "k", Label: "kill", Detail: "kill the process", Value: string(profile.ActKillProcess)},
		{Key: "t", Label: "kill_thread", Detail: "kill the calling thread", Value: string(profile.ActKillThread)},
		{Key: "r", Label: "trap", Detail: "send SIGSYS", Value: string(profile.ActTrap)},
		{Key: "l", Label: "log", Detail: "allow and log", Value: string(profile.ActLog)},
	}
	mn := m.openMenu(pendDefault, "Default action", []string{"What should the filter do with calls no rule lists? Now: " + profile.Decision{Action: def.DefaultAction, Errno: def.DefaultErrno()}.String()}, items, false)
	mn.SetCursor(string(def.DefaultAction))
}

func (m *Model) openPresetMenu() {
	var items []dialogs.Item
	for _, p := range profile.Presets() {
		items = append(items, dialogs.Item{Label: p.Name, Detail: p.Description, Value: profile.PresetPrefix + p.Name})
	}
	m.openMenu(pendPreset, "Start from a preset", nil, items, false)
}

func (m *Model) openExportMenu() {
	var items []dialogs.Item
	for _, f := range export.Formats() {
		items = append(items, dialogs.Item{Label: string(f), Detail: f.Purpose(), Value: string(f)})
	}
	m.openMenu(pendExport, "Export", []string{"Write the profile for another runtime. The file is written atomically."}, items, false)
}

// baseName is the stem export and save-as suggest: the profile file's
// name, or the preset's.
func (m Model) baseName() string {
	if m.path != "" {
		return strings.TrimSuffix(m.path, filepath.Ext(m.path))
	}
	name := strings.TrimPrefix(m.source, profile.PresetPrefix)
	name = strings.Map(func(r rune) rune {
		if r == '/' || r == ' ' || r == ':' {
			return '-'
		}
		return r
	}, name)
	if name == "" {
		name = "profile"
	}
	return filepath.Join(m.cwd, name)
}

func (m *Model) openDiffMenu() {
	items := []dialogs.Item{{Key: "l", Label: "as loaded", Detail: m.source, Value: ""},
		{Key: "f", Label: "a file…", Detail: "any profile file", Value: diffFile}}
	for _, p := range profile.Presets() {
		items = append(items, dialogs.Item{Label: "preset " + p.Name, Value: profile.PresetPrefix + p.Name})
	}
	m.openMenu(pendDiff, "Diff against", []string{"Compare the edited profile, per syscall, with:"}, items, false)
}

func (m *Model) openCommandPrompt(mode runner.Mode) {
	title, msg := "Run a command", "Runs under the live filter in "+string(m.mode)+" mode; denials are listed as they happen."
	switch mode {
	case runner.ModeRecord:
		title, msg = "Record a command", "Runs the command with every syscall allowed and notes each one; then offers the recorded profile."
	case runner.ModeLearn:
		title, msg = "Learn mode", "Runs the command and pauses on each syscall the profile does not decide yet, asking allow or deny; answers become edits."
	default:
		mode = m.mode
	}
	m.openPrompt(pendCommand, title, []string{msg}, m.cmdline, "command and arguments, e.g. mkdir /tmp/x", m.history)
	m.pending.mode = mode
}

func (m *Model) openHelp() {
	k := m.keys
	k.Stop.SetEnabled(m.ses != nil)
	hs := m.c.Styles.Help
	var blocks [][]string
	for i, g := range m.paneFullHelp() {
		title := "This pane"
		if i > 0 {
			title = ""
		}
		blocks = append(blocks, helpSection(hs, title, g))
	}
	blocks = append(blocks,
		helpSection(hs, "Workbench", k.general()),
		helpSection(hs, "Set the selection ("+m.scope.String()+")", k.actions()),
		helpSection(hs, "Profile", k.files()),
		helpSection(hs, "Runs", k.running()),
	)
	lines := helpColumns(blocks, max(20, min(m.c.Width-8, 106)))
	lines = append(lines, "", m.c.Styles.Dim.Render("Marks: "+common.MarkConditional+" a rule with argument conditions applies · "+
		common.MarkSplit+" the call's family is not treated alike"))
	m.openViewer(pendHelp, "Keys", lines)
}

const helpColW = 34

// helpColumns lays the sections out in as many columns as fit in w.
func helpColumns(blocks [][]string, w int) []string {
	cols := max(1, w/helpColW)
	per := (len(blocks) + cols - 1) / cols
	var columns []string
	for c := 0; c < cols && c*per < len(blocks); c++ {
		var col []string
		for _, b := range blocks[c*per : min(len(blocks), (c+1)*per)] {
			col = append(col, b...)
		}
		columns = append(columns, lipgloss.NewStyle().Width(helpColW).Render(strings.Join(col, "\n")))
	}
	return strings.Split(lipgloss.JoinHorizontal(lipgloss.Top, columns...), "\n")
}

func helpSection(hs help.Styles, title string, keys []key.Binding) []string {
	var out []string
	if title != "" {
		out = append(out, hs.FullDesc.Bold(true).Render(title))
	}
	for _, b := range keys {
		if !b.Enabled() {
			continue
		}
		h := b.Help()
		out = append(out, " "+hs.FullKey.Render(fmt.Sprintf("%-9s", h.Key))+" "+hs.FullDesc.Render(h.Desc))
	}
	return append(out, "")
}

// handleResult acts on a dialog's outcome.
func (m Model) handleResult(r dialogs.Result) (Model, tea.Cmd) {
	if r.ID != m.pending.id {
		return m, nil // a dialog that was replaced
	}
	pend := m.pending
	m.closeDialogs()
	m.pending = pending{}
	if !r.OK {
		switch pend.id {
		case pendLearn:
			return m.leaveLearn()
		case pendLearnQuit:
			m.heldAsk = pend.ask // back to the question
		case pendRecovery:
			m.setStatus("the recovered edits were kept in %s", pend.rec.file)
		}
		return m, nil
	}
	switch pend.id {
	case pendErrno:
		n, err := profile.ParseErrno(r.Value)
		if err != nil {
			m.setError(err)
			return m, nil
		}
		return m.applyTo(pend.name, pend.scope, profile.ActErrno, n)
	case pendDefault:
		a := profile.Action(r.Value)
		if a == profile.ActErrno {
			mn := m.openErrnoPicker(pendDefaultErr, "Which errno should calls no rule lists fail with?")
			mn.SetCursor(profile.ErrnoName(m.ed.Profile().DefaultErrno()))
			return m, nil
		}
		return m.setDefault(a, 0)
	case pendDefaultErr:
		n, err := profile.ParseErrno(r.Value)
		if err != nil {
			m.setError(err)
			return m, nil
		}
		return m.setDefault(profile.ActErrno, n)
	case pendPreset, pendOpen:
		return m.guardDirty(func(m Model) (Model, tea.Cmd) { return m, openCmd(r.Value) })
	case pendSaveAs:
		return m.saveTo(strings.TrimSpace(r.Value))
	case pendRecordedAs:
		return m.saveRecordedTo(strings.TrimSpace(r.Value), pend.prof)
	case pendExport:
		f := export.Format(r.Value)
		m.openPathPrompt(pendExportPath, "Export "+r.Value, []string{f.Purpose() + ". Write it to:"}, m.baseName()+f.Ext())
		m.pending.format = f
		return m, nil
	case pendExportPath:
		path := strings.TrimSpace(r.Value)
		return m.guardLint(func(m Model) (Model, tea.Cmd) { return m, m.exportCmd(pend.format, path) })
	case pendLintExport:
		switch r.Value {
		case "show":
			m.openFindings()
		case "export":
			return pend.then(m)
		}
		return m, nil
	case pendFindings:
		return m.handleFinding(r)
	case pendDiff:
		if r.Value == diffFile {
			m.openPathPrompt(pendDiffFile, "Diff against a file", []string{"Compare the edited profile with the profile in:"}, "")
			return m, nil
		}
		return m, m.diffCmd(r.Value)
	case pendDiffFile:
		return m, m.diffCmd(expandHome(strings.TrimSpace(r.Value)))
	case pendDiffView:
		return m.handleDiffChoice(r, pend.changes)
	case pendOutSearch:
		text := strings.TrimSpace(r.Value)
		n := m.run.SetSearch(text)
		if text != "" {
			m.setStatus("%s of %q in the output", common.Count(n, "match", "matches"), text)
		}
		return m, nil
	case pendCommand:
		return m.startCommand(r.Value, pend.mode)
	case pendQuit:
		switch r.Value {
		case "save":
			m2, cmd := m.save(false)
			m2.quitting = true
			return m2, cmd
		case "discard":
			return m.quit()
		}
		return m, nil
	case pendDiscard:
		if r.Value == "discard" && pend.then != nil {
			return pend.then(m)
		}
		return m, nil
	case pendRecovery:
		return m.handleRecoveryChoice(r.Value, pend.rec)
	case pendRecorded:
		return m.handleRecordedChoice(r.Value, pend.prof)
	case pendLearn:
		return m.handleLearnChoice(r.Value, pend.ask)
	case pendLearnQuit:
		if r.Value == "quit" {
			return m.requestQuit()
		}
		m.heldAsk = pend.ask
	}
	return m, nil
}

// openOutputViewer shows the command's output full-screen, wrapped, from
// where the pane was scrolled.
func (m *Model) openOutputViewer(v runpane.ViewOutputMsg) {
	s := m.c.Styles
	w := max(10, common.Clamp(m.c.Width-4, 20, 110)-4)
	var lines []string
	from := 0
	for i, l := range v.Lines {
		if i == v.From {
			from = len(lines)
		}
		prefix, st := "  ", s.Stdout
		switch l.Stream {
		case runpane.Stderr:
			prefix, st = "! ", s.Stderr
		case runpane.Info:
			prefix, st = "· ", s.Info
		}
		for j, part := range common.Wrap(l.Text, w) {
			if j > 0 {
				prefix = "  "
			}
			lines = append(lines, st.Render(prefix+part))
		}
		if l.Text == "" {
			lines = append(lines, "")
		}
	}
	if len(lines) == 0 {
		lines = []string{s.Dim.Render("(no output)")}
	}
	m.openViewer(pendView, "Output", lines)
	m.viewer.ScrollTo(from)
}

// openDenialViewer shows a denial in full and selects its syscall, so
// that the detail pane explains it.
func (m *Model) openDenialViewer(d runpane.Denial) {
	s := m.c.Styles
	w := max(10, common.Clamp(m.c.Width-4, 20, 110)-4)
	call := d.Args
	if !strings.HasPrefix(call, d.Syscall) {
		call = d.Syscall + call
	}
	var lines []string
	for _, l := range common.Wrap(call, w) {
		lines = append(lines, s.Text.Render(l))
	}
	lines = append(lines, "", s.Label.Render("outcome ")+s.Action(d.Action).Render(d.Outcome)+
		s.Dim.Render(fmt.Sprintf("  ×%d · pid %d", d.Count, d.Pid)))
	if st, ok := m.states[d.Syscall]; ok {
		lines = append(lines, s.Label.Render("profile ")+s.Action(st.Action).Render(st.Badge()))
	}
	if e, ok := m.c.Catalog.Lookup(d.Syscall); ok {
		lines = append(lines, "")
		for _, l := range common.Wrap(fmt.Sprintf("%s (%s risk): %s", e.Name, e.Risk, e.Description), w) {
			lines = append(lines, s.Text.Render(l))
		}
		m.catalog.Select(d.Syscall)
		m.syncSelection()
	}
	lines = append(lines, "", s.Dim.Render("a d e K … act on "+d.Syscall+" (scope: "+m.scope.String()+"); the detail pane shows it"))
	m.openViewer(pendView, "Denied · "+d.Syscall, lines)
}

// guardDirty runs then at once, or after the user agrees to drop unsaved
// edits.
func (m Model) guardDirty(then func(Model) (Model, tea.Cmd)) (Model, tea.Cmd) {
	if !m.dirty() {
		return then(m)
	}
	m.openMenu(pendDiscard, "Unsaved edits", []string{"Opening another profile drops the edits that are not saved."}, []dialogs.Item{
		{Key: "d", Label: "discard them and open", Value: "discard"},
		{Key: "c", Label: "cancel", Value: "cancel"},
	}, false)
	m.pending.then = func(m Model) (Model, tea.Cmd) {
		m2, cmd := then(m)
		return m2, tea.Batch(cmd, m2.clearRecoveryCmd())
	}
	return m, nil
}
