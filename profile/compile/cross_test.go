package compile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// socketProfile is a profile for x86_64 whose default is def, allowing
// what the probe needs after its filter is in, with rules (JSON) on
// socket.
func socketProfile(t testing.TB, def string, rules ...string) *profile.Profile {
	t.Helper()
	doc := fmt.Sprintf(`{"defaultAction": %q, "defaultErrnoRet": 1, "architectures": ["SCMP_ARCH_X86_64"], "syscalls": [
		{"names": ["write", "exit_group"], "action": "SCMP_ACT_ALLOW"}, %s]}`, def, strings.Join(rules, ", "))
	p, err := profile.Parse("socket.json", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

const (
	logArg0GE2    = `{"names": ["socket"], "action": "SCMP_ACT_LOG", "args": [{"index": 0, "value": 2, "op": "SCMP_CMP_GE"}]}`
	trapArg1GE40  = `{"names": ["socket"], "action": "SCMP_ACT_TRAP", "args": [{"index": 1, "value": 64, "op": "SCMP_CMP_GE"}]}`
	errnoArg0Eq1  = `{"names": ["socket"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13, "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]}`
	allowArg1Eq5  = `{"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 1, "value": 5, "op": "SCMP_CMP_EQ"}]}`
	allowArg0Eq1  = `{"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]}`
	errnoArg1Eq5  = `{"names": ["socket"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13, "args": [{"index": 1, "value": 5, "op": "SCMP_CMP_EQ"}]}`
	errnoArg01Eq1 = `{"names": ["socket"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13, "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}, {"index": 2, "value": 0, "op": "SCMP_CMP_EQ"}]}`
)

// Rules with different actions on different arguments that overlap:
// libseccomp does not keep their order, so its filter answers the calls
// matching both differently from the profile's first match. Varying one
// argument at a time never makes such a call; Verify must, and refuse
// libseccomp's filter. The workbench's generator keeps the order, so
// Build's program is right; the same rules made disjoint (the later rule
// also requires the earlier one's condition to be false) build with
// libseccomp too.
func TestVerifyOverlapOnDifferentArguments(t *testing.T) {
	env := profile.HostEnv()
	for _, c := range []struct {
		name     string
		def      string
		rules    []string
		disjoint []string
		weaker   bool
	}{
		{"log-then-trap", "SCMP_ACT_ALLOW", []string{logArg0GE2, trapArg1GE40},
			[]string{logArg0GE2, `{"names": ["socket"], "action": "SCMP_ACT_TRAP", "args": [{"index": 0, "value": 2, "op": "SCMP_CMP_LT"}, {"index": 1, "value": 64, "op": "SCMP_CMP_GE"}]}`}, false},
		// socket(AF_UNIX, SOCK_SEQPACKET): the profile denies it, the
		// filter lets it through.
		{"errno-then-allow", "SCMP_ACT_ERRNO", []string{errnoArg0Eq1, allowArg1Eq5},
			[]string{errnoArg0Eq1, `{"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_NE"}, {"index": 1, "value": 5, "op": "SCMP_CMP_EQ"}]}`}, true},
		{"allow-then-errno", "SCMP_ACT_ERRNO", []string{allowArg0Eq1, errnoArg1Eq5},
			[]string{allowArg0Eq1, `{"names": ["socket"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13, "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_NE"}, {"index": 1, "value": 5, "op": "SCMP_CMP_EQ"}]}`}, false},
		// Two arguments in the earlier rule, a third in the later one.
		{"two-args-then-third", "SCMP_ACT_ERRNO", []string{errnoArg01Eq1, allowArg1Eq5},
			[]string{errnoArg01Eq1, `{"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_NE"}, {"index": 1, "value": 5, "op": "SCMP_CMP_EQ"}]}`,
				`{"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 2, "value": 0, "op": "SCMP_CMP_NE"}, {"index": 1, "value": 5, "op": "SCMP_CMP_EQ"}]}`}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := socketProfile(t, c.def, c.rules...).Effective(env)
			if prog, err := Build(e, profile.Options{}); err != nil || prog.Stats.Generator != GenWorkbench {
				t.Fatalf("Build: %v", err)
			}
			peer, err := CompileLibseccomp(e, profile.Options{})
			if err != nil {
				t.Fatal(err)
			}
			err = Verify(peer)
			var verr *VerifyError
			if !errors.As(err, &verr) {
				t.Fatalf("libseccomp's filter: %v, want a VerifyError", err)
			}
			m := verr.Mismatches[0]
			if m.Syscall != "socket" || m.Arch != catalog.X86_64 {
				t.Fatalf("first mismatch %s", m)
			}
			// Each mismatch is a call that matches both rules: one
			// argument alone never shows it.
			for _, m := range verr.Mismatches {
				d := e.Decider(profile.Options{}).Decide(m.Arch, m.Nr, m.Args)
				if !d.Same(m.Want) || d.Same(m.Got) {
					t.Errorf("%s: Decide says %s", m, d)
				}
			}
			msg := err.Error()
			for _, want := range []string{"socket on x86_64 with args (", "the profile means " + m.Want.String(), "the compiled filter does " + m.Got.String(),
				"libseccomp does not keep the order of rules with different actions on different arguments", "add the earlier rule's negated condition"} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not say %q", msg, want)
				}
			}
			if got := strings.Contains(verr.Hint(), "weaker than the profile"); got != c.weaker {
				t.Errorf("hint %q: weaker %v, want %v", verr.Hint(), got, c.weaker)
			}
			disjoint := socketProfile(t, c.def, c.disjoint...).Effective(env)
			if peer, err := CompileLibseccomp(disjoint, profile.Options{}); err != nil || Verify(peer) != nil {
				t.Errorf("the disjoint rules with libseccomp: %v", err)
			}
		})
	}
}

