package scenario

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

func target(t testing.TB, name string) Target {
	t.Helper()
	p, err := profile.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	return Target{Name: filepath.Base(name), Effective: p.Effective(profile.HostEnv())}
}

func summary(rs []Result) string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteString(r.Scenario.Name + " @ " + r.Profile + ": ")
		if r.Passed {
			b.WriteString("ok")
		} else {
			b.WriteString(strings.Join(r.Failures, " | "))
		}
		b.WriteString("\n")
	}
	return b.String()
}

// The lockdown example really starts the service, which answers on
// loopback, and every escape it tries fails under the locked-down
// profile; under a profile that allows them the escapes succeed, so the
// same scenarios fail there.
func TestLockdownExample(t *testing.T) {
	f, err := Load("../testdata/scenarios/lockdown.yaml")
	if err != nil {
		t.Fatal(err)
	}
	lock := target(t, filepath.Join(f.Dir, f.Profile))
	open := target(t, "preset:deny-critical")
	rs := RunAll(context.Background(), f, []Target{lock, open}, Options{})
	if len(rs) != 2*len(f.Scenarios) {
		t.Fatalf("%d results", len(rs))
	}
	for i, r := range rs {
		if r.Scenario != f.Scenarios[i/2] || r.Profile != []string{lock.Name, open.Name}[i%2] {
			t.Fatalf("result %d out of order: %s @ %s", i, r.Scenario.Name, r.Profile)
		}
		if r.Profile == lock.Name && !r.Passed {
			t.Errorf("%s @ %s: %v\nstdout %s\nstderr %s", r.Scenario.Name, r.Profile, r.Failures, r.Stdout, r.Stderr)
		}
	}
	if rs[0].Profile != lock.Name || !strings.Contains(rs[0].Stdout, "Directory listing for /") {
		t.Errorf("the service did not answer: %q", rs[0].Stdout)
	}
	// Under deny-critical sockets of any kind are allowed: those
	// scenarios must fail there, each saying socket was never denied.
	for _, r := range rs {
		if r.Profile == open.Name && strings.HasPrefix(r.Scenario.Name, "no ") && strings.Contains(r.Scenario.Name, "socket") {
			if r.Passed || !strings.Contains(strings.Join(r.Failures, "\n"), "denied: socket was never denied") {
				t.Errorf("%s @ %s: %v", r.Scenario.Name, r.Profile, r.Failures)
			}
		}
	}
}

const failingFile = `defaults: {timeout: 5s}
scenarios:
  - name: exit
    run: echo out; exit 3
  - name: denied
    argv: [/bin/ls, /]
    expect: {denied: [mount], output: "nomatch"}
  - name: not denied
    run: mkdir d
    expect: {not_denied: [mkdir]}
  - name: result
    run: exit 1
    expect: pass
  - name: timeout
    run: sleep 5
    timeout: 300ms
    expect: {exit: 0}
  - name: setup
    setup: echo broken >&2; exit 4
    run: "true"
  - name: env
    run: test "$SCENARIO_DIR" = "@DIR@" && test "$(pwd)" = "$SCENARIO_SCRATCH" && test -n "$SCENARIO_PORT" && test "$X" = 1 && test "$(cat)" = in
    env: {X: "1"}
    stdin: in
  - name: teardown
    setup: sleep 30 & echo $! > "@DIR@/pid"
    run: "true"
    teardown: "true"
`

const mkdirDenied = `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}`

