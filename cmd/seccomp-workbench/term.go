package main

import (
	"io"
	"os"

	"golang.org/x/term"
)

// colorEnabled reports whether w should get ANSI colour: a terminal, and
// NO_COLOR unset (https://no-color.org: any non-empty value disables).
func colorEnabled(w io.Writer) bool {
	return os.Getenv("NO_COLOR") == "" && isTerminal(w)
}

// isTerminal reports whether w is a file open on a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// paint wraps s in an SGR colour code when on is true.
func paint(on bool, sgr, s string) string {
	if !on || sgr == "" {
		return s
	}
	return "\x1b[" + sgr + "m" + s + "\x1b[0m"
}

var riskSGR = map[string]string{
	"critical": "1;31",
	"high":     "31",
	"medium":   "33",
	"low":      "32",
}
