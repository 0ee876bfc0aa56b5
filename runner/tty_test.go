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

// SIGSTOP reaches the whole tree and stops it; SIGCONT resumes it. With
// and without namespaces of its own.
func TestSignalAllSuspendsTheTree(t *testing.T) {
	needAmd64(t)
	for _, iso := range []Isolation{IsolateAuto, IsolateNone} {
		t.Run(string(iso), func(t *testing.T) {
			marker := fmt.Sprintf("#marker-suspend-%d", time.Now().UnixNano())
			// The probe, its child and its grandchild.
			r, err := Start(context.Background(), Config{Effective: eff(t, allowAll), Isolate: iso,
				Argv: []string{probe(t), marker, "fork", "fork", "sleep:100"}})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Stop()
			go func() {
				for range r.Events() {
				}
			}()
			asleep := func(c byte) bool { return c == 'S' }
			waitStates(t, marker, 3, "running", asleep)
			r.SignalAll(syscall.SIGSTOP)
			waitStates(t, marker, 3, "stopped", func(c byte) bool { return c == 'T' })
			r.SignalAll(syscall.SIGCONT)
			waitStates(t, marker, 3, "running again", asleep)
			r.Stop()
			if v := r.Wait(); !v.Stopped {
				t.Errorf("verdict %+v", v)
			}
			r.SignalAll(syscall.SIGSTOP) // after the end: nothing to signal
		})
	}
}
