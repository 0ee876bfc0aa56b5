// Package runpane shows a command running under the live filter: a
// verdict banner over two columns, the command's output (stdout and
// stderr told apart, scrollable, bounded) and the denials (syscall with
// decoded arguments, outcome, count, pid). Selecting a denial and pressing
// a or e asks the root to allow that syscall or change its errno.
package runpane

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/tui/common"
)

// MaxLines bounds the output kept per run; older lines are dropped.
const MaxLines = 5000

// Stream tells output lines apart.
type Stream int

const (
	Stdout Stream = iota
	Stderr
	Info // the workbench's own notes ("started pid 42")
)

// Line is one line of output.
type Line struct {
	Stream Stream
	Text   string
}

// Denial is one row of the denials column; equal rows are counted.
type Denial struct {
	// ID, when not zero, identifies the row across updates: a later
	// denial with the same ID carries the row's new total Count.
	ID      int
	Syscall string
	// Args is the call with decoded arguments, as the runner words it:
	// mkdir("/tmp/x", 0777).
	Args    string
	Action  profile.Action
	Outcome string // errno(EPERM), kill ...
	Pid     int
	Count   int
	// Logged: the call was allowed and logged (log action), not denied.
	Logged bool
	// Audit: the call ran (audit mode); Outcome is what the profile
	// would have done with it.
	Audit bool
}

// BannerKind is the state shown in the banner.
type BannerKind int

const (
	Idle BannerKind = iota
	Running
	Pass
	// PassDenied: the command succeeded (exit 0) although calls were
	// denied: it coped without them, which is not a failure of the
	// command but may be one of the profile.
	PassDenied
	Fail
)

// Banner is the line above the columns.
type Banner struct {
	Kind BannerKind
	Text string
}

// ViewOutputMsg asks the root to show the output full-screen, from
// line From (of Lines) on.
type ViewOutputMsg struct {
	Lines []Line
	From  int
}

// ViewDenialMsg asks the root to show a denial and its syscall's detail.
type ViewDenialMsg struct{ Denial Denial }

// KeyMap is the run pane's keys. The action keys (a, d, e ...) are the
// root's: they act on the selected denial's syscall.
type KeyMap struct {
	Nav         common.NavKeys
	Left        key.Binding
	Right       key.Binding
	Follow      key.Binding
	View        key.Binding
	ScrollLeft  key.Binding
	ScrollRight key.Binding
	NextMatch   key.Binding
	PrevMatch   key.Binding
}

// DefaultKeyMap returns the run pane's keys.
func DefaultKeyMap(nav common.NavKeys) KeyMap {
	return KeyMap{
		Nav:         nav,
		Left:        key.NewBinding(key.WithKeys("left"), key.WithHelp("←", "output")),
		Right:       key.NewBinding(key.WithKeys("right"), key.WithHelp("→", "denials")),
		Follow:      key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("end", "follow output")),
		View:        key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "view in full")),
		ScrollLeft:  key.NewBinding(key.WithKeys("<"), key.WithHelp("<", "scroll left")),
		ScrollRight: key.NewBinding(key.WithKeys(">"), key.WithHelp(">", "scroll right")),
		NextMatch:   key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "older match")),
		PrevMatch:   key.NewBinding(key.WithKeys("ctrl+n"), key.WithHelp("ctrl+n", "newer match")),
	}
}

// Columns of the pane.
const (
	ColOutput = iota
	ColDenials
)

// Model is the run pane.
type Model struct {
	audit   bool // the rows are would-be denials (audit mode)
	c       *common.Common
	keys    KeyMap
	w, h    int
	focused bool
	col     int
	note    string

	banner Banner
	// impact is the preview of what the edits since the run would change
	// in it, shown under the banner.
	impact string

	// out is a ring of at most MaxLines lines: start is the oldest.
	out     []Line
	start   int
	dropped int // lines pushed out of the ring
	lostCmd int // of those, the command's own (not notes)
	// lines counts the command's own lines (stdout and stderr, not the
	// workbench's notes), kept or not; lostBytes is what the runner
	// dropped before it reached the pane.
	lines     int
	lostBytes int64
	hoff      int // columns scrolled to the right
	// matches are the output rows (see row) holding the search text,
	// oldest first; match is the one shown.
	search  string
	matches []int
	match   int
	// partial holds an unfinished line per stream. A byte slice, not a
	// strings.Builder: the model is copied on every Update, and a Builder
	// written to after a copy panics.
	partial [2][]byte
	offset  int // first visible line, counted from the oldest kept
	follow  bool

	denials []Denial
	index   map[string]int
	cursor  int
	doff    int
}

