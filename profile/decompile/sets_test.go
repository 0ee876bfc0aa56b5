package decompile

import "testing"

// A word's masked comparisons: a value is found when there is one, and
// "none" is said only when there is none.
func TestWordSample(t *testing.T) {
	eq := func(m, k uint32) cond { return cond{Mask: m, K: k, Op: jmpJEQ, Taken: true} }
	ne := func(m, k uint32) cond { return cond{Mask: m, K: k, Op: jmpJEQ} }
	for _, c := range []struct {
		name     string
		conds    []cond
		feasible bool
	}{
		{"bit chain", []cond{ne(0x40000000, 0x40000000), ne(0x20000000, 0x20000000), eq(0x20000, 0x20000)}, true},
		{"both values of a bit excluded", []cond{ne(1, 1), ne(1, 0)}, false},
		{"two bits, three patterns excluded", []cond{ne(3, 0), ne(3, 1), ne(3, 2)}, true},
		{"two bits, all four excluded", []cond{ne(3, 0), ne(3, 1), ne(3, 2), ne(3, 3)}, false},
		{"equalities disagree", []cond{eq(0xff, 0x10), eq(0xf0, 0x20)}, false},
		{"equality then excluded", []cond{eq(0xff, 0x10), ne(0xf0, 0x10)}, false},
		{"equality and a free bit", []cond{eq(0xf0, 0x10), ne(0xf1, 0x10)}, true},
	} {
		w, ok := wordOf(c.conds, false)
		if !ok {
			t.Fatalf("%s: not read", c.name)
		}
		v, found := w.sample()
		if found != c.feasible {
			t.Errorf("%s: found %v, want %v", c.name, found, c.feasible)
		}
		if found && !w.holds(v) {
			t.Errorf("%s: %#x does not meet the conditions", c.name, v)
		}
		if !w.exact() {
			t.Errorf("%s: not exact", c.name)
		}
	}
}
