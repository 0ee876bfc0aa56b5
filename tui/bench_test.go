package tui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/runner"
)

// BenchmarkKeystroke measures keystroke-to-view: one Update for a key
// press and the View that follows, on the full catalog at 160×48. The
// streaming variants feed a batch of output (what the runner sends at
// most per event when lines are long: 256 of them) and a denial update into the model before
// every key, as a command flooding its output would; the budget is one
// 60 Hz frame, 16.7 ms.
func BenchmarkKeystroke(b *testing.B) {
	for _, stream := range []bool{false, true} {
		for _, k := range []struct{ name, a, b string }{
			{"move", "j", "k"},     // cursor down/up: detail pane re-explains
			{"edit", "d", "a"},     // deny/allow: states, badges, header
			{"search", "/", "esc"}, // open and clear the search line
		} {
			name := k.name + "/idle"
			if stream {
				name = k.name + "/streaming"
			}
			b.Run(name, func(b *testing.B) {
				m := benchModel(b)
				if stream {
					m, _ = m.startCommand("yes", runner.ModeWatch)
				}
				batch := outputBatch(256)
				keys := [2]string{k.a, k.b}
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if stream {
						b.StopTimer()
						m = send(b, m, runEventsMsg{id: m.ses.id, events: batch})
						b.StartTimer()
					}
					m2, _ := m.Update(keyMsg(keys[i%2]))
					m = m2.(Model)
					_ = m.View()
				}
			})
		}
	}
}

// BenchmarkStreamBatch is the cost of taking one batch of output (256
// lines) and redrawing: what a flood costs between keystrokes.
func BenchmarkStreamBatch(b *testing.B) {
	m := benchModel(b)
	m, _ = m.startCommand("yes", runner.ModeWatch)
	batch := outputBatch(256)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m = send(b, m, runEventsMsg{id: m.ses.id, events: batch})
		_ = m.View()
	}
}

// BenchmarkStreamBatchTinyLines is one batch as a flood of two-byte
// lines (yes) comes: 64 KiB, 32768 lines, and the redraw.
func BenchmarkStreamBatchTinyLines(b *testing.B) {
	m := benchModel(b)
	m, _ = m.startCommand("yes", runner.ModeWatch)
	data := strings.Repeat("y\n", 32<<10)
	batch := []runner.Event{runner.Output{Stream: runner.Stdout, Data: data, Lines: 32 << 10}}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m = send(b, m, runEventsMsg{id: m.ses.id, events: batch})
		_ = m.View()
	}
}

func benchModel(b *testing.B) Model {
	m := newTestModel(b)
	for _, msg := range runCmd(b, m.Init()) {
		m = send(b, m, msg)
	}
	// Start in the middle of the list, on a call with a family.
	m.catalog.Select("openat")
	m.syncSelection()
	return m
}

func outputBatch(lines int) []runner.Event {
	var sb strings.Builder
	for i := 0; i < lines; i++ {
		fmt.Fprintf(&sb, "line %d of a command that writes a lot of output, as yes or a build would\n", i)
	}
	return []runner.Event{
		runner.Output{Stream: runner.Stdout, Data: sb.String(), Lines: lines},
		runner.Denied{Denial: runner.Denial{ID: 1, Pid: 99, Syscall: "mkdir", ArgText: `mkdir("/x", 0777)`, Count: 3}, Update: true},
	}
}
