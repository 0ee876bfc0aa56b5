package source

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/compile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/diff"
	"github.com/seccomp-workbench/seccomp-workbench/profile/export"
	"github.com/seccomp-workbench/seccomp-workbench/profile/internal/proftest"
)

// Helpers shared by the package's tests (profile/internal/proftest).
var (
	x86Env   = proftest.X86Env
	mustOpen = proftest.MustOpen
)

// roundTripProfiles are the profiles every format's round trip exports
// and imports again.
var roundTripProfiles = map[string]string{
	"docker-default": "preset:docker-default",
	"deny-critical":  "preset:deny-critical",
	"small":          "../../testdata/export/small.json",
	"denylist":       "../../testdata/export/denylist.json",
}

// writeFile writes content to name in a fresh directory and returns its
// path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// exportTo exports p in format f to a file and returns its path.
func exportTo(t *testing.T, p *profile.Profile, f export.Format, o export.ExportOptions) (string, []string) {
	t.Helper()
	out, notes, err := export.Export(p, x86Env(), f, o)
	if err != nil {
		t.Fatal(err)
	}
	return writeFile(t, "exported"+f.Ext(), string(out)), notes
}

// mustImport opens arg and fails the test on an error.
func mustImport(t *testing.T, arg string) *Opened {
	t.Helper()
	o, err := Open(arg)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// sameMeaning fails unless a and b do the same with every call, and
// unless b (the import) compiles into a filter that is proven to mean it.
func sameMeaning(t *testing.T, a, b *profile.Profile) {
	t.Helper()
	if _, err := compile.Build(b.Effective(x86Env()), profile.Options{}); err != nil {
		t.Errorf("the imported profile does not compile: %v", err)
	}
	changes := diff.Diff(a.Effective(x86Env()), b.Effective(x86Env()))
	for _, c := range changes {
		t.Errorf("differs: %s", c)
	}
}

// wantErr fails unless err's text contains every part.
func wantErr(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one containing %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q lacks %q", err, p)
		}
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("error is not one line: %q", err)
	}
}

// wantWarning fails unless some warning contains s.
func wantWarning(t *testing.T, o *Opened, s string) {
	t.Helper()
	for _, w := range o.Warnings {
		if strings.Contains(w, s) {
			return
		}
	}
	t.Errorf("no warning contains %q: %q", s, o.Warnings)
}

func writeFileAt(path, content string) error {
	return os.WriteFile(path, []byte(content), 0o644)
}
