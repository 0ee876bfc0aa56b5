package compile

import (
	"slices"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// The numbers outside every table are among Verify's cases, and the
// programs of profiles whose dispatch treats them in each of its ways
// (x86_64 alone, x32 alone, both, arm's private range; allow or deny by
// default) agree with Decide on them in every variant.
func TestVerifyOutOfTable(t *testing.T) {
	docs := []string{
		`{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
			"syscalls": [{"names": ["getpid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}`,
		`{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"],
			"syscalls": [{"names": ["write", "sendmsg", "execve"], "action": "SCMP_ACT_ALLOW"}]}`,
		`{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X32"],
			"syscalls": [{"names": ["getpid"], "action": "SCMP_ACT_KILL_PROCESS"}]}`,
		`{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X32"],
			"syscalls": [{"names": ["write"], "action": "SCMP_ACT_ALLOW"}]}`,
		`{"defaultAction": "SCMP_ACT_KILL_PROCESS", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_X86"],
			"syscalls": [{"names": ["write", "getppid"], "action": "SCMP_ACT_ALLOW"}]}`,
		`{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X32", "SCMP_ARCH_X86_64"],
			"syscalls": [{"names": ["getpid"], "action": "SCMP_ACT_ERRNO"}]}`,
		`{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_ARM"],
			"syscalls": [{"names": ["write"], "action": "SCMP_ACT_ALLOW"}]}`,
	}
	x := &profile.Exemption{Arch: catalog.X86_64, HandoffFD: 3, Magic: [3]uint64{0x5eccc0de, 0x1234567890abcdef, 42}}
	variants := []profile.Options{
		{}, {NoENOSYS: true},
		{Variant: profile.VariantWatch}, {Variant: profile.VariantWatch, Exempt: x},
		{Variant: profile.VariantRecord}, {Variant: profile.VariantRecord, Exempt: x},
	}
	for i, doc := range docs {
		p, err := profile.Parse("edge.json", []byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		e := p.Effective(x86Env())
		for _, o := range variants {
			in := Inputs(e, o)
			for _, arch := range catalog.Arches() {
				for _, nr := range []int64{0x80000000, 0xc0000000, profile.NrSkip} {
					if !slices.Contains(in, Input{Arch: arch, Nr: nr}) {
						t.Fatalf("profile %d: no case for %s %#x", i, arch, nr)
					}
				}
			}
			if _, err := Build(e, o); err != nil {
				t.Errorf("profile %d, %+v: %v", i, o, err)
			}
		}
	}
}
