package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

func TestPresetsJSON(t *testing.T) {
	code, out, errOut := runCLI(t, "presets", "--json")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	var list []map[string]any
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("not a JSON array: %v\n%s", err, out)
	}
	byName := map[string]map[string]any{}
	for _, m := range list {
		for _, f := range []string{"name", "description", "default_action", "arches", "rules", "host_arch",
			"syscalls_allowed", "syscalls_denied", "syscalls_conditional"} {
			if _, ok := m[f]; !ok {
				t.Errorf("%v lacks field %q", m["name"], f)
			}
		}
		byName[m["name"].(string)] = m
	}
	if len(list) == 0 || list[0]["name"] != "docker-default" {
		t.Fatalf("docker-default is not listed first")
	}
	for _, want := range []string{"strict-baseline", "no-network", "no-exec-after-start", "deny-critical", "read-only-fs"} {
		if byName[want] == nil {
			t.Errorf("preset %s missing", want)
		}
	}
	host := profile.NativeArch()
	onHost := 0
	for _, e := range catalog.MustDefault().All() {
		if _, ok := e.Number(host); ok {
			onHost++
		}
	}
	for name, m := range byName {
		if m["host_arch"] != string(host) {
			t.Errorf("%s: host_arch %v, want %s", name, m["host_arch"], host)
		}
		sum := m["syscalls_allowed"].(float64) + m["syscalls_denied"].(float64) + m["syscalls_conditional"].(float64)
		if int(sum) != onHost {
			t.Errorf("%s: the three counts add up to %v, want the %d syscalls of %s", name, sum, onHost, host)
		}
		if d, _ := m["description"].(string); len(d) < 40 {
			t.Errorf("%s: description %q", name, d)
		}
	}
	sb, dc := byName["strict-baseline"], byName["deny-critical"]
	if sb["default_action"] != "errno" || sb["default_errno"] != float64(1) || sb["default_errno_name"] != "EPERM" {
		t.Errorf("strict-baseline default: %v %v %v", sb["default_action"], sb["default_errno"], sb["default_errno_name"])
	}
	if dc["default_action"] != "allow" || dc["default_errno"] != nil {
		t.Errorf("deny-critical default: %v, errno %v", dc["default_action"], dc["default_errno"])
	}
	if got := jsonString(t, sb["arches"]); got != `["x86_64","x86","x32","aarch64","arm"]` {
		t.Errorf("strict-baseline arches: %s", got)
	}
	if host == catalog.X86_64 {
		// deny-critical refuses the critical tier of x86_64; strict-baseline
		// allows far less than that.
		if dc["syscalls_denied"].(float64) < 30 || sb["syscalls_allowed"].(float64) >= dc["syscalls_allowed"].(float64) {
			t.Errorf("counts do not look right: deny-critical denies %v, strict-baseline allows %v, deny-critical allows %v",
				dc["syscalls_denied"], sb["syscalls_allowed"], dc["syscalls_allowed"])
		}
		if byName["no-network"]["syscalls_conditional"].(float64) < 1 {
			t.Error("no-network's socket is not counted as conditional")
		}
	}
}

func jsonString(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestPresetsTable(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	code, out, errOut := runCLI(t, "presets")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if f := strings.Fields(lines[0]); strings.Join(f, " ") != "NAME DEFAULT RULES DESCRIPTION" {
		t.Errorf("header %q", lines[0])
	}
	rows := map[string][]string{}
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		if len(f) < 4 {
			t.Fatalf("short row %q", l)
		}
		rows[f[0]] = f
	}
	if len(rows) != len(profile.Presets()) {
		t.Errorf("%d rows for %d presets", len(rows), len(profile.Presets()))
	}
	if r := rows["strict-baseline"]; r == nil || r[1] != "errno(EPERM)" {
		t.Errorf("strict-baseline row %v", r)
	}
	if r := rows["read-only-fs"]; r == nil || r[1] != "allow" || !strings.Contains(strings.Join(r[3:], " "), "read-only") {
		t.Errorf("read-only-fs row %v", r)
	}
	// The table shows the first clause of a description, the JSON all.
	if strings.Contains(out, "A quick hardening") {
		t.Error("the table shows whole descriptions")
	}
}

func TestPresetsUsage(t *testing.T) {
	for _, args := range [][]string{{"presets", "extra"}, {"presets", "--bogus"}} {
		code, out, errOut := runCLI(t, args...)
		if code != 2 || out != "" || !strings.Contains(errOut, "seccomp-workbench: ") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and a one-line error", args, code, out, errOut)
		}
	}
}

func TestFirstSentence(t *testing.T) {
	for in, want := range map[string]string{
		"Allows everything: except this. More.": "Allows everything",
		"One sentence only.":                    "One sentence only",
		"No stop at all":                        "No stop at all",
		"Uses e.g.x fine. Then more":            "Uses e.g.x fine",
	} {
		if got := firstSentence(in); got != want {
			t.Errorf("firstSentence(%q) = %q, want %q", in, got, want)
		}
	}
}