// The weaker case on the real kernel: under the filter libseccomp makes
// from errno-if-arg0==1 then allow-if-arg1==5, a child's
// socket(AF_UNIX, SOCK_SEQPACKET, 0), which the profile denies with
// EACCES, gets a socket, and Verify refuses that filter. Build's
// program (the workbench's generator) from the same rules, and the
// filter libseccomp makes from the disjoint rules, deny the call, as root
// and as nobody.
func TestOverlapWeakerOnKernel(t *testing.T) {
	bin := buildProbe(t)
	env := profile.HostEnv()
	nr := nrOf(t, catalog.X86_64, "socket")
	call := []uint64{syscall.AF_UNIX, syscall.SOCK_SEQPACKET, 0}
	dir, bin := probeForAll(t, bin)
	write := func(name string, p *Program) string {
		f := filepath.Join(dir, name)
		if err := os.WriteFile(f, p.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return f
	}
	e := socketProfile(t, "SCMP_ACT_ERRNO", errnoArg0Eq1, allowArg1Eq5).Effective(env)
	if d := e.Decider(profile.Options{}).Decide(catalog.X86_64, nr, [6]uint64{call[0], call[1]}); d.String() != "errno(EACCES)" {
		t.Fatalf("the profile means %s", d)
	}
	unverified, err := CompileLibseccomp(e, profile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if Verify(unverified) == nil {
		t.Fatal("Verify accepted libseccomp's filter of the overlapping rules")
	}
	generated, err := Build(e, profile.Options{})
	if err != nil || generated.Stats.Generator != GenWorkbench {
		t.Fatalf("Build: %v", err)
	}
	// What Build now refuses: the attack succeeds.
	if got := runProbe(t, bin, nil, write("overlap.bpf", unverified), nr, call); got.signal != 0 || got.ret < 0 {
		t.Fatalf("under libseccomp's filter socket(AF_UNIX, SOCK_SEQPACKET) %s; want a socket (the filter this test shows is weaker)", got)
	}
	fixed, err := CompileLibseccomp(socketProfile(t, "SCMP_ACT_ERRNO", errnoArg0Eq1,
		`{"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_NE"}, {"index": 1, "value": 5, "op": "SCMP_CMP_EQ"}]}`).Effective(env), profile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := Verify(fixed); err != nil {
		t.Fatal(err)
	}
	for _, filter := range []string{write("generated.bpf", generated), write("disjoint.bpf", fixed)} {
		for _, who := range []struct {
			name string
			cred *syscall.Credential
		}{{"root", nil}, {"nobody", &syscall.Credential{Uid: 65534, Gid: 65534}}} {
			if got := runProbeAs(t, who.cred, bin, nil, filter, nr, call); got.signal != 0 || got.ret != -1 || got.errno != int(syscall.EACCES) {
				t.Errorf("%s, %s: socket(AF_UNIX, SOCK_SEQPACKET) %s, want -1/EACCES", filepath.Base(filter), who.name, got)
			}
			// Control: the rule that allows still allows.
			if got := runProbeAs(t, who.cred, bin, nil, filter, nr, []uint64{syscall.AF_INET, syscall.SOCK_SEQPACKET, 0}); got.signal != 0 || got.ret == -1 && (got.errno == int(syscall.EACCES) || got.errno == int(syscall.EPERM)) {
				t.Errorf("%s, %s: socket(AF_INET, 5) %s", filepath.Base(filter), who.name, got)
			}
		}
	}
}
