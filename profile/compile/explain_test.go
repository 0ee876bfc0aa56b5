package compile

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/bpf"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/cbpf"
)

func dockerProg(t testing.TB, env profile.Env, o profile.Options) *Program {
	t.Helper()
	prog, err := Build(mustOpen(t, "preset:docker-default").Effective(env), o)
	if err != nil {
		t.Fatal(err)
	}
	return prog
}

// Docker's default profile on an x86_64 host, with Docker's default
// capabilities; expectations are Docker's documented behaviour, not
// derived from Decide.
func TestExplainDockerDefault(t *testing.T) {
	prog := dockerProg(t, x86Env(), profile.Options{})
	type want struct {
		action profile.Action
		errno  uint
		rule   int    // RuleDefault ... or 0 for "a rule", checked by name below
		names  string // a name the matching source rule lists; "" for none
		args   int    // conditions on the matching rule
	}
	cases := []struct {
		arch    catalog.Arch
		syscall string
		args    [6]uint64
		want    want
	}{
		{catalog.X86_64, "read", [6]uint64{}, want{profile.ActAllow, 0, 0, "read", 0}},
		{catalog.X86_64, "add_key", [6]uint64{}, want{profile.ActErrno, 1, profile.RuleDefault, "", 0}},
		// Without CAP_SYS_ADMIN Docker answers ENOSYS so that glibc falls
		// back to clone.
		{catalog.X86_64, "clone3", [6]uint64{}, want{profile.ActErrno, 38, 0, "clone3", 0}},
		{catalog.X86_64, "personality", [6]uint64{0}, want{profile.ActAllow, 0, 0, "personality", 1}},
		{catalog.X86_64, "personality", [6]uint64{0xffffffff}, want{profile.ActAllow, 0, 0, "personality", 1}},
		{catalog.X86_64, "personality", [6]uint64{0x1234}, want{profile.ActErrno, 1, profile.RuleDefault, "", 0}},
		// AF_VSOCK (40) is the one family below 41 Docker leaves out.
		{catalog.X86_64, "socket", [6]uint64{40, 1}, want{profile.ActErrno, 1, profile.RuleDefault, "", 0}},
		{catalog.X86_64, "socket", [6]uint64{1, 1}, want{profile.ActAllow, 0, 0, "socket", 1}},
		{catalog.X86_64, "socket", [6]uint64{41, 1}, want{profile.ActAllow, 0, 0, "socket", 1}},
		{catalog.X86_64, "socket", [6]uint64{1<<32 | 40, 1}, want{profile.ActAllow, 0, 0, "socket", 1}},
		{catalog.X86_64, "ptrace", [6]uint64{}, want{profile.ActAllow, 0, 0, "ptrace", 0}},
		{catalog.X86_64, "kexec_load", [6]uint64{}, want{profile.ActErrno, 1, profile.RuleDefault, "", 0}},
		{catalog.X86_64, "466", [6]uint64{}, want{profile.ActAllow, 0, 0, "removexattrat", 0}},
		{catalog.X86_64, "467", [6]uint64{}, want{profile.ActErrno, 38, profile.RuleNewer, "", 0}},
		{catalog.X86_64, "0x3e7", [6]uint64{}, want{profile.ActErrno, 38, profile.RuleNewer, "", 0}},
		{catalog.X86, "getpid", [6]uint64{}, want{profile.ActAllow, 0, 0, "getpid", 0}},
		{catalog.X86, "add_key", [6]uint64{}, want{profile.ActErrno, 1, profile.RuleDefault, "", 0}},
		{catalog.X86, "socket", [6]uint64{40}, want{profile.ActErrno, 1, profile.RuleDefault, "", 0}},
		{catalog.X86, "socketcall", [6]uint64{}, want{profile.ActAllow, 0, 0, "socketcall", 0}},
		{catalog.X32, "read", [6]uint64{}, want{profile.ActAllow, 0, 0, "read", 0}},
		{catalog.X32, "0", [6]uint64{}, want{profile.ActAllow, 0, 0, "read", 0}}, // the x32 bit is added
		{catalog.AArch64, "getpid", [6]uint64{}, want{profile.ActKillThread, 0, profile.RuleBadArch, "", 0}},
	}
	for _, c := range cases {
		name := string(c.arch) + "/" + c.syscall + profile.FormatArgs(c.args)
		x, err := ExplainName(prog, c.arch, c.syscall, c.args)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		d := x.Decision
		if d.Action.Canon() != c.want.action || d.Errno != c.want.errno {
			t.Errorf("%s: %s, want %s errno %d", name, d, c.want.action, c.want.errno)
		}
		if c.want.rule < 0 {
			if d.Rule != c.want.rule || x.Rule != nil || x.RuleSource != nil {
				t.Errorf("%s: decided by rule %d (%v), want %d", name, d.Rule, x.Rule, c.want.rule)
			}
		} else {
			if x.Rule == nil || x.RuleSource == nil {
				t.Errorf("%s: no rule, want one naming %s", name, c.want.names)
				continue
			}
			if !slices.Contains(x.RuleSource.Names, c.want.names) || x.RuleSource != prog.Effective.Source.Syscalls[x.Rule.Index] {
				t.Errorf("%s: rule %d %v does not name %s", name, x.Rule.Index, x.RuleSource.Names, c.want.names)
			}
			if len(x.RuleSource.Args) != c.want.args {
				t.Errorf("%s: rule has %d conditions, want %d", name, len(x.RuleSource.Args), c.want.args)
			}
		}
		if len(x.Steps) < 3 {
			t.Errorf("%s: only %d steps", name, len(x.Steps))
			continue
		}
		last := x.Steps[len(x.Steps)-1]
		if last.Insn.Op != 0x06 /* BPF_RET */ || last.Insn.K != profile.RetValue(d) {
			t.Errorf("%s: the trace ends in %+v, not in a return of %#x", name, last.Insn, profile.RetValue(d))
		}
	}
}

