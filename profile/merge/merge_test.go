package merge

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/internal/proftest"
)

func input(t *testing.T, name, src string) Input {
	t.Helper()
	var p *profile.Profile
	var err error
	if strings.HasPrefix(src, "{") {
		p, err = profile.Parse(name, []byte(src))
	} else {
		p, err = profile.Open(src)
	}
	if err != nil {
		t.Fatal(err)
	}
	return Input{Name: name, E: p.Effective(proftest.X86Env())}
}

// mustMerge merges and checks the result by meaning, independently of
// Compare: the saved profile, read back, lets every call through (every
// catalog syscall, every ABI of any input, the boundary values of every
// condition) exactly when an input does, unless the merge said where not.
func mustMerge(t *testing.T, ins ...Input) *Result {
	t.Helper()
	res, err := Merge(ins)
	if err != nil {
		t.Fatal(err)
	}
	data, err := profile.Marshal(res.Profile)
	if err != nil {
		t.Fatal(err)
	}
	back, err := profile.Parse("merged", data)
	if err != nil {
		t.Fatalf("the merged profile does not parse: %v\n%s", err, data)
	}
	for _, r := range back.Syscalls {
		if profile.RepeatsIndex(r.Args) {
			t.Errorf("rule %v tests an argument twice: runc would OR its conditions", r.Names)
		}
		if !r.Includes.Empty() || !r.Excludes.Empty() {
			t.Errorf("rule %v keeps includes/excludes", r.Names)
		}
	}
	m := back.Effective(proftest.X86Env())
	inexact := map[string]bool{}
	for _, x := range res.Inexact {
		for _, a := range x.Arches {
			inexact[x.Syscall+"/"+string(a)] = true
		}
	}
	effs := []*profile.Effective{m}
	arches := map[catalog.Arch]bool{}
	for _, in := range ins {
		effs = append(effs, in.E)
		for _, a := range in.E.Arches {
			arches[a] = true
		}
	}
	checked := 0
	for arch := range arches {
		if !m.HasArch(arch) {
			t.Errorf("the merged profile does not filter %s", arch)
		}
		for _, ent := range catalog.MustDefault().All() {
			nr, ok := ent.Number(arch)
			if !ok || inexact[ent.Name+"/"+string(arch)] {
				continue
			}
			for _, args := range profile.ArgInputs(arch, ent.Name, effs...) {
				want := false
				for _, in := range ins {
					want = want || in.E.Decide(arch, nr, args, profile.Options{}).Action.LetsThrough()
				}
				got := m.Decide(arch, nr, args, profile.Options{})
				checked++
				if got.Action.LetsThrough() != want {
					t.Errorf("%s on %s with %x: merged %s, an input lets it through: %v", ent.Name, arch, args, got, want)
				}
			}
		}
	}
	if checked < 300*len(arches) {
		t.Errorf("only %d invocations checked", checked)
	}
	return res
}

func hasNote(t *testing.T, res *Result, want string) {
	t.Helper()
	if !slices.Contains(res.Notes, want) {
		t.Errorf("no note %q in:\n%s", want, strings.Join(res.Notes, "\n"))
	}
}

const (
	recA = `{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1, "architectures": ["SCMP_ARCH_X86_64"], "syscalls": [
		{"names": ["read", "write", "mkdir", "exit_group"], "action": "SCMP_ACT_ALLOW"},
		{"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}, {"index": 1, "value": 1, "op": "SCMP_CMP_EQ"}]}]}`
	recB = `{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1, "architectures": ["SCMP_ARCH_X86_64"], "syscalls": [
		{"names": ["read", "socketpair", "exit_group"], "action": "SCMP_ACT_ALLOW"},
		{"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]},
		{"names": ["clone"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 2114060288, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}]}]}`
)

