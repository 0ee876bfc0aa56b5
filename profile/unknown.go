package profile

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// UnknownKey is a key the workbench (and Docker, runc, Podman) does not
// read, where it is, and the known key it most likely stands for.
type UnknownKey struct {
	Path  []any // JSON path to the object holding it: keys and indexes
	Key   string
	Guess string // "" when no known key is close
	Rule  int    // the index in Syscalls, -1 outside a rule
}

// Where renders the path like "syscalls[3].args[0]", or "the profile".
func (u UnknownKey) Where() string {
	var b strings.Builder
	for _, p := range u.Path {
		switch v := p.(type) {
		case int:
			fmt.Fprintf(&b, "[%d]", v)
		case string:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(v)
		}
	}
	if b.Len() == 0 {
		return "the profile"
	}
	return b.String()
}

// UnknownKeys lists, in file order by level, every key kept in an Extra.
func (p *Profile) UnknownKeys() []UnknownKey {
	var out []UnknownKey
	add := func(path []any, rule int, extra map[string]json.RawMessage, known map[string]bool) {
		keys := make([]string, 0, len(extra))
		for k := range extra {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			out = append(out, UnknownKey{Path: path, Key: k, Guess: closestKey(k, known), Rule: rule})
		}
	}
	add(nil, -1, p.Extra, profileKeys())
	for i, m := range p.ArchMap {
		add([]any{"archMap", i}, -1, m.Extra, archMapKeys())
	}
	for i, r := range p.Syscalls {
		if r == nil {
			continue
		}
		add([]any{"syscalls", i}, i, r.Extra, ruleKeys())
		for j, a := range r.Args {
			if a != nil {
				add([]any{"syscalls", i, "args", j}, i, a.Extra, argKeys())
			}
		}
		if r.Includes != nil {
			add([]any{"syscalls", i, "includes"}, i, r.Includes.Extra, filterKeys())
		}
		if r.Excludes != nil {
			add([]any{"syscalls", i, "excludes"}, i, r.Excludes.Extra, filterKeys())
		}
	}
	return out
}

// closestKey is the known key k most likely misspells: the same but for
// case, or at most two edits away (one for short keys); "" when none.
func closestKey(k string, known map[string]bool) string {
	best, bestD := "", 3
	if len(k) <= 4 {
		bestD = 2
	}
	cands := make([]string, 0, len(known))
	for c := range known {
		cands = append(cands, c)
	}
	sort.Strings(cands)
	for _, c := range cands {
		if strings.EqualFold(c, k) {
			return c
		}
		if d := editDistance(strings.ToLower(k), strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}
