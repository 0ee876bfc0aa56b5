package scenario

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/runner"
)

func TestParseErrors(t *testing.T) {
	cases := []struct{ name, src, want string }{
		{"yaml", "scenarios: [\n", "s.yaml: line 1: did not find expected node content: fix the YAML syntax"},
		{"empty", "", "s.yaml:1:1: empty file: write a 'scenarios:' list"},
		{"top key", "scenario: []\n", `s.yaml:1:1: unknown key "scenario" in the file: use one of profile, defaults, scenarios`},
		{"no list", "profile: x.json\n", "s.yaml:1:1: no 'scenarios:' list: add one with at least one scenario"},
		{"no name", "scenarios:\n  - run: true\n", "s.yaml:2:5: scenario without a name: add 'name: ...'"},
		{"no command", "scenarios:\n  - name: a\n", `s.yaml:2:5: scenario "a" has no command: add 'run: SHELL LINE' or 'argv: [...]'`},
		{"both", "scenarios:\n  - name: a\n    run: x\n    argv: [x]\n", `s.yaml:4:11: scenario "a" has both run and argv: keep one`},
		{"dup", "scenarios:\n  - {name: a, run: x}\n  - {name: a, run: y}\n", `s.yaml:3:5: scenario name "a" is used twice (first at line 2): names must be unique`},
		{"key", "scenarios:\n  - {name: a, run: x, expcet: pass}\n", `s.yaml:2:23: unknown key "expcet" in a scenario: use one of ` + strings.Join(scenarioKeys, ", ")},
		{"expect key", "scenarios:\n  - {name: a, run: x, expect: {exits: 1}}\n", `s.yaml:2:32: unknown key "exits" in expect: use one of ` + strings.Join(expectKeys, ", ")},
		{"result", "scenarios:\n  - {name: a, run: x, expect: passes}\n", `s.yaml:2:31: unknown result "passes": use pass, fail, killed or timeout`},
		{"syscall", "scenarios:\n  - name: a\n    run: x\n    expect:\n      denied: [sockte]\n", `s.yaml:5:16: unknown syscall "sockte" in denied: did you mean socket?`},
		{"star", "scenarios:\n  - {name: a, run: x, expect: {denied: ['*']}}\n", `s.yaml:2:41: denied does not take "*": name the syscalls that must be denied`},
		{"regexp", "scenarios:\n  - name: a\n    run: x\n    expect: {output: \"a(\"}\n", `s.yaml:4:22: output "a(" is not a regular expression (missing closing ): ` + "`a(`" + `): fix it (Go syntax; quote metacharacters with \)`},
		{"enforce", "scenarios:\n  - name: a\n    run: x\n    mode: enforce\n    expect: {denied: [mount]}\n", `s.yaml:4:11: scenario "a" expects denied/not_denied but runs in enforce mode, which cannot see denials: use mode: watch`},
		{"mode", "scenarios:\n  - {name: a, run: x, mode: audti}\n", `s.yaml:2:29: unknown mode "audti": use enforce, watch or audit`},
		{"timeout", "defaults: {timeout: 10}\nscenarios:\n  - {name: a, run: x}\n", `s.yaml:1:21: timeout "10" is not a positive duration: write one such as 10s or 500ms`},
		{"exit", "scenarios:\n  - {name: a, run: x, expect: {exit: 300}}\n", `s.yaml:2:38: exit "300" is not an exit status: write a number 0..255`},
		{"signal", "scenarios:\n  - {name: a, run: x, expect: {signal: SIGFOO}}\n", `s.yaml:2:40: unknown signal "SIGFOO": write a name such as SIGSYS or SIGKILL, or its number`},
		{"env", "scenarios:\n  - {name: a, run: x, env: [FOO]}\n", `s.yaml:2:29: env entry "FOO" has no '=': write NAME=VALUE`},
	}
	for _, c := range cases {
		_, err := Parse("s.yaml", []byte(c.src))
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if got := err.Error(); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, c.want)
		}
	}
}

func TestParseFields(t *testing.T) {
	src := `profile: p.json
defaults: {timeout: 3s, env: {A: "1"}}
scenarios:
  - name: shell
    run: echo hi
    env: [B=2]
    cwd: sub
    stdin: "x\n"
    expect: pass
  - name: watch
    argv: [ls, /]
    expect: {exit: 2, signal: 31, denied: [mkdir, socket], not_denied: ["*"], output: "bin", max_duration: 2s}
  - name: default
    argv: ["true"]
    timeout: 1s
`
	f, err := Parse("/x/s.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if f.Profile != "p.json" || f.Dir != "/x" || len(f.Scenarios) != 3 {
		t.Fatalf("file: %+v", f)
	}
	a, b, c := f.Scenarios[0], f.Scenarios[1], f.Scenarios[2]
	if !a.Shell || strings.Join(a.Argv, "|") != "/bin/sh|-c|echo hi" || a.Cwd != "/x/sub" || a.Stdin != "x\n" ||
		strings.Join(a.Env, " ") != "A=1 B=2" || a.Timeout.String() != "3s" || a.Mode != runner.ModeEnforce ||
		a.Expect.Result != "pass" || a.Expect.Exit != nil || a.Pos != (Pos{4, 5}) {
		t.Errorf("shell: %+v", a)
	}
	if b.Mode != runner.ModeWatch || *b.Expect.Exit != 2 || b.Expect.Signal != "SIGSYS" ||
		strings.Join(b.Expect.Denied, ",") != "mkdir,socket" || b.Expect.NotDenied[0] != "*" ||
		b.Expect.Output.String() != "bin" || b.Expect.MaxDuration.String() != "2s" {
		t.Errorf("watch: %+v", b)
	}
	if c.Expect.Exit == nil || *c.Expect.Exit != 0 || c.Timeout.String() != "1s" {
		t.Errorf("default: %+v", c)
	}
}

func TestExamplesParse(t *testing.T) {
	files, _ := filepath.Glob("../testdata/scenarios/*.yaml")
	if len(files) < 2 {
		t.Fatalf("examples: %v", files)
	}
	for _, p := range files {
		if _, err := Load(p); err != nil {
			t.Error(err)
		}
	}
}

func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("../testdata/scenarios/*.yaml")
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("scenarios: [{name: a, argv: [x], expect: {denied: [a], output: '('}}]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse("f.yaml", data)
		if err == nil && len(file.Scenarios) == 0 {
			t.Fatal("a file without scenarios was accepted")
		}
		if err != nil && !strings.HasPrefix(err.Error(), "f.yaml:") {
			t.Fatalf("error does not name the file: %v", err)
		}
	})
}
