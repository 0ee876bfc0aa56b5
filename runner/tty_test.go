package runner

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// markedStates returns the /proc state of every process whose command
// line holds marker.
func markedStates(marker string) []byte {
	var out []byte
	names, _ := filepath.Glob("/proc/[0-9]*")
	for _, dir := range names {
		pid, _ := strconv.Atoi(filepath.Base(dir))
		cmdline, _ := os.ReadFile(dir + "/cmdline")
		if st, ok := readProcStat(pid); ok && bytes.Contains(cmdline, []byte(marker)) {
			out = append(out, st.state)
		}
	}
	return out
}

// waitStates polls until there are want processes with marker, all of
// them in a state for which ok is true.
func waitStates(t *testing.T, marker string, want int, what string, ok func(byte) bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s := markedStates(marker)
		good := len(s) == want
		for _, c := range s {
			good = good && ok(c)
		}
		if good {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited 10s for %d processes %s; states %q", want, what, s)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// SIGSTOP reaches the whole tree and stops it; SIGCONT resumes it.
func TestSignalAllSuspendsTheTree(t *testing.T) {
	needAmd64(t)
	marker := fmt.Sprintf("#marker-suspend-%d", time.Now().UnixNano())
	r, err := Start(context.Background(), Config{Effective: eff(t, allowAll), Argv: []string{probe(t), marker, "fork", "sleep:100"}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Stop()
	go func() {
		for range r.Events() {
		}
	}()
	// The probe and its child, both asleep (waiting or sleeping).
	waitStates(t, marker, 2, "running", func(c byte) bool { return c == 'S' })
	r.SignalAll(syscall.SIGSTOP)
	waitStates(t, marker, 2, "stopped", func(c byte) bool { return c == 'T' })
	r.SignalAll(syscall.SIGCONT)
	waitStates(t, marker, 2, "running again", func(c byte) bool { return c == 'S' })
	r.Stop()
	if v := r.Wait(); !v.Stopped {
		t.Errorf("verdict %+v", v)
	}
	r.SignalAll(syscall.SIGSTOP) // after the end: nothing to signal
}
