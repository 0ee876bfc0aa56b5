// Package proftest holds what the tests of profile's sub-packages share.
package proftest

import (
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// Env is a fixed environment, so that results do not depend on the
// machine's kernel: host's ABI, kernel 6.18, Docker's default capabilities.
func Env(host catalog.Arch) profile.Env {
	return profile.Env{Host: host, Kernel: profile.Kernel{Major: 6, Minor: 18}, Caps: profile.DockerDefaultCaps()}
}

// X86Env is Env on an x86_64 host.
func X86Env() profile.Env { return Env(catalog.X86_64) }

// MustOpen opens a PROFILE argument (a path or preset:NAME).
func MustOpen(t testing.TB, arg string) *profile.Profile {
	t.Helper()
	p, err := profile.Open(arg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
