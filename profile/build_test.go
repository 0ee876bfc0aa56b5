package profile_test

import (
	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/compile"
)

func init() {
	profile.BuildForTest = func(e *profile.Effective, o profile.Options) error {
		_, err := compile.Build(e, o)
		return err
	}
}