func TestMergeRecordings(t *testing.T) {
	res := mustMerge(t, input(t, "a.json", recA), input(t, "b.json", recB))
	if len(res.Inexact) != 0 {
		t.Errorf("inexact: %v", res.Inexact)
	}
	// Duplicates are gone: read is named once; the socket rule of a.json
	// (two conditions) is subsumed by b.json's (one of them).
	var socketRules, reads int
	for _, r := range res.Profile.Syscalls {
		reads += strings.Count(strings.Join(r.Names, " ")+" ", "read ")
		if slices.Contains(r.Names, "socket") {
			socketRules++
			if len(r.Args) != 1 {
				t.Errorf("socket rule kept %d conditions", len(r.Args))
			}
		}
	}
	if reads != 1 || socketRules != 1 {
		t.Errorf("read named %d times, %d socket rules:\n%+v", reads, socketRules, res.Profile.Syscalls)
	}
	if res.Profile.DefaultAction != profile.ActErrno || *res.Profile.DefaultErrnoRet != 1 {
		t.Errorf("default %s", res.Profile.DefaultAction)
	}
	if len(res.Notes) != 0 {
		t.Errorf("notes for two alike recordings: %q", res.Notes)
	}
}

// A deny rule before an allow rule in the same input takes its part away:
// the merge writes the allow rule with the deny rule's conditions negated.
func TestMergeCarvesDenials(t *testing.T) {
	a := input(t, "a.json", `{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
		{"names": ["socket"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 2, "op": "SCMP_CMP_EQ"}]},
		{"names": ["clone"], "action": "SCMP_ACT_KILL_PROCESS", "args": [{"index": 0, "value": 268435456, "valueTwo": 268435456, "op": "SCMP_CMP_MASKED_EQ"}]},
		{"names": ["ioctl"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 1, "value": 100, "op": "SCMP_CMP_GE"}, {"index": 2, "value": 7, "op": "SCMP_CMP_NE"}]},
		{"names": ["socket", "clone", "ioctl", "read"], "action": "SCMP_ACT_ALLOW"},
		{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}`)
	b := input(t, "b.json", `{"defaultAction": "SCMP_ACT_KILL_PROCESS", "syscalls": [
		{"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 2, "op": "SCMP_CMP_EQ"}, {"index": 1, "value": 1, "op": "SCMP_CMP_EQ"}]},
		{"names": ["ioctl"], "action": "SCMP_ACT_LOG", "args": [{"index": 1, "value": 200, "op": "SCMP_CMP_LT"}]},
		{"names": ["mkdir"], "action": "SCMP_ACT_KILL_PROCESS"}]}`)
	res := mustMerge(t, a, b)
	if len(res.Inexact) != 0 {
		t.Errorf("inexact: %v", res.Inexact)
	}
	hasNote(t, res, "default action: a.json errno(EPERM), b.json kill_process: kept a.json's errno(EPERM)")
	hasNote(t, res, "conflict: a.json errno(EACCES), b.json kill_process: kept a.json's errno(EACCES) for mkdir (x86_64)")
	// socket AF_INET (2) stays denied unless its type is 1, as b.json has it.
	e := res.Effective
	for _, c := range []struct {
		args [6]uint64
		lets bool
	}{{[6]uint64{2, 1}, true}, {[6]uint64{2, 2}, false}, {[6]uint64{1, 2}, true}} {
		d, _ := e.DecideName(catalog.X86_64, "socket", c.args, profile.Options{})
		if d.Action.LetsThrough() != c.lets {
			t.Errorf("socket %v: %s", c.args[:2], d)
		}
	}
}

func TestMergeDockerDefault(t *testing.T) {
	docker := input(t, "preset:docker-default", "preset:docker-default")
	strict := input(t, "strict.json", recA)
	res := mustMerge(t, strict, docker)
	if len(res.Inexact) != 0 {
		t.Errorf("inexact: %v", res.Inexact)
	}
	hasNote(t, res, "preset:docker-default: includes and excludes resolved for host x86_64, kernel 6.18, Docker's default capabilities; the merged profile has none")
	hasNote(t, res, "ABIs x86 and x32: not filtered by strict.json (every call there is killed); the merged profile filters them, and the rules of every profile apply there")
	// The other order, docker-default first: its denials are kept.
	res = mustMerge(t, docker, strict)
	if len(res.Inexact) != 0 {
		t.Errorf("inexact: %v", res.Inexact)
	}
	for _, n := range res.Notes {
		if strings.Contains(n, "the merged profile answers") {
			t.Errorf("note %q", n)
		}
	}
}

