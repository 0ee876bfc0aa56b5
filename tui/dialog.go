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
	"github.com/seccomp-workbench/seccomp-workbench/profile/export"
	"github.com/seccomp-workbench/seccomp-workbench/runner"
	"github.com/seccomp-workbench/seccomp-workbench/tui/common"
	"github.com/seccomp-workbench/seccomp-workbench/tui/dialogs"
	"github.com/seccomp-workbench/seccomp-workbench/tui/runpane"
)

// diffFile is the diff menu's "a file…" choice.
const diffFile = "\x00file"

// menu, prompt and viewer build the dialogs the root opens; push puts them
// on the stack with their outcome.
func menuBox(c *common.Common, title string, msg []string, items []dialogs.Item, filter bool) dialogs.Menu {
	return dialogs.NewMenu(c, "", title, msg, items, filter)
}

// pathPrompt asks for a file path; tab completes it.
func pathBox(c *common.Common, title string, msg []string, value, errText string) dialogs.Prompt {
	p := dialogs.NewPrompt(c, "", title, msg, value, "file path", nil)
	p.CompletePaths()
	p.Err = errText
	return p
}

// viewerDialog shows lines of text from line from; closing it does
// nothing more.
func viewerDialog(c *common.Common, title string, lines []string, from int) dialog {
	v := dialogs.NewViewer(c, "", title, lines)
	v.SetBounds(c.Width, c.Height)
	v.ScrollTo(from)
	return dialog{box: v}
}

// openErrnoMenu asks which errno name (or tier) should answer with.
func (m Model) openErrnoMenu(name string, scope Scope) (Model, tea.Cmd) {
	what := name
	if scope == ScopeFamily {
		what += " and its family"
	} else if scope == ScopeTier {
		what = "the tier of " + name
	}
	cur := ""
	if st, ok := m.states[name]; ok && st.Errno != 0 {
		cur = profile.ErrnoName(st.Errno)
	}
	m.push(errnoPicker(m.c, "Which errno should "+what+" fail with?", cur, func(n uint) action {
		return setAction{name: name, scope: scope, act: profile.ActErrno, errno: n}
	}))
	return m, nil
}

// errnoPicker is the list of errno names, the common ones first; then
// says what the chosen errno does.
func errnoPicker(c *common.Common, question, cur string, then func(uint) action) dialog {
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
	mn := menuBox(c, "Deny with errno", []string{question}, items, true)
	mn.SetCursor(cur)
	return dialog{box: mn, on: ok(func(r dialogs.Result) action {
		n, err := profile.ParseErrno(r.Value)
		if err != nil {
			return errorAction{err}
		}
		return then(n)
	})}
}

func errnoText(n uint) string {
	if n == 0 || n > 4095 {
		return ""
	}
	return fmt.Sprintf("%3d %s", n, syscall.Errno(n).Error())
}

// defaultDialog asks for the default action (and its errno).
func defaultDialog(m Model) dialog {
	def := m.ed.Profile()
	items := []dialogs.Item{
		{Key: "e", Label: "errno", Detail: "fail unlisted calls with an errno (Docker's choice)", Value: string(profile.ActErrno)},
		{Key: "a", Label: "allow", Detail: "a deny list: only the listed calls are stopped", Value: string(profile.ActAllow)},
		{Key: "k", Label: "kill", Detail: "kill the process", Value: string(profile.ActKillProcess)},
		{Key: "t", Label: "kill_thread", Detail: "kill the calling thread", Value: string(profile.ActKillThread)},
		{Key: "r", Label: "trap", Detail: "send SIGSYS", Value: string(profile.ActTrap)},
		{Key: "l", Label: "log", Detail: "allow and log", Value: string(profile.ActLog)},
	}
	mn := menuBox(m.c, "Default action", []string{"What should the filter do with calls no rule lists? Now: " + profile.Decision{Action: def.DefaultAction, Errno: def.DefaultErrno()}.String()}, items, false)
	mn.SetCursor(string(def.DefaultAction))
	errno := profile.ErrnoName(def.DefaultErrno())
	return dialog{box: mn, on: ok(func(r dialogs.Result) action {
		a := profile.Action(r.Value)
		if a != profile.ActErrno {
			return defaultAction{act: a}
		}
		return pushAction{errnoPicker(m.c, "Which errno should calls no rule lists fail with?", errno, func(n uint) action {
			return defaultAction{act: profile.ActErrno, errno: n}
		})}
	})}
}

