package progcache

import (
	"bytes"
	"crypto/sha256"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/cbpf"
)

// keyFormat numbers the encoding appendKey writes. 1 was encoding/json
// of the same fields; a new encoding takes a new number, so an entry
// keyed by an old one is simply not found.
const keyFormat = 2

// Key is the SHA-256 of what decides the program compile.Build makes of
// e and o in the binary identified by binary: the compiler and verifier
// (the binary), the library that emits the rules' code, the variant and
// options, and the effective profile as compile.Compile and Verify read
// it.
func Key(binary string, e *profile.Effective, o profile.Options) [32]byte {
	// docker-default encodes to 4.6 KB: the buffer stays on the stack.
	return sha256.Sum256(appendKey(make([]byte, 0, 8<<10), keyFormat, binary, profile.LinkedLibseccomp(), e, o))
}

// appendKey appends the key's encoding to b: every field in a fixed
// order, integers as varints (encoding/binary's, one encoding per
// value), strings and lists after their length, pointers after a byte
// saying whether they are nil, so two different inputs never encode
// alike. It is written by hand because encoding/json's reflection cost
// each CLI run, a fresh process, about 220 µs of its launch; so a field
// added to a type here does not join the key by itself:
// TestKeyFieldsListed fails until it is encoded or listed as not
// deciding the program, and TestKeyTellsEveryFieldApart fails when an
// encoded field does not change the key.
func appendKey(b []byte, format int, bin, libseccomp string, e *profile.Effective, o profile.Options) []byte {
	b = appendInt(b, int64(format))
	b = appendString(b, bin)
	b = appendString(b, libseccomp)

	b = appendInt(b, int64(o.Variant))
	b = appendBool(b, o.NoENOSYS)
	b = appendBool(b, o.NoOptimize)
	b = appendBool(b, o.Exempt != nil)
	if x := o.Exempt; x != nil {
		b = appendString(b, string(x.Arch))
		b = appendInt(b, int64(x.HandoffFD))
		for _, m := range x.Magic {
			b = appendUint(b, m)
		}
	}

	b = appendString(b, string(e.DefaultAction))
	b = appendUint(b, uint64(e.DefaultErrno))
	b = appendUint(b, uint64(len(e.Arches)))
	for _, a := range e.Arches {
		b = appendString(b, string(a))
	}
	b = appendUint(b, uint64(len(e.Rules)))
	for i := range e.Rules {
		r := &e.Rules[i]
		b = appendInt(b, int64(r.Index))
		b = appendStrings(b, r.Names)
		b = appendString(b, string(r.Action))
		b = appendUint(b, uint64(r.Errno))
		b = appendUint(b, uint64(len(r.Args)))
		for _, a := range r.Args {
			b = appendArg(b, a)
		}
		b = appendString(b, r.Comment)
		b = appendBool(b, r.ORed)
	}
	return b
}

func appendArg(b []byte, a *profile.Arg) []byte {
	b = appendBool(b, a != nil)
	if a == nil {
		return b
	}
	b = appendUint(b, uint64(a.Index))
	b = appendUint(b, a.Value)
	b = appendUint(b, a.ValueTwo)
	b = appendString(b, string(a.Op))
	// The condition's members the workbench does not read: they do not
	// change the program, but the JSON key held them, and a profile
	// rarely has any. In name order, as maps have none.
	b = appendUint(b, uint64(len(a.Extra)))
	if len(a.Extra) > 0 {
		names := make([]string, 0, len(a.Extra))
		for k := range a.Extra {
			names = append(names, k)
		}
		slices.Sort(names)
		for _, k := range names {
			b = appendString(b, k)
			b = appendString(b, string(a.Extra[k]))
		}
	}
	return b
}

// BinaryID identifies the running workbench binary by its build IDs, the
// notes the Go linker (and, when asked, the GNU linker) put in the ELF
// file: the Go build ID changes whenever any of the code compiled into it
// does, so an entry written by another build — another compiler or
// verifier — is never found. Only the program headers and the notes are
// read, not the whole file.
func BinaryID() (string, error) { return BinaryIDOf("/proc/self/exe") }

// BinaryIDOf is BinaryID of the executable at path.
func BinaryIDOf(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	return buildID(f)
}

const (
	ntGNUBuildID = 3 // NT_GNU_BUILD_ID, owner "GNU"
	ntGoBuildID  = 4 // the Go linker's note, owner "Go"
	// headRead is read first: the linkers put the ELF header, the
	// program headers and the notes in the file's first page.
	headRead = 4 << 10
)

