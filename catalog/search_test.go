package catalog

import (
	"strings"
	"testing"
)

func names(ms []Match, n int) []string {
	var out []string
	for i := 0; i < len(ms) && i < n; i++ {
		out = append(out, ms[i].Entry.Name)
	}
	return out
}

func TestSearchRanking(t *testing.T) {
	c := mustCatalog(t)
	for _, tc := range []struct {
		q    Query
		want []string // the first results, in order
	}{
		{Query{Text: "open"}, []string{"open", "openat", "openat2"}},
		{Query{Text: "mkd"}, []string{"mkdir", "mkdirat"}},
		{Query{Text: "mkdir"}, []string{"mkdir", "mkdirat"}},
		{Query{Text: "OPENAT"}, []string{"openat", "openat2"}},
		{Query{Text: "execve"}, []string{"execve", "execveat"}},
		{Query{Text: "open", Arch: AArch64}, []string{"openat", "openat2"}},
		{Query{Text: "clone", Risk: High}, []string{"clone3"}},
		{Query{Text: "stat", Category: "metadata"}, []string{"stat"}},
		{Query{Text: "uring"}, []string{"io_uring_enter", "io_uring_setup"}},
	} {
		got := names(c.Search(tc.q), len(tc.want))
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("Search(%+v) starts %v, want %v", tc.q, got, tc.want)
		}
	}
}

func TestSearchTiersAndFuzzy(t *testing.T) {
	c := mustCatalog(t)
	ms := c.Search(Query{Text: "open"})
	last := -1
	tiers := map[int]int{}
	for i, m := range ms {
		if m.Tier < last {
			t.Fatalf("tiers out of order at %d: %s tier %d after %d", i, m.Entry.Name, m.Tier, last)
		}
		last = m.Tier
		tiers[m.Tier]++
	}
	// open; openat, openat2, open_tree ...; mq_open, pidfd_open ...; then
	// scattered matches such as io_pgetevents (o, p, e ... n).
	for _, tier := range []int{TierExact, TierPrefix, TierSubstring, TierFuzzy} {
		if tiers[tier] == 0 {
			t.Errorf("'open' found nothing in tier %d: %v", tier, names(ms, 40))
		}
	}
	// "mkd" reaches mknod only through fuzzy matching.
	found := false
	for _, m := range c.Search(Query{Text: "mkd"}) {
		if m.Entry.Name == "mknod" {
			found = m.Tier == TierFuzzy
		}
	}
	if !found {
		t.Error("mkd should find mknod as a fuzzy match")
	}
	if got := c.Search(Query{Text: "zzzzqqq"}); len(got) != 0 {
		t.Errorf("nonsense query matched %v", names(got, 5))
	}
}

func TestSearchFiltersOnly(t *testing.T) {
	c := mustCatalog(t)
	crit := c.Search(Query{Risk: Critical})
	if len(crit) < 20 {
		t.Fatalf("only %d critical syscalls", len(crit))
	}
	for _, m := range crit {
		if m.Entry.Risk != Critical {
			t.Fatalf("%s is %s", m.Entry.Name, m.Entry.Risk)
		}
	}
	for _, m := range c.Search(Query{Arch: AArch64}) {
		if _, ok := m.Entry.Number(AArch64); !ok {
			t.Fatalf("%s has no aarch64 number", m.Entry.Name)
		}
	}
	if n := len(c.Search(Query{})); n != c.Len() {
		t.Errorf("empty query returned %d of %d", n, c.Len())
	}
}

func BenchmarkSearch(b *testing.B) {
	c := mustCatalog(b)
	for _, q := range []string{"open", "mkd", "sched_get", "x"} {
		b.Run(q, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				c.Search(Query{Text: q})
			}
		})
	}
}

// BenchmarkSearchBaseline is the floor Search is compared against: a bare
// substring scan of the same names, with no ranking and no fuzzy pass.
func BenchmarkSearchBaseline(b *testing.B) {
	c := mustCatalog(b)
	all := c.All()
	for _, q := range []string{"open", "mkd", "sched_get", "x"} {
		b.Run(q, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				n := 0
				for _, e := range all {
					if strings.Contains(e.Name, q) {
						n++
					}
				}
				_ = n
			}
		})
	}
}
