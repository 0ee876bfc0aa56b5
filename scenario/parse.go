package scenario

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/runner"
)

// DefaultTimeout bounds a scenario (its command, and setup and teardown
// each) when neither it nor the file's defaults give a timeout.
const DefaultTimeout = 30 * time.Second

// Load reads and checks a scenario file. Errors name file:line:col, the
// bad value and what to write instead.
func Load(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: cannot read the scenario file: %v: check the path", path, errors.Unwrap(err))
	}
	return Parse(path, data)
}

// Parse is Load for data already read; path is used in errors and to
// resolve relative paths.
func Parse(path string, data []byte) (f *File, err error) {
	defer func() {
		// The YAML library is a parser of untrusted input; a panic in it
		// is still a bad file, not a crash.
		if r := recover(); r != nil {
			f, err = nil, fmt.Errorf("%s: cannot parse: %v: check the file is YAML", path, r)
		}
	}()
	p := &parser{path: path}
	dir := filepath.Dir(path)
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	p.dir = dir
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %s: fix the YAML syntax", path, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, fmt.Errorf("%s:1:1: empty file: write a 'scenarios:' list", path)
	}
	return p.file(doc.Content[0])
}

type parser struct {
	path, dir string
}

func (p *parser) errf(n *yaml.Node, format string, a ...any) error {
	return fmt.Errorf("%s:%d:%d: %s", p.path, n.Line, n.Column, fmt.Sprintf(format, a...))
}

// fields checks that n is a mapping whose keys are all in allowed and
// returns key → value node.
func (p *parser) fields(n *yaml.Node, what string, allowed ...string) (map[string]*yaml.Node, error) {
	if n.Kind != yaml.MappingNode {
		return nil, p.errf(n, "%s must be a mapping: write keys such as %s", what, strings.Join(allowed, ", "))
	}
	m := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		ok := false
		for _, a := range allowed {
			ok = ok || a == k.Value
		}
		if !ok {
			return nil, p.errf(k, "unknown key %q in %s: use one of %s", k.Value, what, strings.Join(allowed, ", "))
		}
		if _, dup := m[k.Value]; dup {
			return nil, p.errf(k, "%q given twice in %s: keep one", k.Value, what)
		}
		m[k.Value] = v
	}
	return m, nil
}

func (p *parser) str(n *yaml.Node, what string) (string, error) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return "", p.errf(n, "%s must be a string: quote it", what)
	}
	return n.Value, nil
}

func (p *parser) duration(n *yaml.Node, what string) (time.Duration, error) {
	s, err := p.str(n, what)
	if err != nil {
		return 0, err
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, p.errf(n, "%s %q is not a positive duration: write one such as 10s or 500ms", what, s)
	}
	return d, nil
}

func (p *parser) mode(n *yaml.Node) (runner.Mode, error) {
	s, err := p.str(n, "mode")
	if err != nil {
		return "", err
	}
	switch runner.Mode(s) {
	case runner.ModeEnforce, runner.ModeWatch, runner.ModeAudit:
		return runner.Mode(s), nil
	}
	return "", p.errf(n, "unknown mode %q: use enforce, watch or audit", s)
}

func (p *parser) env(n *yaml.Node) ([]string, error) {
	var out []string
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if err := p.envName(k, k.Value); err != nil {
				return nil, err
			}
			val, err := p.str(v, "env "+k.Value)
			if err != nil {
				return nil, err
			}
			out = append(out, k.Value+"="+val)
		}
	case yaml.SequenceNode:
		for _, e := range n.Content {
			s, err := p.str(e, "env entry")
			if err != nil {
				return nil, err
			}
			k, _, ok := strings.Cut(s, "=")
			if !ok {
				return nil, p.errf(e, "env entry %q has no '=': write NAME=VALUE", s)
			}
			if err := p.envName(e, k); err != nil {
				return nil, err
			}
			out = append(out, s)
		}
	default:
		return nil, p.errf(n, "env must be a mapping (NAME: value) or a list of NAME=VALUE")
	}
	return out, nil
}

