package catalog

import (
	"fmt"
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

// denseSpan is how far above an ABI's lowest number the index of its
// calls by number is an array; the few numbers beyond (arm's private
// calls from 0xf0000) are looked up in a sorted list.
const denseSpan = 1024

// numberIndex finds an ABI's calls by number: dense[nr-first] is 1 plus
// the call's index in tablesSyscalls (0 where no call has nr), sparse
// holds the numbers from first+denseSpan on, sorted.
type numberIndex struct {
	first  int64
	dense  []uint16
	sparse []numbered
}

type numbered struct {
	nr   int64
	call int
}

// indexNumbers builds the index of every ABI from tablesSyscalls, in one
// allocation for all the dense parts.
func indexNumbers(rows []tableSyscall) ([tablesArchCount]numberIndex, error) {
	var idx [tablesArchCount]numberIndex
	var lo, hi [tablesArchCount]int64
	for c := range idx {
		lo[c], hi[c] = -1, -1
	}
	for i := range rows {
		for c, n := range rows[i].numbers {
			if n >= 0 && (lo[c] < 0 || n < lo[c]) {
				lo[c] = n
			}
		}
	}
	total := 0
	for i := range rows {
		for c, n := range rows[i].numbers {
			if n >= 0 && n-lo[c] < denseSpan && n > hi[c] {
				hi[c] = n
			}
		}
	}
	for c := range idx {
		if lo[c] >= 0 {
			total += int(hi[c] - lo[c] + 1)
		}
	}
	if len(rows) >= 1<<16 {
		return idx, fmt.Errorf("catalog: tables_gen.go has %d calls, more than the index holds", len(rows))
	}
	all := make([]uint16, total)
	for c := range idx {
		if lo[c] < 0 {
			continue
		}
		n := int(hi[c] - lo[c] + 1)
		idx[c] = numberIndex{first: lo[c], dense: all[:n:n]}
		all = all[n:]
	}
	for i := range rows {
		for c, n := range rows[i].numbers {
			if n < 0 {
				continue
			}
			x := &idx[c]
			if n-x.first >= denseSpan {
				x.sparse = append(x.sparse, numbered{n, i})
				continue
			}
			if x.dense[n-x.first] != 0 {
				return idx, fmt.Errorf("catalog: tables_gen.go gives %q and %q number %d on %s: run go generate ./catalog",
					rows[x.dense[n-x.first]-1].k.Name, rows[i].k.Name, n, tablesArchs[c])
			}
			x.dense[n-x.first] = uint16(i + 1)
		}
	}
	for c := range idx {
		s := idx[c].sparse
		sort.Slice(s, func(i, j int) bool { return s[i].nr < s[j].nr })
	}
	return idx, nil
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
		return s[i].call, true
	}
	return 0, false
}
