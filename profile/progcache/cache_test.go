package progcache

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/cbpf"
	"github.com/seccomp-workbench/seccomp-workbench/profile/compile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/internal/proftest"
)

// writerEnv makes the test binary a cache writer: it builds
// docker-default into the directory named and exits (the concurrent
// processes of TestConcurrentWriters).
const writerEnv = "PROGCACHE_TEST_WRITER"

// readerEnv makes the test binary build docker-default through the cache
// in the directory named and print the result and each warning
// (TestOtherUsersCacheRefused runs it as nobody).
const readerEnv = "PROGCACHE_TEST_READER"

func TestMain(m *testing.M) {
	if dir := os.Getenv(readerEnv); dir != "" {
		p, err := profile.Open("preset:docker-default")
		if err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		c := Open(dir, func(m string) { fmt.Println(m) })
		_, res, err := c.Build(p.Effective(proftest.X86Env()), profile.Options{})
		c.Close()
		fmt.Println("result:", res, err)
		os.Exit(0)
	}
	if dir := os.Getenv(writerEnv); dir != "" {
		p, err := profile.Open("preset:docker-default")
		if err == nil {
			// Closed before the exit, as the CLI does: the entry is
			// written whole before the process ends.
			c := Open(dir, nil)
			_, res, berr := c.Build(p.Effective(proftest.X86Env()), profile.Options{})
			c.Close()
			err = berr
			fmt.Println(res)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func dockerDefault(t testing.TB) *profile.Effective {
	return proftest.MustOpen(t, "preset:docker-default").Effective(proftest.X86Env())
}

func parse(t testing.TB, js string) *profile.Effective {
	t.Helper()
	p, err := profile.Parse("test.json", []byte(js))
	if err != nil {
		t.Fatal(err)
	}
	return p.Effective(proftest.X86Env())
}

// warnings counts what a Cache warns.
type warnings struct {
	mu   sync.Mutex
	msgs []string
}

func (w *warnings) add(m string) {
	w.mu.Lock()
	w.msgs = append(w.msgs, m)
	w.mu.Unlock()
}

func (w *warnings) list() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.msgs)
}

// build is c.Build, then a wait for the stores it started (what Close
// waits for), so that the next look at the directory sees the entry.
func build(t *testing.T, c *Cache, e *profile.Effective, o profile.Options) (*compile.Program, Result) {
	t.Helper()
	p, res, err := c.Build(e, o)
	if err != nil {
		t.Fatal(err)
	}
	if c != nil {
		c.busy.Wait()
	}
	return p, res
}

func samePrograms(t *testing.T, what string, got, want *compile.Program) {
	t.Helper()
	if !slices.Equal(got.Insns, want.Insns) {
		t.Fatalf("%s: the program differs from a fresh Build (%d vs %d instructions)", what, len(got.Insns), len(want.Insns))
	}
	if fmt.Sprint(got.Stats) != fmt.Sprint(want.Stats) {
		t.Fatalf("%s: stats %+v, a fresh Build's %+v", what, got.Stats, want.Stats)
	}
}

// entries lists the cache's entry files.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(dir, "*"+entryExt))
	return m
}

