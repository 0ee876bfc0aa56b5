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
// (s390x keeps the high half first). It is the input of Trace; the
// emulator's input, byte-swapped for x/net/bpf, is SeccompData.
func KernelData(arch catalog.Arch, nr int64, args [6]uint64) []byte {
	ai, _ := arch.Info()
	buf := make([]byte, seccompDataLen)
	put := func(off uint32, v uint32) { binary.NativeEndian.PutUint32(buf[off:], v) }
	put(OffNr, uint32(nr))
	put(OffArch, ai.Audit)
	for i, v := range args {
		lo, hi := ArgWordOffsets(arch, i)
		put(lo, uint32(v))
		put(hi, uint32(v>>32))
	}
	return buf
}
