package export

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os/exec"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// wantK8s is the resource Export should write, as generic JSON values, so
// that what a YAML reader makes of the output can be compared with it.
func wantK8s(e *profile.Effective, name string) map[string]any {
	spec := map[string]any{"defaultAction": string(e.DefaultAction)}
	var arches []any
	for _, a := range catalog.DockerNames(e.Arches) {
		arches = append(arches, a)
	}
	spec["architectures"] = arches
	var rules []any
	for _, r := range e.Rules {
		rule := map[string]any{"action": string(r.Action)}
		var names []any
		for _, n := range r.Names {
			names = append(names, n)
		}
		rule["names"] = names
		if errno := ruleErrno(e, r); errno != nil {
			rule["errnoRet"] = float64(*errno)
		}
		if len(r.Args) > 0 {
			var args []any
			for _, a := range r.Args {
				arg := map[string]any{"index": float64(a.Index), "op": string(a.Op), "value": float64(a.Value)}
				if a.ValueTwo != 0 {
					arg["valueTwo"] = float64(a.ValueTwo)
				}
				args = append(args, arg)
			}
			rule["args"] = args
		}
		rules = append(rules, rule)
	}
	if len(rules) > 0 {
		spec["syscalls"] = rules
	}
	return map[string]any{
		"apiVersion": spoGroup + "/" + SpoAPIDefault,
		"kind":       spoKind,
		"metadata":   map[string]any{"name": name},
		"spec":       spec,
	}
}

// TestK8sExportParses reads the resource back with a real YAML parser
// (PyYAML, when python3 has it) and with a strict reader of the subset
// the exporter writes, and compares both with the expected object.
func TestK8sExportParses(t *testing.T) {
	python := ""
	if py, err := exec.LookPath("python3"); err == nil && exec.Command(py, "-c", "import yaml").Run() == nil {
		python = py
	}
	for fix, src := range exportFixtures {
		p := mustOpen(t, src)
		out, _, err := Export(p, x86Env(), FormatK8s, ExportOptions{Name: fix, Source: src})
		if err != nil {
			t.Fatal(err)
		}
		want := wantK8s(p.Effective(x86Env()), fix)
		got, err := strictYAML(out)
		if err != nil {
			t.Fatalf("%s: %v", fix, err)
		}
		if !reflect.DeepEqual(jsonRound(t, got), jsonRound(t, want)) {
			t.Errorf("%s: the strict reader sees a different object:\n got %v\nwant %v", fix, jsonRound(t, got), jsonRound(t, want))
		}
		if python == "" {
			continue
		}
		cmd := exec.Command(python, "-c", "import sys, json, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)")
		cmd.Stdin = bytes.NewReader(out)
		js, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: PyYAML cannot read the export: %v", fix, err)
		}
		var py any
		if err := json.Unmarshal(js, &py); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(py, jsonRound(t, want)) {
			t.Errorf("%s: PyYAML reads a different object than intended", fix)
		}
	}
	if python == "" {
		t.Log("python3 with PyYAML not found: checked with the strict reader only")
	}
}

