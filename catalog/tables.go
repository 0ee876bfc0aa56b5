package catalog

import "fmt"

// The shapes of tables_gen.go, which internal/gentables writes from
// data/*.json (`go generate ./catalog`).

// The tables are variables of constant values, which the linker lays out
// in the binary: reading them costs no code at start and no copy.

// tableSyscall is one call: what data/syscalls says of it, its numbers
// on each of tablesArchs (-1 where the ABI lacks it) and its arguments,
// tablesParams from params for nparams (params is -1 when args.json has
// no signature of it).
type tableSyscall struct {
	k               knowledge
	libseccomp      bool
	numbers         [tablesArchCount]int64
	params, nparams int
}

// tableSet is a named list held elsewhere, from first for n items: a
// family's or a group's members in tablesMembers, a set's value names in
// tablesValueNames.
type tableSet struct {
	name        string
	description string
	first, n    int
}

// items is a set's items, capped so that an append to one set cannot
// overwrite the next; nil for an empty set. It fails when the set lies
// outside all, which only a hand-edited tables_gen.go can cause.
func items[T any](all []T, s tableSet) ([]T, error) {
	if s.first < 0 || s.n < 0 || s.first+s.n > len(all) {
		return nil, fmt.Errorf("catalog: tables_gen.go: %s's items lie outside their table: run go generate ./catalog", s.name)
	}
	if s.n == 0 {
		return nil, nil
	}
	return all[s.first : s.first+s.n : s.first+s.n], nil
}
