package tui

// Layout is where everything goes on a w×h screen. It is a pure function
// of the size (see computeLayout) so that it can be tested on its own and
// a resize reflows everything at once.
type Layout struct {
	Mode LayoutMode
	W, H int
	// Header is the profile line and the filter/run state line.
	Header Rect
	// Tabs is the pane tab bar (tabbed mode only).
	Tabs Rect
	// The panes. In tabbed mode they share one rectangle and only the
	// focused pane is drawn.
	Catalog, Detail, Run Rect
	// Scenarios is the scenarios pane (zero without a scenario file,
	// see withScenarios).
	Scenarios Rect
	// Footer is the status line and the short help line.
	Footer Rect
}

// LayoutMode says how the panes are arranged.
type LayoutMode int

const (
	// Wide: catalog on the left, detail above run on the right.
	Wide LayoutMode = iota
	// Tabbed: one pane at a time under a tab bar.
	Tabbed
	// TooSmall: only a message asking for a bigger terminal.
	TooSmall
)

func (m LayoutMode) String() string {
	switch m {
	case Wide:
		return "wide"
	case Tabbed:
		return "tabbed"
	}
	return "too-small"
}

// Rect is a rectangle of cells.
type Rect struct{ X, Y, W, H int }

// Contains reports whether the cell (x, y) is inside r.
func (r Rect) Contains(x, y int) bool {
	return x >= r.X && x < r.X+r.W && y >= r.Y && y < r.Y+r.H
}

// Layout thresholds: side by side needs room for a readable catalog and
// a run pane whose output and denials sit next to each other.
const (
	wideMinW   = 100
	wideMinH   = 30
	tabbedMinW = 40
	tabbedMinH = 12
	headerH    = 2
	footerH    = 2
	catalogMin = 34
	catalogMax = 48
)

func computeLayout(w, h int) Layout {
	l := Layout{W: max(w, 0), H: max(h, 0)}
	switch {
	case w >= wideMinW && h >= wideMinH:
		l.Mode = Wide
		l.Header = Rect{0, 0, w, headerH}
		bodyY, bodyH := headerH, h-headerH-footerH
		cw := min(max(w*3/10, catalogMin), catalogMax)
		rw := w - cw
		dh := bodyH * 9 / 20
		l.Catalog = Rect{0, bodyY, cw, bodyH}
		l.Detail = Rect{cw, bodyY, rw, dh}
		l.Run = Rect{cw, bodyY + dh, rw, bodyH - dh}
		l.Footer = Rect{0, h - footerH, w, footerH}
	case w >= tabbedMinW && h >= tabbedMinH:
		l.Mode = Tabbed
		l.Header = Rect{0, 0, w, headerH}
		l.Tabs = Rect{0, headerH, w, 1}
		body := Rect{0, headerH + 1, w, h - headerH - 1 - footerH}
		l.Catalog, l.Detail, l.Run = body, body, body
		l.Footer = Rect{0, h - footerH, w, footerH}
	default:
		l.Mode = TooSmall
	}
	return l
}

// withScenarios makes room for the scenarios pane: in wide mode it takes
// the lower half of the run pane's place, in tabbed mode it is a tab.
func (l Layout) withScenarios() Layout {
	switch l.Mode {
	case Wide:
		top := l.Run.H / 2
		l.Scenarios = Rect{l.Run.X, l.Run.Y + top, l.Run.W, l.Run.H - top}
		l.Run.H = top
	case Tabbed:
		l.Scenarios = l.Run
	}
	return l
}

// pane is the rectangle of pane i (paneCatalog, paneDetail, paneRun,
// paneScenarios).
func (l Layout) pane(i int) Rect {
	return [paneCount]Rect{l.Catalog, l.Detail, l.Run, l.Scenarios}[i]
}