// A hit returns what a fresh Build returns, for several profiles and
// options; each is stored once; every program passes the kernel's
// static check.
func TestHitIsTheVerifiedProgram(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "c")
	var w warnings
	c := Open(dir, w.add)
	profiles := map[string]*profile.Effective{
		"docker-default": dockerDefault(t),
		"deny one":       parse(t, `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}`),
		"allow list": parse(t, `{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"], "syscalls": [
			{"names": ["read", "write", "exit_group"], "action": "SCMP_ACT_ALLOW"},
			{"names": ["openat"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 2, "value": 0, "op": "SCMP_CMP_EQ"}]}]}`),
	}
	opts := map[string]profile.Options{
		"enforce": {}, "watch": {Variant: profile.VariantWatch}, "no enosys": {NoENOSYS: true}, "no optimize": {NoOptimize: true},
	}
	n := 0
	for pn, e := range profiles {
		for on, o := range opts {
			what := pn + "/" + on
			fresh, err := compile.Build(e, o)
			if err != nil {
				t.Fatal(err)
			}
			if err := cbpf.Check(fresh.Insns); err != nil {
				t.Fatalf("%s: a verified program fails the static check: %v", what, err)
			}
			first, res := build(t, c, e, o)
			if res != Storing {
				t.Fatalf("%s: first Build = %v, want storing", what, res)
			}
			samePrograms(t, what+" (stored)", first, fresh)
			again, res := build(t, Open(dir, w.add), e, o)
			if res != Hit {
				t.Fatalf("%s: second Build = %v, want hit", what, res)
			}
			samePrograms(t, what+" (hit)", again, fresh)
			if again.Effective != e || again.Options != o {
				t.Fatalf("%s: the hit is not for the effective profile and options asked", what)
			}
			n++
		}
	}
	if got := len(entries(t, dir)); got != n {
		t.Errorf("%d entries for %d distinct programs", got, n)
	}
	if ws := w.list(); len(ws) > 0 {
		t.Errorf("warnings: %q", ws)
	}
	// The runner's exemption carries the run's secret: never stored.
	x := profile.Options{Variant: profile.VariantWatch, Exempt: &profile.Exemption{Arch: "x86_64", HandoffFD: 5, Magic: [3]uint64{1, 2, 3}}}
	if _, res := build(t, c, dockerDefault(t), x); res != Compiled {
		t.Errorf("a program with the exemption: %v, want compiled (not cached)", res)
	}
	if got := len(entries(t, dir)); got != n {
		t.Errorf("the exempt program was written: %d entries", got)
	}
}

// Key tells apart what changes the program, and only that.
func TestKey(t *testing.T) {
	e := dockerDefault(t)
	k := func(bin string, e *profile.Effective, o profile.Options) string {
		key := Key(bin, e, o)
		return hex.EncodeToString(key[:])
	}
	base := k("b1", e, profile.Options{})
	if k("b1", dockerDefault(t), profile.Options{}) != base {
		t.Fatal("the same profile resolved twice has two keys")
	}
	other := *e
	other.Rules = slices.Clone(e.Rules)
	other.Rules[3].Action = profile.ActKillProcess
	fewer := *e
	fewer.Arches = e.Arches[:1]
	def := *e
	def.DefaultErrno = 13
	for name, key := range map[string]string{
		"binary":      k("b2", e, profile.Options{}),
		"variant":     k("b1", e, profile.Options{Variant: profile.VariantWatch}),
		"no enosys":   k("b1", e, profile.Options{NoENOSYS: true}),
		"no optimize": k("b1", e, profile.Options{NoOptimize: true}),
		"a rule":      k("b1", &other, profile.Options{}),
		"arches":      k("b1", &fewer, profile.Options{}),
		"default":     k("b1", &def, profile.Options{}),
	} {
		if key == base {
			t.Errorf("changing the %s keeps the key", name)
		}
	}
}

func TestBinaryID(t *testing.T) {
	id, err := BinaryID()
	if err != nil {
		t.Fatal(err)
	}
	exe, _ := os.Executable()
	out, err := exec.Command("go", "tool", "buildid", exe).Output()
	if err != nil {
		t.Fatal(err)
	}
	want := "Go:" + hex.EncodeToString(bytes.TrimSpace(out)) + ";"
	if !strings.Contains(id, want) {
		t.Errorf("BinaryID = %q, want it to hold the Go build ID %q (%s)", id, want, bytes.TrimSpace(out))
	}
}

// corrupt rewrites the entry at path.
type corruption struct {
	name string
	do   func(t *testing.T, path string, good []byte)
	why  string // in the note on the ignored entry
}

