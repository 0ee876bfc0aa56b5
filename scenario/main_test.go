package scenario

import (
	"os"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/runner"
)

func TestMain(m *testing.M) {
	if runner.IsShim(os.Args) {
		runner.ShimMain()
	}
	os.Exit(m.Run())
}
