package runner

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestOutputBatchedAndSeparated(t *testing.T) {
	res := runIt(t, Config{Effective: eff(t, allowAll), Argv: []string{"sh", "-c", "seq 1 3000; echo oops >&2"}})
	var outs, lines int
	for _, e := range res.events {
		if o, ok := e.(Output); ok && o.Stream == Stdout {
			outs++
			lines += o.Lines
			if len(o.Data) > outputBatchBytes || o.Lines != strings.Count(o.Data, "\n") {
				t.Errorf("a batch of %d bytes with Lines %d", len(o.Data), o.Lines)
			}
		}
	}
	if lines != 3000 || !strings.HasPrefix(res.stdout, "1\n2\n") || !strings.HasSuffix(res.stdout, "2999\n3000\n") {
		t.Fatalf("stdout has %d lines: %.40q ... ", lines, res.stdout)
	}
	if outs == 0 || outs > 3000/OutputBatchLines+3 {
		t.Errorf("%d Output events for 3000 lines", outs)
	}
	if res.stderr != "oops\n" {
		t.Errorf("stderr %q", res.stderr)
	}
	if got := string(res.run.Output(Stdout)); got != res.stdout {
		t.Errorf("Output(Stdout) has %d bytes, the events %d", len(got), len(res.stdout))
	}
}

func TestOutputRing(t *testing.T) {
	res := runIt(t, Config{Effective: eff(t, allowAll), Argv: []string{"seq", "1", "100000"}, OutputLimit: 1000})
	kept := string(res.run.Output(Stdout))
	if len(kept) != 1000 || !strings.HasSuffix(kept, "99999\n100000\n") {
		t.Errorf("ring kept %d bytes ending %q", len(kept), kept[max(0, len(kept)-20):])
	}
	// A negative limit keeps nothing, and the events still carry it all.
	none := runIt(t, Config{Effective: eff(t, allowAll), Argv: []string{"seq", "1", "100000"}, OutputLimit: -1, LosslessOutput: true})
	const seqBytes = 588895 // seq 1 100000 | wc -c
	if len(none.run.Output(Stdout)) != 0 || !strings.HasSuffix(none.stdout, "99999\n100000\n") || len(none.stdout) != seqBytes {
		t.Errorf("OutputLimit -1: kept %d bytes, the events carried %d of %d", len(none.run.Output(Stdout)), len(none.stdout), seqBytes)
	}
	var r ring
	r.limit = 4
	for _, s := range []string{"ab", "cde", "f", "ghijkl", "m"} {
		r.write([]byte(s))
	}
	if got := string(r.bytes()); got != "ijklm"[1:] {
		t.Errorf("ring = %q, want %q", got, "jklm")
	}
}

// heapWatch samples the heap while a run goes on.
type heapWatch struct{ base, peak uint64 }

func newHeapWatch() *heapWatch {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return &heapWatch{base: m.HeapInuse, peak: m.HeapInuse}
}

func (h *heapWatch) sample() {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	h.peak = max(h.peak, m.HeapInuse)
}

func (h *heapWatch) growthMiB() float64 { return float64(h.peak-h.base) / (1 << 20) }

func TestOutputFloodBoundedMemory(t *testing.T) {
	needAmd64(t)
	pr := probe(t)
	// A fast reader: everything arrives, memory stays flat.
	h := newHeapWatch()
	r, err := Start(context.Background(), Config{Effective: eff(t, allowAll), Argv: []string{pr, "flood:200"}})
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	n := 0
	for ev := range r.Events() {
		if o, ok := ev.(Output); ok {
			total += int64(len(o.Data))
			if o.Dropped != 0 {
				t.Fatalf("dropped %d bytes with a fast reader", o.Dropped)
			}
		}
		if n++; n%64 == 0 {
			h.sample()
		}
	}
	if total != 200<<20 {
		t.Errorf("got %d bytes, want %d", total, 200<<20)
	}
	if g := h.growthMiB(); g > 24 {
		t.Errorf("the heap grew by %.1f MiB for 200 MiB of output", g)
	}
	t.Logf("fast reader: heap growth %.1f MiB", h.growthMiB())

	// A slow reader: output is dropped with a count, memory stays flat.
	h = newHeapWatch()
	r, err = Start(context.Background(), Config{Effective: eff(t, allowAll), Argv: []string{pr, "flood:100"}})
	if err != nil {
		t.Fatal(err)
	}
	var got, dropped int64
	for ev := range r.Events() {
		if o, ok := ev.(Output); ok {
			got += int64(len(o.Data))
			dropped += o.Dropped
			time.Sleep(20 * time.Millisecond) // 64 KiB batches: about 3 MB/s
		}
		h.sample()
	}
	if dropped == 0 || got+dropped != 100<<20 {
		t.Errorf("slow reader: got %d + dropped %d, want %d in all with some dropped", got, dropped, 100<<20)
	}
	if g := h.growthMiB(); g > 24 {
		t.Errorf("slow reader: the heap grew by %.1f MiB", g)
	}
	if v := r.Wait(); v.Result != ResultPass {
		t.Errorf("verdict %+v", v)
	}
}

func TestLosslessOutput(t *testing.T) {
	needAmd64(t)
	r, err := Start(context.Background(), Config{Effective: eff(t, allowAll), Argv: []string{probe(t), "flood:8"}, LosslessOutput: true})
	if err != nil {
		t.Fatal(err)
	}
	var got int64
	for ev := range r.Events() {
		if o, ok := ev.(Output); ok {
			got += int64(len(o.Data))
			if o.Dropped != 0 {
				t.Fatal("lossless output dropped bytes")
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
	if got != 8<<20 {
		t.Errorf("got %d bytes, want %d", got, 8<<20)
	}
}

func TestDirectOutput(t *testing.T) {
	var out, errb strings.Builder
	res := runIt(t, Config{Effective: eff(t, allowAll), Argv: []string{"sh", "-c", "echo out; echo err >&2"}, Stdout: &out, Stderr: &errb})
	if out.String() != "out\n" || errb.String() != "err\n" {
		t.Errorf("stdout %q stderr %q", out.String(), errb.String())
	}
	if _, ok := findEvent[Output](res.events); ok {
		t.Error("Output events for streams sent to writers")
	}
}

func TestRuneCut(t *testing.T) {
	for _, c := range []struct {
		in   string
		cut  int
		want int
	}{
		{"abc", 3, 3},
		{"a€", 4, 4},         // whole character
		{"a€", 3, 1},         // two of its three bytes
		{"a€", 2, 1},         // one
		{"😀", 3, 0},          // nothing left before it
		{"ab\xff", 3, 3},     // not UTF-8 at all: left alone
		{"ab\x80\x80", 4, 4}, // stray continuation bytes
		{"é€", 5, 5},
		{"é€", 4, 2},
		{"", 0, 0},
	} {
		if got := runeCut([]byte(c.in), c.cut); got != c.want {
			t.Errorf("runeCut(%q, %d) = %d, want %d", c.in, c.cut, got, c.want)
		}
	}
}
