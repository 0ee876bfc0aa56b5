package main

import (
	"bytes"
	"encoding/json"
	"math/rand"
	"strings"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/runner"
)

// encodingJSON is the line encoding/json writes for the event: the
// reference appendOutputRecord must match byte for byte.
func encodingJSON(t testing.TB, e runner.Output) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(outputRecord(e)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func checkOutputRecord(t testing.TB, e runner.Output) {
	want := encodingJSON(t, e)
	if got := appendOutputRecord(nil, e); !bytes.Equal(got, want) {
		t.Fatalf("for %+q:\n got %s\nwant %s", e.Data, got, want)
	}
}

func TestOutputRecordJSON(t *testing.T) {
	for _, d := range []string{
		"", "y\n", "plain ASCII text\n", `"quoted" \back\slash/`, "<html>&amp;</html>",
		"\x00\x01\x07\b\t\n\v\f\r\x1b\x1f\x7f", "é€😀", "\u2028\u2029 line seps", "\xff\xfe", "a\xc3",
		"\xe2\x82", "\xed\xa0\x80 surrogate", "\xf4\x90\x80\x80 past U+10FFFF", "ok\x80\x80ok", "\ufffd real",
	} {
		for _, e := range []runner.Output{
			{Stream: runner.Stdout, Data: d, Lines: 1},
			{Stream: runner.Stderr, Data: d, Lines: 0, Dropped: 12345},
		} {
			checkOutputRecord(t, e)
		}
	}
	// Random bytes, weighted to what needs care.
	rng := rand.New(rand.NewSource(1))
	pieces := []string{"a", "\n", "\"", "\\", "\x00", "\x1f", "\x7f", "é", "€", "😀", "\u2028", "\xff", "\xc3", "\xe2\x82", "<", "&"}
	for i := 0; i < 5000; i++ {
		var b []byte
		for n := rng.Intn(40); n > 0; n-- {
			if rng.Intn(3) == 0 {
				b = append(b, byte(rng.Intn(256)))
			} else {
				b = append(b, pieces[rng.Intn(len(pieces))]...)
			}
		}
		checkOutputRecord(t, runner.Output{Stream: runner.Stdout, Data: string(b), Lines: rng.Intn(9), Dropped: int64(rng.Intn(2))})
	}
	// Long data: the encoder works in pieces of jsonPiece bytes and in
	// words of 8, so every character that needs care is tried at each
	// offset around a piece's end and within a word, after runs of plain
	// bytes that the word path takes.
	for _, p := range pieces {
		for off := jsonPiece - 9; off <= jsonPiece+1; off++ {
			d := strings.Repeat("x", off) + p + strings.Repeat("y", 17) + p + "tail"
			checkOutputRecord(t, runner.Output{Stream: runner.Stdout, Data: d, Lines: 1})
		}
	}
	for i := 0; i < 50; i++ {
		b := make([]byte, 0, 3*jsonPiece)
		for len(b) < 3*jsonPiece {
			if rng.Intn(4) == 0 {
				b = append(b, pieces[rng.Intn(len(pieces))]...)
			} else {
				b = append(b, strings.Repeat("z", rng.Intn(20))...)
			}
		}
		checkOutputRecord(t, runner.Output{Stream: runner.Stdout, Data: string(b), Lines: 1})
	}
}

func FuzzOutputRecordJSON(f *testing.F) {
	for _, s := range []string{"", "y\n", "\x00\"\\\u2028\xff"} {
		f.Add(s, 3, int64(0))
	}
	f.Fuzz(func(t *testing.T, data string, lines int, dropped int64) {
		checkOutputRecord(t, runner.Output{Stream: runner.Stdout, Data: data, Lines: lines, Dropped: dropped})
	})
}

// BenchmarkOutputRecord is the JSON of one 64 KiB batch of two-byte lines.
func BenchmarkOutputRecord(b *testing.B) {
	e := runner.Output{Stream: runner.Stdout, Data: string(bytes.Repeat([]byte("y\n"), 32<<10)), Lines: 32 << 10}
	var line []byte
	b.SetBytes(int64(len(e.Data)))
	for i := 0; i < b.N; i++ {
		line = appendOutputRecord(line[:0], e)
	}
}