func flip(off int) func(*testing.T, string, []byte) {
	return func(t *testing.T, path string, good []byte) {
		b := slices.Clone(good)
		if off < 0 {
			off = len(b) + off
		}
		b[off] ^= 0x40
		writeEntry(t, path, b)
	}
}

func writeEntry(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path+".new", b, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path+".new", path); err != nil {
		t.Fatal(err)
	}
}

// stats replaces the entry's stats with what edit makes of them, lengths
// and checksum right.
func stats(edit func(*testing.T, []byte) []byte) func(*testing.T, string, []byte) {
	return func(t *testing.T, path string, good []byte) {
		n := int(binary.LittleEndian.Uint32(good[12:]))
		writeEntry(t, path, withStats(good, edit(t, slices.Clone(good[headerLen+8*n:]))))
	}
}

// statsOf replaces the entry's stats with an edit of them, encoded.
func statsOf(edit func(*compile.Stats)) func(*testing.T, string, []byte) {
	return stats(func(t *testing.T, b []byte) []byte {
		s, err := decodeStats(b)
		if err != nil {
			t.Fatal(err)
		}
		edit(&s)
		return appendStats(nil, &s)
	})
}

// A corrupt, truncated or mismatched entry is never loaded: Build
// returns the verified program, stores it again, and the next Build
// hits.
func TestCorruptEntriesAreRebuilt(t *testing.T) {
	e := parse(t, `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}`)
	allow := parse(t, `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": []}`)
	want, err := compile.Build(e, profile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cases := []corruption{
		{"magic", flip(0), "not a program cache entry"},
		{"version", flip(8), "format version"},
		{"instruction count", flip(12), "lengths"},
		{"stats length", flip(16), "lengths"},
		{"reserved word", flip(20), "lengths"},
		{"key", flip(30), "another key"},
		{"checksum", flip(60), "checksum"},
		{"first instruction", flip(headerLen), "checksum"},
		{"a jump", flip(headerLen + 8*5 + 2), "checksum"},
		{"last instruction's action", flip(headerLen + 8*len(want.Insns) - 1), "checksum"},
		{"stats", flip(-2), "checksum"},
		{"truncated in the program", func(t *testing.T, p string, g []byte) { writeEntry(t, p, g[:headerLen+12]) }, "lengths"},
		{"truncated in the header", func(t *testing.T, p string, g []byte) { writeEntry(t, p, g[:20]) }, "not a program cache entry"},
		{"empty", func(t *testing.T, p string, g []byte) { writeEntry(t, p, nil) }, "not a program cache entry"},
		{"longer", func(t *testing.T, p string, g []byte) { writeEntry(t, p, append(slices.Clone(g), 0)) }, "lengths"},
		{"garbage", func(t *testing.T, p string, g []byte) {
			b := make([]byte, len(g))
			rand.Read(b)
			writeEntry(t, p, b)
		}, "not a program cache entry"},
		{"another key's entry", func(t *testing.T, p string, g []byte) {
			// A whole, valid entry of the allow-all profile under this name.
			other, err := compile.Build(allow, profile.Options{})
			if err != nil {
				t.Fatal(err)
			}
			k := Key("x", allow, profile.Options{})
			b, err := encodeEntry(k, other)
			if err != nil {
				t.Fatal(err)
			}
			writeEntry(t, p, b)
		}, "another key"},
		{"a program the kernel refuses, checksum right", func(t *testing.T, p string, g []byte) {
			// The right key and a matching checksum around a program that
			// runs off its end: the static check refuses it.
			bad := *want
			bad.Insns = slices.Clone(want.Insns)
			bad.Insns[len(bad.Insns)-1] = bpf.RawInstruction{Op: 0x07} // tax
			b, err := encodeEntry([32]byte(g[24:56]), &bad)
			if err != nil {
				t.Fatal(err)
			}
			writeEntry(t, p, b)
		}, "not one the kernel accepts"},
		{"an entry of format 1 (stats as JSON), every check of its own right", func(t *testing.T, p string, g []byte) {
			b, err := encodeEntryV1([32]byte(g[24:56]), want)
			if err != nil {
				t.Fatal(err)
			}
			writeEntry(t, p, b)
		}, fmt.Sprintf("format version 1, not %d", formatVersion)},
		// What a target run as the user could write: stats that are not
		// appendStats' or not the program's, lengths and checksum right.
		{"stats cut short, checksum right", stats(func(t *testing.T, s []byte) []byte { return s[:len(s)-1] }), "the stats: it ends inside a number"},
		{"no stats, checksum right", stats(func(t *testing.T, s []byte) []byte { return nil }), "the stats: it ends inside a number"},
		{"a byte after the stats, checksum right", stats(func(t *testing.T, s []byte) []byte { return append(s, 0) }), "the stats: 1 bytes after the end"},
		{"a string's length beyond the stats, checksum right", stats(func(t *testing.T, s []byte) []byte {
			return appendUint(appendInt(nil, int64(len(want.Insns))), 1<<20)
		}), "the stats: a length of 1048576"},
		{"a padded number in the stats, checksum right", stats(func(t *testing.T, s []byte) []byte {
			if s[0] >= 0x80 {
				t.Fatal("the instruction count takes more than a byte")
			}
			return append([]byte{0x80 | s[0], 0}, s[1:]...)
		}), "the stats: a number is not in its shortest form"},
		{"the stats of another program, checksum right", statsOf(func(s *compile.Stats) { s.Instructions++ }), "the stats: they count"},
		{"an unknown generator, checksum right", statsOf(func(s *compile.Stats) { s.Generator = "gcc" }), `the stats: generator "gcc"`},
		{"a prelude beyond the program, checksum right", statsOf(func(s *compile.Stats) { s.Prelude = s.Instructions + 1 }), "the stats: a prelude of"},
		{"a forged weaker program, every check right", func(t *testing.T, p string, g []byte) {
			// What a target run as the user could plant: the right key,
			// a matching checksum and a valid program that allows
			// everything. Only verifying the hit catches it.
			forged := *want
			forged.Insns = []bpf.RawInstruction{{Op: 0x06, K: 0x7fff0000}} // ret ALLOW
			forged.Stats.Instructions, forged.Stats.Prelude = 1, 0
			b, err := encodeEntry([32]byte(g[24:56]), &forged)
			if err != nil {
				t.Fatal(err)
			}
			writeEntry(t, p, b)
		}, "does not mean what the profile means"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			var w warnings
			cache := Open(dir, w.add)
			cache.verbose = true
			if _, res := build(t, cache, e, profile.Options{}); res != Storing {
				t.Fatalf("first Build: %v", res)
			}
			paths := entries(t, dir)
			if len(paths) != 1 {
				t.Fatalf("entries: %v", paths)
			}
			good, err := os.ReadFile(paths[0])
			if err != nil {
				t.Fatal(err)
			}
			c.do(t, paths[0], good)
			again := Open(dir, w.add)
			again.verbose = true
			got, res := build(t, again, e, profile.Options{})
			if res != Storing {
				t.Fatalf("Build after the corruption: %v, want a fresh verified build stored", res)
			}
			samePrograms(t, "after the corruption", got, want)
			if now, _ := os.ReadFile(paths[0]); !bytes.Equal(now, good) {
				t.Fatal("the corrupt entry was not replaced by the good one")
			}
			if _, res := build(t, Open(dir, w.add), e, profile.Options{}); res != Hit {
				t.Fatalf("Build after the repair: %v, want hit", res)
			}
			if !slices.ContainsFunc(w.list(), func(m string) bool { return strings.Contains(m, "ignored") && strings.Contains(m, c.why) }) {
				t.Errorf("the notes do not say the entry was ignored because of %q: %q", c.why, w.list())
			}
		})
	}
}

