package diff

import (
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// The diff reads the same model: allowing socket on x86 also allows
// socketcall(SYS_SOCKET), and the diff says so.
func TestDiffSeesMultiplexers(t *testing.T) {
	parse := func(names string) *profile.Effective {
		p, err := profile.Parse("t.json", []byte(`{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
			"syscalls": [{"names": [`+names+`], "action": "SCMP_ACT_ALLOW"}]}`))
		if err != nil {
			t.Fatal(err)
		}
		return p.Effective(profile.Env{Host: catalog.X86_64, Kernel: profile.Kernel{Major: 6, Minor: 18}, Caps: profile.DockerDefaultCaps()})
	}
	cs := Diff(parse(`"read", "openat2"`), parse(`"read", "openat2", "socket"`))
	c := findChange(cs, "socketcall")
	if c == nil {
		t.Fatalf("no socketcall change in %v", cs)
	}
	if !c.Loosens || c.BDesc != "allow when arg0 == 0x1 (socket); else errno(EPERM)" || len(c.Arches) != 1 || c.Arches[0] != catalog.X86 {
		t.Errorf("socketcall: %+v", *c)
	}
}
