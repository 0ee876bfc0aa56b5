package tui

import (
	"charm.land/bubbles/v2/key"
)

// KeyMap is the workbench's global keys: they work whatever pane has
// the keyboard (except while a dialog or the search line is open).
type KeyMap struct {
	Search    key.Binding
	NextPane  key.Binding
	PrevPane  key.Binding
	Help      key.Binding
	Findings  key.Binding
	Quit      key.Binding
	Interrupt key.Binding // ctrl+c: stop the run, or quit
	Stop      key.Binding
	// GoPane focuses pane 1, 2 or 3 (the tab bar's numbers).
	GoPane key.Binding

	// Actions on the selected syscall (or its family or tier, see Scope).
	Allow   key.Binding
	Deny    key.Binding
	Errno   key.Binding
	Kill    key.Binding
	Log     key.Binding
	Trap    key.Binding
	Notify  key.Binding
	Scope   key.Binding
	Default key.Binding

	Undo key.Binding
	Redo key.Binding

	Preset key.Binding
	Open   key.Binding
	Save   key.Binding
	SaveAs key.Binding
	Export key.Binding
	Diff   key.Binding

	Command key.Binding
	Rerun   key.Binding
	Record  key.Binding
	Learn   key.Binding
	Mode    key.Binding
	// Scenarios opens a scenario file for the scenarios pane.
	Scenarios key.Binding
	// Minimize minimises the profile against the scenario file.
	Minimize key.Binding
}

// DefaultKeyMap returns the default global keys (those the README's key
// table and help line name among them: / a d c r s ? q tab).
func DefaultKeyMap() KeyMap {
	b := func(keys []string, k, help string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(k, help))
	}
	return KeyMap{
		Search:    b([]string{"/"}, "/", "search syscalls"),
		NextPane:  b([]string{"tab"}, "tab", "next pane"),
		PrevPane:  b([]string{"shift+tab"}, "shift+tab", "previous pane"),
		Help:      b([]string{"?"}, "?", "all keys"),
		Findings:  b([]string{"!"}, "!", "lint findings"),
		Quit:      b([]string{"q"}, "q", "quit"),
		Interrupt: b([]string{"ctrl+c"}, "ctrl+c", "stop run / quit"),
		Stop:      b([]string{"esc"}, "esc", "stop run"),
		GoPane:    b([]string{"1", "2", "3"}, "1 2 3", "go to pane"),

		Allow:   b([]string{"a"}, "a", "allow"),
		Deny:    b([]string{"d"}, "d", "deny (default errno)"),
		Errno:   b([]string{"e"}, "e", "errno…"),
		Kill:    b([]string{"K"}, "K", "kill"),
		Log:     b([]string{"L"}, "L", "log"),
		Trap:    b([]string{"T"}, "T", "trap"),
		Notify:  b([]string{"N"}, "N", "notify"),
		Scope:   b([]string{"f"}, "f", "scope: call/family/tier"),
		Default: b([]string{"D"}, "D", "default action…"),

		Undo: b([]string{"u"}, "u", "undo"),
		Redo: b([]string{"ctrl+r"}, "ctrl+r", "redo"),

		Preset: b([]string{"p"}, "p", "preset…"),
		Open:   b([]string{"o"}, "o", "open…"),
		Save:   b([]string{"s"}, "s", "save"),
		SaveAs: b([]string{"S"}, "S", "save as…"),
		Export: b([]string{"x"}, "x", "export…"),
		Diff:   b([]string{"v"}, "v", "diff…"),

		Command: b([]string{"c"}, "c", "command line"),
		Rerun:   b([]string{"r"}, "r", "run again"),
		Record:  b([]string{"R"}, "R", "record"),
		Learn:   b([]string{"l"}, "l", "learn mode"),
		Mode:    b([]string{"m"}, "m", "watch/enforce/audit"),

		Scenarios: b([]string{"t"}, "t", "scenarios…"),
		Minimize:  b([]string{"M"}, "M", "minimize (scenarios)"),
	}
}