// New returns an idle run pane.
func New(c *common.Common) Model {
	return Model{c: c, keys: DefaultKeyMap(c.Nav), col: ColDenials, follow: true, index: map[string]int{},
		banner: Banner{Idle, "No run yet — press c, type a command, enter runs it under the filter"}}
}

// SetSize sets the pane's outer size.
func (m *Model) SetSize(w, h int) {
	m.w, m.h = w, h
	m.clamp()
}

// SetFocused tells the pane whether it has the keyboard.
func (m *Model) SetFocused(f bool) { m.focused = f }

// SetNote sets the text at the right of the title (the run mode).
func (m *Model) SetNote(s string) { m.note = s }

// SetAudit says whether the rows are calls the profile would deny in an
// audit-mode run (they ran) rather than denials.
func (m *Model) SetAudit(on bool) { m.audit = on }

// SetBanner replaces the banner.
func (m *Model) SetBanner(b Banner) { m.banner = b }

// SetImpact sets the impact preview line ("" hides it).
func (m *Model) SetImpact(s string) {
	m.impact = s
	m.clamp()
}

// Impact returns the impact preview line.
func (m Model) Impact() string { return m.impact }

// Banner returns the banner.
func (m Model) Banner() Banner { return m.banner }

// Reset clears output and denials for a new run.
func (m *Model) Reset() {
	m.out, m.start, m.dropped, m.offset, m.follow = m.out[:0], 0, 0, 0, true
	m.lines, m.lostCmd, m.lostBytes, m.hoff, m.search, m.matches, m.match = 0, 0, 0, 0, "", nil, 0
	m.partial = [2][]byte{}
	m.denials, m.index, m.cursor, m.doff = nil, map[string]int{}, 0, 0
}

// Len is the number of output lines kept.
func (m Model) Len() int { return len(m.out) }

// line returns the i-th kept line, oldest first.
func (m Model) line(i int) Line { return m.out[(m.start+i)%len(m.out)] }

// CommandLines is how many lines the command wrote (the workbench's own
// notes are not counted), including those no longer kept.
func (m Model) CommandLines() int { return m.lines }

// marker is 1 when older lines were discarded: the output then starts
// with a row saying so.
func (m Model) marker() int {
	if m.dropped > 0 {
		return 1
	}
	return 0
}

// total is the number of output rows: the marker and the kept lines.
func (m Model) total() int { return len(m.out) + m.marker() }

// row returns output row i: the discard marker, then the kept lines.
func (m Model) row(i int) Line {
	if m.dropped > 0 {
		if i == 0 {
			return Line{Info, fmt.Sprintf("… %s discarded (%d kept)", common.Count(m.lostCmd, "older line", "older lines"), MaxLines)}
		}
		i--
	}
	return m.line(i)
}

// NoteDropped records bytes the runner dropped before they reached the
// pane; the heading keeps the total.
func (m *Model) NoteDropped(n int64) { m.lostBytes += n }

// LostBytes is the total the runner dropped before it reached the pane.
func (m Model) LostBytes() int64 { return m.lostBytes }

// Lines returns the kept output lines, oldest first (for tests and the
// screen capture).
func (m Model) Lines() []Line {
	out := make([]Line, len(m.out))
	for i := range out {
		out[i] = m.line(i)
	}
	return out
}

