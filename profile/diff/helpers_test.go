package diff

import (
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// Helpers shared by the package's tests.

// testEnv is a fixed environment, so that results do not depend on the
// machine's kernel: host's ABI, kernel 6.18, Docker's default capabilities.
func testEnv(host catalog.Arch) profile.Env {
	return profile.Env{Host: host, Kernel: profile.Kernel{Major: 6, Minor: 18}, Caps: profile.DockerDefaultCaps()}
}

func x86Env() profile.Env { return testEnv(catalog.X86_64) }

// mustOpen opens a PROFILE argument (a path or preset:NAME).
func mustOpen(t testing.TB, arg string) *profile.Profile {
	t.Helper()
	p, err := profile.Open(arg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
