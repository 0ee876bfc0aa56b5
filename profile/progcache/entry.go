package progcache

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"

	"golang.org/x/net/bpf"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/cbpf"
	"github.com/seccomp-workbench/seccomp-workbench/profile/compile"
)

// An entry file is a fixed header, the program as the kernel takes it
// (struct sock_filter in the ABIs' byte order, what Program.Bytes gives)
// and the program's Stats as appendStats writes them:
//
//	0   8  magic "swbprog\n"
//	8   4  format version (little-endian, as are the other header words)
//	12  4  instructions n
//	16  4  stats length m
//	20  4  zero
//	24  32 key
//	56  32 SHA-256 of program and stats
//	88  8n program, then m bytes of stats
//
// Version 1 held the stats as encoding/json, whose first Unmarshal in a
// process made a warm launch's decode of docker-default's entry 72 µs
// instead of 21 (BenchmarkDecodeFirstCall). An entry of another version
// than formatVersion is a miss.
const (
	entryMagic    = "swbprog\n"
	formatVersion = 2
	headerLen     = 88
	maxStats      = 64 << 10
	// maxEntry bounds what is read from an entry file.
	maxEntry = headerLen + 8*cbpf.MaxInsns + maxStats
)

func encodeEntry(key [32]byte, p *compile.Program) ([]byte, error) {
	stats := appendStats(nil, &p.Stats)
	prog := p.Bytes()
	if len(stats) > maxStats {
		return nil, errors.New("the program's stats are too long to cache")
	}
	out := make([]byte, headerLen, headerLen+len(prog)+len(stats))
	copy(out, entryMagic)
	le := binary.LittleEndian
	le.PutUint32(out[8:], formatVersion)
	le.PutUint32(out[12:], uint32(len(p.Insns)))
	le.PutUint32(out[16:], uint32(len(stats)))
	copy(out[24:], key[:])
	out = append(append(out, prog...), stats...)
	sum := sha256.Sum256(out[headerLen:])
	copy(out[56:], sum[:])
	return out, nil
}

// decodeEntry returns the program an entry holds for key, built for e and
// o, or why the entry cannot be used: a wrong magic, version or key, a
// length that does not match, a checksum that does not, a program the
// kernel would refuse (cbpf.Check), or stats that do not decode or do
// not fit the program. Nothing in a refused entry is used.
func decodeEntry(b []byte, key [32]byte, e *profile.Effective, o profile.Options) (*compile.Program, error) {
	insns, stats, err := readEntry(b, key, formatVersion, e)
	if err != nil {
		return nil, err
	}
	n := len(insns)
	st, err := decodeStats(stats)
	if err == nil {
		err = checkStats(&st, n)
	}
	if err != nil {
		return nil, fmt.Errorf("the stats: %w", err)
	}
	return &compile.Program{Insns: insns, Options: o, Effective: e, Stats: st}, nil
}

// appendStats appends s's fields in their order in compile.Stats. It is
// written by hand, as the key is, so a field added to Stats is not
// stored by itself: TestStatsFieldsEncoded fails until it is.
func appendStats(b []byte, s *compile.Stats) []byte {
	b = appendInt(b, int64(s.Instructions))
	b = appendString(b, s.Generator)
	b = appendString(b, s.Fallback)
	b = appendInt(b, int64(s.Prelude))
	b = appendStrings(b, s.ByNumber)
	b = appendStrings(b, s.Skipped)
	return b
}

// decodeStats reads what appendStats wrote. Empty lists are nil, as the
// compiler leaves them.
func decodeStats(b []byte) (compile.Stats, error) {
	r := reader{b: b}
	var s compile.Stats
	s.Instructions = r.int()
	s.Generator = r.string()
	s.Fallback = r.string()
	s.Prelude = r.int()
	s.ByNumber = r.strings()
	s.Skipped = r.strings()
	if err := r.end(); err != nil {
		return compile.Stats{}, err
	}
	return s, nil
}

// checkStats says why s are not stats the compiler makes for a program
// of n instructions: the checksum does not prove who wrote them, and
// what reads them trusts the instruction count, the generator (PerArch
// and the exports choose by it) and the prelude's size.
func checkStats(s *compile.Stats, n int) error {
	switch {
	case s.Instructions != n:
		return fmt.Errorf("they count %d instructions, the program has %d", s.Instructions, n)
	case s.Generator != compile.GenWorkbench && s.Generator != compile.GenLibseccomp:
		return fmt.Errorf("generator %q, not %q or %q", s.Generator, compile.GenWorkbench, compile.GenLibseccomp)
	case s.Prelude < 0 || s.Prelude > n:
		return fmt.Errorf("a prelude of %d instructions in a program of %d", s.Prelude, n)
	}
	return nil
}

// readEntry checks an entry of format version against key and returns its
// program, in e's byte order and accepted by cbpf.Check, and its stats'
// bytes, not yet decoded.
func readEntry(b []byte, key [32]byte, version uint32, e *profile.Effective) ([]bpf.RawInstruction, []byte, error) {
	if len(b) < headerLen || string(b[:8]) != entryMagic {
		return nil, nil, errors.New("not a program cache entry")
	}
	le := binary.LittleEndian
	if v := le.Uint32(b[8:]); v != version {
		return nil, nil, fmt.Errorf("format version %d, not %d", v, version)
	}
	if !bytes.Equal(b[24:56], key[:]) {
		return nil, nil, errors.New("the entry is for another key")
	}
	n, m := int64(le.Uint32(b[12:])), int64(le.Uint32(b[16:]))
	if n < 1 || n > cbpf.MaxInsns || m > maxStats || int64(len(b)) != headerLen+8*n+m || le.Uint32(b[20:]) != 0 {
		return nil, nil, fmt.Errorf("the lengths in the header (%d instructions, %d bytes of stats) do not match the file's %d bytes", n, m, len(b))
	}
	if sum := sha256.Sum256(b[headerLen:]); !bytes.Equal(sum[:], b[56:88]) {
		return nil, nil, errors.New("the checksum does not match")
	}
	raw := b[headerLen : headerLen+8*n]
	ord := order(e)
	insns := make([]bpf.RawInstruction, n)
	for i := range insns {
		w := raw[8*i:]
		insns[i] = bpf.RawInstruction{Op: ord.Uint16(w), Jt: w[2], Jf: w[3], K: ord.Uint32(w[4:])}
	}
	if err := cbpf.Check(insns); err != nil {
		return nil, nil, fmt.Errorf("the program is not one the kernel accepts: %w", err)
	}
	return insns, b[headerLen+8*n:], nil
}
