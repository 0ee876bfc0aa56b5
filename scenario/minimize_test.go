package scenario

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// manyNames are 40 syscalls the test profiles allow.
var manyNames = []string{
	"accept", "access", "bind", "brk", "chdir", "chmod", "clock_gettime", "close", "connect", "dup",
	"dup2", "epoll_wait", "execve", "exit_group", "fcntl", "fstat", "futex", "getcwd", "getdents64", "getpid",
	"getuid", "ioctl", "listen", "lseek", "mkdir", "mmap", "mprotect", "munmap", "newfstatat", "openat",
	"pipe2", "poll", "pread64", "read", "readlink", "rt_sigaction", "socket", "uname", "unlink", "write",
}

func testProfile(names []string, extra ...*profile.Rule) *profile.Effective {
	eperm := uint(1)
	p := &profile.Profile{
		DefaultAction: profile.ActErrno, DefaultErrnoRet: &eperm,
		Architectures: []string{"SCMP_ARCH_X86_64"},
		Syscalls:      append([]*profile.Rule{{Names: slices.Clone(names), Action: profile.ActAllow}}, extra...),
	}
	return p.Effective(profile.HostEnv())
}

type call struct {
	name string
	args [6]uint64
}

// needs is a deterministic oracle: it passes when every call is allowed.
func needs(calls ...call) Oracle {
	return func(_ context.Context, e *profile.Effective) (Outcome, error) {
		for _, c := range calls {
			d, ok := e.DecideName(profile.NativeArch(), c.name, c.args, profile.Options{})
			if !ok || d.Action.Canon() != profile.ActAllow {
				return Outcome{Failed: "needs " + c.name}, nil
			}
		}
		return Outcome{Passed: true}, nil
	}
}

func names(cs ...string) []call {
	out := make([]call, len(cs))
	for i, c := range cs {
		out[i] = call{name: c}
	}
	return out
}

func counting(o Oracle, n *atomic.Int64) Oracle {
	return func(ctx context.Context, e *profile.Effective) (Outcome, error) {
		n.Add(1)
		return o(ctx, e)
	}
}

// naiveMinimize removes one element at a time, keeping each removal that
// passes: the baseline the delta debugging is compared with.
func naiveMinimize(ctx context.Context, start *profile.Effective, oracle Oracle) (*profile.Profile, int, error) {
	els := Elements(start)
	var drop []Element
	runs := 0
	for _, el := range els {
		try := append(slices.Clone(drop), el)
		out, err := oracle(ctx, Without(start.Source, try).Effective(start.Env))
		runs++
		if err != nil {
			return nil, runs, err
		}
		if out.Passed {
			drop = try
		}
	}
	return Without(start.Source, drop), runs, nil
}

// checkOneMinimal fails unless removing any single kept element fails.
func checkOneMinimal(t *testing.T, res *MinimizeResult, oracle Oracle) {
	t.Helper()
	e := res.Final
	for _, el := range Elements(e) {
		out, err := oracle(context.Background(), Without(e.Source, []Element{el}).Effective(e.Env))
		if err != nil {
			t.Fatal(err)
		}
		if out.Passed {
			t.Errorf("not 1-minimal: %s can still be removed", el)
		}
	}
}

func allowedNames(e *profile.Effective) []string {
	var out []string
	for _, el := range Elements(e) {
		if el.Arg < 0 {
			out = append(out, el.Syscall)
		}
	}
	slices.Sort(out)
	return out
}

func TestMinimizeFindsWhatIsNeeded(t *testing.T) {
	for _, jobs := range []int{1, 4} {
		t.Run(fmt.Sprint("jobs", jobs), func(t *testing.T) {
			start := testProfile(manyNames)
			oracle := needs(names("read", "write", "openat")...)
			var n atomic.Int64
			var progress []MinimizeProgress
			res, err := Minimize(context.Background(), start, counting(oracle, &n), MinimizeOptions{
				Jobs: jobs, Progress: func(p MinimizeProgress) { progress = append(progress, p) },
			})
			if err != nil {
				t.Fatal(err)
			}
			if got := allowedNames(res.Final); !slices.Equal(got, []string{"openat", "read", "write"}) {
				t.Errorf("kept %v, want openat read write", got)
			}
			checkOneMinimal(t, res, oracle)
			if res.Runs != int(n.Load()) || len(progress) != res.Runs {
				t.Errorf("Runs %d, oracle called %d times, %d progress calls", res.Runs, n.Load(), len(progress))
			}
			if len(res.Removed) != len(manyNames)-3 || len(res.Flaky) != 0 {
				t.Errorf("removed %d, flaky %v", len(res.Removed), res.Flaky)
			}
			_, naive, err := naiveMinimize(context.Background(), start, oracle)
			if err != nil {
				t.Fatal(err)
			}
			// ddmin for 3 needed of 40: about 3·2·log2(40/3) runs plus
			// the four checks; one at a time is 40.
			if res.Runs >= naive {
				t.Errorf("minimize took %d runs, one at a time %d", res.Runs, naive)
			}
			t.Logf("jobs %d: %d runs, naive %d", jobs, res.Runs, naive)
			last := progress[len(progress)-1]
			if last.Left != 3 || last.Elements != len(manyNames) || last.EstRuns < 0 {
				t.Errorf("last progress %+v", last)
			}
		})
	}
}

