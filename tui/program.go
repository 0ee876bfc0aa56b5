package tui

import (
	"errors"
	"os"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
)

// Run opens the workbench in the terminal and returns when the user
// quits. Bubble Tea restores the terminal on every way out, a panic in
// Update or View included (it recovers, restores, then reports the
// panic); whatever way the program ends, a command still running is
// stopped before Run returns.
func Run(o Options, opts ...tea.ProgramOption) error {
	m, err := New(o)
	if err != nil {
		return err
	}
	runs := m.runs
	defer runs.stopAll()
	opts = append(programOptions(os.Getenv), opts...)
	_, err = tea.NewProgram(m, opts...).Run()
	if errors.Is(err, tea.ErrProgramPanic) {
		return errors.New("the workbench crashed (the panic is printed above); unsaved edits are in the recovery file and will be offered next time")
	}
	return err
}

// programOptions are the options the environment asks for. NO_COLOR
// (https://no-color.org) turns colour off for any non-empty value;
// Bubble Tea's own detection only accepts boolean spellings ("1",
// "true"), so the profile is set here. Bold and reverse video remain, and
// everything coloured also says what it means in text.
func programOptions(getenv func(string) string) []tea.ProgramOption {
	if getenv("NO_COLOR") != "" {
		return []tea.ProgramOption{tea.WithColorProfile(colorprofile.ASCII)}
	}
	return nil
}
