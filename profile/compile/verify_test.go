package compile

// Verify runs each ABI's program once up to its first load of nr, and
// each number's up to its first load of an argument, and goes on from
// there for each case: these tests check that what it finds is what
// running every case from the start finds.

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"golang.org/x/net/bpf"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/cbpf"
)

// bruteMismatches runs every case of Inputs from the start of the
// program and lists those where it disagrees with Decide.
func bruteMismatches(t *testing.T, p *Program) []string {
	t.Helper()
	var out []string
	for _, in := range Inputs(p.Effective, p.Options) {
		got, err := p.Run(in.Arch, in.Nr, in.Args)
		if err != nil {
			t.Fatal(err)
		}
		if want := p.Effective.Decide(in.Arch, in.Nr, in.Args, p.Options); !want.Same(got) {
			out = append(out, fmt.Sprintf("%s %d %v %s", in.Arch, in.Nr, in.Args, got))
		}
	}
	slices.Sort(out)
	return out
}

// verifyMismatches is what VerifyCount finds, in bruteMismatches' form,
// and checks it counted every case.
func verifyMismatches(t *testing.T, p *Program) []string {
	t.Helper()
	n, err := VerifyCount(p)
	if want := len(Inputs(p.Effective, p.Options)); n != want {
		t.Errorf("checked %d cases, want %d", n, want)
	}
	var verr *VerifyError
	if err != nil && !errors.As(err, &verr) {
		t.Fatal(err)
	}
	var out []string
	if verr != nil {
		for _, m := range verr.Mismatches {
			out = append(out, fmt.Sprintf("%s %d %v %s", m.Arch, m.Nr, m.Args, m.Got))
		}
	}
	slices.Sort(out)
	return out
}

func sameMismatches(t *testing.T, p *Program, wantSome bool) {
	t.Helper()
	brute, got := bruteMismatches(t, p), verifyMismatches(t, p)
	if !slices.Equal(brute, got) {
		t.Fatalf("Verify found %d mismatches, running every case from the start %d:\nverify %q\nbrute  %q", len(got), len(brute), got, brute)
	}
	if wantSome && len(got) == 0 {
		t.Fatal("the tampered program verifies")
	}
}

