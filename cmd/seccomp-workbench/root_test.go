package main

import (
	"io"
	"strings"
	"testing"
)

// Each subcommand is listed under the name its Use gives it: a run of
// that name builds exactly it, and help lists them all.
func TestSubcommandNames(t *testing.T) {
	for _, sc := range subcommands {
		root := newRootCmd([]string{sc.name, "--help"}, nil, io.Discard, io.Discard)
		cmds := root.Commands()
		if len(cmds) != 1 || cmds[0].Name() != sc.name {
			var names []string
			for _, c := range cmds {
				names = append(names, c.Name())
			}
			t.Errorf("%s builds %v", sc.name, names)
		}
	}
	full := newRootCmd([]string{"help"}, nil, io.Discard, io.Discard)
	if got := len(full.Commands()); got < len(subcommands) {
		t.Errorf("help builds %d commands, want the %d subcommands", got, len(subcommands))
	}
	code, out, _ := runCLI(t, "help")
	if code != exitOK {
		t.Fatalf("help: exit %d", code)
	}
	for _, sc := range subcommands {
		if !strings.Contains(out, "\n  "+sc.name+" ") {
			t.Errorf("help does not list %s:\n%s", sc.name, out)
		}
	}
	// help NAME finds the subcommand in the whole tree.
	if code, out, _ := runCLI(t, "help", "run"); code != exitOK || !strings.Contains(out, "seccomp-workbench run ") {
		t.Errorf("help run: exit %d:\n%s", code, out)
	}
}
