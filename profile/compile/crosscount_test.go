package compile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// Every preset and every profile under testdata/ that parses: how many
// cases Verify adds for calls compared on more than one argument, which
// calls, how many of those were sampled, and whether Build still
// verifies. Run with -v to see the figures.
func TestCrossCasesFigures(t *testing.T) {
	refs := []string{}
	for _, pr := range profile.Presets() {
		refs = append(refs, profile.PresetPrefix+pr.Name)
	}
	filepath.WalkDir("../../testdata", func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".json") {
			refs = append(refs, path)
		}
		return nil
	})
	env := profile.HostEnv()
	for _, ref := range refs {
		p, err := profile.Open(ref)
		if err != nil {
			continue // not a profile (a schema, a scenario's data)
		}
		e := p.Effective(env)
		dec := e.Decider(profile.Options{})
		cases, sampled := 0, 0
		var calls []string
		for _, arch := range catalog.Arches() {
			if !e.HasArch(arch) {
				continue
			}
			for _, ent := range catalog.MustDefault().All() {
				if _, ok := ent.Number(arch); !ok {
					continue
				}
				c, total := dec.CrossCases(arch, ent.Name)
				if total == 0 {
					continue
				}
				cases += len(c)
				calls = append(calls, string(arch)+"/"+ent.Name)
				if uint64(len(c)) < total {
					sampled++
				}
			}
		}
		n, err := VerifyCount(mustCompile(t, e))
		var verr *VerifyError
		status := "verifies"
		if errors.As(err, &verr) {
			status = "FAILS: " + verr.Error()
		} else if err != nil {
			status = "error: " + err.Error()
		}
		t.Logf("%s: %d cases (%d cross, %d calls sampled) %s; %s", ref, n, cases, sampled, calls, status)
	}
}

func mustCompile(t *testing.T, e *profile.Effective) *Program {
	t.Helper()
	p, err := Compile(e, profile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}