func (p *parser) envName(n *yaml.Node, k string) error {
	if k == "" || strings.ContainsAny(k, "=\x00") {
		return p.errf(n, "bad environment variable name %q: use letters, digits and _", k)
	}
	return nil
}

// defaults are what `defaults:` sets for every scenario.
type defaults struct {
	timeout  time.Duration
	mode     runner.Mode
	modeNode *yaml.Node
	env      []string
	cwd      string
	setup    string
	teardown string
}

var (
	topKeys      = []string{"profile", "defaults", "scenarios"}
	defaultKeys  = []string{"timeout", "mode", "env", "cwd", "setup", "teardown"}
	scenarioKeys = []string{"name", "run", "argv", "env", "cwd", "stdin", "timeout", "mode", "setup", "teardown", "expect"}
	expectKeys   = []string{"result", "exit", "signal", "denied", "not_denied", "output", "stderr", "max_duration"}
)

func (p *parser) file(root *yaml.Node) (*File, error) {
	top, err := p.fields(root, "the file", topKeys...)
	if err != nil {
		return nil, err
	}
	f := &File{Path: p.path, Dir: p.dir}
	if n := top["profile"]; n != nil {
		if f.Profile, err = p.str(n, "profile"); err != nil {
			return nil, err
		}
	}
	d := defaults{timeout: DefaultTimeout}
	if n := top["defaults"]; n != nil {
		if d, err = p.defaults(n); err != nil {
			return nil, err
		}
	}
	list := top["scenarios"]
	if list == nil {
		return nil, p.errf(root, "no 'scenarios:' list: add one with at least one scenario")
	}
	if list.Kind != yaml.SequenceNode || len(list.Content) == 0 {
		return nil, p.errf(list, "scenarios must be a non-empty list: write '- name: ...' entries")
	}
	seen := map[string]Pos{}
	for _, n := range list.Content {
		s, err := p.scenario(n, d)
		if err != nil {
			return nil, err
		}
		if at, dup := seen[s.Name]; dup {
			return nil, p.errf(n, "scenario name %q is used twice (first at line %d): names must be unique", s.Name, at.Line)
		}
		seen[s.Name] = s.Pos
		f.Scenarios = append(f.Scenarios, s)
	}
	return f, nil
}

func (p *parser) defaults(n *yaml.Node) (defaults, error) {
	d := defaults{timeout: DefaultTimeout}
	m, err := p.fields(n, "defaults", defaultKeys...)
	if err != nil {
		return d, err
	}
	if v := m["timeout"]; v != nil {
		if d.timeout, err = p.duration(v, "timeout"); err != nil {
			return d, err
		}
	}
	if v := m["mode"]; v != nil {
		if d.mode, err = p.mode(v); err != nil {
			return d, err
		}
		d.modeNode = v
	}
	if v := m["env"]; v != nil {
		if d.env, err = p.env(v); err != nil {
			return d, err
		}
	}
	if v := m["cwd"]; v != nil {
		if d.cwd, err = p.cwd(v); err != nil {
			return d, err
		}
	}
	if v := m["setup"]; v != nil {
		if d.setup, err = p.str(v, "setup"); err != nil {
			return d, err
		}
	}
	if v := m["teardown"]; v != nil {
		if d.teardown, err = p.str(v, "teardown"); err != nil {
			return d, err
		}
	}
	return d, nil
}

func (p *parser) cwd(n *yaml.Node) (string, error) {
	s, err := p.str(n, "cwd")
	if err != nil {
		return "", err
	}
	if s == "" {
		return "", p.errf(n, "empty cwd: leave it out to run in the scratch directory")
	}
	if !filepath.IsAbs(s) {
		s = filepath.Join(p.dir, s)
	}
	return filepath.Clean(s), nil
}

