package runner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// tooBig is a profile whose program the kernel cannot take (over 4096
// instructions): it parses and lints, and fails only when compiled.
func tooBig(t *testing.T) *profile.Effective {
	t.Helper()
	var rules []string
	for i, ent := range catalog.MustDefault().All() {
		var args []string
		for k := 0; k < 4; k++ {
			args = append(args, fmt.Sprintf(`{"index": %d, "value": %d, "op": "SCMP_CMP_EQ"}`, k, uint64(i)<<33|uint64(k)))
		}
		rules = append(rules, fmt.Sprintf(`{"names": [%q], "action": "SCMP_ACT_ALLOW", "args": [%s]}`, ent.Name, strings.Join(args, ", ")))
	}
	return eff(t, `{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
		"syscalls": [`+strings.Join(rules, ",\n")+`]}`)
}

// children lists the live children of every thread of this process.
func children(t *testing.T) []string {
	t.Helper()
	var out []string
	tasks, _ := filepath.Glob("/proc/self/task/*/children")
	for _, f := range tasks {
		b, err := os.ReadFile(f)
		if err == nil {
			out = append(out, strings.Fields(string(b))...)
		}
	}
	return out
}

// The shim starts before the filter is compiled (it sets up while the
// filter is made): a filter that then fails to compile must leave nothing
// run — the target never starts, the shim is reaped, no fd is left open —
// and Start reports the compile error itself.
func TestUncompilableFilterStartsNothing(t *testing.T) {
	big := tooBig(t)
	for _, iso := range []Isolation{IsolateAuto, IsolateNone} {
		for _, mode := range []Mode{ModeEnforce, ModeWatch} {
			t.Run(string(iso)+"/"+string(mode), func(t *testing.T) {
				marker := filepath.Join(t.TempDir(), "ran")
				reapZombieChildren()
				kids, fds := children(t), openFds(t)
				r, err := Start(context.Background(), Config{Effective: big, Mode: mode, Isolate: iso,
					Argv: []string{"/bin/sh", "-c", "echo ran > " + marker}})
				if err == nil {
					r.Wait()
					t.Fatal("Start of a filter over the kernel's limit succeeded")
				}
				if !strings.HasPrefix(err.Error(), "compiling the filter: ") || !strings.Contains(err.Error(), "4096") || strings.Contains(err.Error(), "shim") {
					t.Errorf("error %q: want the compile error, not the shim's", err)
				}
				if _, err := os.Stat(marker); !os.IsNotExist(err) {
					t.Errorf("the target ran without its filter (%s exists)", marker)
				}
				if got := children(t); len(got) != len(kids) {
					t.Errorf("children before %v, after %v: the shim was not reaped", kids, got)
				}
				if got := openFds(t); got != fds {
					t.Errorf("%d fds open before, %d after", fds, got)
				}
			})
		}
	}
}

// A spec is read to the end of its pipe, however the writes split it.
func TestShimSpecInPieces(t *testing.T) {
	spec, err := (&shimSpec{Argv: []string{"/bin/true"}, Dir: "/nonexistent-dir-for-shim-test", Prog: make([]byte, 16),
		Env: []string{"BIG=" + strings.Repeat("x", 300<<10)}}).encode()
	if err != nil {
		t.Fatal(err)
	}
	for name, shim := range shimsUnderTest(t) {
		status, code := runRawShimChunks(t, shim, spec, 4093)
		wantStatus(t, fmt.Sprintf("%s: a %d-byte spec in 4093-byte writes", name, len(spec)), status, code, 126,
			"working directory /nonexistent-dir-for-shim-test: no such file or directory")
	}
}

// Config.Hold keeps the target back while the launch goes on: the shim
// is started and waits, and the target is forked only once Hold is
// closed. A context that ends first ends the launch with nothing run.
func TestHoldKeepsTheTargetBack(t *testing.T) {
	for _, iso := range []Isolation{IsolateAuto, IsolateNone} {
		t.Run(string(iso), func(t *testing.T) {
			for _, cancel := range []bool{false, true} {
				testHold(t, iso, cancel)
			}
		})
	}
}

