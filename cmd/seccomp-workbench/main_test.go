package main

import (
	"fmt"
	"os"
	"testing"
)

// TestMain keeps the tests' runs out of the user's own program cache: the
// workbench they start caches under a temporary XDG_CACHE_HOME, removed
// at the end.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "seccomp-workbench-cli-cache-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv("XDG_CACHE_HOME", dir)
	code := m.Run()
	os.RemoveAll(dir)
	if builtLean.dir != "" {
		os.RemoveAll(builtLean.dir)
	}
	os.Exit(code)
}