// Inputs that let through by default: the merged profile still denies by
// default and names every call they let through.
func TestMergeAllowDefault(t *testing.T) {
	deny := input(t, "preset:deny-critical", "preset:deny-critical")
	ro := input(t, "preset:read-only-fs", "preset:read-only-fs")
	rec := input(t, "rec.json", recB)
	res := mustMerge(t, rec, deny)
	if len(res.Inexact) != 0 {
		t.Errorf("inexact: %v", res.Inexact)
	}
	if res.Profile.DefaultAction.LetsThrough() {
		t.Errorf("default %s", res.Profile.DefaultAction)
	}
	hasNote(t, res, "default action: preset:deny-critical lets through by default (allow), rec.json denies (errno(EPERM)): the merged profile denies by default and allows by name every catalog syscall preset:deny-critical lets through; a syscall the catalog does not know is denied")
	both := mustMerge(t, deny, ro)
	if len(both.Inexact) != 0 {
		t.Errorf("inexact: %v", both.Inexact)
	}
	if !both.Profile.DefaultAction.LetsThrough() {
		t.Errorf("two allow-by-default profiles merged into default %s", both.Profile.DefaultAction)
	}
}

// A profile's rules apply on every ABI it filters: when one input lacks
// an ABI the other has, the merged profile cannot keep its rules off it,
// and the check names each call that lets through more.
func TestMergeArchesReported(t *testing.T) {
	a := input(t, "a.json", `{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"], "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ALLOW"}]}`)
	b := input(t, "b.json", `{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"], "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"}]}`)
	res := mustMerge(t, a, b)
	if len(res.Inexact) != 1 || res.Inexact[0].Syscall != "mkdir" || !slices.Equal(res.Inexact[0].Arches, []catalog.Arch{catalog.X86}) || !res.Inexact[0].Looser {
		t.Fatalf("inexact: %v", res.Inexact)
	}
	hasNote(t, res, "not exact: mkdir (x86): the merged profile lets through what no input does, e.g. with arguments all 0")
}

func TestNegate(t *testing.T) {
	cases := []struct {
		in   profile.Arg
		vals []uint64
	}{
		{profile.Arg{Index: 0, Value: 5, Op: profile.OpEqualTo}, []uint64{4, 5, 6}},
		{profile.Arg{Index: 0, Value: 5, Op: profile.OpLessThan}, []uint64{4, 5, 6}},
		{profile.Arg{Index: 0, Value: 5, Op: profile.OpGreaterThan}, []uint64{4, 5, 6}},
		{profile.Arg{Index: 0, Value: 0xf0, ValueTwo: 0x30, Op: profile.OpMaskedEqual}, []uint64{0x30, 0x31, 0x70, 0x10, 0, 0xff}},
	}
	for _, c := range cases {
		lits, _ := algebra{}.negate(clause{&c.in})
		for _, v := range c.vals {
			any := false
			for _, l := range lits {
				any = any || l.Holds(wide, v)
			}
			if any == c.in.Holds(wide, v) {
				t.Errorf("¬(%s %#x) at %#x: %v", c.in.Op, c.in.Value, v, any)
			}
		}
	}
}