func dockerProgram(t *testing.T) *Program {
	t.Helper()
	p, err := Compile(mustOpen(t, "preset:docker-default").Effective(x86Env()), profile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// tampered is p with insns in place of its program.
func tampered(p *Program, insns []bpf.RawInstruction) *Program {
	q := *p
	q.Insns = insns
	return &q
}

var retAllow = bpf.RawInstruction{Op: 0x06, K: profile.RetValue(profile.Decision{Action: profile.ActAllow})}

// A program that reads an argument before it looks at the ABI or the
// number gives Verify no prefix to share: every case still runs to the
// end. Here arg0 == 9 (a case Verify makes for personality's comparisons
// with 8) lets anything through.
func TestVerifyArgumentBeforeSearch(t *testing.T) {
	p := dockerProgram(t)
	lo, _ := cbpf.ArgWordOffsets(catalog.X86_64, 0)
	insns := append([]bpf.RawInstruction{
		{Op: 0x20, K: lo},              // ld [arg0 low]
		{Op: 0x15, Jt: 0, Jf: 1, K: 9}, // jeq #9
		retAllow,
	}, p.Insns...)
	q := tampered(p, insns)
	sameMismatches(t, q, true)
	// And a harmless read of an argument changes nothing.
	harmless := append([]bpf.RawInstruction{{Op: 0x20, K: lo}}, p.Insns...)
	sameMismatches(t, tampered(p, harmless), false)
}

// Tampering after the point where Verify pauses a number's run (the
// first argument load) is caught for exactly the cases it changes.
func TestVerifyTamperAfterArgumentLoad(t *testing.T) {
	p := dockerProgram(t)
	nr, steps := personalitySteps(t, p)
	firstLoad := slices.IndexFunc(steps, func(s cbpf.Step) bool { return s.Insn.Op == 0x20 && s.Insn.K >= cbpf.OffArgs })
	if firstLoad < 0 {
		t.Fatal("personality(9) returns before it reads an argument")
	}
	tamperedAt := steps[len(steps)-1].PC
	insns := slices.Clone(p.Insns)
	insns[tamperedAt] = retAllow
	sameMismatches(t, tampered(p, insns), true)
	got := verifyMismatches(t, tampered(p, insns))
	found := false
	for _, m := range got {
		found = found || m == fmt.Sprintf("%s %d %v %s", catalog.X86_64, nr, [6]uint64{9}, "allow")
	}
	if !found {
		t.Errorf("personality(9) allowed is not among the mismatches %q", got)
	}

	// Each comparison after the load, off by one.
	for _, s := range steps[firstLoad:] {
		if s.Insn.Op&0x07 == 0x05 && s.Insn.Op != 0x05 {
			insns := slices.Clone(p.Insns)
			insns[s.PC].K++
			sameMismatches(t, tampered(p, insns), false)
		}
	}
}

// The answer for an ABI not in the filter comes from one run that stops
// before it loads nr; tampering with it is caught on every number.
func TestVerifyTamperBadArch(t *testing.T) {
	p := dockerProgram(t)
	_, steps, err := cbpf.Trace(p.Insns, cbpf.KernelData(catalog.AArch64, 0, [6]uint64{}))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range steps {
		if s.Insn.Op == 0x20 && s.Insn.K != cbpf.OffArch {
			t.Fatalf("the program loads offset %d for an ABI it does not cover", s.Insn.K)
		}
	}
	last := steps[len(steps)-1]
	insns := slices.Clone(p.Insns)
	insns[last.PC] = retAllow
	q := tampered(p, insns)
	sameMismatches(t, q, true)
	n := 0
	for _, in := range Inputs(q.Effective, q.Options) {
		if in.Arch == catalog.AArch64 {
			n++
		}
	}
	got := verifyMismatches(t, q)
	m := 0
	for _, s := range got {
		if s[:len("aarch64 ")] == "aarch64 " {
			m++
		}
	}
	if m != n {
		t.Errorf("%d of aarch64's %d cases mismatch", m, n)
	}
}

// A program that fails only past the point where Verify pauses is still
// an error.
func TestVerifyErrorAfterPause(t *testing.T) {
	p := dockerProgram(t)
	_, steps := personalitySteps(t, p)
	at := steps[len(steps)-1].PC
	insns := slices.Clone(p.Insns)
	insns[at] = bpf.RawInstruction{Op: 0x20, K: 64} // ld past seccomp_data
	if _, err := VerifyCount(tampered(p, insns)); err == nil || errors.As(err, new(*VerifyError)) {
		t.Fatalf("Verify: %v", err)
	}
}

// Where Decider.ArchWide says the profile decides a whole ABI alike,
// Decide agrees on each of its cases, in every variant.
func TestArchWideIsDecide(t *testing.T) {
	exempt := &profile.Exemption{Arch: catalog.X86_64, HandoffFD: 3, Magic: [3]uint64{1, 2, 3}}
	for _, env := range []profile.Env{x86Env(), testEnv(catalog.AArch64), testEnv(catalog.S390X)} {
		e := mustOpen(t, "preset:docker-default").Effective(env)
		for _, o := range []profile.Options{{}, {Variant: profile.VariantWatch, Exempt: exempt}, {Variant: profile.VariantRecord, Exempt: exempt}, {NoENOSYS: true}} {
			dec := e.Decider(o)
			wide := 0
			for _, in := range Inputs(e, o) {
				d, ok := dec.ArchWide(in.Arch)
				if !ok {
					continue
				}
				wide++
				if got := e.Decide(in.Arch, in.Nr, in.Args, o); !got.Same(d) || got.Rule != d.Rule {
					t.Fatalf("%s nr %d %v: Decide %s (rule %d), ArchWide %s", in.Arch, in.Nr, in.Args, got, got.Rule, d)
				}
			}
			if wide == 0 {
				t.Errorf("%s %+v: no ABI is decided alike", env.Host, o)
			}
		}
	}
	if _, ok := x86Effective(t).Decider(profile.Options{}).ArchWide(catalog.X32); ok {
		t.Error("x32's numbers without the x32 bit reach x86_64's program")
	}
}

func x86Effective(t *testing.T) *profile.Effective {
	p := &profile.Profile{DefaultAction: profile.ActErrno, Architectures: []string{"SCMP_ARCH_X86_64"},
		Syscalls: []*profile.Rule{{Names: []string{"read"}, Action: profile.ActAllow}}}
	return p.Effective(x86Env())
}

// personalitySteps traces p on personality(9) on x86_64: a call whose
// rules compare its argument.
func personalitySteps(t *testing.T, p *Program) (nr int64, steps []cbpf.Step) {
	t.Helper()
	ent, _ := catalog.MustDefault().Lookup("personality")
	nr, _ = ent.Number(catalog.X86_64)
	_, steps, err := cbpf.Trace(p.Insns, cbpf.KernelData(catalog.X86_64, nr, [6]uint64{9}))
	if err != nil {
		t.Fatal(err)
	}
	return nr, steps
}
