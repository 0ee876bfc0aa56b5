package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/seccomp-workbench/seccomp-workbench/runner"
)

// During a flood a message waits for more output instead of being drawn
// per event; a trickle is passed on at once, and the end of the run ends
// the wait.
func TestBatchEventsWaitsOnlyDuringFlood(t *testing.T) {
	big := runner.Output{Stream: runner.Stdout, Data: strings.Repeat("y\n", floodBytes/2), Lines: floodBytes / 4}
	small := runner.Output{Stream: runner.Stdout, Data: "one line\n", Lines: 1}
	later := func(ch chan runner.Event, ev runner.Event) {
		go func() { time.Sleep(50 * time.Millisecond); ch <- ev }()
	}

	// The flood's wait ends with the run here, not after its ten seconds.
	ch := make(chan runner.Event, 4)
	ch <- big
	go func() { time.Sleep(50 * time.Millisecond); ch <- small; time.Sleep(50 * time.Millisecond); close(ch) }()
	if msg := batchEvents(1, ch, 10*time.Second); len(msg.events) != 2 || !msg.closed {
		t.Fatalf("flood: %d events (closed %v), want the later one too", len(msg.events), msg.closed)
	}

	ch = make(chan runner.Event, 4)
	ch <- small
	later(ch, small)
	if msg := batchEvents(1, ch, 10*time.Second); len(msg.events) != 1 {
		t.Fatalf("trickle: %d events, want the first alone", len(msg.events))
	}

	ch = make(chan runner.Event, 4)
	ch <- big
	go func() { time.Sleep(50 * time.Millisecond); close(ch) }()
	start := time.Now()
	if msg := batchEvents(1, ch, 10*time.Second); !msg.closed || len(msg.events) != 1 || time.Since(start) > 5*time.Second {
		t.Fatalf("end of run: closed %v, %d events after %v", msg.closed, len(msg.events), time.Since(start))
	}
}