// Write appends a chunk of a stream's output, splitting it into lines;
// an unfinished last line waits for the rest (or for Flush).
func (m *Model) Write(s Stream, data string) {
	if s != Stdout && s != Stderr {
		m.push(Line{s, sanitize(data)})
		return
	}
	defer m.followEnd()
	p := &m.partial[s]
	// Of a chunk with more than MaxLines lines, the first ones would be
	// pushed out of the ring by the last MaxLines before anyone sees them:
	// they are only counted.
	if skip := strings.Count(data, "\n") - MaxLines; skip > 0 {
		m.discard(skip)
		*p = (*p)[:0]
		// The kept lines start after the newline that has MaxLines more
		// after it: found from the end, in MaxLines steps however many
		// lines are skipped.
		cut := len(data)
		for range MaxLines + 1 {
			cut = strings.LastIndexByte(data[:cut], '\n')
		}
		data = data[cut+1:]
	}
	if len(*p) > 0 {
		i := strings.IndexByte(data, '\n')
		if i < 0 {
			m.addPartial(s, data)
			return
		}
		*p = append(*p, data[:i]...)
		m.pushLine(Line{s, sanitize(string(*p))})
		*p = (*p)[:0]
		data = data[i+1:]
	}
	if end := strings.LastIndexByte(data, '\n'); end >= 0 {
		// The chunk's complete lines are copied once and the kept lines
		// share the copy, not the chunk: the ring drops its lines oldest
		// first, so at most its oldest copy is held by fewer lines than
		// it has.
		block := strings.Clone(data[:end+1])
		for len(block) > 0 {
			i := strings.IndexByte(block, '\n')
			m.pushLine(Line{s, sanitize(block[:i])})
			block = block[i+1:]
		}
		data = data[end+1:]
	}
	m.addPartial(s, data)
}

// Skip takes data as Write would, for a chunk that at least MaxLines
// newlines of output follow at once (the rest of one batch of events):
// every line it adds is pushed out again by them, so they are only
// counted, and the partial line it leaves is kept for the next chunk.
func (m *Model) Skip(s Stream, data string) {
	if s != Stdout && s != Stderr {
		m.Write(s, data)
		return
	}
	p := &m.partial[s]
	n := strings.Count(data, "\n")
	tail := data
	if n > 0 {
		// The first newline ends the partial line; the rest start afresh.
		tail = data[strings.LastIndexByte(data, '\n')+1:]
		*p = (*p)[:0]
	}
	*p = append(*p, tail...)
	if len(*p) > 4096 { // as addPartial, pushed in pieces
		*p = (*p)[:0]
		n++
	}
	if n > 0 {
		m.discard(n)
	}
}

// addPartial keeps the start of an unfinished line.
func (m *Model) addPartial(s Stream, data string) {
	p := &m.partial[s]
	*p = append(*p, data...)
	if len(*p) > 4096 { // a line without end: show it in pieces
		m.pushLine(Line{s, sanitize(string(*p))})
		*p = (*p)[:0]
	}
}

// discard counts k lines of the command's as pushed and pushed out again
// at once, for a chunk whose remaining MaxLines lines replace everything
// kept now: the state is what pushing them one by one would leave before
// those last lines come (which then fill an empty ring).
func (m *Model) discard(k int) {
	gone := len(m.out) + k
	for i := range m.out {
		if m.out[i].Stream != Info {
			m.lostCmd++
		}
	}
	m.lostCmd += k
	m.lines += k
	m.dropped += gone
	if !m.follow {
		// Each line pushed out moves a scrolled view back by one, down to
		// the first line after the marker; gone is more than the offset.
		m.offset = min(m.offset, 1)
	}
	m.out, m.start = m.out[:0], 0
	m.matches, m.match = m.matches[:0], 0
}

// Flush ends unfinished lines (the run is over).
func (m *Model) Flush() {
	for s, p := range m.partial {
		if len(p) > 0 {
			m.push(Line{Stream(s), sanitize(string(p))})
			m.partial[s] = p[:0]
		}
	}
}

// Note adds one of the workbench's own lines to the output.
func (m *Model) Note(text string) { m.push(Line{Info, text}) }

func (m *Model) push(l Line) {
	m.pushLine(l)
	m.followEnd()
}

// followEnd keeps the last line in view when following.
func (m *Model) followEnd() {
	if m.follow {
		m.offset = max(0, m.total()-m.outRows())
	}
}

