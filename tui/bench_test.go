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

func benchModel(b testing.TB) Model {
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

// BenchmarkStreamWrite is the cost of taking one 64 KiB Output event (the
// runner's largest) into the run pane, without drawing, by line length.
func BenchmarkStreamWrite(b *testing.B) {
	for _, n := range []int{2, 16, 64, 256, 4096} {
		b.Run(fmt.Sprintf("line%d", n), func(b *testing.B) {
			m := benchModel(b)
			m, _ = m.startCommand("yes", runner.ModeWatch)
			line := strings.Repeat("y", n-1) + "\n"
			data := strings.Repeat(line, (64<<10)/n)
			batch := []runner.Event{runner.Output{Stream: runner.Stdout, Data: data, Lines: (64 << 10) / n}}
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				m = send(b, m, runEventsMsg{id: m.ses.id, events: batch})
			}
		})
	}
}

// BenchmarkStreamFlood runs a real command that writes 64 MB under the
// runner and takes its events as the program does (waitEvents' batches,
// one Update and one View each): MB/s is what the TUI moves end to end,
// lost-bytes what the runner had to drop because the TUI fell behind.
func BenchmarkStreamFlood(b *testing.B) {
	const size = 64 << 20
	for _, n := range []int{2, 64, 1024} {
		b.Run(fmt.Sprintf("line%d", n), func(b *testing.B) {
			line := strings.Repeat("y", n-1)
			cmd := fmt.Sprintf("sh -c 'yes %s | head -c %d'", line, size)
			if n == 2 {
				cmd = fmt.Sprintf("sh -c 'yes | head -c %d'", size)
			}
			b.SetBytes(size)
			var lost int64
			for i := 0; i < b.N; i++ {
				m := benchModel(b)
				m, c := m.startCommand(cmd, runner.ModeWatch)
				queue := runCmd(b, c)
				for len(queue) > 0 {
					msg := queue[0]
					queue = queue[1:]
					m2, c := m.Update(msg)
					m = m2.(Model)
					_ = m.View()
					queue = append(queue, runCmd(b, c)...)
				}
				if m.ses != nil {
					b.Fatal("the run did not end")
				}
				lost += m.run.LostBytes()
			}
			b.ReportMetric(float64(lost)/float64(b.N), "lost-bytes")
		})
	}
}