// started is what Start returned.
type started struct {
	r   *Run
	err error
}

// startHeld calls Start on a goroutine with cfg, whose Hold the caller
// keeps closed, and returns once the run's shim exists (the workbench
// has one more child); Start's result arrives on the channel.
func startHeld(t *testing.T, ctx context.Context, cfg Config) <-chan started {
	t.Helper()
	reapZombieChildren()
	kids := children(t)
	ch := make(chan started, 1)
	go func() {
		r, err := Start(ctx, cfg)
		ch <- started{r, err}
	}()
	deadline := time.Now().Add(30 * time.Second)
	for len(children(t)) <= len(kids) {
		if time.Now().After(deadline) {
			t.Fatal("no shim started in 30 s")
		}
		time.Sleep(time.Millisecond)
	}
	return ch
}

// releaseHeld closes hold and requires the held run to start and pass.
func releaseHeld(t *testing.T, hold chan struct{}, res <-chan started) {
	t.Helper()
	close(hold)
	s := <-res
	if s.err != nil {
		t.Fatal(s.err)
	}
	if out := collect(t, s.r); out.verdict.Result != ResultPass {
		t.Fatalf("verdict %+v", out.verdict)
	}
}

func testHold(t *testing.T, iso Isolation, cancel bool) {
	marker := filepath.Join(t.TempDir(), "ran")
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	hold := make(chan struct{})
	kids := children(t)
	res := startHeld(t, ctx, Config{Effective: eff(t, allowAll), Mode: ModeEnforce, Isolate: iso, Hold: hold,
		Argv: []string{"/bin/sh", "-c", "echo ran > " + marker}})
	// Unheld, the target runs within milliseconds of its shim.
	time.Sleep(200 * time.Millisecond)
	select {
	case s := <-res:
		t.Fatalf("Start returned (%v) while the hold was on", s.err)
	default:
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("the target ran while the hold was on")
	}
	if cancel {
		stop()
		if s := <-res; !errors.Is(s.err, context.Canceled) {
			t.Fatalf("Start after the context ended: %v, want context.Canceled", s.err)
		}
		if _, err := os.Stat(marker); err == nil {
			t.Error("the target ran after the context ended")
		}
		if got := children(t); len(got) != len(kids) {
			t.Errorf("children before %v, after %v: the shim was not reaped", kids, got)
		}
		return
	}
	releaseHeld(t, hold, res)
	if _, err := os.Stat(marker); err != nil {
		t.Errorf("the target did not run once released: %v", err)
	}
}

// A signal sent the moment Start returns reaches the command: the shim
// may still be setting up, and as PID 1 of its namespace the kernel drops
// every signal it neither handles nor blocks, so the run keeps it until
// the target exists. Each isolation and mode, many times: the window is
// short.
func TestSignalRightAfterStart(t *testing.T) {
	for _, c := range []struct {
		iso  Isolation
		mode Mode
	}{{IsolateAuto, ModeEnforce}, {IsolateNone, ModeEnforce}, {IsolateAuto, ModeWatch}, {IsolateNone, ModeWatch}} {
		t.Run(string(c.iso)+"/"+string(c.mode), func(t *testing.T) {
			for i := range 20 {
				r, err := Start(t.Context(), Config{Effective: eff(t, allowAll), Mode: c.mode, Isolate: c.iso,
					Argv: []string{"sleep", "30"}})
				if err != nil {
					t.Fatal(err)
				}
				r.Signal(syscall.SIGINT)
				select {
				case <-r.Done():
				case <-time.After(10 * time.Second):
					r.Stop()
					t.Fatalf("launch %d: the run outlived a SIGINT by 10 s: the signal was lost", i)
				}
				if v := collect(t, r).verdict; v.Signal != "SIGINT" || v.ExitCode != 130 {
					t.Fatalf("launch %d: verdict %+v, want killed by SIGINT (130)", i, v)
				}
			}
		})
	}
}
