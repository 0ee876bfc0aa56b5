package tui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/seccomp-workbench/seccomp-workbench/runner"
	"github.com/seccomp-workbench/seccomp-workbench/tui/runpane"
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

// A batch of events shows what the same events one message each show: the
// output chunks that enough output follows in the batch are only counted
// (runpane.Skip), and that must not change the pane, its counts or the
// dropped-bytes notes.
func TestBatchShowsWhatEventsOneByOneShow(t *testing.T) {
	flood := func(tag string, n int) string {
		var sb strings.Builder
		for i := 0; i < n; i++ {
			sb.WriteString(tag)
			sb.WriteString("\n")
		}
		return sb.String()
	}
	events := []runner.Event{
		runner.Output{Stream: runner.Stdout, Data: "first\nopen ", Lines: 1},
		runner.Output{Stream: runner.Stderr, Data: flood("e", 3000) + "err open ", Dropped: 77},
		runner.Denied{Denial: runner.Denial{ID: 1, Pid: 9, Syscall: "mkdir", ArgText: `mkdir("/x", 0777)`, Count: 1}},
		runner.Output{Stream: runner.Stdout, Data: "line\n" + flood("o", 4000), Dropped: 5},
		// MaxLines-1 newlines follow the chunk before these: it is
		// written, and its last line stays.
		runner.Output{Stream: runner.Stdout, Data: flood("p", runpane.MaxLines/2)},
		runner.Output{Stream: runner.Stderr, Data: "rest\n" + flood("q", runpane.MaxLines-runpane.MaxLines/2-2)},
		runner.Output{Stream: runner.Stdout, Data: "unfinished"},
	}
	batched, single := benchModel(t), benchModel(t)
	batched, _ = batched.startCommand("yes", runner.ModeWatch)
	single, _ = single.startCommand("yes", runner.ModeWatch)
	batched = send(t, batched, runEventsMsg{id: batched.ses.id, events: events})
	for _, ev := range events {
		single = send(t, single, runEventsMsg{id: single.ses.id, events: []runner.Event{ev}})
	}
	if fmt.Sprint(batched.run.Lines()) != fmt.Sprint(single.run.Lines()) {
		t.Fatal("a batch kept other lines than the events one by one")
	}
	if b, s := batched.run.CommandLines(), single.run.CommandLines(); b != s || batched.run.LostBytes() != single.run.LostBytes() || batched.run.LostBytes() != 82 {
		t.Fatalf("lines %d/%d, lost bytes %d/%d (want 82)", b, s, batched.run.LostBytes(), single.run.LostBytes())
	}
	if batched.View().Content != single.View().Content {
		t.Fatal("a batch draws other than the events one by one")
	}
}
