package tui

import "testing"

func TestLayout(t *testing.T) {
	tests := []struct {
		w, h    int
		mode    LayoutMode
		catalog Rect
		detail  Rect
		run     Rect
	}{
		{160, 48, Wide, Rect{0, 2, 48, 44}, Rect{48, 2, 112, 19}, Rect{48, 21, 112, 25}},
		{200, 60, Wide, Rect{0, 2, 48, 56}, Rect{48, 2, 152, 25}, Rect{48, 27, 152, 31}},
		{100, 30, Wide, Rect{0, 2, 34, 26}, Rect{34, 2, 66, 11}, Rect{34, 13, 66, 15}},
		{99, 30, Tabbed, Rect{0, 3, 99, 25}, Rect{0, 3, 99, 25}, Rect{0, 3, 99, 25}},
		{100, 29, Tabbed, Rect{0, 3, 100, 24}, Rect{0, 3, 100, 24}, Rect{0, 3, 100, 24}},
		{80, 24, Tabbed, Rect{0, 3, 80, 19}, Rect{0, 3, 80, 19}, Rect{0, 3, 80, 19}},
		{40, 12, Tabbed, Rect{0, 3, 40, 7}, Rect{0, 3, 40, 7}, Rect{0, 3, 40, 7}},
		{39, 12, TooSmall, Rect{}, Rect{}, Rect{}},
		{40, 11, TooSmall, Rect{}, Rect{}, Rect{}},
		{0, 0, TooSmall, Rect{}, Rect{}, Rect{}},
		{-5, -5, TooSmall, Rect{}, Rect{}, Rect{}},
	}
	for _, tt := range tests {
		l := computeLayout(tt.w, tt.h)
		if l.Mode != tt.mode || l.Catalog != tt.catalog || l.Detail != tt.detail || l.Run != tt.run {
			t.Errorf("%d×%d: got %s catalog %v detail %v run %v; want %s %v %v %v",
				tt.w, tt.h, l.Mode, l.Catalog, l.Detail, l.Run, tt.mode, tt.catalog, tt.detail, tt.run)
			continue
		}
		if l.Mode == TooSmall {
			continue
		}
		// Every row of the screen belongs to exactly one band, and the
		// panes fill the body exactly.
		rows := l.Header.H + l.Tabs.H + l.Catalog.H + l.Footer.H
		if rows != tt.h {
			t.Errorf("%d×%d: header+tabs+body+footer = %d rows", tt.w, tt.h, rows)
		}
		if l.Footer.Y+l.Footer.H != tt.h {
			t.Errorf("%d×%d: footer ends at %d", tt.w, tt.h, l.Footer.Y+l.Footer.H)
		}
		if l.Mode == Wide {
			if l.Catalog.W+l.Detail.W != tt.w || l.Detail.H+l.Run.H != l.Catalog.H || l.Run.Y != l.Detail.Y+l.Detail.H {
				t.Errorf("%d×%d: panes do not tile the body: %+v", tt.w, tt.h, l)
			}
		}
	}
}

// Every size from nothing to large lays out and renders without a panic,
// with exactly h lines of at most w cells.
func TestRenderAnySize(t *testing.T) {
	m := newTestModel(t)
	for _, sz := range [][2]int{{0, 0}, {1, 1}, {10, 3}, {39, 11}, {40, 12}, {41, 13}, {60, 20}, {80, 24}, {99, 29}, {100, 30}, {133, 41}, {160, 48}, {250, 80}} {
		m = send(t, m, windowSize(sz[0], sz[1]))
		checkScreen(t, m, sz[0], sz[1])
		for _, k := range []string{"tab", "tab", "tab", "?", "esc", "e", "esc"} {
			m = send(t, m, keyMsg(k))
			checkScreen(t, m, sz[0], sz[1])
		}
	}
}