// askDialog is a menu whose chosen value is the outcome.
func askDialog(c *common.Common, title string, msg []string, items []dialogs.Item, then func(v string) action) dialog {
	return dialog{box: menuBox(c, title, msg, items, false), on: ok(func(r dialogs.Result) action { return then(r.Value) })}
}

func presetDialog(m Model) dialog {
	var items []dialogs.Item
	for _, p := range profile.Presets() {
		items = append(items, dialogs.Item{Label: p.Name, Detail: p.Description, Value: profile.PresetPrefix + p.Name})
	}
	return askDialog(m.c, "Start from a preset", nil, items, func(v string) action { return openAction{v} })
}

func exportDialog(m Model) dialog {
	var items []dialogs.Item
	for _, f := range export.Formats() {
		items = append(items, dialogs.Item{Label: string(f), Detail: f.Purpose(), Value: string(f)})
	}
	return askDialog(m.c, "Export", []string{"Write the profile for another runtime. The file is written atomically."}, items, func(v string) action {
		f := export.Format(v)
		return pushAction{exportPathDialog(m.c, f, m.baseName()+f.Ext(), "")}
	})
}

// exportPathDialog asks where an export goes (again, with why, when it
// failed).
func exportPathDialog(c *common.Common, f export.Format, path, errText string) dialog {
	return dialog{box: pathBox(c, "Export "+string(f), []string{f.Purpose() + ". Write it to:"}, path, errText),
		on: ok(func(r dialogs.Result) action { return exportAction{format: f, path: strings.TrimSpace(r.Value)} })}
}

