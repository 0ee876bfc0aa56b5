// Package cbpf is classic BPF as seccomp runs it: the layout of struct
// seccomp_data per ABI, an interpreter that admits only what the kernel
// admits in a seccomp filter and records each step, and a disassembler
// that names what every load, comparison and return means. It knows
// nothing of libseccomp; the compiler (profile/compile) builds programs
// and this package reads them.
package cbpf

import (
	"encoding/binary"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
)

// Offsets in struct seccomp_data.
const (
	OffNr   = 0
	OffArch = 4
	OffArgs = 16
)

// ArgWordOffsets gives the offsets of the low and high 32-bit halves of
// argument i: the kernel stores each u64 in the ABI's byte order.
func ArgWordOffsets(arch catalog.Arch, i int) (lo, hi uint32) {
	base := uint32(OffArgs + 8*i)
	if BigEndian(arch) {
		return base + 4, base
	}
	return base, base + 4
}

// BigEndian reports whether the ABI stores words high byte first.
func BigEndian(a catalog.Arch) bool { return a.BigEndian() }

// SeccompData lays out struct seccomp_data as the kernel does on arch,
// then byte-swaps every 32-bit word so that the x/net/bpf VM, which loads
// big-endian, reads the values a little-endian kernel would.
func SeccompData(arch catalog.Arch, nr int64, args [6]uint64) []byte {
	ai, _ := arch.Info()
	buf := make([]byte, 64)
	put := func(off int, v uint32) { binary.BigEndian.PutUint32(buf[off:], v) }
	put(OffNr, uint32(nr))
	put(OffArch, ai.Audit)
	for i, v := range args {
		lo, hi := ArgWordOffsets(arch, i)
		put(int(lo), uint32(v))
		put(int(hi), uint32(v>>32))
	}
	// instruction_pointer (8..15) stays zero.
	return buf
}

// KernelData lays out struct seccomp_data exactly as the kernel hands it
// to a filter on this host: every 32-bit word in host byte order, and each
// 64-bit argument split into halves where the ABI's byte order puts them
// (s390x keeps the high half first). It is the input of Trace and Run;
// the emulator's input, byte-swapped for x/net/bpf, is SeccompData.
func KernelData(arch catalog.Arch, nr int64, args [6]uint64) []byte {
	buf := make([]byte, seccompDataLen)
	l := LayoutOf(arch)
	l.Put(buf, nr, args)
	return buf
}

// Layout is where one ABI's struct seccomp_data keeps each word: what
// KernelData computes for every call, worked out once for callers that
// lay out many calls of one ABI.
type Layout struct {
	audit  uint32
	lo, hi [6]uint32
}

// LayoutOf returns arch's layout.
func LayoutOf(arch catalog.Arch) Layout {
	ai, _ := arch.Info()
	l := Layout{audit: ai.Audit}
	for i := range l.lo {
		l.lo[i], l.hi[i] = ArgWordOffsets(arch, i)
	}
	return l
}

// Put writes the call into buf (at least 64 bytes) as KernelData does;
// instruction_pointer (8..15) is zero.
func (l *Layout) Put(buf []byte, nr int64, args [6]uint64) {
	buf = buf[:seccompDataLen]
	put := func(off uint32, v uint32) { binary.NativeEndian.PutUint32(buf[off:], v) }
	put(OffNr, uint32(nr))
	put(OffArch, l.audit)
	put(8, 0)
	put(12, 0)
	for i, v := range args {
		put(l.lo[i], uint32(v))
		put(l.hi[i], uint32(v>>32))
	}
}

// PutNr writes nr into buf as Put does, and nothing else.
func (l *Layout) PutNr(buf []byte, nr int64) {
	binary.NativeEndian.PutUint32(buf[OffNr:OffNr+4], uint32(nr))
}
