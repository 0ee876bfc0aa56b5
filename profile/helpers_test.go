package profile

import (
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
)

// Helpers shared by the package's tests.

// testEnv is a fixed environment, so that results do not depend on the
// machine's kernel: host's ABI, kernel 6.18, Docker's default capabilities.
func testEnv(host catalog.Arch) Env {
	return Env{Host: host, Kernel: Kernel{6, 18}, Caps: DockerDefaultCaps()}
}

func x86Env() Env { return testEnv(catalog.X86_64) }

// mustOpen opens a PROFILE argument (a path or preset:NAME).
func mustOpen(t testing.TB, arg string) *Profile {
	t.Helper()
	p, err := Open(arg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
