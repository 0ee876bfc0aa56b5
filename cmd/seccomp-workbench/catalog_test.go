package main

import (
	"bytes"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
)

func catalogJSON(t *testing.T, args ...string) []map[string]any {
	t.Helper()
	code, out, errs := runCLI(t, append([]string{"catalog", "--json"}, args...)...)
	if code != 0 || errs != "" {
		t.Fatalf("catalog --json %v: exit %d, stderr %q", args, code, errs)
	}
	var list []map[string]any
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("not a JSON array: %v\n%.300s", err, out)
	}
	return list
}

// The field names are part of the CLI contract: scripts read them.
func TestCatalogJSON(t *testing.T) {
	list := catalogJSON(t, "open")
	if len(list) < 3 || list[0]["name"] != "open" || list[1]["name"] != "openat" {
		t.Fatalf("catalog --json open is not ranked: %v", list[:min(3, len(list))])
	}
	for _, e := range list {
		for _, f := range []string{"name", "risk", "category", "description", "rationale", "family", "numbers",
			"since", "systemd_groups", "docker", "capability", "man", "libseccomp"} {
			if _, ok := e[f]; !ok {
				t.Errorf("%v lacks %q", e["name"], f)
			}
		}
		if r, _ := e["risk"].(string); !slices.Contains(catalog.Risks(), catalog.Risk(r)) {
			t.Errorf("%v: risk %q", e["name"], r)
		}
		if d, _ := e["docker"].(string); d != "allow" && d != "deny" && d != "conditional" {
			t.Errorf("%v: docker %q", e["name"], d)
		}
	}
	openat := list[1]
	nums, _ := openat["numbers"].(map[string]any)
	if nums["x86_64"] != 257.0 || nums["aarch64"] != 56.0 {
		t.Errorf("openat numbers %v", nums)
	}
	if fam, _ := openat["family"].([]any); !slices.Contains(fam, any("openat2")) {
		t.Errorf("openat family %v", fam)
	}
	if openat["libseccomp"] != true || openat["since"] != "2.6.16" || openat["man"] != "open(2)" {
		t.Errorf("openat: %v", openat)
	}
	if got := catalogJSON(t, "zzzzqqq"); len(got) != 0 {
		t.Errorf("a query matching nothing gives %v, want []", got)
	}
}

func TestCatalogFilters(t *testing.T) {
	crit := catalogJSON(t, "--risk", "critical")
	if len(crit) < 20 {
		t.Errorf("only %d critical syscalls", len(crit))
	}
	for _, e := range crit {
		if e["risk"] != "critical" {
			t.Errorf("--risk critical lists %v (%v)", e["name"], e["risk"])
		}
	}
	for _, e := range catalogJSON(t, "open", "--arch", "arm64") {
		if e["name"] == "open" {
			t.Error("--arch arm64 lists open, which aarch64 lacks")
		}
	}
	// A unique prefix names a category.
	for _, e := range catalogJSON(t, "--category", "netw") {
		if e["category"] != "network" {
			t.Errorf("--category netw lists %v (%v)", e["name"], e["category"])
		}
	}
}

func TestCatalogTable(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	code, out, errs := runCLI(t, "catalog", "mkdir")
	if code != 0 || errs != "" {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if f := strings.Fields(lines[0]); strings.Join(f, " ") != "NAME RISK CATEGORY DOCKER X86_64 AARCH64 DESCRIPTION" {
		t.Errorf("header %q", lines[0])
	}
	if f := strings.Fields(lines[1]); len(f) < 7 || strings.Join(f[:6], " ") != "mkdir low directory allow 83 -" {
		t.Errorf("first row %q", lines[1])
	}
}

// Painting the risk words must not move the columns: tabwriter counts
// escape codes as width, so they are added after it has aligned the text.
func TestCatalogTableColorKeepsColumns(t *testing.T) {
	ms := catalog.MustDefault().Search(catalog.Query{Text: "open"})
	var plain, painted bytes.Buffer
	if err := writeCatalogTable(&plain, ms, false); err != nil {
		t.Fatal(err)
	}
	if err := writeCatalogTable(&painted, ms, true); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(painted.String(), paint(true, riskSGR["critical"], "critical")) {
		t.Fatalf("no painted risk in:\n%s", painted.String())
	}
	sgr := regexp.MustCompile("\x1b\\[[0-9;]*m")
	if got := sgr.ReplaceAllString(painted.String(), ""); got != plain.String() {
		t.Errorf("with colour, less its escape codes:\n%s\nwithout colour:\n%s", got, plain.String())
	}
}

func TestCatalogErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--arch", "loongarch64"}, 2, `--arch: unknown architecture "loongarch64": use one of`},
		{[]string{"--risk", "extreme"}, 2, `--risk: unknown risk "extreme": use one of critical, high, medium, low`},
		{[]string{"--category", "nope"}, 2, `--category: unknown category "nope": use one of file,`},
		{[]string{"open", "read"}, 2, "accepts at most 1 arg"},
		{[]string{"zzzzqqq"}, 1, `no syscall matches "zzzzqqq": `},
		{[]string{"--risk", "critical", "--category", "time"}, 1, "no syscall matches the filters: "},
	} {
		code, out, errs := runCLI(t, append([]string{"catalog"}, c.args...)...)
		if code != c.code || out != "" || !strings.HasPrefix(errs, "seccomp-workbench: ") || !strings.Contains(errs, c.want) {
			t.Errorf("catalog %v: exit %d, stdout %q, stderr %q; want exit %d and %q", c.args, code, out, errs, c.code, c.want)
		}
		if c.code == 1 && strings.Count(errs, "\n") != 1 {
			t.Errorf("catalog %v: stderr %q is not one line", c.args, errs)
		}
	}
}
