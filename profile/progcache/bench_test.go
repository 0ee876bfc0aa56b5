package progcache

import (
	"path/filepath"
	"strconv"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/compile"
)

// BenchmarkHit is a warm launch's part of the cache, split: identifying
// the binary (once per process), the key, and a whole first Build of a
// process (directory check, binary, key, read, checks).
func BenchmarkHit(b *testing.B) {
	e := dockerDefault(b)
	dir := b.TempDir()
	c := Open(dir, nil)
	if _, res, err := c.Build(e, profile.Options{}); err != nil || res != Storing {
		b.Fatal(res, err)
	}
	c.Close()
	b.Run("binary-id", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := BinaryID(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("key", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			Key("id", e, profile.Options{})
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

// BenchmarkCold is a cold launch's part of the cache: a first Build of a
// process into an empty, new cache home (the benchmark's fresh
// XDG_CACHE_HOME), then Close. compile.Build alone is the floor.
func BenchmarkCold(b *testing.B) {
	e := dockerDefault(b)
	b.Run("compile-only", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := compile.Build(e, profile.Options{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("build", func(b *testing.B) {
		base := b.TempDir()
		for i := 0; i < b.N; i++ {
			c := Open(filepath.Join(base, strconv.Itoa(i), "seccomp-workbench"), nil)
			if _, res, err := c.Build(e, profile.Options{}); err != nil || res == Compiled {
				b.Fatal(res, err)
			}
			c.Close()
		}
	})
	b.Run("build-to-return", func(b *testing.B) {
		// What the caller waits for before it can go on; the store
		// may still be running, and Close (not timed) waits for it.
		base := b.TempDir()
		cs := make([]*Cache, 0, b.N)
		for i := 0; i < b.N; i++ {
			c := Open(filepath.Join(base, strconv.Itoa(i), "seccomp-workbench"), nil)
			if _, res, err := c.Build(e, profile.Options{}); err != nil || res == Compiled {
				b.Fatal(res, err)
			}
			cs = append(cs, c)
		}
		b.StopTimer()
		for _, c := range cs {
			c.Close()
		}
	})
	p, err := compile.Build(e, profile.Options{})
	if err != nil {
		b.Fatal(err)
	}
	key := Key("id", e, profile.Options{})
	data, err := encodeEntry(key, p)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("open-dir", func(b *testing.B) {
		base := b.TempDir()
		for i := 0; i < b.N; i++ {
			c := Open(filepath.Join(base, strconv.Itoa(i), "seccomp-workbench"), nil)
			if !c.openDir() {
				b.Fatal("not opened")
			}
			c.Close()
		}
	})
	b.Run("encode", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := encodeEntry(key, p); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("store-into-empty", func(b *testing.B) {
		base := b.TempDir()
		cs := make([]*Cache, b.N)
		for i := range cs {
			cs[i] = Open(filepath.Join(base, strconv.Itoa(i), "seccomp-workbench"), nil)
			if !cs[i].openDir() {
				b.Fatal("not opened")
			}
		}
		b.ResetTimer()
		for _, c := range cs {
			if err := c.store("x"+entryExt, data); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		for _, c := range cs {
			c.Close()
		}
	})
}
