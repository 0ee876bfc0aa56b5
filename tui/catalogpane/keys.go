package catalogpane

import (
	"charm.land/bubbles/v2/key"

	"github.com/seccomp-workbench/seccomp-workbench/tui/common"
)

// KeyMap is the catalog pane's keys.
type KeyMap struct {
	Nav      common.NavKeys
	Search   key.Binding
	Toggle   key.Binding
	Collapse key.Binding
	Expand   key.Binding
	// While the search line is open:
	Keep  key.Binding
	Clear key.Binding
	Prev  key.Binding
	Next  key.Binding
}

// DefaultKeyMap returns the catalog pane's default keys.
func DefaultKeyMap(nav common.NavKeys) KeyMap {
	return KeyMap{
		Nav:      nav,
		Search:   key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "search")),
		Toggle:   key.NewBinding(key.WithKeys("enter", "space"), key.WithHelp("enter", "fold tier")),
		Collapse: key.NewBinding(key.WithKeys("left"), key.WithHelp("←", "fold")),
		Expand:   key.NewBinding(key.WithKeys("right"), key.WithHelp("→", "unfold")),
		Keep:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep filter")),
		Clear:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear")),
		Prev:     key.NewBinding(key.WithKeys("up"), key.WithHelp("↑", "previous")),
		Next:     key.NewBinding(key.WithKeys("down"), key.WithHelp("↓", "next")),
	}
}
