package catalog

import (
	"sort"
	"strings"

	"github.com/sahilm/fuzzy"
)

// Query selects and ranks catalog entries. Zero fields do not filter.
type Query struct {
	// Text is matched against syscall names: exact, then prefix, then
	// substring, then fuzzy (sahilm/fuzzy) matches, in that order.
	Text     string
	Risk     Risk
	Category Category
	// Arch keeps only calls that exist on that ABI.
	Arch Arch
}

// Match is one search result.
type Match struct {
	Entry *Entry
	// Tier is 0 exact, 1 prefix, 2 substring, 3 fuzzy, 4 no text given.
	Tier int
	// Positions are the matched rune indexes in the name, for highlighting.
	Positions []int
}

// Match tiers.
const (
	TierExact = iota
	TierPrefix
	TierSubstring
	TierFuzzy
	TierAll
)

func (q Query) keep(e *Entry) bool {
	if q.Risk != "" && e.Risk != q.Risk {
		return false
	}
	if q.Category != "" && e.Category != q.Category {
		return false
	}
	if q.Arch != "" {
		if _, ok := e.Number(q.Arch); !ok {
			return false
		}
	}
	return true
}

// Search returns the entries that pass q's filters, ranked by how well
// their names match q.Text; without text, in name order.
func (c *Catalog) Search(q Query) []Match {
	text := strings.ToLower(strings.TrimSpace(q.Text))
	var out []Match
	if text == "" {
		for _, e := range c.entries {
			if q.keep(e) {
				out = append(out, Match{Entry: e, Tier: TierAll})
			}
		}
		return out
	}
	type scored struct {
		Match
		score, pos int
	}
	var res []scored
	taken := make([]bool, len(c.entries))
	for i, e := range c.entries {
		p := strings.Index(e.Name, text)
		if p < 0 || !q.keep(e) {
			continue
		}
		tier := TierSubstring
		switch {
		case e.Name == text:
			tier = TierExact
		case p == 0:
			tier = TierPrefix
		}
		res = append(res, scored{Match: Match{Entry: e, Tier: tier, Positions: span(p, len(text))}, pos: p})
		taken[i] = true
	}
	for _, m := range fuzzy.Find(text, c.names) {
		if taken[m.Index] || !q.keep(c.entries[m.Index]) {
			continue
		}
		res = append(res, scored{Match: Match{Entry: c.entries[m.Index], Tier: TierFuzzy, Positions: m.MatchedIndexes}, score: m.Score})
	}
	sort.SliceStable(res, func(i, j int) bool {
		a, b := res[i], res[j]
		if a.Tier != b.Tier {
			return a.Tier < b.Tier
		}
		switch a.Tier {
		case TierSubstring:
			if a.pos != b.pos {
				return a.pos < b.pos
			}
		case TierFuzzy:
			if a.score != b.score {
				return a.score > b.score
			}
		}
		if len(a.Entry.Name) != len(b.Entry.Name) {
			return len(a.Entry.Name) < len(b.Entry.Name)
		}
		return a.Entry.Name < b.Entry.Name
	})
	out = make([]Match, len(res))
	for i, r := range res {
		out[i] = r.Match
	}
	return out
}

func span(from, n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = from + i
	}
	return p
}
