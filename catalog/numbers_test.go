package catalog

import (
	"encoding/json"
	"slices"
	"testing"
)

// ByNumber answers every number of every call on every ABI with that
// call, and nothing for the numbers no call has.
func TestByNumber(t *testing.T) {
	c := mustCatalog(t)
	for _, a := range Arches() {
		have := map[int64]bool{}
		for _, e := range c.All() {
			n, ok := e.Number(a)
			if !ok {
				continue
			}
			have[n] = true
			if got, ok := c.ByNumber(a, n); !ok || got != e {
				t.Errorf("%s: ByNumber(%d) = %v, want %s", a, n, got, e.Name)
			}
		}
		if len(have) < 300 {
			t.Errorf("%s: only %d numbers", a, len(have))
		}
		for _, n := range []int64{-1, a.Base() - 1, a.Base() + 999, a.Base() + 5000, 0xf0000, 1 << 40} {
			if e, ok := c.ByNumber(a, n); ok != have[n] {
				t.Errorf("%s: ByNumber(%d) = %v, %v; want %v", a, n, e, ok, have[n])
			}
		}
	}
	// Every call the index names has the number it is found by.
	for c, x := range tablesNumbered {
		check := func(nr int64, row int) {
			if n := tablesSyscalls[row].numbers[c]; n != nr {
				t.Errorf("%s: the index finds %s at %d, which has %d", tablesArchs[c], tablesSyscalls[row].k.Name, nr, n)
			}
		}
		for d, r := range x.dense {
			if r != 0 {
				check(x.first+int64(d), int(r)-1)
			}
		}
		for _, sp := range x.sparse {
			check(sp.nr, sp.row)
		}
	}
	// arm's private calls lie far above the rest.
	if e, ok := c.ByNumber(ARM, 0xf0005); !ok || e.Name != "set_tls" {
		t.Errorf("arm 0xf0005: %v, %v; want set_tls", e, ok)
	}
	if x32 := c.Name(X32, X32SyscallBit|0); x32 != "read" {
		t.Errorf("x32 0: %s, want read", x32)
	}
	if _, ok := c.ByNumber(Arch("vax"), 1); ok {
		t.Error("an unknown ABI has calls")
	}
}

// NumberedNames yields exactly the numbers the calls have on an ABI, each with
// its call, in ascending order.
func TestNumbered(t *testing.T) {
	c := mustCatalog(t)
	for _, a := range Arches() {
		want := 0
		for _, e := range c.All() {
			if _, ok := e.Number(a); ok {
				want++
			}
		}
		got, prev := 0, int64(-1<<62)
		for nr, name := range NumberedNames(a) {
			got++
			if nr <= prev {
				t.Errorf("%s: %d after %d", a, nr, prev)
			}
			prev = nr
			e, _ := c.Lookup(name)
			if n, ok := e.Number(a); !ok || n != nr {
				t.Errorf("%s: NumberedNames gives %s at %d, which has %d", a, name, nr, n)
			}
		}
		if got != want {
			t.Errorf("%s: NumberedNames yields %d calls, want %d", a, got, want)
		}
	}
	for range NumberedNames(Arch("vax")) {
		t.Error("an unknown ABI has calls")
	}
}

// Numbers read as the object catalog --json has always written: ABI to
// number, for the ABIs with the call.
func TestNumbersJSON(t *testing.T) {
	c := mustCatalog(t)
	for _, name := range []string{"read", "arm_fadvise64_64", "set_tls", "accept"} {
		e, ok := c.Lookup(name)
		if !ok {
			t.Fatalf("no %s", name)
		}
		want := map[Arch]int64{}
		for _, a := range Arches() {
			if n, ok := e.Number(a); ok {
				want[a] = n
			}
		}
		wb, _ := json.Marshal(want)
		gb, err := json.Marshal(e.Numbers)
		if err != nil || string(gb) != string(wb) {
			t.Errorf("%s: %s (%v), want %s", name, gb, err, wb)
		}
		if e.Numbers.Len() != len(want) {
			t.Errorf("%s: Len %d, want %d", name, e.Numbers.Len(), len(want))
		}
	}
	if b, _ := json.Marshal(Numbers{}); string(b) != "{}" {
		t.Errorf("no numbers: %s", b)
	}
}