// A cache directory someone else could write is not used: warned once,
// and nothing is written there.
func TestUnsafeDirectoryRefused(t *testing.T) {
	e := dockerDefault(t)
	cases := []struct {
		name string
		make func(t *testing.T, dir string)
		warn string
	}{
		{"group writable", func(t *testing.T, dir string) { mkdir(t, dir, 0o770) }, "writable by group or others"},
		{"world writable", func(t *testing.T, dir string) { mkdir(t, dir, 0o707) }, "writable by group or others"},
		{"symlink", func(t *testing.T, dir string) {
			real := dir + ".real"
			mkdir(t, real, 0o700)
			if err := os.Symlink(real, dir); err != nil {
				t.Fatal(err)
			}
		}, "symlink"},
		{"a file", func(t *testing.T, dir string) { writeEntry(t, dir, []byte("x")) }, "not a directory"},
		{"owned by nobody", func(t *testing.T, dir string) {
			needRoot(t)
			mkdir(t, dir, 0o700)
			if err := os.Chown(dir, 65534, 65534); err != nil {
				t.Fatal(err)
			}
		}, "owned by uid 65534"},
		{"root, in nobody's home", func(t *testing.T, dir string) {
			// dir is .../c; its parent becomes nobody's home, where root
			// must not make directories of its own.
			needRoot(t)
			if err := os.Chown(filepath.Dir(dir), 65534, 65534); err != nil {
				t.Fatal(err)
			}
		}, "in a directory of uid 65534, not root's"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "c")
			c.make(t, dir)
			var w warnings
			cache := Open(dir, w.add)
			for i := 0; i < 2; i++ {
				if _, res := build(t, cache, e, profile.Options{}); res != Compiled {
					t.Fatalf("Build %d: %v, want compiled without the cache", i, res)
				}
			}
			ws := w.list()
			if len(ws) != 1 || !strings.Contains(ws[0], c.warn) || !strings.HasPrefix(ws[0], "warning: ") {
				t.Fatalf("warnings %q, want one saying %q", ws, c.warn)
			}
			if m, _ := filepath.Glob(filepath.Join(dir+"*", "*")); len(m) > 0 {
				t.Fatalf("the refused cache was written: %v", m)
			}
			if c.name == "root, in nobody's home" {
				if _, err := os.Lstat(dir); !os.IsNotExist(err) {
					t.Fatalf("root made %s in nobody's directory: %v", dir, err)
				}
			}
		})
	}
}

