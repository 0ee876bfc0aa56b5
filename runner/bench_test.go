package runner

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// Benchmarks, each next to its baseline. Reproduce with
//
//	go test -run '^$' -bench . -benchtime 2s ./runner
//
// The figures and their reading are in docs/benchmarks.md.

// launch starts p once and waits for the verdict (nobody reads events).
func launch(b *testing.B, p *prepared) Verdict {
	r, err := p.start(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	v := r.Wait()
	r.Stop()
	return v
}

// mustPrepare prepares cfg and builds its filter, as a launch does
// beside the shim's start, and stores a program new to the cache.
func mustPrepare(b *testing.B, cfg Config) *prepared {
	p, err := prepare(cfg)
	if err != nil {
		b.Fatal(err)
	}
	if err := p.build(); err != nil {
		b.Fatal(err)
	}
	p.storeProgram()
	return p
}

// BenchmarkLaunchDirect is the baseline: fork and exec /bin/true.
func BenchmarkLaunchDirect(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if err := exec.Command("/bin/true").Run(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLaunchEnforce / Watch start /bin/true under Docker's default
// profile through the shim. The filter is compiled once, outside the loop.
// The NoIsolation variants share the workbench's namespaces: the
// difference is what the PID and mount namespaces and the new /proc cost.
func BenchmarkLaunchEnforce(b *testing.B)            { benchLaunch(b, ModeEnforce, IsolateAuto) }
func BenchmarkLaunchEnforceNoIsolation(b *testing.B) { benchLaunch(b, ModeEnforce, IsolateNone) }
func BenchmarkLaunchWatch(b *testing.B)              { benchLaunch(b, ModeWatch, IsolateAuto) }
func BenchmarkLaunchWatchNoIsolation(b *testing.B)   { benchLaunch(b, ModeWatch, IsolateNone) }

func benchLaunch(b *testing.B, mode Mode, iso Isolation) {
	p := mustPrepare(b, Config{Effective: dockerDefault(b), Mode: mode, Argv: []string{"/bin/true"}, Isolate: iso})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if v := launch(b, p); v.Result != ResultPass {
			b.Fatalf("verdict %+v", v)
		}
	}
}

// BenchmarkDeniedCall measures one denied call (getppid, errno) as the
// probe sees it: in enforce mode the kernel answers, in watch mode the
// supervisor does (notification, decision, report, reply). ns/call is
// timed inside the probe, so launching does not count.
func BenchmarkDeniedCallEnforce(b *testing.B) { benchDenied(b, ModeEnforce) }
func BenchmarkDeniedCallWatch(b *testing.B)   { benchDenied(b, ModeWatch) }

func benchDenied(b *testing.B, mode Mode) {
	pr := probe(b)
	n := max(b.N, 1000)
	p := mustPrepare(b, Config{Effective: eff(b, denyOne("getppid", "SCMP_ACT_ERRNO", 1)), Mode: mode,
		Argv: []string{pr, fmt.Sprintf("loop:%d:%d", n, nrGetppid)}})
	b.ResetTimer()
	r, err := p.start(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	var errOut strings.Builder
	for ev := range r.Events() {
		if o, ok := ev.(Output); ok && o.Stream == Stderr {
			errOut.WriteString(o.Data)
		}
	}
	b.StopTimer()
	reportPerCall(b, errOut.String())
}

func reportPerCall(b *testing.B, stderr string) {
	for _, line := range strings.Split(stderr, "\n") {
		if v, ok := strings.CutPrefix(line, "ns/call "); ok {
			f, _ := strconv.ParseFloat(v, 64)
			b.ReportMetric(f, "ns/call")
		}
	}
}

// Syscall-heavy workloads for record mode against strace -f -c: 200,000
// getppid calls in a C loop, and find over /usr. Each runs with no
// tracing at all (plain), in record mode, and under strace; output goes
// to /dev/null in all three.
func BenchmarkWorkload(b *testing.B) {
	workloads := []struct {
		name string
		argv func(b *testing.B) []string
	}{
		{"getppid-200k", func(b *testing.B) []string {
			return []string{probe(b), fmt.Sprintf("loop:%d:%d", 200000, nrGetppid)}
		}},
		{"find-usr", func(*testing.B) []string { return []string{"find", "/usr", "-maxdepth", "3"} }},
	}
	for _, w := range workloads {
		b.Run(w.name+"/plain", func(b *testing.B) {
			argv := w.argv(b)
			for i := 0; i < b.N; i++ {
				if err := exec.Command(argv[0], argv[1:]...).Run(); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(w.name+"/record", func(b *testing.B) {
			cfg := Config{Mode: ModeRecord, Argv: w.argv(b), Stdout: io.Discard, Stderr: io.Discard}
			for i := 0; i < b.N; i++ {
				// Prepared each time, as Start does: the eBPF engine's
				// programs belong to one run and are closed with it.
				if v := launch(b, mustPrepare(b, cfg)); v.Result != ResultPass {
					b.Fatalf("verdict %+v", v)
				}
			}
		})
		b.Run(w.name+"/strace", func(b *testing.B) {
			if _, err := exec.LookPath("strace"); err != nil {
				b.Skip("strace is not installed")
			}
			argv := append([]string{"-f", "-c", "-o", os.DevNull}, w.argv(b)...)
			for i := 0; i < b.N; i++ {
				if err := exec.Command("strace", argv...).Run(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkOutputFlood is 64 MB of output from yes, in lines of 2 and of
// 64 bytes, as run --json reads it (lossless, every event taken): MB/s is
// the runner's output path end to end, target and pipe included.
func BenchmarkOutputFlood(b *testing.B) {
	const total = 64 << 20
	for _, line := range []int{2, 64} {
		b.Run(fmt.Sprintf("line-%d", line), func(b *testing.B) {
			word := strings.Repeat("y", line-1)
			p := mustPrepare(b, Config{Effective: dockerDefault(b), Mode: ModeWatch, LosslessOutput: true,
				Argv: []string{"sh", "-c", fmt.Sprintf("yes %s | head -c %d", word, total)}})
			b.SetBytes(total)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				r, err := p.start(context.Background())
				if err != nil {
					b.Fatal(err)
				}
				got, nev := 0, 0
				for ev := range r.Events() {
					if o, ok := ev.(Output); ok && o.Stream == Stdout {
						got += len(o.Data)
						nev++
					}
				}
				r.Stop()
				b.ReportMetric(float64(got)/float64(nev), "B/event")
				if got != total {
					b.Fatalf("got %d bytes of output, want %d", got, total)
				}
			}
		})
	}
}