// MuxOp searches muxOps by name, which needs them in name order.
func TestMuxOpsSorted(t *testing.T) {
	if !slices.IsSortedFunc(muxOps, func(a, b struct {
		name, mux string
		op        uint32
	}) int {
		if a.name < b.name {
			return -1
		}
		if a.name > b.name {
			return 1
		}
		return 0
	}) {
		t.Fatal("muxOps is not sorted by name")
	}
	for _, m := range muxOps {
		if mux, op, ok := MuxOp(m.name); !ok || mux != m.mux || op != m.op {
			t.Errorf("MuxOp(%s) = %s %d %v", m.name, mux, op, ok)
		}
	}
	if _, _, ok := MuxOp("read"); ok {
		t.Error("read has a multiplexer")
	}
}

// BenchmarkLookups are the catalog's hot lookups: by name and by number.
func BenchmarkLookups(b *testing.B) {
	c := MustDefault()
	b.Run("name", func(b *testing.B) {
		for b.Loop() {
			if _, ok := c.Lookup("openat"); !ok {
				b.Fatal("no openat")
			}
		}
	})
	b.Run("number", func(b *testing.B) {
		for b.Loop() {
			if _, ok := c.ByNumber(X86_64, 257); !ok {
				b.Fatal("no 257")
			}
		}
	})
}

// The table-level look-ups a run uses answer as the catalog does.
func TestTableLookups(t *testing.T) {
	c := mustCatalog(t)
	for _, e := range c.All() {
		nums, ok := NumbersOf(e.Name)
		if !ok || nums != e.Numbers {
			t.Errorf("NumbersOf(%s) = %v, %v", e.Name, nums, ok)
		}
		for a, nr := range e.Numbers.All() {
			if n, ok := NameOf(a, nr); !ok || n != e.Name {
				t.Errorf("NameOf(%s, %d) = %q, %v; want %s", a, nr, n, ok, e.Name)
			}
		}
	}
	for _, n := range []string{"", "no_such_call", "READ", "read "} {
		if _, ok := NumbersOf(n); ok {
			t.Errorf("NumbersOf(%q) found a call", n)
		}
	}
	for _, a := range Arches() {
		for _, nr := range []int64{-1, a.Base() + 5000, 1 << 40} {
			_, ok := NameOf(a, nr)
			if _, want := c.ByNumber(a, nr); ok != want {
				t.Errorf("NameOf(%s, %d) ok = %v, want %v", a, nr, ok, want)
			}
			if got, want := CallName(a, nr), c.Name(a, nr); got != want {
				t.Errorf("CallName(%s, %d) = %q, want %q", a, nr, got, want)
			}
		}
	}
	if _, ok := NameOf("vax", 1); ok {
		t.Error("NameOf on an unknown ABI found a call")
	}
}

// MaxNumbers is the highest kept number per ABI, computed the long way.
func TestMaxNumbers(t *testing.T) {
	c := mustCatalog(t)
	names := []string{"read", "no_such_call", "write", "io_uring_setup", "clone3", "read"}
	keep := func(a Arch, nr int64) bool { return a != X86_64 || nr < 400 }
	want := map[Arch]int64{}
	for _, n := range names {
		e, ok := c.Lookup(n)
		if !ok {
			continue
		}
		for a, nr := range e.Numbers.All() {
			if m, seen := want[a]; keep(a, nr) && (!seen || nr > m) {
				want[a] = nr
			}
		}
	}
	got := MaxNumbers(slices.Values(names), keep)
	if len(got) != len(want) {
		t.Errorf("MaxNumbers has %d ABIs, want %d", len(got), len(want))
	}
	for a, nr := range want {
		if got[a] != nr {
			t.Errorf("MaxNumbers[%s] = %d, want %d", a, got[a], nr)
		}
	}
	if len(MaxNumbers(slices.Values([]string{"no_such_call"}), keep)) != 0 {
		t.Error("MaxNumbers of no known call is not empty")
	}
}
