package progcache

import (
	"bytes"
	"crypto/sha256"
	"debug/elf"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/internal/proftest"
)

// elfBuildID is buildID with the note segments found by debug/elf (every
// section header read too): what buildID's own header reading must agree
// with.
func elfBuildID(r io.ReaderAt) (string, error) {
	ef, err := elf.NewFile(r)
	if err != nil {
		return "", err
	}
	var id bytes.Buffer
	for _, p := range ef.Progs {
		if p.Type != elf.PT_NOTE || p.Filesz > 1<<16 {
			continue
		}
		b := make([]byte, p.Filesz)
		if _, err := p.ReadAt(b, 0); err != nil {
			return "", err
		}
		appendBuildIDs(&id, b, ef.ByteOrder, p.Align)
	}
	return id.String(), nil
}

// buildID reads what debug/elf reads from the notes: the same IDs for
// the test binary (Go's note), system binaries (GNU's) and whatever else
// is at hand; a file with no note has no ID.
func TestBuildIDAgreesWithDebugElf(t *testing.T) {
	exe, _ := os.Executable()
	seen := 0
	for _, path := range []string{exe, "/bin/true", "/bin/sh", "/usr/bin/env", "/lib/x86_64-linux-gnu/libc.so.6", "/lib/aarch64-linux-gnu/libc.so.6"} {
		data, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		seen++
		want, werr := elfBuildID(bytes.NewReader(data))
		got, gerr := buildID(bytes.NewReader(data))
		if werr != nil {
			t.Fatalf("%s: debug/elf: %v", path, werr)
		}
		if want == "" {
			if gerr == nil {
				t.Errorf("%s: no note, yet buildID = %q", path, got)
			}
			continue
		}
		if gerr != nil || got != want {
			t.Errorf("%s: buildID = %q, %v; debug/elf reads %q", path, got, gerr, want)
		}
	}
	if seen < 2 {
		t.Fatalf("only %d binaries to compare", seen)
	}
}

// overlay is the file base with its first len(head) bytes replaced by
// head, size bytes long.
type overlay struct {
	base, head []byte
	size       int
}

func (o overlay) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 || off >= int64(o.size) {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && int(off)+n < o.size {
		i := int(off) + n
		if i < len(o.head) {
			p[n] = o.head[i]
		} else {
			p[n] = o.base[i]
		}
		n++
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// Damaged headers and notes never panic, and what is read from them
// (when debug/elf reads the file at all) is what debug/elf reads.
func TestBuildIDOfDamagedFiles(t *testing.T) {
	exe, _ := os.Executable()
	good, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	rnd := rand.New(rand.NewPCG(1, 2))
	compared := 0
	for i := 0; i < 3000; i++ {
		// The ELF header, the program headers and the notes.
		o := overlay{base: good, head: bytes.Clone(good[:0x600]), size: len(good)}
		for j := 0; j < 1+rnd.IntN(4); j++ {
			o.head[rnd.IntN(len(o.head))] = byte(rnd.Uint32())
		}
		if rnd.IntN(8) == 0 {
			o.size = rnd.IntN(2 * headRead)
		}
		got, gerr := buildID(o)
		want, werr := elfBuildID(o)
		if werr == nil && want != "" {
			compared++
			if gerr != nil || got != want {
				t.Fatalf("case %d: buildID = %q, %v; debug/elf reads %q", i, got, gerr, want)
			}
		}
		if gerr == nil && got == "" {
			t.Fatalf("case %d: an empty ID without an error", i)
		}
	}
	if compared < 1000 {
		t.Fatalf("only %d of 3000 damaged files compared with debug/elf", compared)
	}
	for _, b := range [][]byte{nil, []byte("\x7fELF"), good[:52], good[:64], good[:100]} {
		if id, err := buildID(bytes.NewReader(b)); err == nil {
			t.Errorf("%d bytes: ID %q from a file with no notes in it", len(b), id)
		}
	}
}

// BenchmarkBuildID compares buildID with the debug/elf reading it
// replaced, on the running binary's file.
func BenchmarkBuildID(b *testing.B) {
	for _, v := range []struct {
		name string
		f    func(io.ReaderAt) (string, error)
	}{{"debug-elf", elfBuildID}, {"headers", buildID}} {
		b.Run(v.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				f, err := os.Open("/proc/self/exe")
				if err != nil {
					b.Fatal(err)
				}
				if _, err := v.f(f); err != nil {
					b.Fatal(err)
				}
				f.Close()
			}
		})
	}
}

