package tui

// The dialog stack. Every modal box (menu, prompt, viewer, list) is
// pushed with what its outcome means: a function from its Result to an
// action that carries its own context (the syscall an errno is for, the
// format an export path is for, the learn question an answer goes to).
// Only the top dialog takes keys; one that opens over another (a diff
// arriving while a learn question waits) covers it until it closes.

import (
	"fmt"
	"slices"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/export"
	"github.com/seccomp-workbench/seccomp-workbench/runner"
	"github.com/seccomp-workbench/seccomp-workbench/tui/dialogs"
)

// action is what a dialog's outcome asks the root to do.
type action interface {
	apply(Model) (Model, tea.Cmd)
}

// do is an action written as a function, for flows of more than one step
// (guards that ask first, then carry on).
type do func(Model) (Model, tea.Cmd)

func (f do) apply(m Model) (Model, tea.Cmd) { return f(m) }

// setAction sets what the filter does with a syscall, its family or its
// tier.
type setAction struct {
	name  string
	scope Scope
	act   profile.Action
	errno uint
}

func (a setAction) apply(m Model) (Model, tea.Cmd) { return m.applyTo(a.name, a.scope, a.act, a.errno) }

// defaultAction sets the default action.
type defaultAction struct {
	act   profile.Action
	errno uint
}

func (a defaultAction) apply(m Model) (Model, tea.Cmd) { return m.setDefault(a.act, a.errno) }

// runAction runs a command line in a mode.
type runAction struct {
	line string
	mode runner.Mode
}

func (a runAction) apply(m Model) (Model, tea.Cmd) { return m.startCommand(a.line, a.mode) }

// openAction opens a profile (a path or preset:NAME), asking first when
// edits would be lost.
type openAction struct{ arg string }

func (a openAction) apply(m Model) (Model, tea.Cmd) {
	return guardDirty(m, func(m Model) (Model, tea.Cmd) { return m, openCmd(a.arg) })
}

// exportAction writes an export, asking first when lint found errors.
type exportAction struct {
	format export.Format
	path   string
}

func (a exportAction) apply(m Model) (Model, tea.Cmd) {
	return guardLint(m, func(m Model) (Model, tea.Cmd) { return m, m.exportCmd(a.format, a.path) })
}

// answerAction answers a learn-mode question and makes the answer an edit.
type answerAction struct {
	ask    *askMsg
	choice string // allow, deny, enosys, kill
}

func (a answerAction) apply(m Model) (Model, tea.Cmd) {
	d := learnDeny()
	switch a.choice {
	case "allow":
		d = profile.Decision{Action: profile.ActAllow}
	case "enosys":
		d.Errno = profile.ENOSYS
	case "kill":
		d = profile.Decision{Action: profile.ActKillProcess}
	}
	m2, cmd := m.applyTo(a.ask.q.Syscall, ScopeSyscall, d.Action, d.Errno)
	return m2, tea.Batch(cmd, m2.answer(a.ask, d))
}

// pushAction opens another dialog (the next step of a flow).
type pushAction struct{ d dialog }

func (a pushAction) apply(m Model) (Model, tea.Cmd) {
	m.push(a.d)
	return m, nil
}

// diffAction compares the profile with another ("" the profile as
// loaded, a path or preset:NAME).
type diffAction struct{ against string }

func (a diffAction) apply(m Model) (Model, tea.Cmd) { return m, m.diffCmd(a.against) }

// statusAction says something on the status line.
type statusAction string

func (a statusAction) apply(m Model) (Model, tea.Cmd) {
	m.setStatus("%s", string(a))
	return m, nil
}

// errorAction reports an error on the status line.
type errorAction struct{ err error }

func (a errorAction) apply(m Model) (Model, tea.Cmd) {
	m.setError(a.err)
	return m, nil
}

// dialog is one entry of the stack.
type dialog struct {
	box dialogs.Box
	id  string
	// on turns the box's Result into an action; nil, or a nil action,
	// means nothing to do.
	on func(dialogs.Result) action
	// keys, when set, sees key presses before the box does (learn mode's
	// ctrl+c and q); ok false hands the key to the box.
	keys func(Model, tea.KeyPressMsg) (Model, tea.Cmd, bool)
}

// stack holds the open dialogs, the top last. Its methods return a new
// stack: a Model copy made earlier never sees a change.
type stack struct {
	items []dialog
	seq   int // names dialogs, so that a late Result finds its own
}

func (s stack) open() bool { return len(s.items) > 0 }

func (s stack) top() (dialog, bool) {
	if len(s.items) == 0 {
		return dialog{}, false
	}
	return s.items[len(s.items)-1], true
}

func (s stack) push(d dialog) stack {
	s.seq++
	d.id = fmt.Sprintf("dialog-%d", s.seq)
	d.box = d.box.Named(d.id)
	s.items = append(slices.Clip(s.items), d)
	return s
}

// take removes the dialog a Result came from; ok is false when it is gone
// already.
func (s stack) take(id string) (stack, dialog, bool) {
	for i, d := range s.items {
		if d.id == id {
			s.items = slices.Delete(slices.Clone(s.items), i, i+1)
			return s, d, true
		}
	}
	return s, dialog{}, false
}

// pop removes the top dialog.
func (s stack) pop() stack {
	if len(s.items) > 0 {
		s.items = slices.Clip(s.items[:len(s.items)-1])
	}
	return s
}

// withTop replaces the top dialog's box.
func (s stack) withTop(b dialogs.Box) stack {
	if len(s.items) == 0 {
		return s
	}
	s.items = slices.Clone(s.items)
	s.items[len(s.items)-1].box = b
	return s
}

// step gives msg to the top dialog.
func (s stack) step(msg tea.Msg) (stack, tea.Cmd) {
	d, ok := s.top()
	if !ok {
		return s, nil
	}
	b, cmd := d.box.Step(msg)
	return s.withTop(b), cmd
}

func (s stack) sized(w, h int) stack {
	s.items = slices.Clone(s.items)
	for i := range s.items {
		s.items[i].box = s.items[i].box.Sized(w, h)
	}
	return s
}

func (s stack) help() []key.Binding {
	if d, ok := s.top(); ok {
		return d.box.ShortHelp()
	}
	return nil
}

// push opens a dialog over whatever is open.
func (m *Model) push(d dialog) {
	d.box = d.box.Sized(m.c.Width, m.c.Height)
	m.stack = m.stack.push(d)
}

// ok wraps an outcome that matters only when the dialog was not
// cancelled.
func ok(f func(dialogs.Result) action) func(dialogs.Result) action {
	return func(r dialogs.Result) action {
		if !r.OK {
			return nil
		}
		return f(r)
	}
}
