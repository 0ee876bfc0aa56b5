// Package progcache keeps verified seccomp programs on disk, so that a
// launch whose program was built and proven before skips compile.Build.
//
// An entry is found by a key (Key) that hashes everything that decides
// the program: the effective profile as the compiler and verifier read
// it, the variant and options, the linked libseccomp's version and the
// workbench binary's build ID (so a binary with another compiler or
// verifier never sees it). Only programs that passed compile.Verify are
// stored. What a hit skips is libseccomp's compile; an entry must have
// the right magic, version, key, lengths and SHA-256 and hold a program
// the kernel accepts (cbpf.Check) and stats that fit it, and then it is
// verified again against the profile, or it is ignored and replaced by a
// fresh verified build.
// The checksum guards against corruption and torn files; verifying each
// hit guards against someone with the user's rights — a target run as
// the user may write the user's cache — planting a weaker program.
//
// Programs with the runner's exemption are never stored: it holds the
// run's secret, which must not reach a file the target may read.
//
// The directory is $XDG_CACHE_HOME/seccomp-workbench (else
// $HOME/.cache/seccomp-workbench), created 0700. A directory or entry
// that is a symlink, not owned by the effective uid or writable by group
// or others is refused with one warning per Cache; the build goes on
// without the cache. Every operation after the directory's check is
// relative to the descriptor that was checked. SECCOMP_WORKBENCH_CACHE=off
// turns the cache off; =verbose reports each look-up.
//
// Build returns a fresh program as soon as it is verified; the entry is
// written in the background (and, when there was no directory, the
// directory made), and Close waits for that: a process that Closes its
// Cache before it exits leaves whole entries, never a part of one.
package progcache

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/compile"
)

// EnvSwitch is the environment variable that turns the cache off ("off")
// or makes it report each look-up ("verbose").
const EnvSwitch = "SECCOMP_WORKBENCH_CACHE"

// Bounds of the directory: beyond them the least recently used entries
// go. A docker-default program is about 10 KiB.
const (
	DefaultMaxEntries = 64
	DefaultMaxBytes   = 4 << 20
	// staleTemp is the age after which a temporary file is a crashed
	// writer's leftover.
	staleTemp = 10 * time.Minute
	entryExt  = ".prog"
	tempPre   = ".tmp-"
)

// Result says what Build did.
type Result int

const (
	// Compiled: no cache, or a program the cache does not keep.
	Compiled Result = iota
	// Hit: the program came from the cache.
	Hit
	// Storing: built and verified; the entry is being written in the
	// background, and Close waits until it is written or given up. Only
	// then is it known which: the verbose notes say "stored" or "could
	// not store".
	Storing
)

func (r Result) String() string {
	return [...]string{"compiled", "hit", "storing"}[r]
}

// Cache is one process's use of a cache directory. Its methods are safe
// for concurrent use; a nil *Cache compiles every time.
type Cache struct {
	path       string
	warn       func(string)
	verbose    bool
	MaxEntries int
	MaxBytes   int64

	once   sync.Once // identifies the binary, looks for the directory
	binary string    // "" when the cache is off
	absent bool      // there was no directory at the first look
	// lazy is claimed by the first Build that finds no directory: it
	// does not wait for the directory to be made, its store makes it.
	lazy   atomic.Bool
	dirOne sync.Once
	dirfd  int // -1 until opened, or when refused
	warned sync.Once
	// busy counts the Builds and background stores under way; once
	// closed is set no Build is let in, and Close waits for busy.
	mu     sync.Mutex
	closed bool
	busy   sync.WaitGroup
	// pending are the stores BuildDeferred handed out that have not
	// started (guarded by mu): Close runs them, so that one a caller
	// never called neither blocks Close nor is lost.
	pending map[*sync.Once]func()
}

// testHook, when set (by tests), is called by each Build the cache lets
// in ("build") and by each background store before it writes anything
// ("store").
var testHook func(stage string)

// FromEnv returns the cache the environment asks for: nil when
// SECCOMP_WORKBENCH_CACHE is "off" or there is no cache home. warn gets
// warnings (and, with SECCOMP_WORKBENCH_CACHE=verbose, one line per
// look-up); it may be nil. Nothing is touched before the first Build.
func FromEnv(warn func(string)) *Cache {
	sw := os.Getenv(EnvSwitch)
	if sw == "off" {
		return nil
	}
	dir := Dir()
	if dir == "" {
		return nil
	}
	c := Open(dir, warn)
	c.verbose = sw == "verbose"
	return c
}

