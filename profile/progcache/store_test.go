package progcache

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/compile"
)

// Build returns the verified program before its entry is written (with
// no cache home yet, before the directory is made) and Close waits for
// the store: after Close there is one whole entry and no temporary file.
func TestCloseWaitsForTheStore(t *testing.T) {
	e := dockerDefault(t)
	want, err := compile.Build(e, profile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "home", "c")
	started, release := make(chan struct{}, 1), make(chan struct{})
	testHook = func(stage string) {
		if stage == "store" {
			started <- struct{}{}
			<-release
		}
	}
	t.Cleanup(func() { testHook = nil })
	c := Open(dir, nil)
	p, res, err := c.Build(e, profile.Options{})
	if err != nil || res != Storing {
		t.Fatalf("Build: %v, %v; want storing", res, err)
	}
	samePrograms(t, "the program Build returned", p, want)
	<-started
	if _, err := os.Lstat(filepath.Dir(dir)); !os.IsNotExist(err) {
		t.Fatalf("the cache home was made before Build returned: %v", err)
	}
	closed := make(chan error, 1)
	go func() { closed <- c.Close() }()
	select {
	case err := <-closed:
		t.Fatalf("Close returned (%v) before the store ran", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "*")); len(m) != 1 || !strings.HasSuffix(m[0], entryExt) {
		t.Fatalf("after Close the directory holds %v, want one entry", m)
	}
	testHook = nil
	got, res := build(t, Open(dir, nil), e, profile.Options{})
	if res != Hit {
		t.Fatalf("after Close: %v, want hit", res)
	}
	samePrograms(t, "the entry Close waited for", got, want)
}

// A cache home that cannot be made is found out by the store: the launch
// is not held up, the warning comes once, when the store gives up, and
// that Cache compiles without a directory from then on.
func TestHomeThatCannotBeMade(t *testing.T) {
	e := dockerDefault(t)
	// A dangling symlink on the way: nothing is there to look at, and
	// MkdirAll cannot make it.
	home := filepath.Join(t.TempDir(), "home")
	if err := os.Symlink(filepath.Join(t.TempDir(), "gone"), home); err != nil {
		t.Fatal(err)
	}
	var w warnings
	c := Open(filepath.Join(home, "xdg", "c"), w.add)
	if _, res, err := c.Build(e, profile.Options{}); err != nil || res != Storing {
		t.Fatalf("first Build: %v, %v; want storing", res, err)
	}
	c.busy.Wait()
	ws := w.list()
	if len(ws) != 1 || !strings.HasPrefix(ws[0], "warning: ") || !strings.Contains(ws[0], "file exists") {
		t.Fatalf("warnings %q, want one saying the home cannot be made", ws)
	}
	if _, res := build(t, c, e, profile.Options{}); res != Compiled {
		t.Fatalf("Build after the refusal: %v, want compiled", res)
	}
	if got := w.list(); len(got) != 1 {
		t.Fatalf("warned again: %q", got)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
}

// A launch builds on a goroutine of its own and may fail, and Close,
// while a Build is under way: Close waits for that Build and its store,
// and a Build after Close compiles without the directory.
func TestCloseWaitsForABuildUnderWay(t *testing.T) {
	e := dockerDefault(t)
	dir := t.TempDir()
	entered, release := make(chan struct{}, 1), make(chan struct{})
	testHook = func(stage string) {
		if stage == "build" {
			entered <- struct{}{}
			<-release
		}
	}
	t.Cleanup(func() { testHook = nil })
	c := Open(dir, nil)
	type built struct {
		res Result
		err error
	}
	done := make(chan built, 1)
	go func() {
		_, res, err := c.Build(e, profile.Options{})
		done <- built{res, err}
	}()
	<-entered
	closed := make(chan error, 1)
	go func() { closed <- c.Close() }()
	select {
	case err := <-closed:
		t.Fatalf("Close returned (%v) while a Build was under way", err)
	case <-time.After(100 * time.Millisecond):
	}
	testHook = nil
	close(release)
	if b := <-done; b.err != nil || b.res != Storing {
		t.Fatalf("the Build under way: %v, %v; want storing", b.res, b.err)
	}
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "*")); len(m) != 1 || !strings.HasSuffix(m[0], entryExt) {
		t.Fatalf("after Close the directory holds %v, want the Build's one entry", m)
	}
	other := parse(t, `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": []}`)
	if _, res := build(t, c, other, profile.Options{}); res != Compiled {
		t.Fatalf("a Build after Close: %v, want compiled", res)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "*")); len(m) != 1 {
		t.Fatalf("a Build after Close wrote to the directory: %v", m)
	}
}
