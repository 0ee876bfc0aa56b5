package catalogpane

import (
	"fmt"
	"strings"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/tui/common"
)

// query is a search line taken apart: words that filter (risk:high,
// @network-io, changed, allowed, denied) and the text left, which is
// matched against names first, then categories and descriptions.
type query struct {
	text  string
	risk  catalog.Risk
	group string // a systemd group, with its @
	state string // "changed", "allowed" or "denied"
}

// stateWords are the filters on what the profile does with a call.
var stateWords = []string{"changed", "allowed", "denied"}

// parseQuery reads a search line; a filter word it cannot read is an
// error naming the values it takes.
func parseQuery(s string) (query, error) {
	var q query
	var text []string
	for _, w := range strings.Fields(s) {
		lw := strings.ToLower(w)
		switch {
		case strings.HasPrefix(lw, "risk:"):
			r, err := catalog.ParseRisk(strings.TrimPrefix(lw, "risk:"))
			if err != nil {
				return q, fmt.Errorf("%s: use risk:critical, risk:high, risk:medium or risk:low", w)
			}
			q.risk = r
		case strings.HasPrefix(lw, "@") && len(lw) > 1:
			q.group = lw
		case lw == "changed" || lw == "allowed" || lw == "denied":
			q.state = lw
		default:
			text = append(text, lw)
		}
	}
	q.text = strings.Join(text, " ")
	return q, nil
}

// filters reports whether the query narrows by the profile's states
// (and so must be run again after an edit).
func (q query) onStates() bool { return q.state != "" }

// search runs q over the catalog: name matches ranked as the catalog
// ranks them, then calls whose category, description or systemd groups
// hold the text,
// in catalog order; then the filters.
func search(cat *catalog.Catalog, q query, states, base map[string]common.State) []catalog.Match {
	var out []catalog.Match
	if q.text == "" {
		out = cat.Search(catalog.Query{Risk: q.risk})
	} else {
		// Names that hold the text, then calls whose category or
		// description does, then the fuzzy name matches.
		names := cat.Search(catalog.Query{Text: q.text, Risk: q.risk})
		seen := make(map[string]bool, len(names))
		var fuzzy []catalog.Match
		for _, mt := range names {
			seen[mt.Entry.Name] = true
			if mt.Tier == catalog.TierFuzzy {
				fuzzy = append(fuzzy, mt)
			} else {
				out = append(out, mt)
			}
		}
		for _, e := range cat.All() {
			if seen[e.Name] || q.risk != "" && e.Risk != q.risk {
				continue
			}
			if strings.Contains(string(e.Category), q.text) || strings.Contains(strings.ToLower(e.Description), q.text) || inGroups(e, q.text) {
				out = append(out, catalog.Match{Entry: e, Tier: catalog.TierAll})
			}
		}
		out = append(out, fuzzy...)
	}
	if q.group == "" && q.state == "" {
		return out
	}
	kept := out[:0]
	for _, mt := range out {
		if q.keep(mt.Entry, states, base) {
			kept = append(kept, mt)
		}
	}
	return kept
}

func (q query) keep(e *catalog.Entry, states, base map[string]common.State) bool {
	if q.group != "" && !hasGroup(e, q.group) {
		return false
	}
	st, ok := states[e.Name]
	switch q.state {
	case "allowed":
		return ok && st.Action == profile.ActAllow
	case "denied":
		return ok && st.Action != profile.ActAllow && st.Action != profile.ActLog
	case "changed":
		b, ok2 := base[e.Name]
		return ok && ok2 && (!st.Decision().Same(b.Decision()) || st.Conditional != b.Conditional)
	}
	return true
}

func hasGroup(e *catalog.Entry, g string) bool {
	for _, x := range e.SystemdGroups {
		if strings.ToLower(x) == g {
			return true
		}
	}
	return false
}

// inGroups reports whether text is part of one of e's systemd group names.
func inGroups(e *catalog.Entry, text string) bool {
	for _, g := range e.SystemdGroups {
		if strings.Contains(strings.ToLower(g), text) {
			return true
		}
	}
	return false
}