// An entry someone else could have written, or that is not a plain
// file, is not read; it is replaced by a verified build.
func TestUnsafeEntryRefused(t *testing.T) {
	e := parse(t, `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}`)
	want, err := compile.Build(e, profile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		make func(t *testing.T, path string, good []byte)
		warn string
	}{
		{"group writable", func(t *testing.T, p string, _ []byte) { os.Chmod(p, 0o620) }, "writable by group or others"},
		{"owned by nobody", func(t *testing.T, p string, _ []byte) {
			needRoot(t)
			if err := os.Chown(p, 65534, 65534); err != nil {
				t.Fatal(err)
			}
		}, "owned by uid 65534"},
		{"symlink to a good entry", func(t *testing.T, p string, good []byte) {
			elsewhere := filepath.Join(t.TempDir(), "e")
			os.WriteFile(elsewhere, good, 0o600)
			os.Remove(p)
			os.Symlink(elsewhere, p)
		}, "symlink"},
		{"fifo", func(t *testing.T, p string, _ []byte) {
			os.Remove(p)
			if err := unix.Mkfifo(p, 0o600); err != nil {
				t.Fatal(err)
			}
		}, "not a regular file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			if _, res := build(t, Open(dir, nil), e, profile.Options{}); res != Storing {
				t.Fatal(res)
			}
			path := entries(t, dir)[0]
			good, _ := os.ReadFile(path)
			c.make(t, path, good)
			var w warnings
			cache := Open(dir, w.add)
			got, res := build(t, cache, e, profile.Options{})
			if res != Storing {
				t.Fatalf("Build: %v, want a fresh build stored", res)
			}
			samePrograms(t, c.name, got, want)
			ws := w.list()
			if len(ws) != 1 || !strings.Contains(ws[0], c.warn) {
				t.Fatalf("warnings %q, want one saying %q", ws, c.warn)
			}
			var st unix.Stat_t
			if err := unix.Lstat(path, &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFREG || int(st.Uid) != os.Geteuid() || st.Mode&0o077 != 0 {
				t.Fatalf("the entry was not replaced by the workbench's own: %+v %v", st, err)
			}
		})
	}
}

