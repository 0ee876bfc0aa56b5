package compile

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// How compile and verify grow with the profile. Reproduce with
//
//	go test -run '^$' -bench 'BuildScale' -benchtime 20x ./profile/compile
//
// Each profile allows the first n x86_64 calls of the catalog that the
// linked libseccomp knows (default errno, the x86_64/x86/x32 archMap),
// plus, in the args variants, 50 rules each allowing one further call
// only for one value of its first argument.
func BenchmarkBuildScale(b *testing.B) {
	for _, n := range []int{10, 50, 100, 200, 400} {
		for _, argRules := range []int{0, 50} {
			e, got := scaleProfile(b, n, argRules)
			b.Run(fmt.Sprintf("calls=%d/args=%d", got, argRules), func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					if _, err := Build(e, profile.Options{}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// scaleProfile returns the profile and how many calls it allows without
// conditions (fewer than n when the catalog has fewer usable calls).
func scaleProfile(b testing.TB, n, argRules int) (*profile.Effective, int) {
	type arg struct {
		Index uint   `json:"index"`
		Value uint64 `json:"value"`
		Op    string `json:"op"`
	}
	type rule struct {
		Names  []string `json:"names"`
		Action string   `json:"action"`
		Args   []arg    `json:"args,omitempty"`
	}
	var usable []string
	for _, ent := range catalog.MustDefault().All() {
		if _, ok := ent.Number(catalog.X86_64); ok && profile.LinkedKnows(ent.Name) {
			usable = append(usable, ent.Name)
		}
	}
	plain := min(n, len(usable)-argRules)
	rules := []rule{{Names: usable[:plain], Action: "SCMP_ACT_ALLOW"}}
	for i := 0; i < argRules; i++ {
		rules = append(rules, rule{Names: []string{usable[len(usable)-1-i]}, Action: "SCMP_ACT_ALLOW",
			Args: []arg{{Index: 0, Value: uint64(i + 1), Op: "SCMP_CMP_EQ"}}})
	}
	doc := map[string]any{
		"defaultAction":   "SCMP_ACT_ERRNO",
		"defaultErrnoRet": 1,
		"archMap":         []map[string]any{{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": []string{"SCMP_ARCH_X86", "SCMP_ARCH_X32"}}},
		"syscalls":        rules,
	}
	data, err := json.Marshal(doc)
	if err != nil {
		b.Fatal(err)
	}
	p, err := profile.Parse("scale.json", data)
	if err != nil {
		b.Fatal(err)
	}
	return p.Effective(x86Env()), plain
}
