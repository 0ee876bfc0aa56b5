package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A profile the workbench cannot open is a one-line error and exit 1,
// before anything touches the terminal.
func TestWorkbenchBadProfile(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(`{"defaultAction": 3}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ arg, want string }{
		{filepath.Join(t.TempDir(), "missing.json"), "no such file"},
		{"preset:nope", "no such preset: use one of docker-default"},
		{bad, "bad.json:1:19: defaultAction must be a string"},
	} {
		var out, errb bytes.Buffer
		code := execute([]string{tc.arg}, strings.NewReader(""), &out, &errb)
		msg := errb.String()
		if code != exitFailed || !strings.Contains(msg, tc.want) || strings.Count(msg, "\n") != 1 || out.Len() != 0 {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", tc.arg, code, out.String(), msg)
		}
	}
	var out, errb bytes.Buffer
	if code := execute([]string{"a", "b"}, strings.NewReader(""), &out, &errb); code != exitUsage {
		t.Errorf("two profiles: exit %d", code)
	}
}