// Writers of one key, goroutines with caches of their own and separate
// processes, all at once: every one gets the verified program and what
// is left is one valid entry.
func TestConcurrentWriters(t *testing.T) {
	e := dockerDefault(t)
	want, err := compile.Build(e, profile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	const n = 6
	exe, _ := os.Executable()
	var cmds []*exec.Cmd
	var outs []*bytes.Buffer
	for i := 0; i < n; i++ {
		cmd := exec.Command(exe)
		cmd.Env = append(os.Environ(), writerEnv+"="+dir)
		var b bytes.Buffer
		cmd.Stdout, cmd.Stderr = &b, &b
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds, outs = append(cmds, cmd), append(outs, &b)
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	progs := make([]*compile.Program, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := Open(dir, nil)
			progs[i], _, errs[i] = c.Build(e, profile.Options{})
			c.Close()
		}()
	}
	wg.Wait()
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("writer process %d: %v: %s", i, err, outs[i])
		}
	}
	for i := range progs {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		samePrograms(t, fmt.Sprintf("goroutine %d", i), progs[i], want)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "*")); len(m) != 1 {
		t.Fatalf("the directory holds %v, want one entry and no temporary files", m)
	}
	got, res := build(t, Open(dir, nil), e, profile.Options{})
	if res != Hit {
		t.Fatalf("after the writers: %v, want hit", res)
	}
	samePrograms(t, "after the writers", got, want)
}

// Beyond MaxEntries the least recently used entries go.
func TestEviction(t *testing.T) {
	dir := t.TempDir()
	c := Open(dir, nil)
	c.MaxEntries = 3
	var effs []*profile.Effective
	for i := 0; i < 5; i++ {
		effs = append(effs, parse(t, fmt.Sprintf(`{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": %d}]}`, i+1)))
	}
	for i, e := range effs {
		// File times move in clock ticks: keep the uses a few apart.
		time.Sleep(20 * time.Millisecond)
		if i == 3 {
			// Use the first again: it becomes the most recent.
			if _, res := build(t, c, effs[0], profile.Options{}); res != Hit {
				t.Fatalf("re-use: %v", res)
			}
			time.Sleep(20 * time.Millisecond)
		}
		build(t, c, e, profile.Options{})
	}
	if got := len(entries(t, dir)); got != 3 {
		t.Fatalf("%d entries, want 3", got)
	}
	for i, want := range map[int]Result{0: Hit, 4: Hit, 1: Storing} {
		if _, res := build(t, Open(dir, nil), effs[i], profile.Options{}); res != want {
			t.Errorf("profile %d after eviction: %v, want %v", i, res, want)
		}
	}
}

