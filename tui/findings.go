package tui

// Lint findings: the overlay that lists them (!), the one-key fixes their
// hints offer, and the guard that stops an export of a profile with
// errors unless the user says so.

import (
	"fmt"
	"strconv"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/lint"
	"github.com/seccomp-workbench/seccomp-workbench/tui/common"
	"github.com/seccomp-workbench/seccomp-workbench/tui/dialogs"
)

// fix is a finding's one-key repair: an edit of one syscall (or its
// family) that does what the hint says.
type fix struct {
	what  string // "deny socketcall too"
	name  string
	scope Scope
	act   profile.Action
	errno uint
}

// findingFix returns the repair a finding's hint offers, if it is one
// edit: a family split is closed by treating the family alike, a
// multiplexer or a critical call by denying it.
func (m Model) findingFix(f lint.Finding) (fix, bool) {
	if f.Syscall == "" {
		return fix{}, false
	}
	if _, ok := m.c.Catalog.Lookup(f.Syscall); !ok {
		return fix{}, false
	}
	deny := m.ed.Profile().DefaultErrno()
	switch f.Code {
	case "family-split":
		st, ok := m.states[f.Syscall]
		if !ok {
			return fix{}, false
		}
		return fix{what: fmt.Sprintf("treat %s's family as %s", f.Syscall, st.Badge()), name: f.Syscall, scope: ScopeFamily, act: st.Action, errno: st.Errno}, true
	case "multiplexer", "critical-allowed":
		return fix{what: "deny " + f.Syscall + ": " + common.Badge(profile.ActErrno, deny), name: f.Syscall, scope: ScopeSyscall, act: profile.ActErrno, errno: deny}, true
	}
	return fix{}, false
}

// lintCounts returns how many findings are errors and warnings.
func (m Model) lintCounts() (errs, warns int) {
	for _, f := range m.findings {
		if f.Severity == lint.SevError {
			errs++
		} else {
			warns++
		}
	}
	return errs, warns
}

// findingsDialog lists every finding with its hint; enter jumps to the
// syscall, f applies the fix.
func findingsDialog(m Model) dialog {
	s := m.c.Styles
	var entries []dialogs.Entry
	for i, f := range m.findings {
		head := s.Warn.Render("▲ warning")
		if f.Severity == lint.SevError {
			head = s.Error.Render("✘ error  ")
		}
		head += " " + s.Heading.Render(f.Subject()) + s.Dim.Render(" · "+f.Code)
		e := dialogs.Entry{Head: head, Body: f.Message + ". Fix: " + f.Hint, Value: strconv.Itoa(i)}
		if fx, ok := m.findingFix(f); ok {
			e.Actions = []string{"fix"}
			e.Body += " (f: " + fx.what + ")"
		}
		entries = append(entries, e)
	}
	errs, warns := m.lintCounts()
	header := []string{s.Dim.Render(fmt.Sprintf("%s, %s for %s", common.Count(errs, "error", "errors"), common.Count(warns, "warning", "warnings"), m.source)), ""}
	if len(entries) == 0 {
		header = []string{s.OK.Render("No findings: lint has nothing to say about this profile.")}
	}
	l := dialogs.NewList(m.c, "", "Lint findings", header, entries, "jump to the syscall",
		dialogs.ListAction{Name: "fix", Binding: key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "apply the fix"))})
	findings := m.findings
	fixes := make([]action, len(findings))
	for i, f := range findings {
		if fx, ok := m.findingFix(f); ok {
			fixes[i] = setAction{name: fx.name, scope: fx.scope, act: fx.act, errno: fx.errno}
		}
	}
	return dialog{box: l, on: ok(func(r dialogs.Result) action {
		i, err := strconv.Atoi(r.Value)
		if err != nil || i < 0 || i >= len(findings) {
			return nil
		}
		if r.Action == "fix" {
			return fixes[i]
		}
		return jumpAction{finding: findings[i]}
	})}
}

// jumpAction selects the syscall a finding is about.
type jumpAction struct{ finding lint.Finding }

func (a jumpAction) apply(m Model) (Model, tea.Cmd) {
	f := a.finding
	if f.Syscall != "" && m.catalog.Select(f.Syscall) {
		m.setFocus(paneCatalog)
		m.syncSelection()
		m.setStatus("%s: %s", f.Syscall, f.Message)
		return m, nil
	}
	m.setStatus("%s: %s", f.Subject(), f.Hint)
	return m, nil
}

// guardLint runs then at once, or after the user agrees to export a
// profile lint finds errors in.
func guardLint(m Model, then func(Model) (Model, tea.Cmd)) (Model, tea.Cmd) {
	errs, _ := m.lintCounts()
	if errs == 0 {
		return then(m)
	}
	m.push(askDialog(m.c, "Lint errors", []string{fmt.Sprintf("Lint finds %s in this profile: the exported filter may not do what it says.", common.Count(errs, "error", "errors"))}, []dialogs.Item{
		{Key: "!", Label: "show the findings", Value: "show"},
		{Key: "x", Label: "export anyway", Value: "export"},
		{Key: "c", Label: "cancel", Value: "cancel"},
	}, func(v string) action {
		switch v {
		case "show":
			return pushAction{findingsDialog(m)}
		case "export":
			return do(then)
		}
		return nil
	}))
	return m, nil
}
