package runner

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seccomp-workbench/seccomp-workbench/profile/progcache"
)

// notes records what a verbose program cache says.
type notes struct {
	mu sync.Mutex
	b  strings.Builder
}

func (n *notes) add(m string) {
	n.mu.Lock()
	n.b.WriteString(m + "\n")
	n.mu.Unlock()
}

func (n *notes) take() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	s := n.b.String()
	n.b.Reset()
	return s
}

// An enforce run takes its filter from the program cache once the cache
// has it, and the filter does the same: getppid is denied with EPERM
// without the cache, with a fresh entry and with a hit. An entry whose
// program was changed to allow getppid (its checksum no longer matches)
// is never loaded: the run still gets EPERM, and the entry is rebuilt.
func TestEnforceRunWithProgramCache(t *testing.T) {
	t.Setenv(progcache.EnvSwitch, "verbose")
	dir := t.TempDir()
	var log notes
	prof := eff(t, denyOne("getppid", "SCMP_ACT_ERRNO", 1))
	argv := []string{probe(t), "raw:110"}
	run := func(what string, c *progcache.Cache) {
		t.Helper()
		res := runIt(t, Config{Effective: prof, Mode: ModeEnforce, Argv: argv, Programs: c})
		// As the CLI does before it exits: the entry is written by then.
		c.Close()
		if !strings.Contains(res.stdout, "raw 110 = -1 EPERM") || res.verdict.Result != ResultPass {
			t.Fatalf("%s: getppid was not denied with EPERM: %q, %+v", what, res.stdout, res.verdict)
		}
	}
	run("without the cache", nil)
	open := func() *progcache.Cache {
		c := progcache.FromEnv(log.add)
		t.Cleanup(func() { c.Close() })
		return c
	}
	t.Setenv("XDG_CACHE_HOME", dir)
	run("first run", open())
	if n := log.take(); !strings.Contains(n, "stored") {
		t.Fatalf("the first run did not store its program: %q", n)
	}
	run("second run", open())
	if n := log.take(); !strings.Contains(n, ": hit ") {
		t.Fatalf("the second run did not take its program from the cache: %q", n)
	}
	entries, _ := filepath.Glob(filepath.Join(dir, "seccomp-workbench", "*.prog"))
	if len(entries) != 1 {
		t.Fatalf("entries: %v", entries)
	}
	good, err := os.ReadFile(entries[0])
	if err != nil {
		t.Fatal(err)
	}
	// ret ERRNO|EPERM (little-endian sock_filter: code 0x06, k 0x00050001)
	// becomes ret ALLOW: a well-formed program that lets getppid through.
	deny := []byte{0x06, 0, 0, 0, 0x01, 0, 0x05, 0}
	allow := []byte{0x06, 0, 0, 0, 0, 0, 0xff, 0x7f}
	if bytes.Count(good, deny) == 0 {
		t.Fatal("the entry holds no return of errno EPERM")
	}
	// Every one of them (a program per ABI has one each).
	if err := os.WriteFile(entries[0], bytes.ReplaceAll(good, deny, allow), 0o600); err != nil {
		t.Fatal(err)
	}
	run("tampered entry", open())
	if n := log.take(); !strings.Contains(n, "checksum does not match") || !strings.Contains(n, "stored") {
		t.Fatalf("the tampered entry was not refused and rebuilt: %q", n)
	}
	if now, _ := os.ReadFile(entries[0]); !bytes.Equal(now, good) {
		t.Fatal("the tampered entry was not replaced by the verified program")
	}
	// Watch mode's filter carries the run's secret: built every time.
	res := runIt(t, Config{Effective: prof, Argv: argv, Programs: open()})
	if _, ok := res.denied("getppid"); !ok {
		t.Fatalf("watch mode did not report getppid: %+v", res.verdict)
	}
	if n := log.take(); !strings.Contains(n, "not used: a watch filter holds the run's secret") || strings.Contains(n, "stored") || strings.Contains(n, "hit") {
		t.Fatalf("watch mode used the cache, or did not say why not: %q", n)
	}
}

// A program new to the cache is written only once the shim has the
// spec: while the target is held back (Config.Hold), the entry does not
// exist; once the run is over and the cache closed, it does.
func TestProgramStoredAfterTheSpec(t *testing.T) {
	t.Setenv(progcache.EnvSwitch, "verbose")
	dir := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", dir)
	var log notes
	c := progcache.FromEnv(log.add)
	t.Cleanup(func() { c.Close() })
	hold := make(chan struct{})
	res := startHeld(t, t.Context(), Config{Effective: eff(t, denyOne("getppid", "SCMP_ACT_ERRNO", 1)), Mode: ModeEnforce,
		Argv: []string{"/bin/true"}, Programs: c, Hold: hold})
	// The filter is built meanwhile (milliseconds); an entry written
	// with it would be there by now.
	time.Sleep(300 * time.Millisecond)
	entries := func() []string {
		e, _ := filepath.Glob(filepath.Join(dir, "seccomp-workbench", "*.prog"))
		return e
	}
	if e := entries(); len(e) != 0 {
		close(hold)
		<-res
		t.Fatalf("the entry was written while the target was held back, before the spec: %v", e)
	}
	releaseHeld(t, hold, res)
	c.Close()
	if e := entries(); len(e) != 1 || !strings.Contains(log.take(), "stored") {
		t.Fatalf("after the run the cache holds %v: the program was not stored", e)
	}
}
