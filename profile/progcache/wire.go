package progcache

import (
	"encoding/binary"
	"fmt"
)

// The encoding the key and an entry's stats are written in: integers as
// varints (encoding/binary's), strings and lists after their length,
// a bool as one byte 0 or 1. The key is only ever hashed; the stats are
// read back by a reader.

func appendUint(b []byte, v uint64) []byte { return binary.AppendUvarint(b, v) }

func appendInt(b []byte, v int64) []byte { return binary.AppendVarint(b, v) }

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, 1)
	}
	return append(b, 0)
}

func appendString(b []byte, s string) []byte { return append(appendUint(b, uint64(len(s))), s...) }

func appendStrings(b []byte, ss []string) []byte {
	b = appendUint(b, uint64(len(ss)))
	for _, s := range ss {
		b = appendString(b, s)
	}
	return b
}

// A reader takes apart what the append functions wrote, from bytes
// anyone with the user's rights may have written: every length is
// checked against the bytes left (a list has at most one element per
// byte), so what is allocated grows with the input alone, and a number
// must be in its one shortest form, so what decodes is exactly what
// encoding the result gives. The first fault is kept in err; reads
// after it return zero values.
type reader struct {
	b   []byte
	err error
}

func (r *reader) fail(format string, a ...any) {
	if r.err == nil {
		r.err = fmt.Errorf(format, a...)
	}
	r.b = nil
}

func (r *reader) uint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	switch {
	case n == 0:
		r.fail("it ends inside a number")
		return 0
	case n < 0:
		r.fail("a number longer than 64 bits")
		return 0
	case n > 1 && r.b[n-1] == 0:
		// A last byte of zero is padding: not the shortest form.
		r.fail("a number is not in its shortest form")
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) int() int {
	u := r.uint()
	v := int64(u>>1) ^ -int64(u&1) // encoding/binary's zig-zag
	if int64(int(v)) != v {
		r.fail("the number %d does not fit an int", v)
		return 0
	}
	return int(v)
}

// len reads a length, of at most one element per byte left.
func (r *reader) len() int {
	n := r.uint()
	if n > uint64(len(r.b)) {
		r.fail("a length of %d, with %d bytes left", n, len(r.b))
		return 0
	}
	return int(n)
}

func (r *reader) string() string {
	n := r.len()
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

// strings reads a list of strings; an empty one is nil, as the
// compiler makes its lists.
func (r *reader) strings() []string {
	n := r.len() // each string takes at least its length's byte
	if n == 0 {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = r.string()
	}
	if r.err != nil {
		return nil
	}
	return out
}

// end is the reader's fault, or one if bytes are left over.
func (r *reader) end() error {
	if r.err == nil && len(r.b) > 0 {
		r.fail("%d bytes after the end", len(r.b))
	}
	return r.err
}
