package main

import (
	"os/exec"
	"strings"
	"testing"
)

// The layers of docs/ARCHITECTURE.md, checked: each package of the module
// may import only the module's packages listed for it (a package not
// listed here fails until it is placed). Go refuses cycles by itself; this
// catches an import that is legal Go but crosses a layer, such as lint
// reaching for the compiler or the runner for the UI.
func TestLayers(t *testing.T) {
	const mod = "github.com/seccomp-workbench/seccomp-workbench/"
	allowed := map[string][]string{
		"catalog":                   nil,
		"catalog/internal/gen":      {"catalog"},
		"catalog/internal/genargs":  {"catalog"},
		"profile":                   {"catalog"},
		"profile/cbpf":              {"profile", "catalog"},
		"profile/compile":           {"profile", "profile/cbpf", "catalog"},
		"profile/lint":              {"profile", "catalog"},
		"profile/diff":              {"profile", "catalog"},
		"profile/merge":             {"profile", "profile/diff", "catalog"},
		"profile/internal/proftest": {"profile", "catalog"},
		"profile/export":            {"profile", "profile/compile", "profile/cbpf", "catalog"},
		"artifact":                  {"profile", "profile/source", "catalog"},
		"profile/source":            {"profile", "profile/decompile", "profile/compile", "profile/cbpf", "catalog"},
		"profile/decompile":         {"profile", "profile/compile", "profile/cbpf", "catalog"},
		"profile/progcache":         {"profile", "profile/compile", "profile/cbpf", "catalog"},
		"runner":                    {"profile", "profile/compile", "profile/cbpf", "profile/progcache", "profile/lint", "catalog"},
		"scenario":                  {"runner", "profile", "profile/", "catalog"},
		"tui/styles":                {"profile", "catalog"},
		"tui/common":                {"tui/styles", "profile", "catalog"},
		"tui/internal/keytest":      nil,
		"tui/dialogs":               {"tui/common", "tui/styles"},
		"tui/catalogpane":           {"tui/common", "tui/styles", "profile", "catalog"},
		"tui/detailpane":            {"tui/common", "tui/styles", "profile", "profile/cbpf", "profile/compile", "catalog"},
		"tui/runpane":               {"tui/common", "tui/styles", "runner", "profile", "catalog"},
		"tui/scenariopane":          {"tui/common", "tui/styles", "scenario", "runner", "profile", "catalog"},
		"tui":                       {"tui/", "scenario", "runner", "profile", "profile/", "catalog"},
		"cmd/seccomp-workbench":     {"tui", "scenario", "runner", "artifact", "profile", "profile/", "catalog"},

		"catalog/internal/gentables": nil,
	}
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, mod+"...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		pkg := strings.TrimPrefix(f[0], mod)
		ok, listed := allowed[pkg]
		if !listed {
			t.Errorf("%s is in no layer: add it to TestLayers and docs/ARCHITECTURE.md", pkg)
			continue
		}
		for _, imp := range f[1:] {
			dep, inModule := strings.CutPrefix(imp, mod)
			if !inModule {
				continue
			}
			if !permitted(dep, ok) {
				t.Errorf("%s imports %s, which its layer may not use (allowed: %s)", pkg, dep, strings.Join(ok, ", "))
			}
		}
	}
}

// permitted: dep is one of allowed, or under one that ends in "/".
func permitted(dep string, allowed []string) bool {
	for _, a := range allowed {
		if dep == a || strings.HasSuffix(a, "/") && strings.HasPrefix(dep, a) {
			return true
		}
	}
	return false
}
