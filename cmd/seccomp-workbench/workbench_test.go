package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// A profile the workbench cannot open is a one-line error and exit 1,
// before anything touches the terminal.
func TestWorkbenchBadProfile(t *testing.T) {
	bad := writeFile(t, "bad.json", `{"defaultAction": 3}`)
	for _, tc := range []struct{ arg, want string }{
		{filepath.Join(t.TempDir(), "missing.json"), "no such file"},
		{"preset:nope", "no such preset: use one of docker-default"},
		{bad, "bad.json:1:19: defaultAction must be a string"},
	} {
		code, out, msg := runCLI(t, tc.arg)
		if code != exitFailed || !strings.Contains(msg, tc.want) || strings.Count(msg, "\n") != 1 || out != "" {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", tc.arg, code, out, msg)
		}
	}
	if code, _, _ := runCLI(t, "a", "b"); code != exitUsage {
		t.Errorf("two profiles: exit %d", code)
	}
}

// A wrong number of arguments names the subcommand and what it takes.
func TestArgCountErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"check"}, "seccomp-workbench: check: accepts 1 arg(s), received 0: usage: seccomp-workbench check PROFILE [flags]\n"},
		{[]string{"diff", "a.json"}, "seccomp-workbench: diff: accepts 2 arg(s), received 1: usage: seccomp-workbench diff PROFILE_A PROFILE_B"},
		{[]string{"run", "--profile", "preset:docker-default"}, "seccomp-workbench: run: no command given: put it after --"},
	} {
		code, out, errs := runCLI(t, c.args...)
		if code != exitUsage || out != "" || !strings.HasPrefix(errs, c.want) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and %q", c.args, code, out, errs, c.want)
		}
	}
}
