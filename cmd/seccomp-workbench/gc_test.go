package main

import (
	"math"
	"runtime/debug"
	"testing"
)

// gcSettings reads the GC percent and the memory limit without changing
// them.
func gcSettings() (int, int64) {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p, debug.SetMemoryLimit(-1)
}

// deferGC turns collections off under a limit and puts back what was
// there; with GOGC or GOMEMLIMIT set it leaves them alone.
func TestDeferGC(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	p0, l0 := gcSettings()
	restore := deferGC()
	if restore == nil {
		t.Fatal("deferGC did nothing")
	}
	if p, l := gcSettings(); p != -1 || l != startLimit {
		t.Errorf("during the start: GC percent %d, limit %d; want -1, %d", p, l, startLimit)
	}
	restore()
	if p, l := gcSettings(); p != p0 || l != l0 {
		t.Errorf("after the start: GC percent %d, limit %d; want %d, %d", p, l, p0, l0)
	}
	if l0 != math.MaxInt64 {
		t.Logf("the test process has a memory limit of its own: %d", l0)
	}
	t.Setenv("GOGC", "50")
	if deferGC() != nil {
		t.Error("deferGC overrode GOGC")
	}
	if p, _ := gcSettings(); p != p0 {
		t.Errorf("with GOGC set: GC percent %d, want %d", p, p0)
	}
}
