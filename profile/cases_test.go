package profile

import (
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
)

// The cross product of three compared arguments, full under the cap and
// sampled over it: the sample has exactly the cap's calls, all distinct,
// every value of every argument among them, the same on every call.
func TestCrossCases(t *testing.T) {
	p, err := Parse("x.json", []byte(`{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"], "syscalls": [
		{"names": ["socket"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}, {"index": 2, "value": 7, "op": "SCMP_CMP_GT"}]},
		{"names": ["socket"], "action": "SCMP_ACT_LOG", "args": [{"index": 1, "value": 5, "op": "SCMP_CMP_EQ"}]},
		{"names": ["getpid"], "action": "SCMP_ACT_LOG", "args": [{"index": 1, "value": 5, "op": "SCMP_CMP_EQ"}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	views := p.Effective(HostEnv()).RulesOn(catalog.X86_64, "socket")
	full, total := crossCases(catalog.X86_64, views, 1<<20)
	if uint64(len(full)) != total || total < 500 {
		t.Fatalf("full product: %d of %d", len(full), total)
	}
	values := [6]map[uint64]bool{}
	for i := range values {
		values[i] = map[uint64]bool{}
	}
	for _, a := range full {
		for i, v := range a {
			values[i][v] = true
		}
	}
	if len(values[3]) != 1 || !values[3][0] || len(values[0]) < 5 {
		t.Fatalf("values per argument: %v", values)
	}
	for _, limit := range []int{100, 599} {
		s1, tot := crossCases(catalog.X86_64, views, limit)
		s2, _ := crossCases(catalog.X86_64, views, limit)
		if tot != total || len(s1) != limit {
			t.Fatalf("limit %d: %d cases of %d", limit, len(s1), tot)
		}
		seen := map[[6]uint64]bool{}
		got := [6]map[uint64]bool{{}, {}, {}}
		for j, a := range s1 {
			if a != s2[j] {
				t.Fatalf("limit %d: case %d differs between calls", limit, j)
			}
			if seen[a] {
				t.Fatalf("limit %d: %v twice", limit, a)
			}
			seen[a] = true
			for i := 0; i < 3; i++ {
				got[i][a[i]] = true
			}
		}
		for i := 0; i < 3; i++ {
			if len(got[i]) != len(values[i]) {
				t.Errorf("limit %d: argument %d takes %d of its %d values", limit, i, len(got[i]), len(values[i]))
			}
		}
	}
	if c, total := crossCases(catalog.X86_64, p.Effective(HostEnv()).RulesOn(catalog.X86_64, "getpid"), 100); c != nil || total != 0 {
		t.Errorf("one compared argument: %d cases", len(c))
	}
}