func (p *parser) scenario(n *yaml.Node, d defaults) (*Scenario, error) {
	m, err := p.fields(n, "a scenario", scenarioKeys...)
	if err != nil {
		return nil, err
	}
	s := &Scenario{Pos: Pos{n.Line, n.Column}, Timeout: d.timeout, Cwd: d.cwd,
		Setup: d.setup, Teardown: d.teardown, Env: append([]string(nil), d.env...)}
	nameN := m["name"]
	if nameN == nil {
		return nil, p.errf(n, "scenario without a name: add 'name: ...'")
	}
	if s.Name, err = p.str(nameN, "name"); err != nil {
		return nil, err
	}
	if strings.TrimSpace(s.Name) == "" || strings.ContainsAny(s.Name, "\n\r") {
		return nil, p.errf(nameN, "scenario name must be one non-empty line")
	}
	run, argv := m["run"], m["argv"]
	switch {
	case run != nil && argv != nil:
		return nil, p.errf(argv, "scenario %q has both run and argv: keep one", s.Name)
	case run != nil:
		line, err := p.str(run, "run")
		if err != nil {
			return nil, err
		}
		if strings.TrimSpace(line) == "" {
			return nil, p.errf(run, "empty run line: write the shell command to run")
		}
		s.Argv, s.Shell = []string{"/bin/sh", "-c", line}, true
	case argv != nil:
		if argv.Kind != yaml.SequenceNode || len(argv.Content) == 0 {
			return nil, p.errf(argv, "argv must be a non-empty list: write [program, arg, ...]")
		}
		for _, a := range argv.Content {
			v, err := p.str(a, "argv entry")
			if err != nil {
				return nil, err
			}
			if strings.ContainsRune(v, 0) {
				return nil, p.errf(a, "argv entry contains a NUL byte")
			}
			s.Argv = append(s.Argv, v)
		}
		if s.Argv[0] == "" {
			return nil, p.errf(argv.Content[0], "empty program name: write the command to run")
		}
	default:
		return nil, p.errf(n, "scenario %q has no command: add 'run: SHELL LINE' or 'argv: [...]'", s.Name)
	}
	if v := m["env"]; v != nil {
		e, err := p.env(v)
		if err != nil {
			return nil, err
		}
		s.Env = append(s.Env, e...)
	}
	if v := m["cwd"]; v != nil {
		if s.Cwd, err = p.cwd(v); err != nil {
			return nil, err
		}
	}
	if v := m["stdin"]; v != nil {
		if s.Stdin, err = p.str(v, "stdin"); err != nil {
			return nil, err
		}
	}
	if v := m["timeout"]; v != nil {
		if s.Timeout, err = p.duration(v, "timeout"); err != nil {
			return nil, err
		}
	}
	for _, k := range []string{"setup", "teardown"} {
		if v := m[k]; v != nil {
			line, err := p.str(v, k)
			if err != nil {
				return nil, err
			}
			if k == "setup" {
				s.Setup = line
			} else {
				s.Teardown = line
			}
		}
	}
	if v := m["expect"]; v != nil {
		if s.Expect, err = p.expect(v); err != nil {
			return nil, err
		}
	} else {
		zero := 0
		s.Expect.Exit = &zero
	}
	modeN := m["mode"]
	s.Mode = d.mode
	if modeN != nil {
		if s.Mode, err = p.mode(modeN); err != nil {
			return nil, err
		}
	} else {
		modeN = d.modeNode
	}
	switch {
	case s.Mode == "" && s.Expect.NeedsDenials():
		s.Mode = runner.ModeWatch
	case s.Mode == "":
		s.Mode = runner.ModeEnforce
	case s.Mode == runner.ModeEnforce && s.Expect.NeedsDenials() && modeN != nil:
		return nil, p.errf(modeN, "scenario %q expects denied/not_denied but runs in enforce mode, which cannot see denials: use mode: watch", s.Name)
	}
	return s, nil
}

// signals the expect key accepts, by name without SIG.
var signalNames = map[string]int{
	"HUP": 1, "INT": 2, "QUIT": 3, "ILL": 4, "TRAP": 5, "ABRT": 6, "BUS": 7, "FPE": 8,
	"KILL": 9, "USR1": 10, "SEGV": 11, "USR2": 12, "PIPE": 13, "ALRM": 14, "TERM": 15,
	"SYS": 31,
}

