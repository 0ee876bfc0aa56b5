package runner

import (
	"bytes"
	"context"
	"math/rand"
	"strings"
	"sync"
	"testing"
	"time"
)

func testStream() *outStream {
	var mu sync.Mutex
	return newOutStream(Stdout, 0, true, &mu)
}

// fill queues p as addOutput does, without a run.
func (s *outStream) fill(p []byte, now time.Time) {
	if len(s.pending) == 0 {
		s.since = now
	}
	s.appendPending(p)
	s.lines += bytes.Count(p, []byte{'\n'})
}

// A flood of two-byte lines makes batches of about 64 KiB, not of
// OutputBatchLines lines.
func TestOutputBatchBytesBoundTinyLines(t *testing.T) {
	s := testStream()
	now := time.Now()
	s.fill(bytes.Repeat([]byte("y\n"), 100<<10), now) // 200 KiB
	var sizes []int
	for {
		ev, ok, _ := s.takeOutput(now, false)
		if !ok {
			break
		}
		if ev.Lines != strings.Count(ev.Data, "\n") {
			t.Fatalf("Lines %d for %d newlines", ev.Lines, strings.Count(ev.Data, "\n"))
		}
		sizes = append(sizes, len(ev.Data))
	}
	want := []int{outputBatchBytes, outputBatchBytes, outputBatchBytes, 200<<10 - 3*outputBatchBytes}
	if len(sizes) != len(want) {
		t.Fatalf("batch sizes %v, want %v", sizes, want)
	}
	for i := range want {
		if sizes[i] != want[i] {
			t.Fatalf("batch sizes %v, want %v", sizes, want)
		}
	}
}

// A cut by size falls at the last line end before 64 KiB.
func TestOutputBatchCutAtLineEnd(t *testing.T) {
	s := testStream()
	now := time.Now()
	line := []byte(strings.Repeat("x", 999) + "\n")
	s.fill(bytes.Repeat(line, 100), now)
	ev, ok, _ := s.takeOutput(now, false)
	if !ok || len(ev.Data) != 65*1000 || ev.Lines != 65 {
		t.Fatalf("first batch %d bytes, %d lines, want 65000 and 65", len(ev.Data), ev.Lines)
	}
}

// A few bytes wait for OutputBatchDelay; then they are due.
func TestOutputBatchLatencyFlush(t *testing.T) {
	s := testStream()
	t0 := time.Now()
	s.fill([]byte("a\nb\n"), t0)
	if _, ok, due := s.takeOutput(t0.Add(OutputBatchDelay/2), false); ok || !due.Equal(t0.Add(OutputBatchDelay)) {
		t.Fatalf("two lines sent early, or due %v (want %v)", due, t0.Add(OutputBatchDelay))
	}
	ev, ok, _ := s.takeOutput(t0.Add(OutputBatchDelay), false)
	if !ok || ev.Data != "a\nb\n" || ev.Lines != 2 {
		t.Fatalf("after the delay: %+v %v", ev, ok)
	}
	// OutputBatchLines lines are due at once.
	s.fill(bytes.Repeat([]byte("z\n"), OutputBatchLines), t0)
	if ev, ok, _ := s.takeOutput(t0, false); !ok || ev.Lines != OutputBatchLines {
		t.Fatalf("%d lines not sent at once: %+v", OutputBatchLines, ev)
	}
}

// Appends and cuts of random sizes, interleaved, give back the stream
// exactly: the window on the buffer moves and compacts without losing or
// repeating a byte.
func TestOutputPendingWindow(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	s := testStream()
	now := time.Now()
	var in, out bytes.Buffer
	lines := 0
	for i := 0; i < 2000; i++ {
		p := make([]byte, rng.Intn(3*readChunk/2))
		for j := range p {
			p[j] = "ab\n€"[rng.Intn(6)%4]
		}
		in.Write(p)
		s.fill(p, now)
		for k := rng.Intn(4); k > 0; k-- {
			if ev, ok, _ := s.takeOutput(now, false); ok {
				out.WriteString(ev.Data)
				lines += ev.Lines
			}
		}
		for len(s.pending) > maxPending {
			ev, _, _ := s.takeOutput(now, false)
			out.WriteString(ev.Data)
			lines += ev.Lines
		}
		if cap(s.buf) > 2*maxPending+2*readChunk {
			t.Fatalf("buffer grew to %d bytes with %d pending", cap(s.buf), len(s.pending))
		}
	}
	for {
		ev, ok, _ := s.takeOutput(now, true)
		if !ok {
			break
		}
		out.WriteString(ev.Data)
		lines += ev.Lines
	}
	if !bytes.Equal(in.Bytes(), out.Bytes()) || lines != bytes.Count(in.Bytes(), []byte{'\n'}) {
		t.Fatalf("%d bytes in, %d out (equal: %v); %d lines counted", in.Len(), out.Len(), bytes.Equal(in.Bytes(), out.Bytes()), lines)
	}
}

// yes through a lossless run: every byte arrives, in batches of at most
// 64 KiB whose Lines count their newlines.
func TestOutputTinyLinesLossless(t *testing.T) {
	const total = 16 << 20
	r, err := Start(context.Background(), Config{Effective: eff(t, allowAll), Argv: []string{"sh", "-c", "yes | head -c 16777216"}, LosslessOutput: true})
	if err != nil {
		t.Fatal(err)
	}
	var got, lines, events int
	for ev := range r.Events() {
		if o, ok := ev.(Output); ok && o.Stream == Stdout {
			if o.Dropped != 0 {
				t.Fatal("lossless output dropped bytes")
			}
			if len(o.Data) > outputBatchBytes || o.Lines != strings.Count(o.Data, "\n") {
				t.Fatalf("a batch of %d bytes with Lines %d", len(o.Data), o.Lines)
			}
			got += len(o.Data)
			lines += o.Lines
			events++
		}
	}
	if got != total || lines != total/2 {
		t.Fatalf("got %d bytes, %d lines; want %d, %d", got, lines, total, total/2)
	}
	t.Logf("%d bytes in %d Output events", got, events)
}
