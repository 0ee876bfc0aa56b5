package progcache

import (
	"bytes"
	"debug/elf"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"testing"
)

// elfBuildID is buildID as debug/elf reads the file (every section
// header too): what buildID must agree with.
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
		al := uint32(4)
		if p.Align == 8 {
			al = 8
		}
		for len(b) >= 12 {
			namesz, descsz, typ := ef.ByteOrder.Uint32(b), ef.ByteOrder.Uint32(b[4:]), ef.ByteOrder.Uint32(b[8:])
			if namesz > 1<<12 || descsz > 1<<12 {
				break
			}
			nameEnd := 12 + alignUp(namesz, al)
			descEnd := nameEnd + alignUp(descsz, al)
			if uint64(descEnd) > uint64(len(b)) {
				break
			}
			name := string(bytes.TrimRight(b[12:12+namesz], "\x00"))
			if desc := b[nameEnd : nameEnd+descsz]; len(desc) > 0 && ((name == "Go" && typ == ntGoBuildID) || (name == "GNU" && typ == ntGNUBuildID)) {
				fmt.Fprintf(&id, "%s:%x;", name, desc)
			}
			b = b[descEnd:]
		}
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
