// Command panicapp is the workbench with one change: the key ! panics
// inside the event loop. The end-to-end test uses it to check that the
// terminal is restored after a crash. It lives under testdata so that it
// is never part of ./... builds.
package main

import (
	"fmt"
	"os"

	tea "charm.land/bubbletea/v2"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/tui"
)

func main() {
	p, err := profile.Open("preset:docker-default")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	crash := tea.WithFilter(func(_ tea.Model, msg tea.Msg) tea.Msg {
		if k, ok := msg.(tea.KeyPressMsg); ok && k.String() == "!" {
			panic("panicapp: deliberate panic")
		}
		return msg
	})
	err = tui.Run(tui.Options{Profile: p, Source: "preset:docker-default"}, crash)
	fmt.Println("panicapp returned:", err)
	os.Exit(3)
}
