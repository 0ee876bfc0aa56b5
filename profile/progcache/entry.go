package progcache

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	"golang.org/x/net/bpf"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/cbpf"
	"github.com/seccomp-workbench/seccomp-workbench/profile/compile"
)

// An entry file is a fixed header, the program as the kernel takes it
// (struct sock_filter in the ABIs' byte order, what Program.Bytes gives)
// and the program's Stats as JSON:
//
//	0   8  magic "swbprog\n"
//	8   4  format version (little-endian, as are the other header words)
//	12  4  instructions n
//	16  4  stats length m
//	20  4  zero
//	24  32 key
//	56  32 SHA-256 of program and stats
//	88  8n program, then m bytes of stats
const (
	entryMagic    = "swbprog\n"
	formatVersion = 1
	headerLen     = 88
	maxStats      = 64 << 10
	// maxEntry bounds what is read from an entry file.
	maxEntry = headerLen + 8*cbpf.MaxInsns + maxStats
)

func encodeEntry(key [32]byte, p *compile.Program) ([]byte, error) {
	stats, err := json.Marshal(p.Stats)
	if err != nil {
		return nil, err
	}
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
// length that does not match, a checksum that does not, or a program the
// kernel would refuse (cbpf.Check). Nothing in a refused entry is used.
func decodeEntry(b []byte, key [32]byte, e *profile.Effective, o profile.Options) (*compile.Program, error) {
	if len(b) < headerLen || string(b[:8]) != entryMagic {
		return nil, errors.New("not a program cache entry")
	}
	le := binary.LittleEndian
	if v := le.Uint32(b[8:]); v != formatVersion {
		return nil, fmt.Errorf("format version %d, not %d", v, formatVersion)
	}
	if !bytes.Equal(b[24:56], key[:]) {
		return nil, errors.New("the entry is for another key")
	}
	n, m := int64(le.Uint32(b[12:])), int64(le.Uint32(b[16:]))
	if n < 1 || n > cbpf.MaxInsns || m > maxStats || int64(len(b)) != headerLen+8*n+m || le.Uint32(b[20:]) != 0 {
		return nil, fmt.Errorf("the lengths in the header (%d instructions, %d bytes of stats) do not match the file's %d bytes", n, m, len(b))
	}
	if sum := sha256.Sum256(b[headerLen:]); !bytes.Equal(sum[:], b[56:88]) {
		return nil, errors.New("the checksum does not match")
	}
	raw := b[headerLen : headerLen+8*n]
	ord := order(e)
	insns := make([]bpf.RawInstruction, n)
	for i := range insns {
		w := raw[8*i:]
		insns[i] = bpf.RawInstruction{Op: ord.Uint16(w), Jt: w[2], Jf: w[3], K: ord.Uint32(w[4:])}
	}
	if err := cbpf.Check(insns); err != nil {
		return nil, fmt.Errorf("the program is not one the kernel accepts: %w", err)
	}
	var st compile.Stats
	if err := json.Unmarshal(b[headerLen+8*n:], &st); err != nil {
		return nil, fmt.Errorf("the stats: %w", err)
	}
	if st.Instructions != int(n) {
		return nil, fmt.Errorf("the stats count %d instructions, the program has %d", st.Instructions, n)
	}
	return &compile.Program{Insns: insns, Options: o, Effective: e, Stats: st}, nil
}
