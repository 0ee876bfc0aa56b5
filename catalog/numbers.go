package catalog

import (
	"iter"
	"sort"
	"strconv"
)

// Numbers are a call's numbers on the ABIs that have it. Its JSON form is
// an object from ABI to number, the ABIs in name order.
type Numbers struct {
	row *[tablesArchCount]int64 // a row of tablesSyscalls; nil: none
}

// Get returns the number on a; ok is false where a lacks the call.
func (n Numbers) Get(a Arch) (int64, bool) {
	c := tablesColumn(a)
	if n.row == nil || c < 0 || n.row[c] < 0 {
		return 0, false
	}
	return n.row[c], true
}

// Len is how many ABIs have the call.
func (n Numbers) Len() int {
	k := 0
	if n.row != nil {
		for _, v := range n.row {
			if v >= 0 {
				k++
			}
		}
	}
	return k
}

// All yields each ABI that has the call with its number, ABIs in name
// order.
func (n Numbers) All() iter.Seq2[Arch, int64] {
	return func(yield func(Arch, int64) bool) {
		if n.row == nil {
			return
		}
		for c, v := range n.row {
			if v >= 0 && !yield(tablesArchs[c], v) {
				return
			}
		}
	}
}

// MarshalJSON writes {"aarch64": 56, ...}.
func (n Numbers) MarshalJSON() ([]byte, error) {
	b := []byte{'{'}
	for a, v := range n.All() {
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = strconv.AppendQuote(b, string(a))
		b = append(b, ':')
		b = strconv.AppendInt(b, v, 10)
	}
	return append(b, '}'), nil
}

// numberIndex finds an ABI's calls by number (tablesNumbered).
type numberIndex struct {
	first  int64
	dense  []uint16
	sparse []numbered
}

type numbered struct {
	nr  int64
	row int
}

// find returns the index in tablesSyscalls of the call numbered nr; ok
// is false when none is.
func (x *numberIndex) find(nr int64) (int, bool) {
	if d := nr - x.first; d >= 0 && d < int64(len(x.dense)) {
		i := int(x.dense[d])
		return i - 1, i != 0
	}
	s := x.sparse
	i := sort.Search(len(s), func(i int) bool { return s[i].nr >= nr })
	if i < len(s) && s[i].nr == nr {
		return s[i].row, true
	}
	return 0, false
}

// NumbersOf is the numbers of the call named name, read from the
// generated tables without building the catalog (Default); ok is false
// for a name the catalog lacks. A run needs no more than this and
// NameOf.
func NumbersOf(name string) (Numbers, bool) {
	i := tablesIndex(name)
	if i < 0 {
		return Numbers{}, false
	}
	return Numbers{&tablesSyscalls[i].numbers}, true
}

// NameOf is the name of the call numbered nr on a (for x32, nr includes
// the x32 bit), read from the generated tables; ok is false when a has no
// such call. Catalog.ByNumber finds the same call.
func NameOf(a Arch, nr int64) (string, bool) {
	col := tablesColumn(a)
	if col < 0 {
		return "", false
	}
	if i, ok := tablesNumbered[col].find(nr); ok {
		return tablesSyscalls[i].k.Name, true
	}
	return "", false
}

// MaxNumbers is, for each ABI, the highest number that any call in names
// has there among those keep accepts, read from the generated tables; an
// ABI none of them has (or keeps) is missing.
func MaxNumbers(names iter.Seq[string], keep func(Arch, int64) bool) map[Arch]int64 {
	var max [tablesArchCount]int64
	for c := range max {
		max[c] = -1
	}
	for n := range names {
		i := tablesIndex(n)
		if i < 0 {
			continue
		}
		for c, nr := range &tablesSyscalls[i].numbers {
			if nr > max[c] && keep(tablesArchs[c], nr) {
				max[c] = nr
			}
		}
	}
	out := make(map[Arch]int64, tablesArchCount)
	for c, nr := range max {
		if nr >= 0 {
			out[tablesArchs[c]] = nr
		}
	}
	return out
}

// NumberedNames yields every call a has a number for, by ascending
// number, with its name, read from the generated tables without building
// the catalog.
func NumberedNames(a Arch) iter.Seq2[int64, string] {
	return func(yield func(int64, string) bool) {
		col := tablesColumn(a)
		if col < 0 {
			return
		}
		x := &tablesNumbered[col]
		for d, i := range x.dense {
			if i != 0 && !yield(x.first+int64(d), tablesSyscalls[i-1].k.Name) {
				return
			}
		}
		for _, s := range x.sparse {
			if !yield(s.nr, tablesSyscalls[s.row].k.Name) {
				return
			}
		}
	}
}
