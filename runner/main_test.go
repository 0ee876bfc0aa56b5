package runner

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// The test binary doubles as the shim: Start re-executes os.Executable()
// with ShimArg, and TestMain hands that invocation to ShimMain.
func TestMain(m *testing.M) {
	if IsShim(os.Args) {
		ShimMain()
	}
	if len(os.Args) > 1 && os.Args[1] == slowInitArg {
		slowInit()
	}
	if argv := os.Getenv(orphanEnv); argv != "" {
		orphanParent(strings.Fields(argv))
	}
	code := m.Run()
	if testBuilds.dir != "" {
		os.RemoveAll(testBuilds.dir)
	}
	os.Exit(code)
}

// builds caches binaries the tests compile, one per name, for the whole
// package run.
type builds struct {
	mu   sync.Mutex
	dir  string
	done map[string]string
	errs map[string]error
}

var testBuilds = &builds{done: map[string]string{}, errs: map[string]error{}}

// buildBinary compiles testdata/<src> once (gcc for .c, go build for .go).
func buildBinary(t testing.TB, name, src string, extra ...string) string {
	t.Helper()
	return testBuilds.build(t, name, func(out string) *exec.Cmd {
		abs, _ := filepath.Abs(filepath.Join("testdata", src))
		if strings.HasSuffix(src, ".go") {
			cmd := exec.Command("go", append([]string{"build", "-o", out}, append(extra, abs)...)...)
			cmd.Dir = filepath.Dir(abs)
			return cmd
		}
		return exec.Command("gcc", append([]string{"-O2", "-Wall", "-o", out, abs, "-lpthread"}, extra...)...)
	})
}

// staticShim builds the static shim as make build does (make shim), once.
func staticShim(t testing.TB) string {
	t.Helper()
	return testBuilds.build(t, StaticShim, func(out string) *exec.Cmd {
		return exec.Command("make", "-s", "-C", "..", "shim", "SHIM="+out)
	})
}

// shimsUnderTest are the two shims a run may use: this binary re-executed
// (Config.Shim nil) and the static one beside a make build.
func shimsUnderTest(t *testing.T) map[string][]string {
	return map[string][]string{"self": nil, "static": {staticShim(t), ShimArg}}
}

// build runs command(out) once per name and returns out.
func (b *builds) build(t testing.TB, name string, command func(out string) *exec.Cmd) string {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	if p, ok := b.done[name]; ok {
		return p
	}
	if err, ok := b.errs[name]; ok {
		t.Fatal(err)
	}
	if b.dir == "" {
		d, err := os.MkdirTemp("", "runner-test-bin-")
		if err != nil {
			t.Fatal(err)
		}
		b.dir = d
	}
	out := filepath.Join(b.dir, name)
	if msg, err := command(out).CombinedOutput(); err != nil {
		b.errs[name] = fmt.Errorf("building %s: %v\n%s", name, err, msg)
		t.Fatal(b.errs[name])
	}
	b.done[name] = out
	return out
}

func probe(t testing.TB) string { return buildBinary(t, "probe", "probe.c") }

// eff parses a profile for this host.
func eff(t testing.TB, js string) *profile.Effective {
	t.Helper()
	p, err := profile.Parse("test.json", []byte(js))
	if err != nil {
		t.Fatal(err)
	}
	return p.Effective(profile.HostEnv())
}

// result is everything a run produced.
type result struct {
	events  []Event
	verdict Verdict
	stdout  string
	stderr  string
	denials map[int]Denial // by row id, latest count
	run     *Run
}

func (res *result) denied(name string) (Denial, bool) {
	for _, d := range res.denials {
		if d.Syscall == name {
			return d, true
		}
	}
	return Denial{}, false
}

// runIt starts cfg and reads every event.
func runIt(t testing.TB, cfg Config) *result {
	t.Helper()
	r, err := Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return collect(t, r)
}

func collect(t testing.TB, r *Run) *result {
	t.Helper()
	res := &result{denials: map[int]Denial{}, run: r}
	var out, errb strings.Builder
	timeout := time.After(60 * time.Second)
	for {
		select {
		case ev, ok := <-r.Events():
			if !ok {
				res.stdout, res.stderr = out.String(), errb.String()
				if w := r.Wait(); w.Result != res.verdict.Result {
					t.Fatalf("Wait() = %+v, the Verdict event said %+v", w, res.verdict)
				}
				return res
			}
			res.events = append(res.events, ev)
			switch e := ev.(type) {
			case Output:
				if e.Stream == Stdout {
					out.WriteString(e.Data)
				} else {
					errb.WriteString(e.Data)
				}
			case Denied:
				res.denials[e.Denial.ID] = e.Denial
			case Logged:
				res.denials[e.Denial.ID] = e.Denial
			case WouldDeny:
				res.denials[e.Denial.ID] = e.Denial
			case Verdict:
				res.verdict = e
			}
		case <-timeout:
			r.Stop()
			t.Fatal("the run did not end within 60s")
		}
	}
}

const allowAll = `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": []}`

// denyOne allows everything but one syscall, which gets action (with
// errnoRet when action is errno).
func denyOne(name, action string, errno int) string {
	e := ""
	if errno > 0 {
		e = fmt.Sprintf(`, "errnoRet": %d`, errno)
	}
	return fmt.Sprintf(`{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
		"syscalls": [{"names": [%q], "action": %q%s}]}`, name, action, e)
}

func dockerDefault(t testing.TB) *profile.Effective {
	t.Helper()
	p, err := profile.Open("preset:docker-default")
	if err != nil {
		t.Fatal(err)
	}
	return p.Effective(profile.HostEnv())
}

// orphanEnv makes the test binary start a run of the command it names,
// print the target's pid and wait to be killed (TestTargetDiesWithWorkbench).
const orphanEnv = "RUNNER_TEST_ORPHAN"

func orphanParent(argv []string) {
	p, err := profile.Parse("allow.json", []byte(allowAll))
	if err != nil {
		panic(err)
	}
	r, err := Start(context.Background(), Config{Effective: p.Effective(profile.HostEnv()), Argv: argv})
	if err != nil {
		panic(err)
	}
	for ev := range r.Events() {
		if _, ok := ev.(Started); ok {
			fmt.Println("pid", r.Pid())
		}
	}
	os.Exit(1) // the target ended first: the test fails on the missing line
}