func TestMinimizeArgumentValues(t *testing.T) {
	// clone allowed for three flag values (ORed); the workload uses one.
	rule := &profile.Rule{Names: []string{"clone"}, Action: profile.ActAllow, Args: []*profile.Arg{
		{Index: 0, Value: 0x11, Op: profile.OpEqualTo},
		{Index: 0, Value: 0x22, Op: profile.OpEqualTo},
		{Index: 0, Value: 0x33, Op: profile.OpEqualTo},
	}}
	start := testProfile([]string{"read", "write", "getpid"}, rule)
	oracle := needs(call{name: "read"}, call{name: "clone", args: [6]uint64{0x22}})
	res, err := Minimize(context.Background(), start, oracle, MinimizeOptions{Jobs: 2})
	if err != nil {
		t.Fatal(err)
	}
	checkOneMinimal(t, res, oracle)
	var kept []string
	for _, el := range res.Kept {
		kept = append(kept, el.Desc)
	}
	if !slices.Equal(kept, []string{"read", "clone", "clone arg0 == 0x22"}) {
		t.Errorf("kept %q", kept)
	}
	for _, v := range []uint64{0x11, 0x33} {
		if d, _ := res.Final.DecideName(profile.NativeArch(), "clone", [6]uint64{v}, profile.Options{}); d.Action.Canon() == profile.ActAllow {
			t.Errorf("clone(%#x) still allowed", v)
		}
	}
}

func TestWithoutKeepsORedConditionsORed(t *testing.T) {
	rule := &profile.Rule{Names: []string{"clone"}, Action: profile.ActAllow, Args: []*profile.Arg{
		{Index: 0, Value: 1, Op: profile.OpEqualTo},
		{Index: 0, Value: 2, Op: profile.OpEqualTo},
		{Index: 1, Value: 5, Op: profile.OpEqualTo},
	}}
	e := testProfile([]string{"read"}, rule)
	els := Elements(e)
	var drop []Element
	for _, el := range els {
		if el.Arg == 1 {
			drop = append(drop, el)
		}
	}
	got := Without(e.Source, drop).Effective(e.Env)
	// Left: arg0 == 1 or arg1 == 5, not both at once.
	for _, tc := range []struct {
		args  [6]uint64
		allow bool
	}{{[6]uint64{1, 0}, true}, {[6]uint64{0, 5}, true}, {[6]uint64{2, 0}, false}} {
		d, _ := got.DecideName(profile.NativeArch(), "clone", tc.args, profile.Options{})
		if (d.Action.Canon() == profile.ActAllow) != tc.allow {
			t.Errorf("clone%v: %s, want allow=%v", tc.args[:2], d, tc.allow)
		}
	}
	if len(e.Source.Syscalls[1].Args) != 3 {
		t.Error("Without changed its input")
	}
}

func TestMinimizeOriginalMustPass(t *testing.T) {
	start := testProfile([]string{"read"})
	_, err := Minimize(context.Background(), start, needs(names("read", "write")...), MinimizeOptions{})
	if !errors.Is(err, ErrOriginalFails) || err.Error() != "the scenarios do not pass under the starting profile: needs write failed" {
		t.Errorf("err = %v", err)
	}
}

// flakyOracle fails its first answer for any candidate that lacks name,
// and passes every later one: a scenario whose result flips.
func flakyOracle(inner Oracle, name string) Oracle {
	var mu sync.Mutex
	seen := map[string]int{}
	return func(ctx context.Context, e *profile.Effective) (Outcome, error) {
		out, err := inner(ctx, e)
		if err != nil || !out.Passed {
			return out, err
		}
		if d, _ := e.DecideName(profile.NativeArch(), name, [6]uint64{}, profile.Options{}); d.Action.Canon() == profile.ActAllow {
			return out, nil
		}
		key := fmt.Sprint(allowedNames(e))
		mu.Lock()
		defer mu.Unlock()
		seen[key]++
		if seen[key] == 1 {
			return Outcome{Failed: "sometimes " + name}, nil
		}
		return out, nil
	}
}

func TestMinimizeFlakyKeepsElement(t *testing.T) {
	start := testProfile([]string{"brk", "close", "getpid", "dup"})
	oracle := flakyOracle(needs(names("brk")...), "close")
	res, err := Minimize(context.Background(), start, oracle, MinimizeOptions{Jobs: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Flaky) == 0 {
		t.Fatalf("no flaky element reported; kept %v", allowedNames(res.Final))
	}
	for _, f := range res.Flaky {
		if f.Scenario != "sometimes close" {
			t.Errorf("flaky %+v names the wrong scenario", f)
		}
	}
	if got := allowedNames(res.Final); !slices.Equal(got, []string{"brk", "close"}) {
		t.Errorf("lost brk: %v", allowedNames(res.Final))
	}
}

func TestMinimizeFinalRecheck(t *testing.T) {
	// Passes the first answer for every candidate, fails later ones for
	// a profile without write: the final re-run must catch it.
	var mu sync.Mutex
	seen := map[string]int{}
	oracle := func(ctx context.Context, e *profile.Effective) (Outcome, error) {
		d, _ := e.DecideName(profile.NativeArch(), "write", [6]uint64{}, profile.Options{})
		if d.Action.Canon() == profile.ActAllow {
			return Outcome{Passed: true}, nil
		}
		mu.Lock()
		defer mu.Unlock()
		key := fmt.Sprint(allowedNames(e))
		seen[key]++
		return Outcome{Passed: seen[key] == 1, Failed: "writes sometimes"}, nil
	}
	_, err := Minimize(context.Background(), testProfile([]string{"read", "write"}), oracle, MinimizeOptions{})
	if !errors.Is(err, ErrFlakyFinal) {
		t.Errorf("err = %v, want ErrFlakyFinal", err)
	}
}

func TestMinimizeOracleError(t *testing.T) {
	boom := errors.New("boom")
	_, err := Minimize(context.Background(), testProfile([]string{"read"}), func(context.Context, *profile.Effective) (Outcome, error) {
		return Outcome{}, boom
	}, MinimizeOptions{})
	if !errors.Is(err, boom) {
		t.Errorf("err = %v", err)
	}
}
