package progcache

import (
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// BenchmarkHit is a warm launch's part of the cache, split: identifying
// the binary (once per process), the key, and a whole first Build of a
// process (directory check, binary, key, read, checks).
func BenchmarkHit(b *testing.B) {
	e := dockerDefault(b)
	dir := b.TempDir()
	if _, res, err := Open(dir, nil).Build(e, profile.Options{}); err != nil || res != Stored {
		b.Fatal(res, err)
	}
	b.Run("binary-id", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := BinaryID(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("key", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := Key("id", e, profile.Options{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("first-build", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			c := Open(dir, nil)
			if _, res, err := c.Build(e, profile.Options{}); err != nil || res != Hit {
				b.Fatal(res, err)
			}
			c.Close()
		}
	})
}
