package runner

import (
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/profile/progcache"
)

// BenchmarkLaunchPrepare is what a launch does before the shim starts,
// for docker-default in enforce mode: compiled and verified each time,
// and taken from a primed program cache (key, read, checks).
func BenchmarkLaunchPrepare(b *testing.B) {
	e := dockerDefault(b)
	cfg := Config{Effective: e, Mode: ModeEnforce, Argv: []string{"/bin/true"}}
	b.Run("compiled", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			mustPrepare(b, cfg)
		}
	})
	b.Run("cached", func(b *testing.B) {
		c := progcache.Open(b.TempDir(), func(m string) { b.Fatal(m) })
		defer c.Close()
		cfg := cfg
		cfg.Programs = c
		mustPrepare(b, cfg)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			mustPrepare(b, cfg)
		}
	})
}
