package compile

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// A number outside every syscall table cannot reach a call the profile
// denies. The victim asks for getpid, which both profiles deny, dressed
// up as numbers no table holds: with bit 31 set, with the x32 bit, with
// both, with bits above 32 (which the kernel drops: (int)nr, and
// seccomp_data.nr is 32 bits too, so the filter sees getpid itself), and
// -1. A pid coming back would mean getpid ran. Each answer must also be
// the one Decide gives (an allowed number that is no call returns
// ENOSYS from the kernel), as root and as nobody.
func TestOutOfTableNumbersKernel(t *testing.T) {
	bin := buildProbe(t)
	ia32 := runProbe(t, bin, []string{"--no-filter", "--int80"}, "-", 20, nil).ret > 0
	nr64, nr32 := nrOf(t, catalog.X86_64, "getpid"), nrOf(t, catalog.X86, "getpid")

	// The control: without a filter the kernel drops the high bits and
	// runs getpid, so the attack is real; bit 31 runs nothing.
	if got := runProbe(t, bin, []string{"--no-filter"}, "-", 1<<32|nr64, nil); got.ret <= 0 {
		t.Fatalf("unfiltered getpid with bit 32 set: %s, want a pid", got)
	}
	if got := runProbe(t, bin, []string{"--no-filter"}, "-", 0x80000000|nr64, nil); got.ret != -1 || got.errno != int(syscall.ENOSYS) {
		t.Fatalf("unfiltered getpid with bit 31 set: %s, want -1/ENOSYS", got)
	}

	profiles := map[string]string{
		// Allows by default; x32 is not in it, so its numbers are killed.
		"allow": `{"defaultAction": "SCMP_ACT_ALLOW",
			"architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
			"syscalls": [{"names": ["getpid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}`,
		// Denies by default with the ENOSYS stub above write, on all three.
		"deny": `{"defaultAction": "SCMP_ACT_ERRNO",
			"architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_X86"],
			"syscalls": [{"names": ["write", "exit_group", "getppid"], "action": "SCMP_ACT_ALLOW"}]}`,
	}
	dir, probe := probeForAll(t, bin)
	users := []struct {
		name string
		cred *syscall.Credential
	}{{"root", nil}, {"nobody", &syscall.Credential{Uid: 65534, Gid: 65534}}}
	if os.Geteuid() != 0 {
		users = users[:0]
		users = append(users, struct {
			name string
			cred *syscall.Credential
		}{"self", nil})
	}
	type attack struct {
		arch catalog.Arch
		nr   int64
	}
	attacks := []attack{
		{catalog.X86_64, 1<<32 | nr64},
		{catalog.X86_64, 0x80000000 | nr64},
		{catalog.X86_64, 0xc0000000 | nr64},
		{catalog.X86_64, catalog.X32SyscallBit | nr64},
		{catalog.X86_64, -(1 << 31) | nr64}, // bit 31 sign-extended
		{catalog.X86_64, -1},
		{catalog.X86, 1<<32 | nr32},
		{catalog.X86, 0x80000000 | nr32},
		{catalog.X86, -1},
	}
	for _, name := range []string{"allow", "deny"} {
		p, err := profile.Parse(name+".json", []byte(profiles[name]))
		if err != nil {
			t.Fatal(err)
		}
		e := p.Effective(profile.HostEnv())
		prog, err := Build(e, profile.Options{})
		if err != nil {
			t.Fatal(err)
		}
		filter := filepath.Join(dir, name+".bpf")
		if err := os.WriteFile(filter, prog.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, u := range users {
			for _, a := range attacks {
				t.Run(fmt.Sprintf("%s/%s/%s/%#x", name, u.name, a.arch, uint64(a.nr)), func(t *testing.T) {
					var flags []string
					if a.arch == catalog.X86 {
						if !ia32 {
							t.Skip("this kernel has no int $0x80 gate")
						}
						flags = []string{"--int80"}
					}
					want := e.Decide(a.arch, a.nr, [6]uint64{}, profile.Options{})
					if got, _ := prog.Run(a.arch, a.nr, [6]uint64{}); !got.Same(want) {
						t.Fatalf("the program does %s, Decide says %s", got, want)
					}
					got := runProbeAs(t, u.cred, probe, flags, filter, a.nr, nil)
					t.Logf("Decide: %s; the kernel: %s", want, got)
					if got.signal == 0 && got.ret > 0 {
						t.Fatalf("getpid ran: %s", got)
					}
					if !kernelAgrees(want, allowedOutcome{errno: int(syscall.ENOSYS)}, got) {
						t.Errorf("Decide says %s; the kernel: %s", want, got)
					}
				})
			}
		}
	}
}
