package progcache

import (
	"path/filepath"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// BuildDeferred writes nothing until its store is called, and the store
// writes once however often it is called; one never called is written
// by Close, which does not block on it.
func TestBuildDeferredStores(t *testing.T) {
	e := dockerDefault(t)
	for _, how := range []string{"called twice", "never called"} {
		t.Run(how, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "c")
			var n int
			testHook = func(stage string) {
				if stage == "store" {
					n++
				}
			}
			t.Cleanup(func() { testHook = nil })
			c := Open(dir, nil)
			p, res, store, err := c.BuildDeferred(e, profile.Options{})
			if err != nil || p == nil || res != Storing || store == nil {
				t.Fatalf("BuildDeferred = %v, %v, store %v, %v; want a program to store", p != nil, res, store != nil, err)
			}
			if got := entries(t, dir); len(got) != 0 || n != 0 {
				t.Fatalf("before its store was called the entry was written (%v, %d stores)", got, n)
			}
			if how == "called twice" {
				store()
				store()
			}
			c.Close()
			if got := entries(t, dir); len(got) != 1 || n != 1 {
				t.Fatalf("after Close: entries %v, %d stores; want 1 and 1", got, n)
			}
			if _, res := build(t, Open(dir, nil), e, profile.Options{}); res != Hit {
				t.Errorf("the stored entry is not a hit: %v", res)
			}
		})
	}
}