func TestFailures(t *testing.T) {
	dir := t.TempDir()
	pp := filepath.Join(dir, "p.json")
	if err := os.WriteFile(pp, []byte(mkdirDenied), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := Parse(filepath.Join(dir, "s.yaml"), []byte(strings.ReplaceAll(failingFile, "@DIR@", dir)))
	if err != nil {
		t.Fatal(err)
	}
	rs := RunAll(context.Background(), f, []Target{target(t, pp)}, Options{})
	got := summary(rs)
	want := []string{
		"exit @ p.json: exit: got 3, want 0 (exit status 3)",
		`denied @ p.json: denied: mount was never denied (nothing was denied) | output: no match for "nomatch" in `,
		`not denied @ p.json: not_denied: mkdir("d", 0777) was denied (errno EPERM)`,
		"result @ p.json: result: got fail (exit status 1), want pass",
		"timeout @ p.json: exit: got ",
		"setup @ p.json: setup failed: exit 4: broken",
		"env @ p.json: ok",
		"teardown @ p.json: ok",
	}
	lines := strings.Split(strings.TrimSpace(got), "\n")
	if len(lines) != len(want) {
		t.Fatalf("got\n%s", got)
	}
	for i := range want {
		if !strings.HasPrefix(lines[i], want[i]) {
			t.Errorf("got  %s\nwant %s...", lines[i], want[i])
		}
	}
	// What setup left running was killed with its process group.
	data, err := os.ReadFile(filepath.Join(dir, "pid"))
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(data)))
	if pid <= 0 {
		t.Fatalf("pid %q", data)
	}
	// Gone, or a zombie waiting for whoever adopted it.
	alive := func() bool {
		stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			return false
		}
		f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		return len(f) > 0 && f[0] != "Z" && f[0] != "X"
	}
	for i := 0; i < 100 && alive(); i++ {
		time.Sleep(20 * time.Millisecond)
	}
	if alive() {
		t.Errorf("setup's background sleep %d still runs", pid)
	}
}

func TestFilterAndJobs(t *testing.T) {
	f, err := Load("../testdata/scenarios/lockdown.yaml")
	if err != nil {
		t.Fatal(err)
	}
	lock := target(t, filepath.Join(f.Dir, f.Profile))
	re := regexp.MustCompile("^no ")
	one := RunAll(context.Background(), f, []Target{lock}, Options{Jobs: 1, Filter: re})
	many := RunAll(context.Background(), f, []Target{lock}, Options{Filter: re})
	if len(one) == 0 || len(one) >= len(f.Scenarios) {
		t.Fatalf("filter kept %d of %d", len(one), len(f.Scenarios))
	}
	if summary(one) != summary(many) {
		t.Errorf("--jobs 1:\n%s\ndefault:\n%s", summary(one), summary(many))
	}
}

func TestFailFastSkips(t *testing.T) {
	f, err := Parse("/tmp/s.yaml", []byte("scenarios:\n  - {name: a, run: exit 1}\n  - {name: b, run: \"true\"}\n  - {name: c, run: \"true\"}\n"))
	if err != nil {
		t.Fatal(err)
	}
	var calls int
	rs := RunAll(context.Background(), f, []Target{target(t, "preset:deny-critical")}, Options{Jobs: 1, FailFast: true,
		Progress: func(Progress) { calls++ }})
	if rs[0].Passed || !strings.HasPrefix(rs[1].Failures[0], "skipped") || !strings.HasPrefix(rs[2].Failures[0], "skipped") {
		t.Errorf("%s", summary(rs))
	}
	if calls < 2 {
		t.Errorf("progress called %d times", calls)
	}
}

// Cancelling the batch's context (ctrl-c) stops the runs going on and
// skips the rest; each says so, none is reported as passed.
func TestCancelStopsRuns(t *testing.T) {
	f, err := Parse("/tmp/s.yaml", []byte("scenarios:\n  - {name: a, run: sleep 30}\n  - {name: b, run: sleep 30}\n  - {name: c, run: \"true\"}\n"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{}, 3)
	go func() { <-started; cancel() }()
	rs := RunAll(ctx, f, []Target{target(t, "preset:deny-critical")}, Options{Jobs: 1,
		Progress: func(p Progress) {
			if len(p.Running) > 0 {
				select {
				case started <- struct{}{}:
				default:
				}
			}
		}})
	for _, r := range rs {
		if r.Passed || len(r.Failures) != 1 || !strings.HasPrefix(r.Failures[0], "skipped") {
			t.Errorf("%s: passed %v, %v", r.Scenario.Name, r.Passed, r.Failures)
		}
	}
}