// pushLine is push without following the end: for lines that more lines
// follow at once (followEnd after them).
func (m *Model) pushLine(l Line) {
	if l.Stream != Info {
		m.lines++
	}
	if len(m.out) < MaxLines {
		m.out = append(m.out, l)
	} else {
		if m.out[m.start].Stream != Info {
			m.lostCmd++
		}
		m.out[m.start] = l
		m.start = (m.start + 1) % MaxLines
		m.dropped++
		if !m.follow && m.offset > 1 {
			m.offset-- // keep the same text in view
		}
		for i := range m.matches {
			m.matches[i]--
		}
		for len(m.matches) > 0 && m.matches[0] < m.marker() {
			m.matches = m.matches[1:]
			m.match = max(0, m.match-1)
		}
	}
	if m.search != "" && strings.Contains(l.Text, m.search) {
		m.matches = append(m.matches, m.total()-1)
	}
}

// AddDenial adds a denial, merging it with an equal one already listed.
func (m *Model) AddDenial(d Denial) {
	if d.Count < 1 {
		d.Count = 1
	}
	k := d.Syscall + "\x00" + d.Args + "\x00" + d.Outcome
	if d.ID != 0 {
		k = fmt.Sprintf("#%d", d.ID)
	}
	if i, ok := m.index[k]; ok {
		if d.ID != 0 {
			m.denials[i].Count = d.Count
		} else {
			m.denials[i].Count += d.Count
		}
		m.denials[i].Pid = d.Pid
		return
	}
	m.index[k] = len(m.denials)
	m.denials = append(m.denials, d)
}

// Denials returns the listed denials.
func (m Model) Denials() []Denial { return m.denials }

// SelectedDenial returns the denial under the cursor.
func (m Model) SelectedDenial() (Denial, bool) {
	if m.cursor < 0 || m.cursor >= len(m.denials) {
		return Denial{}, false
	}
	return m.denials[m.cursor], true
}

// Update handles keys when the pane is focused.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return m, nil
	}
	switch {
	case key.Matches(kp, m.keys.Left):
		m.col = ColOutput
		return m, nil
	case key.Matches(kp, m.keys.Right):
		m.col = ColDenials
		return m, nil
	case m.col == ColOutput && key.Matches(kp, m.keys.Follow):
		// Only the output follows; in the denials column the same keys
		// are navigation (end: the last denial).
		m.follow = true
		m.offset = max(0, m.total()-m.outRows())
		return m, nil
	case m.col == ColOutput && key.Matches(kp, m.keys.ScrollRight):
		m.hoff += max(8, m.geometry().outW/2)
		return m, nil
	case m.col == ColOutput && key.Matches(kp, m.keys.ScrollLeft):
		m.hoff = max(0, m.hoff-max(8, m.geometry().outW/2))
		return m, nil
	case m.col == ColOutput && key.Matches(kp, m.keys.NextMatch) && len(m.matches) > 0:
		m.showMatch(m.match - 1)
		return m, nil
	case m.col == ColOutput && key.Matches(kp, m.keys.PrevMatch) && len(m.matches) > 0:
		m.showMatch(m.match + 1)
		return m, nil
	case key.Matches(kp, m.keys.View):
		if m.col == ColOutput {
			return m, func() tea.Msg { return m.outputViewMsg() }
		}
		if d, ok := m.SelectedDenial(); ok {
			return m, func() tea.Msg { return ViewDenialMsg{d} }
		}
		return m, nil
	}
	if m.col == ColOutput {
		if d, ok := m.keys.Nav.Step(kp, m.outRows(), m.total()); ok {
			m.ScrollOutput(d)
		}
		return m, nil
	}
	if d, ok := m.keys.Nav.Step(kp, m.denRows(), len(m.denials)); ok {
		m.cursor = common.Clamp(m.cursor+d, 0, len(m.denials)-1)
		m.doff = common.Scroll(m.doff, m.cursor, m.denRows(), len(m.denials))
	}
	return m, nil
}