// With CAP_SYS_ADMIN Docker lets clone3 through (its errno rule is
// excluded), and the explanation names the rule that now matches.
func TestExplainFollowsCapabilities(t *testing.T) {
	env := x86Env()
	env.Caps = append(env.Caps, "CAP_SYS_ADMIN")
	x, err := ExplainName(dockerProg(t, env, profile.Options{}), catalog.X86_64, "clone3", [6]uint64{})
	if err != nil {
		t.Fatal(err)
	}
	if x.Decision.Action != profile.ActAllow || x.RuleSource == nil || x.RuleSource.Includes == nil ||
		!slices.Contains(x.RuleSource.Includes.Caps, "CAP_SYS_ADMIN") {
		t.Errorf("clone3 with CAP_SYS_ADMIN: %s by %+v", x.Decision, x.RuleSource)
	}
}

// In watch mode the program notifies; the explanation keeps the
// profile's own outcome and rule.
func TestExplainWatchMode(t *testing.T) {
	prog := dockerProg(t, x86Env(), profile.Options{Variant: profile.VariantWatch})
	x, err := ExplainName(prog, catalog.X86_64, "clone3", [6]uint64{})
	if err != nil {
		t.Fatal(err)
	}
	if x.Decision.Action != profile.ActNotify || x.Profile.Action != profile.ActErrno || x.Profile.Errno != 38 || x.RuleSource == nil {
		t.Errorf("watch clone3: program %s, profile %s, rule %v", x.Decision, x.Profile, x.RuleSource)
	}
	x, err = ExplainName(prog, catalog.X86_64, "read", [6]uint64{})
	if err != nil || x.Decision.Action != profile.ActAllow {
		t.Errorf("watch read: %v %v", x, err)
	}
}

// A program that disagrees with its profile is reported, not explained.
func TestExplainRefusesMismatch(t *testing.T) {
	prog := dockerProg(t, x86Env(), profile.Options{})
	bad := *prog
	raw, err := bpf.Assemble([]bpf.Instruction{bpf.RetConstant{Val: profile.RetValue(profile.Decision{Action: profile.ActAllow})}})
	if err != nil {
		t.Fatal(err)
	}
	bad.Insns = raw
	_, err = ExplainName(&bad, catalog.X86_64, "add_key", [6]uint64{})
	if err == nil || !strings.Contains(err.Error(), "the compiled filter does allow but the profile means errno(EPERM)") {
		t.Errorf("error %v", err)
	}
}