// jsonKey is the key as format 1 made it, encoding/json of these
// fields: what BenchmarkKeyFirstCall compares appendKey with.
func jsonKey(bin string, e *profile.Effective, o profile.Options) ([32]byte, error) {
	doc := struct {
		Format     int
		Binary     string
		Libseccomp string
		Options    profile.Options
		Default    profile.Action
		Errno      uint
		Arches     []catalog.Arch
		Rules      []profile.EffRule
	}{1, bin, profile.LinkedLibseccomp(), o, e.DefaultAction, e.DefaultErrno, e.Arches, e.Rules}
	b, err := json.Marshal(doc)
	return sha256.Sum256(b), err
}

// binaryKey is Key in jsonKey's shape, for the comparisons.
func binaryKey(bin string, e *profile.Effective, o profile.Options) ([32]byte, error) {
	return Key(bin, e, o), nil
}

// firstCallEnv makes TestKeyFirstCallChild time the first and second
// key of docker-default in its process, made by the encoding named
// ("json" or "binary"), after what a launch does before it: the profile
// read (encoding/json decoding it) and the binary identified.
const firstCallEnv = "PROGCACHE_TEST_KEY_FIRST_CALL"

func TestKeyFirstCallChild(t *testing.T) {
	mode := os.Getenv(firstCallEnv)
	if mode == "" {
		t.Skip("run by BenchmarkKeyFirstCall")
	}
	key := map[string]func(string, *profile.Effective, profile.Options) ([32]byte, error){"json": jsonKey, "binary": binaryKey}[mode]
	p, err := profile.Open("preset:docker-default")
	if err != nil {
		t.Fatal(err)
	}
	e := p.Effective(proftest.X86Env())
	id, err := BinaryID()
	if err != nil {
		t.Fatal(err)
	}
	var ns [2]int64
	for i := range ns {
		t0 := time.Now()
		if _, err := key(id, e, profile.Options{}); err != nil {
			t.Fatal(err)
		}
		ns[i] = time.Since(t0).Nanoseconds()
	}
	fmt.Printf("key-ns %d %d\n", ns[0], ns[1])
}

// BenchmarkKeyFirstCall is the key's cost in a fresh process, as each
// CLI run pays it: per iteration one new test process for each encoding,
// in alternating order, each timing its first and second key. The
// metrics are medians, in µs; ns/op is the two processes.
func BenchmarkKeyFirstCall(b *testing.B) {
	firstCalls(b, "TestKeyFirstCallChild", "key-ns", func(mode string) string { return firstCallEnv + "=" + mode })
}

// BenchmarkKey is the key of docker-default in a warm process, by
// either encoding.
func BenchmarkKey(b *testing.B) {
	e := dockerDefault(b)
	id, err := BinaryID()
	if err != nil {
		b.Fatal(err)
	}
	for _, v := range []struct {
		name string
		key  func(string, *profile.Effective, profile.Options) ([32]byte, error)
	}{{"json", jsonKey}, {"binary", binaryKey}} {
		b.Run(v.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := v.key(id, e, profile.Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("encode-only", func(b *testing.B) {
		buf := make([]byte, 0, 16<<10)
		for i := 0; i < b.N; i++ {
			buf = appendKey(buf[:0], keyFormat, id, "2.5.5", e, profile.Options{})
		}
		b.SetBytes(int64(len(buf)))
	})
}