// Dir is the cache directory the environment names: under
// $XDG_CACHE_HOME when it is an absolute path, else under $HOME/.cache;
// "" when neither is set.
func Dir() string {
	if x := os.Getenv("XDG_CACHE_HOME"); filepath.IsAbs(x) {
		return filepath.Join(x, "seccomp-workbench")
	}
	if h := os.Getenv("HOME"); filepath.IsAbs(h) {
		return filepath.Join(h, ".cache", "seccomp-workbench")
	}
	return ""
}

// Open returns a cache in dir (created on first use).
func Open(dir string, warn func(string)) *Cache {
	if warn == nil {
		warn = func(string) {}
	}
	return &Cache{path: dir, warn: warn, dirfd: -1, MaxEntries: DefaultMaxEntries, MaxBytes: DefaultMaxBytes}
}

// Path is the cache's directory.
func (c *Cache) Path() string { return c.path }

// Build is compile.Build through the cache: a verified program from an
// entry for the same key, or a fresh compile.Build, returned as soon as
// it passed; its entry is then written in the background (Storing) until
// Close.
func (c *Cache) Build(e *profile.Effective, o profile.Options) (*compile.Program, Result, error) {
	p, res, store, err := c.BuildDeferred(e, o)
	if store != nil {
		go store()
	}
	return p, res, err
}

// BuildDeferred is Build that leaves the writing of a new entry to the
// caller: store, not nil when there is one to write (Storing), writes it
// when first called, on any goroutine; Close waits for a store under way
// and runs one not called yet. A launch calls it once the target has its
// filter, so that the entry's new inodes are not made on the way there.
func (c *Cache) BuildDeferred(e *profile.Effective, o profile.Options) (p *compile.Program, res Result, store func(), err error) {
	if c != nil && o.Exempt != nil {
		c.note("not used: a %s filter holds the run's secret, which is never written to disk", o.Variant)
	}
	if c == nil || o.Exempt != nil || !c.enter() {
		p, err := compile.Build(e, o)
		return p, Compiled, nil, err
	}
	defer c.busy.Done()
	if testHook != nil {
		testHook("build")
	}
	if !c.look() {
		p, err := compile.Build(e, o)
		return p, Compiled, nil, err
	}
	// No directory, no entry: the first Build does not wait for the
	// directory to be made (each new inode costs 0.5 ms of kernel time
	// on an ext4 that has seen many deletions), its store makes it.
	// Later Builds wait for it and look in it.
	fresh := c.absent && c.lazy.CompareAndSwap(false, true)
	if !fresh && !c.openDir() {
		p, err := compile.Build(e, o)
		return p, Compiled, nil, err
	}
	key := Key(c.binary, e, o)
	name := hex.EncodeToString(key[:]) + entryExt
	if !fresh {
		if p, why := c.load(name, key, e, o); p != nil {
			// A hit is proven again: an entry with every check right
			// may still have been written by someone with the user's
			// rights — a target run as the user can write the user's
			// cache — and a weaker program must never be loaded for
			// the profile.
			err := compile.Verify(p)
			if err == nil {
				c.note("hit %s", name)
				return p, Hit, nil, nil
			}
			c.warn(fmt.Sprintf("warning: program cache %s: ignored %s: its program does not mean what the profile means (%s); the workbench stores only verified programs, so something else wrote it: compiling afresh", c.path, name, firstLine(err.Error())))
		} else if why != "" {
			c.note("ignored %s: %s", name, why)
		}
	}
	p, err = compile.Build(e, o)
	if err != nil {
		return nil, Compiled, nil, err
	}
	// Encoded now: the entry holds the program as verified, whatever the
	// caller does with p while it is written.
	data, err := encodeEntry(key, p)
	if err != nil {
		c.note("could not store %s: %v", name, err)
		return p, Compiled, nil, nil
	}
	c.busy.Add(1) // this Build's own count keeps busy above zero
	write := func() {
		defer c.busy.Done()
		if testHook != nil {
			testHook("store")
		}
		if fresh && !c.openDir() {
			return // refused, and warned
		}
		if err := c.store(name, data); err != nil {
			c.note("could not store %s: %v", name, err)
			return
		}
		c.note("stored %s", name)
	}
	return p, Storing, c.deferStore(write), nil
}

