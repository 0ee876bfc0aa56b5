package profile

import (
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
)

// Docker's includes/excludes resolve as Docker resolves them.
func TestEffectiveResolution(t *testing.T) {
	p := mustOpen(t, "preset:docker-default")
	admin := x86Env()
	admin.Caps = append(admin.Caps, "CAP_SYS_ADMIN")
	for _, tc := range []struct {
		env  Env
		name string
		want string
	}{
		{x86Env(), "clone3", "errno(ENOSYS)"},
		{admin, "clone3", "allow"},
		{x86Env(), "mount", "errno(EPERM)"},
		{admin, "mount", "allow"},
		{Env{Host: catalog.X86_64, Kernel: Kernel{4, 4}, Caps: DockerDefaultCaps()}, "ptrace", "errno(EPERM)"},
		{x86Env(), "ptrace", "allow"}, // minKernel 4.8
		{x86Env(), "arch_prctl", "allow"},
	} {
		d, ok := p.Effective(tc.env).DecideName(catalog.X86_64, tc.name, [6]uint64{}, Options{})
		if !ok || d.String() != tc.want {
			t.Errorf("%s with caps %d kernel %s: %s, want %s", tc.name, len(tc.env.Caps), tc.env.Kernel, d, tc.want)
		}
	}
	arm := Env{Host: catalog.AArch64, Kernel: Kernel{6, 1}, Caps: DockerDefaultCaps()}
	e := p.Effective(arm)
	if len(e.Arches) != 2 || e.Arches[0] != catalog.AArch64 || e.Arches[1] != catalog.ARM {
		t.Errorf("aarch64 host arches = %v, want [aarch64 arm]", e.Arches)
	}
	if got := p.Effective(x86Env()).Arches; len(got) != 3 || got[0] != catalog.X86_64 {
		t.Errorf("x86_64 host arches = %v", got)
	}
}

func TestParseKernel(t *testing.T) {
	for in, want := range map[string]Kernel{"6.18": {6, 18}, "6.18.44-fc-v669": {6, 18}, "5.4.0-generic": {5, 4}, "4.8rc1": {4, 8}} {
		got, err := ParseKernel(in)
		if err != nil || got != want {
			t.Errorf("ParseKernel(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseKernel("six"); err == nil {
		t.Error("ParseKernel(six) accepted")
	}
}