// Random profiles over a few calls, with every operator, upper-word
// values, deny rules ahead of allow rules and all four kinds of action:
// the merge is exact wherever it does not say otherwise (mustMerge), and
// it says otherwise rarely.
func TestMergeRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	names := []string{"socket", "ioctl", "clone", "mkdir", "read", "personality"}
	ops := []profile.Operator{profile.OpEqualTo, profile.OpNotEqual, profile.OpLessThan, profile.OpLessEqual,
		profile.OpGreaterEqual, profile.OpGreaterThan, profile.OpMaskedEqual}
	vals := []uint64{0, 1, 2, 7, 40, 0x10000000, 0x1_00000002, ^uint64(0)}
	acts := []string{"SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL_PROCESS"}
	gen := func(archList string) string {
		var rules []string
		for range 1 + rng.IntN(6) {
			var args []string
			used := map[int]bool{}
			for range rng.IntN(3) {
				idx := rng.IntN(3)
				if used[idx] {
					continue
				}
				used[idx] = true
				args = append(args, fmt.Sprintf(`{"index": %d, "value": %d, "valueTwo": %d, "op": %q}`,
					idx, vals[rng.IntN(len(vals))], vals[rng.IntN(len(vals))], ops[rng.IntN(len(ops))]))
			}
			act := acts[rng.IntN(len(acts))]
			errno := ""
			if act == "SCMP_ACT_ERRNO" {
				errno = fmt.Sprintf(`"errnoRet": %d, `, 1+rng.IntN(3))
			}
			rules = append(rules, fmt.Sprintf(`{"names": [%q, %q], "action": %q, %s"args": [%s]}`,
				names[rng.IntN(len(names))], names[rng.IntN(len(names))], act, errno, strings.Join(args, ", ")))
		}
		def := []string{"SCMP_ACT_ERRNO", "SCMP_ACT_ALLOW", "SCMP_ACT_KILL_PROCESS"}[rng.IntN(3)]
		return fmt.Sprintf(`{"defaultAction": %q, "architectures": [%s], "syscalls": [%s]}`, def, archList, strings.Join(rules, ", "))
	}
	const runs = 150
	for _, abis := range []string{`"SCMP_ARCH_X86_64"`, `"SCMP_ARCH_X86_64", "SCMP_ARCH_X86"`} {
		inexact, looser := 0, 0
		for i := range runs {
			var ins []Input
			for j := range 2 + rng.IntN(2) {
				ins = append(ins, input(t, fmt.Sprintf("p%d.json", j), gen(abis)))
			}
			res := mustMerge(t, ins...)
			if len(res.Inexact) > 0 {
				inexact++
			}
			for _, m := range res.Inexact {
				if testing.Verbose() {
					t.Logf("run %d (%s): %s", i, abis, m)
				}
				if m.Looser {
					looser++
					t.Logf("run %d (%s): %s", i, abis, m)
				}
			}
			if t.Failed() {
				for _, in := range ins {
					data, _ := profile.Marshal(in.E.Source)
					t.Logf("run %d, %s:\n%s", i, in.Name, data)
				}
				t.FailNow()
			}
		}
		t.Logf("ABIs %s: %d of %d random merges not exact, %d calls looser", abis, inexact, runs, looser)
		// Nothing may make the merge looser than its inputs; all of them
		// filter the same ABIs.
		if looser > 0 || inexact > runs/5 {
			t.Errorf("ABIs %s: %d of %d random merges not exact, %d calls looser", abis, inexact, runs, looser)
		}
	}
}

// A range left between a deny rule and an allow rule (10 ≤ arg0 ≤ 20)
// is no one condition: the merge writes it as aligned blocks. One past
// 2³² cannot be written so that a 32-bit ABI reads it the same: the merge
// leaves it out, denies it, and says so.
func TestMergeCarveRanges(t *testing.T) {
	const a = `{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
		{"names": ["socket"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": %d, "op": "SCMP_CMP_LT"}]},
		{"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": %d, "op": "SCMP_CMP_LE"}]}]}`
	b := input(t, "b.json", `{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"}]}`)
	res := mustMerge(t, input(t, "a.json", fmt.Sprintf(a, 10, 20)), b)
	if len(res.Inexact) != 0 {
		t.Errorf("inexact: %v", res.Inexact)
	}
	for v, lets := range map[uint64]bool{9: false, 10: true, 15: true, 20: true, 21: false, 1<<32 | 15: false} {
		if d, _ := res.Effective.DecideName(catalog.X86_64, "socket", [6]uint64{v}, profile.Options{}); d.Action.LetsThrough() != lets {
			t.Errorf("socket(%#x): %s", v, d)
		}
	}

	res = mustMerge(t, input(t, "a.json", fmt.Sprintf(a, 1<<32|10, 1<<32|20)), b)
	if len(res.Inexact) != 1 || res.Inexact[0].Syscall != "socket" || res.Inexact[0].Looser {
		t.Fatalf("inexact: %v", res.Inexact)
	}
	hasNote(t, res, "a.json: socket: a let-through rule follows a deny rule whose conditions cannot be negated as rules; the part left out is denied in the merged profile")
	hasNote(t, res, "not exact: socket (x86_64): a.json lets it through and the merged profile does not, e.g. with arguments arg0=0x10000000a")
}