// Column is the column that has the keyboard (ColOutput, ColDenials).
func (m Model) Column() int { return m.col }

func (m Model) outputViewMsg() ViewOutputMsg {
	lines := make([]Line, m.total())
	for i := range lines {
		lines[i] = m.row(i)
	}
	return ViewOutputMsg{Lines: lines, From: m.offset}
}

// SetSearch finds text in the output and shows the newest match; later
// output is searched as it comes. It returns the number of matches.
func (m *Model) SetSearch(text string) int {
	m.search, m.matches = text, nil
	if text == "" {
		return 0
	}
	for i := 0; i < m.total(); i++ {
		if strings.Contains(m.row(i).Text, text) {
			m.matches = append(m.matches, i)
		}
	}
	m.col = ColOutput
	if len(m.matches) > 0 {
		m.showMatch(len(m.matches) - 1)
	}
	return len(m.matches)
}

// Search returns the output search text and the matches found.
func (m Model) Search() (string, int) { return m.search, len(m.matches) }

// showMatch scrolls to match i (wrapping round).
func (m *Model) showMatch(i int) {
	n := len(m.matches)
	m.match = (i%n + n) % n
	row := m.matches[m.match]
	m.offset = common.Clamp(row-m.outRows()/2, 0, max(0, m.total()-m.outRows()))
	m.follow = m.offset == max(0, m.total()-m.outRows())
}

// ScrollOutput moves the output by d lines; reaching the end follows new
// output again.
func (m *Model) ScrollOutput(d int) {
	maxOff := max(0, m.total()-m.outRows())
	m.offset = common.Clamp(m.offset+d, 0, maxOff)
	m.follow = m.offset == maxOff
}

// ScrollAt scrolls the column under x (cells from the pane's left edge).
func (m *Model) ScrollAt(x, d int) {
	if m.columnAt(x, 2) == ColOutput {
		m.ScrollOutput(d)
		return
	}
	m.doff = common.Clamp(m.doff+d, 0, max(0, len(m.denials)-m.denRows()))
	m.cursor = common.Clamp(m.cursor, m.doff, min(len(m.denials)-1, m.doff+m.denRows()-1))
}

// Click focuses the column under (x, y) and selects the denial there.
func (m *Model) Click(x, y int) {
	col := m.columnAt(x, y)
	m.col = col
	if col != ColDenials {
		return
	}
	g := m.geometry()
	i := y - g.denTop + m.doff
	if y >= g.denTop && i >= 0 && i < len(m.denials) && i < m.doff+g.denRows {
		m.cursor = i
	}
}

func (m *Model) clamp() {
	m.offset = common.Clamp(m.offset, 0, max(0, m.total()-m.outRows()))
	if m.follow {
		m.offset = max(0, m.total()-m.outRows())
	}
	m.doff = common.Scroll(m.doff, m.cursor, m.denRows(), len(m.denials))
}

// ShortHelp is the pane's key help for the footer.
func (m Model) ShortHelp() []key.Binding {
	k := m.keys
	if m.col == ColOutput {
		hs := []key.Binding{k.Right, k.Nav.Up, k.Follow, k.View, k.ScrollRight}
		if len(m.matches) > 0 {
			hs = append(hs, k.NextMatch)
		}
		return hs
	}
	if len(m.denials) == 0 {
		return []key.Binding{k.Left}
	}
	return []key.Binding{k.Left, k.Nav.Down, k.View}
}

// FullHelp lists all of the pane's keys.
func (m Model) FullHelp() [][]key.Binding {
	k := m.keys
	return [][]key.Binding{k.Nav.Bindings(), {k.Left, k.Right, k.Follow, k.View, k.ScrollLeft, k.ScrollRight, k.NextMatch, k.PrevMatch}}
}

// Handle is Update for the root's pane interface.
func (m *Model) Handle(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	*m, cmd = m.Update(msg)
	return cmd
}

// Wheel scrolls the column under x by d rows.
func (m *Model) Wheel(x, d int) { m.ScrollAt(x, d) }

// Press is a click at (x, y) of the pane.
func (m *Model) Press(x, y int) { m.Click(x, y) }