// baseName is the stem export and save-as suggest: the profile file's
// name, or the preset's.
func (m Model) baseName() string {
	if m.path != "" {
		return strings.TrimSuffix(m.path, filepath.Ext(m.path))
	}
	if m.saveStem != "" {
		return m.saveStem
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

func diffDialog(m Model) dialog {
	items := []dialogs.Item{{Key: "l", Label: "as loaded", Detail: m.source, Value: ""},
		{Key: "f", Label: "a file…", Detail: "any profile file", Value: diffFile}}
	for _, p := range profile.Presets() {
		items = append(items, dialogs.Item{Label: "preset " + p.Name, Value: profile.PresetPrefix + p.Name})
	}
	return askDialog(m.c, "Diff against", []string{"Compare the edited profile, per syscall, with:"}, items, func(v string) action {
		if v != diffFile {
			return diffAction{v}
		}
		return pushAction{dialog{box: pathBox(m.c, "Diff against a file", []string{"Compare the edited profile with the profile in:"}, "", ""),
			on: ok(func(r dialogs.Result) action { return diffAction{expandHome(strings.TrimSpace(r.Value))} })}}
	})
}

// commandDialog asks for a command line to run in mode (watch or
// enforce: the current run mode; record; learn), showing errText when a
// line was refused.
func commandDialog(m Model, mode runner.Mode, errText string) dialog {
	title, msg := "Run a command", "Runs under the live filter in "+string(m.mode)+" mode; denials are listed as they happen."
	if m.mode == runner.ModeAudit {
		msg = "Runs in audit mode: nothing is denied, the command runs as if unfiltered; the calls the profile would deny are listed as they happen."
	}
	switch mode {
	case runner.ModeRecord:
		title, msg = "Record a command", "Runs the command with every syscall allowed and notes each one; then offers the recorded profile."
	case runner.ModeLearn:
		title, msg = "Learn mode", "Runs the command and pauses on each syscall the profile does not decide yet, asking allow or deny; answers become edits."
	default:
		mode = m.mode
	}
	p := dialogs.NewPrompt(m.c, "", title, []string{msg}, m.cmdline, "command and arguments, e.g. mkdir /tmp/x", m.history)
	p.Err = errText
	return dialog{box: p, on: ok(func(r dialogs.Result) action { return runAction{line: r.Value, mode: mode} })}
}

// helpDialog lists every key that works now: the pane's, then the
// workbench's rows by group.
func helpDialog(m Model) dialog {
	hs := m.c.Styles.Help
	var blocks [][]string
	for i, g := range m.pane(m.focus).FullHelp() {
		title := "This pane"
		if i > 0 {
			title = ""
		}
		blocks = append(blocks, helpSection(hs, title, g))
	}
	groups := helpGroups(m.scope)
	byGroup := make([][]key.Binding, len(groups))
	seen := map[string]bool{}
	for _, r := range m.rows {
		h := r.key.Help().Key
		if (r.enabled != nil && !r.enabled(m)) || seen[h] {
			continue
		}
		seen[h] = true
		byGroup[r.group] = append(byGroup[r.group], r.key)
	}
	for i, g := range groups {
		blocks = append(blocks, helpSection(hs, g, byGroup[i]))
	}
	lines := helpColumns(blocks, max(20, min(m.c.Width-8, 106)))
	lines = append(lines, "", m.c.Styles.Dim.Render("Marks: "+common.MarkConditional+" a rule with argument conditions applies · "+
		common.MarkSplit+" the call's family is not treated alike"))
	return viewerDialog(m.c, "Keys", lines, 0)
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

// outputSearchDialog asks for text to find in the output.
func outputSearchDialog(m Model) dialog {
	cur, _ := m.run.Search()
	p := dialogs.NewPrompt(m.c, "", "Search the output", []string{"Find text in the command's output (n: the next older match)."}, cur, "text", nil)
	return dialog{box: p, on: ok(func(r dialogs.Result) action {
		text := strings.TrimSpace(r.Value)
		return do(func(m Model) (Model, tea.Cmd) {
			n := m.run.SetSearch(text)
			if text != "" {
				m.setStatus("%s of %q in the output", common.Count(n, "match", "matches"), text)
			}
			return m, nil
		})
	})}
}

// outputDialog shows the command's output full-screen, wrapped, from
// where the pane was scrolled.
func outputDialog(c *common.Common, v runpane.ViewOutputMsg) dialog {
	s := c.Styles
	w := max(10, common.Clamp(c.Width-4, 20, 110)-4)
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
	return viewerDialog(c, "Output", lines, from)
}

// denialDialog shows a denial in full (the root selects its syscall, so
// that the detail pane explains it).
func denialDialog(m Model, d runpane.Denial) dialog {
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
	}
	lines = append(lines, "", s.Dim.Render("esc, then a d e K … act on "+d.Syscall+" (scope: "+m.scope.String()+"); the detail pane shows it"))
	return viewerDialog(m.c, "Denied · "+d.Syscall, lines, 0)
}

// guardDirty runs then at once, or after the user agrees to drop unsaved
// edits.
func guardDirty(m Model, then func(Model) (Model, tea.Cmd)) (Model, tea.Cmd) {
	if !m.dirty() {
		return then(m)
	}
	m.push(askDialog(m.c, "Unsaved edits", []string{"Opening another profile drops the edits that are not saved."}, []dialogs.Item{
		{Key: "d", Label: "discard them and open", Value: "discard"},
		{Key: "c", Label: "cancel", Value: "cancel"},
	}, func(v string) action {
		if v != "discard" {
			return nil
		}
		return do(func(m Model) (Model, tea.Cmd) {
			m2, cmd := then(m)
			return m2, tea.Batch(cmd, m2.clearRecoveryCmd())
		})
	}))
	return m, nil
}