func TestExplainBadInput(t *testing.T) {
	prog := dockerProg(t, x86Env(), profile.Options{})
	cases := []struct {
		arch    catalog.Arch
		syscall string
		args    [6]uint64
		err     string
	}{
		{catalog.AArch64, "open", [6]uint64{}, "open does not exist on aarch64: use openat or openat2"},
		{catalog.AArch64, "mkdir", [6]uint64{}, "mkdir does not exist on aarch64: use mkdirat"},
		{catalog.X86_64, "opne", [6]uint64{}, `unknown syscall "opne": did you mean open?`},
		{catalog.X86_64, "frobnicate", [6]uint64{}, `unknown syscall "frobnicate": search the names with 'seccomp-workbench catalog'`},
		{catalog.X86_64, "0x80000000", [6]uint64{}, `syscall number "0x80000000": use a name or a number 0..0x7fffffff`},
		{catalog.X86_64, "12abc", [6]uint64{}, `syscall number "12abc"`},
		{catalog.X86, "getpid", [6]uint64{0, 1 << 32}, "args[1] = 0x100000000 does not fit in 32 bits: x86 passes 32-bit arguments"},
		{"loongarch64", "getpid", [6]uint64{}, `unknown architecture "loongarch64"`},
	}
	for _, c := range cases {
		_, err := ExplainName(prog, c.arch, c.syscall, c.args)
		if err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%s %s: error %v, want %q", c.arch, c.syscall, err, c.err)
		}
	}
}

func TestStepEffect(t *testing.T) {
	prog := dockerProg(t, x86Env(), profile.Options{})
	x, err := ExplainName(prog, catalog.X86_64, "openat", [6]uint64{})
	if err != nil {
		t.Fatal(err)
	}
	out := cbpf.FormatTrace(cbpf.Disassemble(prog.Insns), x.Steps)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != len(x.Steps) {
		t.Fatalf("%d lines for %d steps", len(lines), len(x.Steps))
	}
	// The search names the calls it compares nr with.
	if !regexp.MustCompile(`; nr (>= \d+ \(|== )[a-z_0-9]+`).MatchString(out) {
		t.Errorf("no comparison of nr names its call:\n%s", out)
	}
	for _, w := range []string{"; arch", "A = 0xc000003e", "; nr", "A = 257", "true → ", "false → ", "; ALLOW", "return"} {
		if !strings.Contains(out, w) {
			t.Errorf("trace lacks %q:\n%s", w, out)
		}
	}
}

func BenchmarkExplain(b *testing.B) {
	prog := dockerProg(b, x86Env(), profile.Options{})
	for b.Loop() {
		if _, err := ExplainName(prog, catalog.X86_64, "openat", [6]uint64{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDisassemble(b *testing.B) {
	prog := dockerProg(b, x86Env(), profile.Options{})
	for b.Loop() {
		cbpf.Disassemble(prog.Insns)
	}
}

// When explain meets a difference verification did not try, it names the
// known libseccomp cause as verification does, rather than asking for a
// report: here the model has a rule comparing a value above 32 bits that
// the program lacks.
func TestExplainMismatchNamesTheCause(t *testing.T) {
	a, err := profile.Parse("a.json", []byte(`{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"],
		"syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	b, err := profile.Parse("b.json", []byte(`{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"],
		"syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"}, {"names": ["mmap"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 1, "value": 8589934592, "op": "SCMP_CMP_GE"}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	prog, err := Build(a.Effective(x86Env()), profile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	prog.Effective = b.Effective(x86Env())
	_, err = ExplainName(prog, catalog.X86_64, "mmap", [6]uint64{0, 1 << 34})
	if err == nil || !strings.Contains(err.Error(), "GHSA-4q85-33p6-j5g6") || strings.Contains(err.Error(), "report") {
		t.Errorf("explain: %v, want the 64-bit comparison cause named", err)
	}
}