func signalByNumber(n int) string {
	for k, v := range signalNames {
		if v == n {
			return "SIG" + k
		}
	}
	return ""
}

func (p *parser) expect(n *yaml.Node) (Expect, error) {
	var e Expect
	if n.Kind == yaml.ScalarNode {
		r, err := p.result(n)
		e.Result = r
		return e, err
	}
	m, err := p.fields(n, "expect", expectKeys...)
	if err != nil {
		return e, err
	}
	if v := m["result"]; v != nil {
		if e.Result, err = p.result(v); err != nil {
			return e, err
		}
	}
	if v := m["exit"]; v != nil {
		x, err := strconv.Atoi(v.Value)
		if v.Kind != yaml.ScalarNode || err != nil || x < 0 || x > 255 {
			return e, p.errf(v, "exit %q is not an exit status: write a number 0..255", v.Value)
		}
		e.Exit = &x
	}
	if v := m["signal"]; v != nil {
		s, err := p.str(v, "signal")
		if err != nil {
			return e, err
		}
		name := ""
		if x, err := strconv.Atoi(s); err == nil {
			name = signalByNumber(x)
		} else if _, ok := signalNames[strings.TrimPrefix(strings.ToUpper(s), "SIG")]; ok {
			name = "SIG" + strings.TrimPrefix(strings.ToUpper(s), "SIG")
		}
		if name == "" {
			return e, p.errf(v, "unknown signal %q: write a name such as SIGSYS or SIGKILL, or its number", s)
		}
		e.Signal = name
	}
	if v := m["denied"]; v != nil {
		if e.Denied, err = p.names(v, "denied", false); err != nil {
			return e, err
		}
	}
	if v := m["not_denied"]; v != nil {
		if e.NotDenied, err = p.names(v, "not_denied", true); err != nil {
			return e, err
		}
	}
	for _, k := range []string{"output", "stderr"} {
		v := m[k]
		if v == nil {
			continue
		}
		s, err := p.str(v, k)
		if err != nil {
			return e, err
		}
		re, err := regexp.Compile(s)
		if err != nil {
			msg := strings.TrimPrefix(err.Error(), "error parsing regexp: ")
			return e, p.errf(v, "%s %q is not a regular expression (%s): fix it (Go syntax; quote metacharacters with \\)", k, s, msg)
		}
		if k == "output" {
			e.Output = re
		} else {
			e.Stderr = re
		}
	}
	if v := m["max_duration"]; v != nil {
		if e.MaxDuration, err = p.duration(v, "max_duration"); err != nil {
			return e, err
		}
	}
	return e, nil
}

func (p *parser) result(n *yaml.Node) (string, error) {
	s, err := p.str(n, "result")
	if err != nil {
		return "", err
	}
	switch s {
	case runner.ResultPass, runner.ResultFail, runner.ResultKilled, runner.ResultTimeout:
		return s, nil
	}
	return "", p.errf(n, "unknown result %q: use pass, fail, killed or timeout", s)
}

// names reads a list of syscall names (a single name is a list of one),
// each checked against the catalog.
func (p *parser) names(n *yaml.Node, what string, star bool) ([]string, error) {
	items := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		items = n.Content
		if len(items) == 0 {
			return nil, p.errf(n, "%s is empty: name at least one syscall or leave it out", what)
		}
	}
	cat := catalog.MustDefault()
	var out []string
	for _, it := range items {
		s, err := p.str(it, what+" entry")
		if err != nil {
			return nil, err
		}
		if s == "*" {
			if !star {
				return nil, p.errf(it, "%s does not take \"*\": name the syscalls that must be denied", what)
			}
			out = append(out, s)
			continue
		}
		if _, ok := cat.Lookup(s); !ok {
			hint := "search the names with 'seccomp-workbench catalog'"
			if near := profile.NearestName(cat, s); near != "" {
				hint = "did you mean " + near + "?"
			}
			return nil, p.errf(it, "unknown syscall %q in %s: %s", s, what, hint)
		}
		out = append(out, s)
	}
	sort.Strings(out)
	return out, nil
}
