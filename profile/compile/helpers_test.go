package compile

import "github.com/seccomp-workbench/seccomp-workbench/profile/internal/proftest"

// Helpers shared by the package's tests (profile/internal/proftest).
var (
	testEnv  = proftest.Env
	x86Env   = proftest.X86Env
	mustOpen = proftest.MustOpen
)