// deferStore registers write as pending and returns what runs it: once,
// whether the caller calls it or Close does.
func (c *Cache) deferStore(write func()) func() {
	once := new(sync.Once)
	run := func() {
		c.mu.Lock()
		delete(c.pending, once)
		c.mu.Unlock()
		once.Do(write)
	}
	c.mu.Lock()
	if c.closed {
		// Close has run the pending ones and waits for this one.
		c.mu.Unlock()
		run()
		return run
	}
	if c.pending == nil {
		c.pending = map[*sync.Once]func(){}
	}
	c.pending[once] = run
	c.mu.Unlock()
	return run
}

func (c *Cache) note(format string, a ...any) {
	if c.verbose {
		c.warn("program cache " + c.path + ": " + fmt.Sprintf(format, a...))
	}
}

// refuse warns (once per Cache) that something in the cache is not used.
func (c *Cache) refuse(what string) {
	c.warned.Do(func() {
		c.warn(fmt.Sprintf("warning: program cache %s: %s; compiling without it (remove it, or set %s=off)", c.path, what, EnvSwitch))
	})
}

// enter lets a Build use the cache, unless it is closed; the caller then
// calls c.busy.Done when it is through.
func (c *Cache) enter() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return false
	}
	c.busy.Add(1)
	return true
}

// look identifies the binary and looks for the directory, once; false
// when the cache is off.
func (c *Cache) look() bool {
	c.once.Do(func() {
		id, err := BinaryID()
		if err != nil {
			c.note("off: %v", err)
			return
		}
		if _, err := os.Lstat(c.path); os.IsNotExist(err) {
			// root run with another user's HOME (sudo -E) must not make
			// directories in that user's tree: they would be root's, in
			// the user's way.
			if os.Geteuid() == 0 {
				if uid := nearestOwner(c.path); uid != 0 {
					c.refuse(fmt.Sprintf("it is in a directory of uid %d, not root's; give root a cache of its own (XDG_CACHE_HOME)", uid))
					return
				}
			}
			c.absent = true
		}
		c.binary = id
	})
	return c.binary != ""
}