// SECCOMP_WORKBENCH_CACHE=off: no cache, and the directory is never
// created or read.
func TestOffNeverTouchesTheDirectory(t *testing.T) {
	home := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", filepath.Join(home, "xdg"))
	t.Setenv(EnvSwitch, "off")
	c := FromEnv(func(m string) { t.Errorf("warning with the cache off: %s", m) })
	if c != nil {
		t.Fatal("FromEnv returned a cache with the cache off")
	}
	if _, res := build(t, c, dockerDefault(t), profile.Options{}); res != Compiled {
		t.Fatal(res)
	}
	if _, err := os.Lstat(filepath.Join(home, "xdg")); !os.IsNotExist(err) {
		t.Fatalf("the cache home was created: %v", err)
	}
	t.Setenv(EnvSwitch, "")
	c = FromEnv(nil)
	if c == nil || c.Path() != filepath.Join(home, "xdg", "seccomp-workbench") {
		t.Fatalf("FromEnv with the cache on: %+v", c)
	}
	t.Setenv("XDG_CACHE_HOME", "relative/dir")
	t.Setenv("HOME", home)
	if c := FromEnv(nil); c == nil || c.Path() != filepath.Join(home, ".cache", "seccomp-workbench") {
		t.Fatalf("a relative XDG_CACHE_HOME is not ignored: %+v", c)
	}
	if _, res := build(t, FromEnv(nil), dockerDefault(t), profile.Options{}); res != Storing {
		t.Fatal(res)
	}
	var st syscall.Stat_t
	if err := syscall.Stat(filepath.Join(home, ".cache", "seccomp-workbench"), &st); err != nil || st.Mode&0o777 != 0o700 {
		t.Fatalf("the cache directory: mode %o, %v; want 0700", st.Mode&0o777, err)
	}
}

func mkdir(t *testing.T, dir string, mode os.FileMode) {
	t.Helper()
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, mode); err != nil {
		t.Fatal(err)
	}
}

func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to give a file away")
	}
}

// An unprivileged user's workbench does not load an entry another user
// (here root) wrote, even where it can read it: a cache planted by
// someone else is refused with a warning, and the build goes on.
func TestOtherUsersCacheRefused(t *testing.T) {
	needRoot(t)
	base, err := os.MkdirTemp("", "progcache-nobody-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(base)
	os.Chmod(base, 0o755)
	exe, _ := os.Executable()
	bin := filepath.Join(base, "progcache.test")
	data, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	asNobody := func(dir string) string {
		cmd := exec.Command(bin)
		cmd.Env = append(os.Environ(), readerEnv+"="+dir, "HOME="+base)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("as nobody: %v: %s", err, out)
		}
		return string(out)
	}
	// Root's cache, readable by everyone, with a valid entry for the key
	// nobody's build asks for (the same binary, so the same key).
	rootDir := filepath.Join(base, "root-cache")
	mkdir(t, rootDir, 0o755)
	k, err := BinaryIDOf(bin)
	if err != nil {
		t.Fatal(err)
	}
	e := dockerDefault(t)
	key := Key(k, e, profile.Options{})
	prog, err := compile.Build(e, profile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	entry, _ := encodeEntry(key, prog)
	name := filepath.Join(rootDir, hex.EncodeToString(key[:])+entryExt)
	if err := os.WriteFile(name, entry, 0o644); err != nil {
		t.Fatal(err)
	}
	out := asNobody(rootDir)
	if !strings.Contains(out, "warning: program cache "+rootDir+": the directory is owned by uid 0, not 65534") || !strings.Contains(out, "result: compiled <nil>") {
		t.Fatalf("nobody used root's cache directory:\n%s", out)
	}
	// nobody's own directory, holding an entry root planted.
	own := filepath.Join(base, "nobody-cache")
	mkdir(t, own, 0o700)
	os.Chown(own, 65534, 65534)
	planted := filepath.Join(own, filepath.Base(name))
	if err := os.WriteFile(planted, entry, 0o644); err != nil {
		t.Fatal(err)
	}
	out = asNobody(own)
	if !strings.Contains(out, "an entry is owned by uid 0, not 65534") || !strings.Contains(out, "result: storing <nil>") {
		t.Fatalf("nobody loaded an entry root planted:\n%s", out)
	}
	var st syscall.Stat_t
	if err := syscall.Stat(planted, &st); err != nil || st.Uid != 65534 {
		t.Fatalf("the planted entry was not replaced by nobody's own: uid %d, %v", st.Uid, err)
	}
}
