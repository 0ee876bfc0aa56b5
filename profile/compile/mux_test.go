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

// muxProfile allows socket calls and one IPC call by name; on x86
// libseccomp also allows them through socketcall and ipc. personality
// has two conditions on argument 0, which runc and crun OR.
const muxProfile = `{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 99,
	"architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
	"syscalls": [
		{"names": ["write", "exit_group"], "action": "SCMP_ACT_ALLOW"},
		{"names": ["socket", "accept", "semget"], "action": "SCMP_ACT_ALLOW"},
		{"names": ["connect"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 1, "value": 7, "op": "SCMP_CMP_EQ"}]},
		{"names": ["bind"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 3, "op": "SCMP_CMP_EQ"}]},
		{"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [
			{"index": 0, "value": 0, "op": "SCMP_CMP_EQ"},
			{"index": 0, "value": 4294967295, "op": "SCMP_CMP_EQ"}]}
	]}`

// Profiles real users load that hit the multiplexers or repeated
// indexes build and verify: the model agrees with what libseccomp made.
func TestBuildMultiplexersAndRepeatedIndexes(t *testing.T) {
	for _, c := range []struct {
		name, json string
		host       catalog.Arch
	}{
		{"mux", muxProfile, catalog.X86_64},
		// The Kubernetes docs' fine-grained.json shape: an allow list on
		// x86_64, x86 and x32 naming socket calls one by one.
		{"fine-grained", `{"defaultAction": "SCMP_ACT_LOG", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
			"syscalls": [{"names": ["accept4", "bind", "connect", "getsockname", "listen", "recvfrom", "sendto", "setsockopt", "socket", "shutdown", "recvmsg", "sendmsg", "socketpair", "getpeername", "getsockopt", "semget", "shmat", "shmget"], "action": "SCMP_ACT_ALLOW"}]}`, catalog.X86_64},
		// moby's 2016 default: deny-list style with socketcall allowed and
		// socket conditional.
		{"deny-list", `{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
			"syscalls": [{"names": ["socket"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 40, "op": "SCMP_CMP_EQ"}]},
				{"names": ["msgrcv", "recvmmsg"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}`, catalog.X86_64},
		// A 64-bit ABI that multiplexes, compiled on this host.
		{"ppc64le", `{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_PPC64LE"],
			"syscalls": [{"names": ["socket", "recv", "shmdt"], "action": "SCMP_ACT_ALLOW"}]}`, catalog.PPC64LE},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, err := profile.Parse(c.name+".json", []byte(c.json))
			if err != nil {
				t.Fatal(err)
			}
			// Every variant the runner loads: the watch and record
			// forms notify, the rewrite stays libseccomp's.
			for _, mode := range []profile.Variant{profile.VariantWatch, profile.VariantRecord} {
				if _, err := Build(p.Effective(testEnv(c.host)), profile.Options{Variant: mode}); err != nil {
					t.Fatalf("%v: %v", mode, err)
				}
			}
			prog, err := Build(p.Effective(testEnv(c.host)), profile.Options{})
			if err != nil {
				t.Fatal(err)
			}
			// Every operation of each multiplexer was among the cases.
			for _, a := range prog.Effective.Arches {
				if !a.Multiplexes() {
					continue
				}
				ops := map[string]map[uint64]bool{catalog.SocketCall: {}, catalog.IPC: {}}
				for _, in := range Inputs(prog.Effective, prog.Options) {
					if in.Arch != a {
						continue
					}
					name := catalog.MustDefault().Name(a, in.Nr)
					if m, ok := ops[name]; ok {
						m[in.Args[0]] = true
					}
				}
				for op := uint64(1); op <= catalog.MaxSocketCallOp; op++ {
					if !ops[catalog.SocketCall][op] {
						t.Errorf("%s: socketcall(%d) is not verified", a, op)
					}
				}
				for op := range catalog.MuxOps(catalog.IPC) {
					for _, v := range []uint64{uint64(op), uint64(op) | 1<<16} {
						if !ops[catalog.IPC][v] {
							t.Errorf("%s: ipc(%#x) is not verified", a, v)
						}
					}
				}
			}
		})
	}
}

