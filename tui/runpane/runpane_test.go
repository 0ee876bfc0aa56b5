package runpane

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/tui/common"
	"github.com/seccomp-workbench/seccomp-workbench/tui/internal/keytest"
)

func newPane() Model {
	m := New(common.New(catalog.MustDefault(), profile.Env{Host: catalog.X86_64}))
	m.SetSize(120, 20)
	m.SetFocused(true)
	return m
}

func TestWriteSplitsLines(t *testing.T) {
	m := newPane()
	m.Write(Stdout, "one\ntw")
	m.Write(Stderr, "err\n")
	m.Write(Stdout, "o\nthree")
	m.Flush()
	got := m.Lines()
	want := []Line{{Stdout, "one"}, {Stderr, "err"}, {Stdout, "two"}, {Stdout, "three"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("lines %v, want %v", got, want)
	}
	// Escape sequences from the child never reach the screen.
	m.Write(Stdout, "\x1b[2J\x1b[31mred\x1b[0m\tx\x07\n")
	if l := m.Lines()[4].Text; l != "red     x?" {
		t.Fatalf("sanitized %q", l)
	}
}

func TestOutputIsBounded(t *testing.T) {
	m := newPane()
	for i := 0; i < MaxLines+100; i++ {
		m.Write(Stdout, fmt.Sprintf("line %d\n", i))
	}
	ls := m.Lines()
	if len(ls) != MaxLines || ls[0].Text != "line 100" || ls[len(ls)-1].Text != fmt.Sprintf("line %d", MaxLines+99) {
		t.Fatalf("kept %d lines, %q … %q", len(ls), ls[0].Text, ls[len(ls)-1].Text)
	}
	v := ansi.Strip(m.View())
	if !strings.Contains(v, fmt.Sprintf("line %d", MaxLines+99)) || !strings.Contains(v, fmt.Sprintf("Output · %d lines", MaxLines+100)) {
		t.Fatalf("following the end:\n%s", v)
	}
	// Scrolling up stops following; new lines keep the view still.
	m, _ = m.Update(keytest.Key("left"))
	m, _ = m.Update(keytest.Key("pgup"))
	top := m.offset
	m.Write(Stdout, "more\n")
	if m.follow || m.offset != top-1 {
		t.Fatalf("scrolled view moved: follow %v offset %d→%d", m.follow, top, m.offset)
	}
	m, _ = m.Update(keytest.Key("end"))
	if !m.follow {
		t.Fatal("end follows again")
	}
}

func TestDenials(t *testing.T) {
	m := newPane()
	d := Denial{ID: 1, Syscall: "mkdir", Args: `mkdir("/x", 0777)`, Action: profile.ActErrno, Outcome: "errno(EPERM)", Pid: 7, Count: 1}
	m.AddDenial(d)
	d.Count = 5
	m.AddDenial(d) // an update of row 1: the new total
	m.AddDenial(Denial{ID: 2, Syscall: "ptrace", Args: "ptrace(PTRACE_TRACEME)", Outcome: "kill", Action: profile.ActKillProcess, Pid: 8, Count: 1})
	if ds := m.Denials(); len(ds) != 2 || ds[0].Count != 5 {
		t.Fatalf("rows %+v", ds)
	}
	v := ansi.Strip(m.View())
	if !strings.Contains(v, `› mkdir("/x", 0777)`) || !strings.Contains(v, "errno(EPERM) ×5 pid 7") {
		t.Fatalf("view:\n%s", v)
	}
	m, _ = m.Update(keytest.Key("j"))
	_, cmd := m.Update(keytest.Key("enter"))
	if msg, ok := cmd().(ViewDenialMsg); !ok || msg.Denial.Syscall != "ptrace" {
		t.Fatalf("enter on the second row: %#v", cmd())
	}
	// Clicking the first row selects it.
	g := m.geometry()
	m.Click(g.denX+2, g.denTop)
	if d, _ := m.SelectedDenial(); d.Syscall != "mkdir" {
		t.Fatalf("click selected %s", d.Syscall)
	}
	m.Reset()
	if _, cmd := m.Update(keytest.Key("enter")); cmd != nil {
		t.Fatal("enter with no denial does nothing")
	}
}

func TestStackedWhenNarrow(t *testing.T) {
	m := newPane()
	m.SetSize(60, 20)
	m.AddDenial(Denial{Syscall: "mkdir", Args: `mkdir("/x")`, Outcome: "errno(EPERM)", Count: 1})
	lines := strings.Split(ansi.Strip(m.View()), "\n")
	if len(lines) != 20 {
		t.Fatalf("%d lines", len(lines))
	}
	var out, den int
	for i, l := range lines {
		if strings.Contains(l, "Output ·") {
			out = i
		}
		if strings.Contains(l, "Denials ·") {
			den = i
		}
	}
	if !(out > 0 && den > out) || strings.Contains(lines[out], "Denials") {
		t.Fatalf("narrow: output above denials:\n%s", strings.Join(lines, "\n"))
	}
}

// Bubble Tea hands Update a copy of the model each time: an unfinished
// line kept by one copy must be completed by the next (a prompt printed
// without a newline, then the rest of the line later).
func TestPartialLineAcrossCopies(t *testing.T) {
	m := newPane()
	m.Write(Stdout, "Password: ")
	next := m
	next.Write(Stdout, "ok\n")
	next.Write(Stderr, "half")
	last := next
	last.Flush()
	want := []Line{{Stdout, "Password: ok"}, {Stderr, "half"}}
	if got := last.Lines(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("lines %v, want %v", got, want)
	}
}

// In the denials column end goes to the last denial; in the output
// column it follows the output again, as the hint says.
func TestEndKeyPerColumn(t *testing.T) {
	m := newPane()
	for _, n := range []string{"mkdir", "chmod", "ptrace"} {
		m.AddDenial(Denial{Syscall: n, Args: n + "()", Outcome: "errno(EPERM)", Count: 1})
	}
	m, _ = m.Update(keytest.Key("end"))
	if d, _ := m.SelectedDenial(); d.Syscall != "ptrace" {
		t.Fatalf("end in the denials column selected %s", d.Syscall)
	}
	for i := 0; i < 100; i++ {
		m.Write(Stdout, fmt.Sprintf("line %d\n", i))
	}
	m, _ = m.Update(keytest.Key("left"))
	m, _ = m.Update(keytest.Key("pgup"))
	if v := ansi.Strip(m.View()); m.follow || !strings.Contains(v, "scrolled (end follows)") {
		t.Fatalf("scrolled up: follow %v\n%s", m.follow, v)
	}
	m, _ = m.Update(keytest.Key("end"))
	if !m.follow {
		t.Fatal("end in the output column follows again")
	}
}

// The heading counts the command's lines exactly (not the workbench's
// notes, and not only those kept); where older lines were discarded the
// output starts with a marker that says how many.
func TestOutputCountsAndDiscardMarker(t *testing.T) {
	m := newPane()
	m.Note("started seq (pid 1)")
	n := MaxLines + 1234
	for i := 1; i <= n; i++ {
		m.Write(Stdout, fmt.Sprintf("%d\n", i))
	}
	if m.CommandLines() != n {
		t.Fatalf("counted %d lines, the command wrote %d", m.CommandLines(), n)
	}
	v := ansi.Strip(m.View())
	if !strings.Contains(v, fmt.Sprintf("Output · %d lines", n)) {
		t.Fatalf("heading:\n%s", v)
	}
	m, _ = m.Update(keytest.Key("left"))
	m, _ = m.Update(keytest.Key("home"))
	v = ansi.Strip(m.View())
	if !strings.Contains(v, "… 1234 older lines discarded (5000 kept)") {
		t.Fatalf("no discard marker at the top:\n%s", v)
	}
	if !strings.Contains(v, fmt.Sprintf("  %d ", n-MaxLines+1)) {
		t.Fatalf("the oldest kept line follows the marker:\n%s", v)
	}
}

// A long line can be scrolled sideways and read in full.
func TestLongLineScrollAndView(t *testing.T) {
	m := newPane()
	long := strings.Repeat("abcdefghij", 30) + "THE-END"
	m.Write(Stdout, long+"\n")
	m, _ = m.Update(keytest.Key("left"))
	if strings.Contains(ansi.Strip(m.View()), "THE-END") {
		t.Fatal("the end of the long line fits without scrolling? widen the line")
	}
	for i := 0; i < 10 && !strings.Contains(ansi.Strip(m.View()), "THE-END"); i++ {
		m, _ = m.Update(keytest.Key(">"))
	}
	if !strings.Contains(ansi.Strip(m.View()), "THE-END") {
		t.Fatalf("> never reaches the end of the line:\n%s", ansi.Strip(m.View()))
	}
	_, cmd := m.Update(keytest.Key("enter"))
	msg, ok := cmd().(ViewOutputMsg)
	if !ok || len(msg.Lines) != 1 || msg.Lines[0].Text != long {
		t.Fatalf("enter on the output: %#v", cmd())
	}
}

// / search in the output: the newest match is shown, n goes to older ones.
func TestOutputSearch(t *testing.T) {
	m := newPane()
	for i := 0; i < 200; i++ {
		m.Write(Stdout, fmt.Sprintf("line %d\n", i))
	}
	if n := m.SetSearch("line 1"); n != 111 { // 1, 10-19, 100-199
		t.Fatalf("%d matches", n)
	}
	if v := ansi.Strip(m.View()); !strings.Contains(v, "› line 199") {
		t.Fatalf("the newest match is not shown:\n%s", v)
	}
	m, _ = m.Update(keytest.Key("n"))
	if v := ansi.Strip(m.View()); !strings.Contains(v, "› line 198") {
		t.Fatalf("n does not go to the older match:\n%s", v)
	}
}

// A chunk of more lines than the pane keeps leaves the pane as the same
// lines written one at a time would: the same kept lines, counts, discard
// marker, search matches and view.
func TestHugeChunkSameAsLineByLine(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("rest of a partial\n")
	for i := 0; i < 3*MaxLines; i++ {
		fmt.Fprintf(&sb, "l%d\n", i)
	}
	sb.WriteString("unfinished")
	chunk := sb.String()
	for _, search := range []string{"", "l1"} {
		one, each := newPane(), newPane()
		for _, m := range []*Model{&one, &each} {
			m.Note("note")
			m.Write(Stdout, "first\nstart of ")
			if search != "" {
				m.SetSearch(search)
			}
		}
		one.Write(Stdout, chunk)
		for _, l := range strings.SplitAfter(chunk, "\n") {
			each.Write(Stdout, l)
		}
		if fmt.Sprint(one.Lines()) != fmt.Sprint(each.Lines()) || one.CommandLines() != each.CommandLines() || one.total() != each.total() {
			t.Fatalf("search %q: one chunk kept %d lines (%d written), line by line %d (%d)", search, one.Len(), one.CommandLines(), each.Len(), each.CommandLines())
		}
		if s1, n1 := one.Search(); fmt.Sprint(one.matches) != fmt.Sprint(each.matches) {
			_, n2 := each.Search()
			t.Fatalf("search %q: %d matches in one chunk, %d line by line", s1, n1, n2)
		}
		if one.View() != each.View() {
			t.Fatalf("search %q: the views differ", search)
		}
	}
}

// TestChunkCountsSameAsLineByLine: a chunk whose first lines are only
// counted leaves the same counts, discard marker, scroll position and
// matches as writing its lines one by one, whatever the ring held before
// (a few lines or a full ring with notes in it) and when scrolled back.
func TestChunkCountsSameAsLineByLine(t *testing.T) {
	for _, before := range []int{3, MaxLines + 7} {
		for _, extra := range []int{1, 2 * MaxLines} {
			for _, scrolled := range []bool{false, true} {
				var sb strings.Builder
				for i := 0; i < MaxLines+extra; i++ {
					fmt.Fprintf(&sb, "c%d\n", i)
				}
				chunk := sb.String()
				one, each := newPane(), newPane()
				for _, m := range []*Model{&one, &each} {
					for i := 0; i < before; i++ {
						if i%3 == 0 {
							m.Note(fmt.Sprintf("note %d", i))
						}
						m.Write(Stderr, fmt.Sprintf("b%d\n", i))
					}
					m.SetSearch("b1")
					if scrolled {
						m.ScrollOutput(-40)
					}
				}
				one.Write(Stdout, chunk)
				for _, l := range strings.SplitAfter(chunk, "\n") {
					each.Write(Stdout, l)
				}
				name := fmt.Sprintf("%d before, %d extra, scrolled %v", before, extra, scrolled)
				if fmt.Sprint(one.Lines()) != fmt.Sprint(each.Lines()) || one.row(0) != each.row(0) {
					t.Fatalf("%s: kept lines or marker differ: %v / %v", name, one.row(0), each.row(0))
				}
				if one.CommandLines() != each.CommandLines() || one.offset != each.offset || one.follow != each.follow {
					t.Fatalf("%s: lines %d/%d, offset %d/%d", name, one.CommandLines(), each.CommandLines(), one.offset, each.offset)
				}
				if fmt.Sprint(one.matches, one.match) != fmt.Sprint(each.matches, each.match) || one.View() != each.View() {
					t.Fatalf("%s: matches %v/%v or views differ", name, one.matches, each.matches)
				}
			}
		}
	}
}

// TestPrintableASCII checks the word-at-a-time test against the byte
// rule for every byte value at every position of a 17-byte string.
func TestPrintableASCII(t *testing.T) {
	for c := 0; c < 256; c++ {
		for pos := 0; pos < 17; pos++ {
			b := []byte(strings.Repeat("a~ ", 6)[:17])
			b[pos] = byte(c)
			want := c >= 0x20 && c < 0x7f
			if got := printableASCII(string(b)); got != want {
				t.Fatalf("byte %#x at %d: %v, want %v", c, pos, got, want)
			}
		}
	}
}

// TestSkipSameAsWrite: a chunk that MaxLines newlines follow, only counted
// by Skip, leaves the pane as Write would once they are written: the same
// kept lines, counts, marker, partial lines of both streams, matches,
// scroll position and view. The chunks end inside lines, hold lines longer
// than the 4096 bytes a partial line is shown in pieces at, and alternate
// streams with notes between them.
func TestSkipSameAsWrite(t *testing.T) {
	long := strings.Repeat("z", 5000)
	var follow strings.Builder
	for i := 0; i < MaxLines+2; i++ {
		fmt.Fprintf(&follow, "f%d\n", i)
	}
	follow.WriteString("end of the last")
	cases := map[string][]string{
		"short lines":           {"a1\na2\n", "a3\n"},
		"partial carried":       {"x\nstart of ", "middle of ", "a long line\nnext "},
		"partial in pieces":     {long, long, "tail\n" + long},
		"no newline at all":     {"abc", "def"},
		"a chunk over the ring": {strings.Repeat("r\n", 2*MaxLines) + "open "},
	}
	for name, chunks := range cases {
		for _, scrolled := range []bool{false, true} {
			w, s := newPane(), newPane()
			for _, m := range []*Model{&w, &s} {
				for i := 0; i < 40; i++ {
					m.Write(Stdout, fmt.Sprintf("b%d\n", i))
				}
				m.Write(Stderr, "err partial ")
				m.Write(Stdout, "out partial ")
				m.SetSearch("f1")
				if scrolled {
					m.ScrollOutput(-20)
				}
			}
			for i, c := range chunks {
				st := []Stream{Stdout, Stderr}[i%2]
				w.Write(st, c)
				s.Skip(st, c)
				if i == 0 {
					w.Note("between")
					s.Note("between")
				}
			}
			for _, m := range []*Model{&w, &s} {
				m.Write(Stderr, follow.String())
				m.Write(Stdout, "\n")
				m.Flush()
			}
			label := fmt.Sprintf("%s, scrolled %v", name, scrolled)
			if fmt.Sprint(w.Lines()) != fmt.Sprint(s.Lines()) || w.row(0) != s.row(0) {
				t.Fatalf("%s: kept lines or marker differ: %v / %v", label, w.row(0), s.row(0))
			}
			if w.CommandLines() != s.CommandLines() || w.total() != s.total() || w.offset != s.offset {
				t.Fatalf("%s: lines %d/%d, total %d/%d, offset %d/%d", label, w.CommandLines(), s.CommandLines(), w.total(), s.total(), w.offset, s.offset)
			}
			if fmt.Sprint(w.matches, w.match) != fmt.Sprint(s.matches, s.match) || w.View() != s.View() {
				t.Fatalf("%s: matches %v/%v or views differ", label, w.matches, s.matches)
			}
		}
	}
}