func jsonRound(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestYAMLStringQuotes(t *testing.T) {
	for in, want := range map[string]string{
		"SCMP_ACT_ALLOW":  "SCMP_ACT_ALLOW",
		"on":              `"on"`,
		"No":              `"No"`,
		"123":             `"123"`,
		"a: b":            `"a: b"`,
		"#x":              `"#x"`,
		"":                `""`,
		"/run/agent.sock": "/run/agent.sock",
		"tab\there":       `"tab\there"`,
	} {
		if got := yamlString(in); got != want {
			t.Errorf("yamlString(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestK8sExportNotes(t *testing.T) {
	p, err := profile.Parse("t", []byte(`{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 13,
		"flags": ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_TSYNC_ESRCH"],
		"syscalls": [{"names": ["mmap"], "action": "SCMP_ACT_ALLOW",
			"args": [{"index": 0, "value": 4294967296, "op": "SCMP_CMP_GT"}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	out, notes, err := Export(p, x86Env(), FormatK8s, ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(notes, "\n")
	for _, n := range []string{"no defaultErrnoRet", "EACCES", "SECCOMP_FILTER_FLAG_TSYNC_ESRCH"} {
		if !strings.Contains(all, n) {
			t.Errorf("notes lack %q:\n%s", n, all)
		}
	}
	if !bytes.Contains(out, []byte("  flags:\n  - SECCOMP_FILTER_FLAG_LOG\n")) || bytes.Contains(out, []byte("TSYNC_ESRCH")) {
		t.Errorf("flags not filtered to the schema's:\n%s", out)
	}
	if !bytes.Contains(out, []byte("name: "+DefaultK8sName+"\n")) {
		t.Errorf("no default name:\n%s", out)
	}
}

// strictYAML reads the block-style subset the exporter writes (mappings,
// sequences, plain and double-quoted scalars, integers, comments) and
// rejects anything else: tabs, odd indents, duplicate keys, flow style,
// and plain scalars a YAML 1.1 reader would not take as strings.
func strictYAML(b []byte) (any, error) {
	type line struct {
		n      int
		indent int
		text   string
	}
	var lines []line
	for i, raw := range strings.Split(string(b), "\n") {
		if strings.Contains(raw, "\t") {
			return nil, fmt.Errorf("line %d: tab", i+1)
		}
		t := strings.TrimLeft(raw, " ")
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		lines = append(lines, line{i + 1, len(raw) - len(t), t})
	}
	pos := 0
	scalar := func(n int, s string) (any, error) {
		switch {
		case strings.HasPrefix(s, `"`):
			var v string
			if err := json.Unmarshal([]byte(s), &v); err != nil {
				return nil, fmt.Errorf("line %d: bad quoted string %s", n, s)
			}
			return v, nil
		case strings.ContainsAny(s, "{}[]&*!|>'%@`#,"):
			return nil, fmt.Errorf("line %d: not in the subset: %s", n, s)
		}
		if v, err := strconv.ParseUint(s, 10, 64); err == nil {
			return float64(v), nil
		}
		if yamlSpecial[strings.ToLower(s)] || s[0] >= '0' && s[0] <= '9' || s[0] == '-' || strings.Contains(s, ": ") {
			return nil, fmt.Errorf("line %d: plain scalar %q is ambiguous", n, s)
		}
		return s, nil
	}
	var block func(indent int) (any, error)
	// value parses what follows "key:" or "- key: v" on line l.
	value := func(l line, rest string) (any, error) {
		if rest != "" {
			return scalar(l.n, rest)
		}
		if pos >= len(lines) {
			return nil, fmt.Errorf("line %d: key without a value", l.n)
		}
		next := lines[pos]
		if next.indent > l.indent || (next.indent == l.indent && strings.HasPrefix(next.text, "- ")) {
			return block(next.indent)
		}
		return nil, fmt.Errorf("line %d: key without a value", l.n)
	}
	block = func(indent int) (any, error) {
		if strings.HasPrefix(lines[pos].text, "- ") {
			var seq []any
			for pos < len(lines) && lines[pos].indent == indent && strings.HasPrefix(lines[pos].text, "- ") {
				l := lines[pos]
				item := strings.TrimPrefix(l.text, "- ")
				if k, v, ok := strings.Cut(item, ":"); ok && !strings.HasPrefix(item, `"`) {
					// A mapping whose first key shares the dash's line;
					// the rest sit two columns further in.
					lines[pos] = line{l.n, indent + 2, k + ":" + v}
					m, err := block(indent + 2)
					if err != nil {
						return nil, err
					}
					seq = append(seq, m)
					continue
				}
				pos++
				v, err := scalar(l.n, item)
				if err != nil {
					return nil, err
				}
				seq = append(seq, v)
			}
			return seq, nil
		}
		m := map[string]any{}
		for pos < len(lines) && lines[pos].indent == indent && !strings.HasPrefix(lines[pos].text, "- ") {
			l := lines[pos]
			k, v, ok := strings.Cut(l.text, ":")
			if !ok || (v != "" && !strings.HasPrefix(v, " ")) {
				return nil, fmt.Errorf("line %d: want key: value, got %q", l.n, l.text)
			}
			if _, dup := m[k]; dup {
				return nil, fmt.Errorf("line %d: duplicate key %s", l.n, k)
			}
			pos++
			val, err := value(l, strings.TrimSpace(v))
			if err != nil {
				return nil, err
			}
			m[k] = val
		}
		return m, nil
	}
	if len(lines) == 0 || lines[0].indent != 0 {
		return nil, fmt.Errorf("no top-level mapping")
	}
	doc, err := block(0)
	if err != nil {
		return nil, err
	}
	if pos != len(lines) {
		return nil, fmt.Errorf("line %d: unexpected indentation", lines[pos].n)
	}
	return doc, nil
}
