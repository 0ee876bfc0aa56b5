package progcache

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
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

// firstCalls runs the test named child in a fresh process of this test
// binary b.N times for each of the modes json and binary, alternating,
// with env(mode) in its environment. The child prints prefix and two
// durations in ns, its first call and its second; the medians are
// reported in µs as MODE-first-µs and MODE-second-µs.
func firstCalls(b *testing.B, child, prefix string, env func(mode string) string) {
	modes := []string{"json", "binary"}
	got := map[string][2][]float64{}
	for i := 0; i < b.N; i++ {
		for j := range modes {
			mode := modes[(i+j)%len(modes)]
			cmd := exec.Command(os.Args[0], "-test.run=^"+child+"$", "-test.count=1")
			cmd.Env = append(os.Environ(), env(mode))
			out, err := cmd.Output()
			if err != nil {
				b.Fatalf("%s: %v\n%s", mode, err, out)
			}
			var first, second float64
			_, line, _ := strings.Cut(string(out), prefix+" ")
			if _, err := fmt.Sscan(line, &first, &second); err != nil {
				b.Fatalf("%s: %v in %q", mode, err, out)
			}
			g := got[mode]
			g[0], g[1] = append(g[0], first/1e3), append(g[1], second/1e3)
			got[mode] = g
		}
	}
	median := func(v []float64) float64 {
		v = slices.Clone(v)
		slices.Sort(v)
		return v[len(v)/2]
	}
	for _, mode := range modes {
		b.ReportMetric(median(got[mode][0]), mode+"-first-µs")
		b.ReportMetric(median(got[mode][1]), mode+"-second-µs")
	}
}
