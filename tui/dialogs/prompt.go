package dialogs

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/seccomp-workbench/seccomp-workbench/tui/common"
)

// Prompt asks for one line of text (a path, a command line). Up and down
// walk through History, newest first.
type Prompt struct {
	c       *common.Common
	keys    Keys
	ID      string
	Title   string
	Message []string
	input   textinput.Model
	history []string
	hpos    int // -1 while editing a fresh line
	draft   string
	// Err is shown under the input (the caller sets it when a value is
	// rejected and the prompt stays open).
	Err  string
	maxW int
	prev key.Binding
	next key.Binding
	// Paths: tab completes a file path.
	paths    bool
	complete key.Binding
	options  []string // names the last completion left open
}

// CompletePaths makes tab complete file paths (~ is the home directory).
func (p *Prompt) CompletePaths() {
	p.paths = true
	p.complete = key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "complete"))
}

// NewPrompt builds a prompt with an initial value and a history (oldest
// first, as it is kept).
func NewPrompt(c *common.Common, id, title string, message []string, value, placeholder string, history []string) Prompt {
	p := Prompt{c: c, keys: DefaultKeys(c.Nav), ID: id, Title: title, Message: message, history: history, hpos: -1, maxW: 80,
		prev: key.NewBinding(key.WithKeys("up", "ctrl+p"), key.WithHelp("↑", "older")),
		next: key.NewBinding(key.WithKeys("down", "ctrl+n"), key.WithHelp("↓", "newer")),
	}
	p.input = c.NewInput("> ", placeholder)
	p.input.SetValue(value)
	p.input.CursorEnd()
	p.input.Focus()
	return p
}

// Value is the text typed so far.
func (p Prompt) Value() string { return p.input.Value() }

// SetBounds limits the box to the screen's width.
func (p *Prompt) SetBounds(maxW, _ int) {
	p.maxW = maxW
	p.input.SetWidth(max(8, p.width()-6))
}

func (p Prompt) width() int { return common.Clamp(p.maxW-4, 24, 90) }

// Update edits the line; enter and esc close the prompt through a Result.
func (p Prompt) Update(msg tea.Msg) (Prompt, tea.Cmd) {
	if c, ok := msg.(CompletedMsg); ok {
		if c.ID == p.ID && c.For == p.input.Value() {
			p.input.SetValue(c.Value)
			p.input.CursorEnd()
			p.options = c.Options
		}
		return p, nil
	}
	if kp, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case p.paths && key.Matches(kp, p.complete):
			return p, completeCmd(p.ID, p.input.Value())
		case key.Matches(kp, p.keys.Cancel):
			return p, result(p.ID, false, "")
		case key.Matches(kp, p.keys.Choose):
			return p, result(p.ID, true, p.input.Value())
		case key.Matches(kp, p.prev):
			p.walk(1)
			return p, nil
		case key.Matches(kp, p.next):
			p.walk(-1)
			return p, nil
		}
		p.Err = ""
		p.options = nil
	}
	var cmd tea.Cmd
	p.input, cmd = p.input.Update(msg)
	return p, cmd
}

// walk moves through the history: +1 older, -1 newer.
func (p *Prompt) walk(d int) {
	if len(p.history) == 0 {
		return
	}
	if p.hpos == -1 {
		p.draft = p.input.Value()
	}
	p.hpos = common.Clamp(p.hpos+d, -1, len(p.history)-1)
	if p.hpos == -1 {
		p.input.SetValue(p.draft)
	} else {
		p.input.SetValue(p.history[len(p.history)-1-p.hpos])
	}
	p.input.CursorEnd()
}

// View draws the box.
func (p Prompt) View() string {
	s := p.c.Styles
	w := p.width()
	var body []string
	for _, l := range p.Message {
		body = append(body, common.Wrap(l, w-4)...)
	}
	body = append(body, p.input.View())
	if p.Err != "" {
		for _, l := range common.Wrap(p.Err, w-4) {
			body = append(body, s.Error.Render(l))
		}
	}
	if len(p.options) > 0 {
		more := ""
		opts := p.options
		if len(opts) > 12 {
			opts, more = opts[:12], " …"
		}
		for _, l := range common.Wrap(strings.Join(opts, "  ")+more, w-4) {
			body = append(body, s.Dim.Render(l))
		}
	}
	hint := " enter ok · esc cancel"
	if p.paths {
		hint += " · tab completes"
	}
	if len(p.history) > 0 {
		hint += " · ↑↓ history"
	}
	body = append(body, s.Dim.Render(hint))
	return dialogFrame(p.c, p.Title, body, w)
}