// buildID reads the ELF header and program headers itself: debug/elf's
// NewFile also reads every section header, one read each, which made
// this most of the cost of a hit's key.
func buildID(r io.ReaderAt) (string, error) {
	head := make([]byte, headRead)
	n, err := r.ReadAt(head, 0)
	if n < len(head) && err != io.EOF {
		return "", err
	}
	head = head[:n]
	// at is size bytes at off, from head when it holds them.
	at := func(off, size uint64) ([]byte, error) {
		if end := off + size; end >= off && end <= uint64(len(head)) {
			return head[off:end], nil
		}
		if off > 1<<62 {
			return nil, errors.New("an offset beyond the file")
		}
		b := make([]byte, size)
		if _, err := r.ReadAt(b, int64(off)); err != nil {
			return nil, err
		}
		return b, nil
	}
	if len(head) < 52 || string(head[:4]) != elf.ELFMAG {
		return "", errors.New("the workbench binary is not an ELF file")
	}
	var ord binary.ByteOrder
	switch elf.Data(head[elf.EI_DATA]) {
	case elf.ELFDATA2LSB:
		ord = binary.LittleEndian
	case elf.ELFDATA2MSB:
		ord = binary.BigEndian
	default:
		return "", errors.New("the workbench binary has an unknown ELF byte order")
	}
	is64 := elf.Class(head[elf.EI_CLASS]) == elf.ELFCLASS64
	var phoff uint64
	var phentsize, phnum, minEnt int
	switch {
	case is64 && len(head) >= 64:
		phoff, phentsize, phnum, minEnt = ord.Uint64(head[0x20:]), int(ord.Uint16(head[0x36:])), int(ord.Uint16(head[0x38:])), 56
	case elf.Class(head[elf.EI_CLASS]) == elf.ELFCLASS32:
		phoff, phentsize, phnum, minEnt = uint64(ord.Uint32(head[0x1c:])), int(ord.Uint16(head[0x2a:])), int(ord.Uint16(head[0x2c:])), 32
	default:
		return "", errors.New("the workbench binary has an unknown ELF class")
	}
	if phnum > 0 && phentsize < minEnt || phentsize*phnum > 1<<20 {
		return "", fmt.Errorf("%d program headers of %d bytes", phnum, phentsize)
	}
	phdrs, err := at(phoff, uint64(phentsize*phnum))
	if err != nil {
		return "", err
	}
	var id bytes.Buffer
	for i := 0; i < phnum; i++ {
		ph := phdrs[i*phentsize:]
		var off, filesz, align uint64
		if is64 {
			off, filesz, align = ord.Uint64(ph[8:]), ord.Uint64(ph[32:]), ord.Uint64(ph[48:])
		} else {
			off, filesz, align = uint64(ord.Uint32(ph[4:])), uint64(ord.Uint32(ph[16:])), uint64(ord.Uint32(ph[28:]))
		}
		if elf.ProgType(ord.Uint32(ph)) != elf.PT_NOTE || filesz > 1<<16 {
			continue
		}
		b, err := at(off, filesz)
		if err != nil {
			return "", err
		}
		appendBuildIDs(&id, b, ord, align)
	}
	if id.Len() == 0 {
		return "", errors.New("the workbench binary has no build ID note")
	}
	return id.String(), nil
}

// appendBuildIDs appends "NAME:HEX;" for each Go or GNU build ID note in
// b, the contents of a PT_NOTE segment aligned to align.
func appendBuildIDs(id *bytes.Buffer, b []byte, ord binary.ByteOrder, align uint64) {
	// Notes are padded to 4 bytes, or to 8 in a segment aligned so (GNU
	// property notes).
	al := uint32(4)
	if align == 8 {
		al = 8
	}
	for len(b) >= 12 {
		namesz, descsz, typ := ord.Uint32(b), ord.Uint32(b[4:]), ord.Uint32(b[8:])
		if namesz > 1<<12 || descsz > 1<<12 {
			return
		}
		nameEnd := 12 + alignUp(namesz, al)
		descEnd := nameEnd + alignUp(descsz, al)
		if uint64(descEnd) > uint64(len(b)) {
			return
		}
		name := string(bytes.TrimRight(b[12:12+namesz], "\x00"))
		desc := b[nameEnd : nameEnd+descsz]
		// An empty ID (a build with -buildid=) tells builds apart no
		// better than none.
		if len(desc) > 0 && ((name == "Go" && typ == ntGoBuildID) || (name == "GNU" && typ == ntGNUBuildID)) {
			fmt.Fprintf(id, "%s:%x;", name, desc)
		}
		b = b[descEnd:]
	}
}

func alignUp(n, a uint32) uint32 { return (n + a - 1) &^ (a - 1) }

// order is the byte order of e's program (that of its ABIs).
func order(e *profile.Effective) binary.ByteOrder {
	if len(e.Arches) > 0 && cbpf.BigEndian(e.Arches[0]) {
		return binary.BigEndian
	}
	return binary.LittleEndian
}
