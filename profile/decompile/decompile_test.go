package decompile

import (
	"testing"

	"golang.org/x/net/bpf"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/compile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/diff"
	"github.com/seccomp-workbench/seccomp-workbench/profile/internal/proftest"
)

// roundTrip compiles a profile as production loads it, decompiles the
// program and diffs the two meanings.
func roundTrip(t *testing.T, p *profile.Profile) *Result {
	t.Helper()
	env := proftest.X86Env()
	eff := p.Effective(env)
	prog, err := compile.Build(eff, profile.Options{Variant: profile.VariantEnforce})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Decompile([][]bpf.RawInstruction{prog.Insns}, catalog.X86_64)
	if err != nil {
		t.Fatal(err)
	}
	if cs := diff.Diff(eff, res.Profile.Effective(env)); len(cs) > 0 {
		for _, c := range cs {
			t.Errorf("differs: %s", c)
		}
	}
	return res
}

func TestPresetsRoundTrip(t *testing.T) {
	for _, pr := range profile.Presets() {
		t.Run(pr.Name, func(t *testing.T) {
			res := roundTrip(t, proftest.MustOpen(t, "preset:"+pr.Name))
			t.Logf("%d rules, %d checked, warnings %q", len(res.Profile.Syscalls), res.Checked, res.Warnings)
		})
	}
}

// Profiles users have: Podman's default, a deny list, one with 64-bit
// comparisons, the export tests' deny list.
func TestProfilesRoundTrip(t *testing.T) {
	for _, f := range []string{"profiles/podman-default.json", "profiles/runc-denylist.json", "export/denylist.json", "diff/mode-mkdir.json"} {
		t.Run(f, func(t *testing.T) {
			res := roundTrip(t, proftest.MustOpen(t, "../../testdata/"+f))
			t.Logf("%d rules, %d checked, warnings %q", len(res.Profile.Syscalls), res.Checked, res.Warnings)
		})
	}
}

// libseccomp's linear layout (no binary tree) and the watch variant (the
// runner's filter in watch mode: notify for every denial) decompile too.
func TestVariantsRoundTrip(t *testing.T) {
	env := proftest.X86Env()
	p := proftest.MustOpen(t, "preset:docker-default")
	eff := p.Effective(env)
	for _, o := range []profile.Options{{NoOptimize: true}, {Variant: profile.VariantWatch}} {
		prog, err := compile.Build(eff, o)
		if err != nil {
			t.Fatal(err)
		}
		res, err := Decompile([][]bpf.RawInstruction{prog.Insns}, catalog.X86_64)
		if err != nil {
			t.Fatalf("%+v: %v", o, err)
		}
		got := res.Profile.Effective(env)
		// Every call means what the compiled variant does.
		for _, ent := range catalog.MustDefault().All() {
			for _, args := range profile.ArgInputs(catalog.X86_64, ent.Name, eff, got) {
				want, ok := eff.DecideName(catalog.X86_64, ent.Name, args, o)
				if !ok {
					break
				}
				if d, _ := got.DecideName(catalog.X86_64, ent.Name, args, profile.Options{}); !d.Same(want) {
					t.Fatalf("%+v: %s%v: recovered %s, the variant means %s", o, ent.Name, args, d, want)
				}
			}
		}
	}
}

func BenchmarkDecompileDockerDefault(b *testing.B) {
	eff := proftest.MustOpen(b, "preset:docker-default").Effective(proftest.X86Env())
	prog, err := compile.Build(eff, profile.Options{})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Decompile([][]bpf.RawInstruction{prog.Insns}, catalog.X86_64); err != nil {
			b.Fatal(err)
		}
	}
}