// Verification refuses a program whose multiplexer rules the model
// lacks: the program compiled for a profile that allows socket, checked
// against one that allows only what does not multiplex.
func TestVerifyProbesMultiplexers(t *testing.T) {
	withSocket, err := profile.Parse("a.json", []byte(muxProfile))
	if err != nil {
		t.Fatal(err)
	}
	prog, err := Build(withSocket.Effective(x86Env()), profile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// The same rules on x86_64 only: on x86, the model now sees no
	// socket rule for socketcall, but the program has them.
	other := withSocket.Clone()
	other.Syscalls[1].Names = []string{"socketpair"}
	prog.Effective = other.Effective(x86Env())
	err = Verify(prog)
	var verr *VerifyError
	if !errors.As(err, &verr) {
		t.Fatalf("verify passed a program that allows socketcall(SYS_SOCKET) on x86: %v", err)
	}
	found := false
	for _, m := range verr.Mismatches {
		if m.Arch == catalog.X86 && m.Syscall == "socketcall" && m.Args[0] == 1 {
			found = true
		}
	}
	if !found {
		t.Errorf("no socketcall(1) mismatch on x86 among %v", verr.Mismatches)
	}
}

// The multiplexers and the ORed conditions, under the real kernel: the
// probe calls socketcall and ipc through int $0x80 and personality
// natively; what the filter lets through gets the call's own error.
func TestMultiplexersAgreeWithKernel(t *testing.T) {
	bin := buildProbe(t)
	p, err := profile.Parse("mux.json", []byte(muxProfile))
	if err != nil {
		t.Fatal(err)
	}
	prog, err := Build(p.Effective(profile.HostEnv()), profile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	filter := filepath.Join(t.TempDir(), "mux.bpf")
	if err := os.WriteFile(filter, prog.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	ia32 := runProbe(t, bin, []string{"--no-filter", "--int80"}, "-", 20, nil).ret > 0
	efault := allowedOutcome{errno: int(syscall.EFAULT)}
	einval := allowedOutcome{errno: int(syscall.EINVAL)}
	denied := "errno(EADDRNOTAVAIL)"
	for _, c := range []struct {
		arch    catalog.Arch
		syscall string
		args    []uint64
		want    string
		allowed allowedOutcome
	}{
		// socketcall reads its arguments from a NULL pointer: EFAULT
		// when let through.
		{catalog.X86, "socketcall", []uint64{1, 0}, "allow", efault},
		{catalog.X86, "socketcall", []uint64{5, 0}, "allow", efault},
		{catalog.X86, "socketcall", []uint64{3, 7}, "allow", efault},
		{catalog.X86, "socketcall", []uint64{3, 0}, denied, allowedOutcome{}},
		{catalog.X86, "socketcall", []uint64{2, 0}, "allow", efault},
		{catalog.X86, "socketcall", []uint64{4, 0}, denied, allowedOutcome{}},
		{catalog.X86, "socketcall", []uint64{17, 0}, denied, allowedOutcome{}},
		// ipc(SEMGET, IPC_PRIVATE, nsems -1): EINVAL when let through;
		// with a version in the upper bits the kernel would do the same,
		// but libseccomp's filter compares the whole word.
		{catalog.X86, "ipc", []uint64{2, 0, 0xffffffff}, "allow", einval},
		{catalog.X86, "ipc", []uint64{2 | 1<<16, 0, 0xffffffff}, denied, allowedOutcome{}},
		{catalog.X86, "ipc", []uint64{3, 0xffffffff}, denied, allowedOutcome{}},
		// personality(0xffffffff) only queries; personality(0) sets
		// PER_LINUX, which the probe already has.
		{catalog.X86_64, "personality", []uint64{0xffffffff}, "allow", allowedOutcome{}},
		{catalog.X86_64, "personality", []uint64{0}, "allow", allowedOutcome{}},
		{catalog.X86_64, "personality", []uint64{8}, denied, allowedOutcome{}},
		{catalog.X86, "personality", []uint64{0xffffffff}, "allow", allowedOutcome{}},
		{catalog.X86, "personality", []uint64{8}, denied, allowedOutcome{}},
	} {
		var args [6]uint64
		copy(args[:], c.args)
		t.Run(fmt.Sprintf("%s/%s%s", c.arch, c.syscall, profile.FormatArgs(args)), func(t *testing.T) {
			x := kernelProbe{bin, filter, ia32}.check(t, prog, c.arch, c.syscall, c.args, c.want, c.allowed)
			if c.want == "allow" && x.Decision.Via == "" && strings.HasPrefix(c.syscall, "socketcall") {
				t.Errorf("explain does not say which call's rule decided socketcall")
			}
		})
	}
}

// What lint's ipc-version says, under the real kernel: a profile that
// denies semget lets ipc(SEMGET | 1<<16) run semget, because the kernel
// strips the version and libseccomp's rule compares the whole number.
func TestIPCVersionBypassesOnTheKernel(t *testing.T) {
	bin := buildProbe(t)
	if runProbe(t, bin, []string{"--no-filter", "--int80"}, "-", 20, nil).ret <= 0 {
		t.Skip("this kernel has no int $0x80 gate (IA32 emulation is off)")
	}
	p, err := profile.Parse("deny.json", []byte(`{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
		"syscalls": [{"names": ["semget"], "action": "SCMP_ACT_ERRNO", "errnoRet": 99}]}`))
	if err != nil {
		t.Fatal(err)
	}
	prog, err := Build(p.Effective(profile.HostEnv()), profile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	filter := filepath.Join(t.TempDir(), "deny.bpf")
	if err := os.WriteFile(filter, prog.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	ipc := int64(117)
	// semget(IPC_PRIVATE, -1, 0): EINVAL when it runs.
	if got := runProbe(t, bin, []string{"--int80"}, filter, ipc, []uint64{2, 0, 0xffffffff}); got.ret != -1 || got.errno != 99 {
		t.Errorf("ipc(SEMGET): %s, want the profile's errno 99", got)
	}
	got := runProbe(t, bin, []string{"--int80"}, filter, ipc, []uint64{2 | 1<<16, 0, 0xffffffff})
	if got.ret != -1 || got.errno != int(syscall.EINVAL) {
		t.Errorf("ipc(SEMGET | 1<<16): %s, want semget's own EINVAL", got)
	}
	x, err := Explain(prog, catalog.X86, ipc, [6]uint64{2 | 1<<16, 0, 0xffffffff})
	if err != nil || x.Decision.String() != "allow" {
		t.Errorf("explain ipc(0x10002): %v %v, want allow", x, err)
	}
}

// A rule for socket and a later unconditional one for socketcall overlap
// on x86 through libseccomp's rewrite, and libseccomp lets the
// unconditional rule win: verification refuses its filter and says why.
// The workbench's generator keeps the first match: socketcall(SOCKET)
// is allowed, any other operation gets EACCES.
func TestMultiplexerOverlapIsRefused(t *testing.T) {
	p, err := profile.Parse("o.json", []byte(`{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
		"syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"}, {"names": ["socket"], "action": "SCMP_ACT_ALLOW"},
			{"names": ["socketcall"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}`))
	if err != nil {
		t.Fatal(err)
	}
	e := p.Effective(x86Env())
	peer, err := CompileLibseccomp(e, profile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = Verify(peer)
	var verr *VerifyError
	if !errors.As(err, &verr) || !strings.Contains(verr.Hint(), "on x86 libseccomp applies the rules for socket to socketcall as well") {
		t.Fatalf("libseccomp's filter: %v", err)
	}
	prog, err := Build(e, profile.Options{})
	if err != nil || prog.Stats.Generator != GenWorkbench {
		t.Fatalf("Build: %v", err)
	}
	nr := nrOf(t, catalog.X86, catalog.SocketCall)
	for op, want := range map[uint64]string{1: "allow", 2: "errno(EACCES)", 1 | 1<<16: "errno(EACCES)"} {
		if d, _ := prog.Run(catalog.X86, nr, [6]uint64{op}); d.String() != want {
			t.Errorf("socketcall(%#x): %s, want %s", op, d, want)
		}
	}
}

// What lint's int-upper-half says about Docker's default, under the real
// kernel: socket(AF_VSOCK) is refused, socket(AF_VSOCK | 1<<32) gets past
// the filter and the kernel runs socket(AF_VSOCK).
func TestUpperHalfOnTheKernel(t *testing.T) {
	bin := buildProbe(t)
	prog, err := Build(mustOpen(t, "preset:docker-default").Effective(profile.HostEnv()), profile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	filter := filepath.Join(t.TempDir(), "docker.bpf")
	if err := os.WriteFile(filter, prog.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	nr := nrOf(t, catalog.X86_64, "socket")
	const afVsock, sockStream = 40, 1
	if got := runProbe(t, bin, nil, filter, nr, []uint64{afVsock, sockStream, 0}); got.ret != -1 || got.errno != int(syscall.EPERM) {
		t.Fatalf("socket(AF_VSOCK): %s, want Docker's EPERM", got)
	}
	// What the kernel answers to AF_VSOCK itself here (a socket, or an
	// error of its own when vsock is not built in), unfiltered.
	own := runProbe(t, bin, []string{"--no-filter"}, "-", nr, []uint64{afVsock, sockStream, 0})
	got := runProbe(t, bin, nil, filter, nr, []uint64{afVsock | 1<<32, sockStream, 0})
	if got.signal != 0 || (got.ret == -1 && got.errno == int(syscall.EPERM)) || (got.ret == -1) != (own.ret == -1) || got.errno != own.errno {
		t.Errorf("socket(AF_VSOCK | 1<<32) under the filter: %s; socket(AF_VSOCK) unfiltered: %s", got, own)
	}
	x, err := Explain(prog, catalog.X86_64, nr, [6]uint64{afVsock | 1<<32, sockStream})
	if err != nil || x.Decision.String() != "allow" {
		t.Errorf("explain: %v %v, want allow", x, err)
	}
}
