package scenario

import (
	"context"
	"flag"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

var compareFiles = flag.String("minimize.compare", "", "FILE=PROFILE: measure minimize against one-at-a-time removal on real scenarios")

// TestMinimizeVsNaive measures (it asserts only that both agree the
// scenarios pass): runs and wall time of Minimize with the CPUs as jobs
// and of one-syscall-at-a-time removal, both with ScenarioOracle.
//
//	go test ./scenario -run TestMinimizeVsNaive -v \
//	  -minimize.compare ../testdata/scenarios/minimize/tools.yaml=preset:docker-default
func TestMinimizeVsNaive(t *testing.T) {
	if *compareFiles == "" {
		t.Skip("a measurement: give -minimize.compare FILE=PROFILE")
	}
	file, prof, ok := strings.Cut(*compareFiles, "=")
	if !ok {
		t.Fatal("-minimize.compare FILE=PROFILE")
	}
	f, err := Load(file)
	if err != nil {
		t.Fatal(err)
	}
	p, err := profile.Open(prof)
	if err != nil {
		t.Fatal(err)
	}
	start := p.Effective(profile.HostEnv())
	oracle := ScenarioOracle(f, Options{})
	began := time.Now()
	res, err := Minimize(context.Background(), start, oracle, MinimizeOptions{Jobs: runtime.NumCPU()})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("minimize (jobs %d): %d elements → %d kept, %d runs, %v", runtime.NumCPU(), len(Elements(start)), len(res.Kept), res.Runs, time.Since(began).Round(time.Millisecond))
	var n atomic.Int64
	began = time.Now()
	naive, runs, err := naiveMinimize(context.Background(), start, counting(oracle, &n))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("one at a time: %d kept, %d runs, %v", len(Elements(naive.Effective(start.Env))), runs, time.Since(began).Round(time.Millisecond))
}
