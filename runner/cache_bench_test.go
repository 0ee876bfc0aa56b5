package runner

import (
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/profile/progcache"
)

// BenchmarkLaunchPrepare is what a launch prepares (its checks and its
// filter, which the shim's start runs beside), for docker-default in
// enforce mode: compiled and verified each time, and taken from a primed
// program cache (key, read, checks) and verified.
func BenchmarkLaunchPrepare(b *testing.B) {
	e := dockerDefault(b)
	cfg := Config{Effective: e, Mode: ModeEnforce, Argv: []string{"/bin/true"}}
	b.Run("compiled", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			mustPrepare(b, cfg)
		}
	})
	b.Run("cached", func(b *testing.B) {
		dir := b.TempDir()
		cfg := cfg
		cfg.Programs = progcache.Open(dir, func(m string) { b.Fatal(m) })
		mustPrepare(b, cfg)
		cfg.Programs.Close() // the entry is written
		c := progcache.Open(dir, func(m string) { b.Fatal(m) })
		defer c.Close()
		cfg.Programs = c
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			mustPrepare(b, cfg)
		}
	})
}
