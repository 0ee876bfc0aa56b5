package dialogs

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// Box is any open dialog, as the root's dialog stack holds it: Menu,
// Prompt, Viewer and List. Step is Update behind the interface; Sized
// and Named return a copy with new bounds or a new ID (the ID its Result
// carries).
type Box interface {
	Step(tea.Msg) (Box, tea.Cmd)
	Sized(w, h int) Box
	Named(id string) Box
	View() string
	ShortHelp() []key.Binding
}

func (m Menu) Step(msg tea.Msg) (Box, tea.Cmd) { return m.Update(msg) }
func (m Menu) Sized(w, h int) Box              { m.SetBounds(w, h); return m }
func (m Menu) Named(id string) Box             { m.ID = id; return m }

func (p Prompt) Step(msg tea.Msg) (Box, tea.Cmd) { return p.Update(msg) }
func (p Prompt) Sized(w, h int) Box              { p.SetBounds(w, h); return p }
func (p Prompt) Named(id string) Box             { p.ID = id; return p }

// ShortHelp is the prompt's keys for the footer.
func (p Prompt) ShortHelp() []key.Binding {
	hs := []key.Binding{p.keys.Choose, p.keys.Cancel}
	if p.paths {
		hs = append(hs, p.complete)
	}
	return hs
}

func (v Viewer) Step(msg tea.Msg) (Box, tea.Cmd) { return v.Update(msg) }
func (v Viewer) Sized(w, h int) Box              { v.SetBounds(w, h); return v }
func (v Viewer) Named(id string) Box             { v.ID = id; return v }

// ShortHelp is the viewer's keys for the footer.
func (v Viewer) ShortHelp() []key.Binding {
	return []key.Binding{v.keys.Nav.Down, v.keys.Nav.PageDown, v.close}
}

func (l List) Step(msg tea.Msg) (Box, tea.Cmd) { return l.Update(msg) }
func (l List) Sized(w, h int) Box              { l.SetBounds(w, h); return l }
func (l List) Named(id string) Box             { l.ID = id; return l }