// openDir creates and checks the directory once: it must be a directory
// (not a symlink to one) owned by the effective uid, with no write
// permission for group or others.
func (c *Cache) openDir() bool {
	c.dirOne.Do(func() {
		if err := os.MkdirAll(filepath.Dir(c.path), 0o700); err != nil {
			c.refuse(err.Error())
			return
		}
		if err := unix.Mkdir(c.path, 0o700); err != nil && err != unix.EEXIST {
			c.refuse("cannot create it: " + err.Error())
			return
		}
		fd, err := unix.Open(c.path, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if err != nil {
			if err == unix.ELOOP || err == unix.ENOTDIR {
				c.refuse("it is a symlink or not a directory")
			} else {
				c.refuse(err.Error())
			}
			return
		}
		var st unix.Stat_t
		if err := unix.Fstat(fd, &st); err != nil {
			unix.Close(fd)
			c.refuse(err.Error())
			return
		}
		if why := unsafeOwner(&st); why != "" {
			unix.Close(fd)
			c.refuse("the directory " + why)
			return
		}
		c.dirfd = fd
	})
	return c.dirfd >= 0
}

// nearestOwner is the owner of path or of its nearest ancestor that
// exists.
func nearestOwner(path string) uint32 {
	for p := path; ; p = filepath.Dir(p) {
		var st unix.Stat_t
		if unix.Stat(p, &st) == nil {
			return st.Uid
		}
		if p == filepath.Dir(p) {
			return 0
		}
	}
}

// unsafeOwner says why a file someone else could have written is not
// used ("" when it is the euid's and not writable by group or others).
func unsafeOwner(st *unix.Stat_t) string {
	if euid := os.Geteuid(); int(st.Uid) != euid {
		return fmt.Sprintf("is owned by uid %d, not %d", st.Uid, euid)
	}
	if st.Mode&0o022 != 0 {
		return fmt.Sprintf("is writable by group or others (mode %04o)", st.Mode&0o7777)
	}
	return ""
}

// load reads the entry name: the program, or nil and why it is not used
// ("" when there is none).
func (c *Cache) load(name string, key [32]byte, e *profile.Effective, o profile.Options) (*compile.Program, string) {
	// O_NONBLOCK: a FIFO in its place must not stop the launch.
	fd, err := unix.Openat(c.dirfd, name, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err == unix.ENOENT {
		return nil, ""
	}
	if err != nil {
		if err == unix.ELOOP {
			c.refuse("an entry is a symlink")
			return nil, "a symlink"
		}
		return nil, err.Error()
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, err.Error()
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		c.refuse("an entry is not a regular file")
		return nil, "not a regular file"
	}
	if why := unsafeOwner(&st); why != "" {
		c.refuse("an entry " + why)
		return nil, why
	}
	if st.Size > maxEntry {
		return nil, "too long"
	}
	buf := make([]byte, st.Size)
	n, err := unix.Pread(fd, buf, 0)
	if err != nil {
		return nil, err.Error()
	}
	p, err := decodeEntry(buf[:n], key, e, o)
	if err != nil {
		return nil, err.Error()
	}
	// The modification time orders entries for eviction: a used one is
	// kept longest.
	touch(fd)
	return p, ""
}

// store writes the entry under a temporary name and renames it into
// place, so a reader sees a whole entry or none, and of two writers of
// one key the later rename wins with an entry as good. There is no fsync:
// an entry a crash leaves short or empty fails its checksum and is
// rebuilt, which costs less than flushing on every miss.
func (c *Cache) store(name string, data []byte) error {
	var rnd [8]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return err
	}
	tmp := tempPre + hex.EncodeToString(rnd[:])
	fd, err := unix.Openat(c.dirfd, tmp, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return err
	}
	n, err := unix.Write(fd, data)
	if err == nil && n != len(data) {
		err = fmt.Errorf("short write (%d of %d bytes)", n, len(data))
	}
	if cerr := unix.Close(fd); err == nil {
		err = cerr
	}
	if err == nil {
		err = unix.Renameat(c.dirfd, tmp, c.dirfd, name)
	}
	if err != nil {
		unix.Unlinkat(c.dirfd, tmp, 0)
		return err
	}
	c.evict()
	return nil
}

// evict removes the least recently used entries beyond MaxEntries or
// MaxBytes, and temporary files old enough to be a crashed writer's.
func (c *Cache) evict() {
	// A descriptor of its own, so concurrent listings do not share an
	// offset.
	fd, err := unix.Openat(c.dirfd, ".", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return
	}
	d := os.NewFile(uintptr(fd), c.path)
	names, err := d.Readdirnames(-1)
	d.Close()
	if err != nil {
		return
	}
	type ent struct {
		name string
		size int64
		mod  int64
	}
	var ents []ent
	now := time.Now()
	for _, n := range names {
		var st unix.Stat_t
		if unix.Fstatat(c.dirfd, n, &st, unix.AT_SYMLINK_NOFOLLOW) != nil {
			continue
		}
		mod := time.Unix(st.Mtim.Unix())
		switch {
		case strings.HasPrefix(n, tempPre):
			if now.Sub(mod) > staleTemp {
				unix.Unlinkat(c.dirfd, n, 0)
			}
		case strings.HasSuffix(n, entryExt):
			ents = append(ents, ent{n, st.Size, mod.UnixNano()})
		}
	}
	sort.Slice(ents, func(i, j int) bool { return ents[i].mod > ents[j].mod })
	var total int64
	for i, e := range ents {
		total += e.size
		if i >= c.MaxEntries || total > c.MaxBytes {
			unix.Unlinkat(c.dirfd, e.name, 0)
		}
	}
}

// Close waits for the Builds under way (on any goroutine) and the
// entries still being written, then releases the directory; a Build
// after it compiles without the cache. Call it before the process exits.
func (c *Cache) Close() error {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	c.closed = true
	pending := c.pending
	c.pending = nil
	c.mu.Unlock()
	for _, run := range pending {
		run()
	}
	c.busy.Wait()
	if c.dirfd < 0 {
		return nil
	}
	err := unix.Close(c.dirfd)
	c.dirfd = -1
	return err
}

// touch sets the file's times to now (utimensat with no path acts on the
// descriptor itself).
func touch(fd int) {
	unix.Syscall6(unix.SYS_UTIMENSAT, uintptr(fd), 0, 0, 0, 0, 0)
}

// firstLine is s up to its first newline.
func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
