package catalog

import (
	"strconv"
	"strings"
	"sync"
)

// data/riskyargs.json says, for the calls where an argument decides how
// much the call can do (socket's family, clone's flags, ioctl's request
// ...), which argument that is, how a filter can read it and why it
// matters, and names the values: AF_UNIX, CLONE_NEWUSER. tables_gen.go
// carries it (tablesRiskyArgs, tablesNameSets, tablesValueNames). The
// runner's argument decoder and record both read these names.

// ArgRead is how a filter can hold a risky argument.
type ArgRead string

const (
	// ReadValues: the argument is one of a set of values; a filter
	// allows the values it names (SCMP_CMP_EQ), or — with Ignore — the
	// values it names with the ignored bits masked off (SCMP_CMP_MASKED_EQ).
	ReadValues ArgRead = "values"
	// ReadBits: the argument is a word of independent flags; a filter
	// allows the bits it names and no other (MASKED_EQ, mask ^allowed,
	// value 0).
	ReadBits ArgRead = "bits"
	// ReadMemory: what decides the risk is in the caller's memory, which
	// seccomp cannot read (clone3's struct clone_args): a filter can
	// only allow or deny the call whole.
	ReadMemory ArgRead = "memory"
)

// RiskyArg is one argument that decides the risk of a call.
type RiskyArg struct {
	Index int    `json:"index"`
	Name  string `json:"name"`
	// IndexOn lists the ABIs that pass the argument at another index
	// (clone on s390 and s390x takes the stack first), or -1 where it is
	// in memory (x86's mmap is the old call with a struct of arguments).
	IndexOn map[Arch]int `json:"index_on,omitempty"`
	Read    ArgRead      `json:"read"`
	// Names is the set naming the argument's values (ValueNames); ""
	// when they are shown as numbers. Values are its names and Bits its
	// kind, for catalog --json.
	Names  string      `json:"names,omitempty"`
	Values []ValueName `json:"values,omitempty"`
	Bits   bool        `json:"names_are_bits,omitempty"`
	// Ignore holds bits that do not change what the call can reach
	// (socket's SOCK_NONBLOCK|SOCK_CLOEXEC); IgnoreNames names them.
	Ignore      uint64 `json:"ignore,omitempty"`
	IgnoreNames string `json:"ignore_names,omitempty"`
	// Signal holds the bits that carry a signal number (clone's low
	// byte, the signal sent to the parent when the child ends).
	Signal uint64 `json:"signal_bits,omitempty"`
	// Narrow: the kernel declares the argument narrower than 64 bits
	// (Catalog.Narrow), so on a 64-bit ABI it ignores the upper half.
	Narrow bool   `json:"narrow"`
	Why    string `json:"why"`
}

// At is the index of the argument on arch; -1 where a filter cannot see
// it.
func (a *RiskyArg) At(arch Arch) int {
	if i, ok := a.IndexOn[arch]; ok {
		return i
	}
	return a.Index
}

// ValueName names one value (or, in a set of bits, one bit).
type ValueName struct {
	Value uint64 `json:"value"`
	Name  string `json:"name"`
}

// NameSet is one named set of values from riskyargs.json.
type NameSet struct {
	// Bits: the names are single bits, and a value is shown as the
	// names of its bits (PROT_READ|PROT_EXEC); otherwise they name
	// whole values (AF_UNIX).
	Bits  bool
	Names []ValueName
}

type tableRisky struct {
	syscall string
	arg     RiskyArg
}

type riskyTables struct {
	sets  map[string]NameSet
	byNam map[string][]RiskyArg
}

var loadRisky = sync.OnceValues(func() (*riskyTables, error) {
	t := &riskyTables{sets: map[string]NameSet{}, byNam: map[string][]RiskyArg{}}
	for _, s := range tablesNameSets {
		ns, err := items(tablesValueNames, s)
		if err != nil {
			return nil, err
		}
		t.sets[s.name] = NameSet{Bits: s.description == "bits", Names: ns}
	}
	for _, r := range tablesRiskyArgs() {
		a := r.arg
		if ns, ok := t.sets[a.Names]; ok {
			a.Values, a.Bits = ns.Names, ns.Bits
		}
		t.byNam[r.syscall] = append(t.byNam[r.syscall], a)
	}
	return t, nil
})

// ValueNames returns a set of names from riskyargs.json ("clone_flags",
// "socket_domain" ...); ok is false for an unknown set.
func (c *Catalog) ValueNames(set string) (NameSet, bool) {
	t, err := loadRisky()
	if err != nil {
		return NameSet{}, false
	}
	ns, ok := t.sets[set]
	return ns, ok
}

// RiskyArgs returns the arguments that decide the risk of name, in
// argument order as riskyargs.json lists them; nil for other calls.
func (c *Catalog) RiskyArgs(name string) []RiskyArg {
	if e, ok := c.Lookup(name); ok {
		return e.RiskyArgs
	}
	return nil
}

// ArgText names value v of a: AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC,
// CLONE_VM|CLONE_FS|SIGCHLD; a number when it has no name.
func (c *Catalog) ArgText(a *RiskyArg, v uint64) string {
	var parts []string
	if a.Signal != 0 && v&a.Signal != 0 {
		parts = append(parts, c.ValueText("signal", v&a.Signal))
	}
	v &^= a.Signal
	ign := v & a.Ignore
	v &^= a.Ignore
	if a.Signal == 0 || v != 0 || len(parts) == 0 {
		parts = append(parts, c.ValueText(a.Names, v))
	}
	if ign != 0 {
		parts = append(parts, c.ValueText(a.IgnoreNames, ign))
	}
	return strings.Join(parts, "|")
}

// ValueText names v by the set: a value's name, or the names of its bits
// with what has none in hex; the number itself when the set has no name
// for it (decimal below 4096, hex above).
func (c *Catalog) ValueText(set string, v uint64) string {
	ns, ok := c.ValueNames(set)
	if !ok {
		return number(v)
	}
	if !ns.Bits {
		for _, n := range ns.Names {
			if n.Value == v {
				return n.Name
			}
		}
		return number(v)
	}
	if v == 0 {
		for _, n := range ns.Names {
			if n.Value == 0 {
				return n.Name // PROT_NONE
			}
		}
	}
	return FlagText(v, ns.Names)
}

// FlagText names the set bits of v by names, in their order; bits
// without a name are added in hex; "0" when none is set.
func FlagText(v uint64, names []ValueName) string {
	var parts []string
	if v == 0 {
		return "0"
	}
	for _, n := range names {
		if n.Value != 0 && v&n.Value == n.Value {
			parts = append(parts, n.Name)
			v &^= n.Value
		}
	}
	if v != 0 {
		parts = append(parts, "0x"+strconv.FormatUint(v, 16))
	}
	return strings.Join(parts, "|")
}

func number(v uint64) string {
	if v < 4096 {
		return strconv.FormatUint(v, 10)
	}
	return "0x" + strconv.FormatUint(v, 16)
}
