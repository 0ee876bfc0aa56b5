package main

import (
	"encoding/base64"
	"encoding/binary"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/seccomp-workbench/seccomp-workbench/runner"
)

// appendOutputRecord appends the JSON line of an output event, byte for
// byte what encoding/json writes for outputRecord(e) without HTML
// escaping: output is most of what run --json writes, and the generic
// encoder spends most of its time in reflection and in its string
// escaper.
func appendOutputRecord(b []byte, e runner.Output) []byte {
	b = append(b, `{"type":"output","stream":"`...)
	b = append(b, e.Stream.String()...)
	b = append(b, `","data":`...)
	b, valid := appendJSONString(b, e.Data)
	if !valid {
		b = append(b, `,"data_b64":"`...)
		b = base64.StdEncoding.AppendEncode(b, []byte(e.Data))
		b = append(b, '"')
	}
	b = append(b, `,"lines":`...)
	b = strconv.AppendInt(b, int64(e.Lines), 10)
	if e.Dropped != 0 {
		b = append(b, `,"dropped":`...)
		b = strconv.AppendInt(b, e.Dropped, 10)
	}
	return append(b, "}\n"...)
}

// appendJSONString appends s as a JSON string the way encoding/json does
// without HTML escaping: quote, backslash and control characters escaped
// (\b \f \n \r \t by their short forms, others as \u00XX), each byte that
// is not UTF-8 replaced by U+FFFD, and U+2028 and U+2029 escaped, since
// JavaScript does not allow them in a string literal. valid is
// utf8.ValidString(s), found on the way.
//
// It works on s in pieces of jsonPiece bytes, with room made first for
// the longest a piece can become (6 bytes for each byte, and a word's
// store past them), and stores into that room by index: runs of 8 bytes
// that need no escape go as one word, the rest byte by byte, each as one
// word from jsonASCII. A flood of two-byte lines has an escape in every
// other byte, so the byte path matters as much as the word path (the
// table's one store took it from 242-265 to 278-284 MB/s here).
func appendJSONString(b []byte, s string) (_ []byte, valid bool) {
	valid = true
	b = append(b, '"')
	for len(s) > 0 {
		piece := s[:min(len(s), jsonPiece)]
		b = slices.Grow(b, 6*len(piece)+8)
		j := len(b)
		dst := b[:cap(b)]
		i := 0
		for i < len(piece) {
			// A word that needs no escape goes at once; else the bytes
			// up to its end go one by one.
			end := len(piece)
			if i+8 <= len(piece) {
				q := piece[i : i+8]
				w := uint64(q[0]) | uint64(q[1])<<8 | uint64(q[2])<<16 | uint64(q[3])<<24 |
					uint64(q[4])<<32 | uint64(q[5])<<40 | uint64(q[6])<<48 | uint64(q[7])<<56
				if !needsEscape(w) {
					binary.LittleEndian.PutUint64(dst[j:], w)
					i += 8
					j += 8
					continue
				}
				end = i + 8
			}
			for i < end {
				c := piece[i]
				if c < utf8.RuneSelf {
					// One store of the byte's whole stand-in, whose
					// length rides in the word's top byte.
					e := jsonASCII[c]
					binary.LittleEndian.PutUint64(dst[j:], e)
					j += int(e >> 56)
					i++
					continue
				}
				// A character may straddle the end of the piece: decode
				// it from s, and let the next piece start after it.
				r, size := utf8.DecodeRuneInString(s[i:])
				switch {
				case r == utf8.RuneError && size == 1:
					j += copy(dst[j:], `\ufffd`)
					valid = false
				case r == '\u2028' || r == '\u2029':
					dst[j], dst[j+1], dst[j+2], dst[j+3], dst[j+4], dst[j+5] = '\\', 'u', '2', '0', '2', hexDigits[r&0xf]
					j += 6
				default:
					j += copy(dst[j:], s[i:i+size])
				}
				i += size
			}
		}
		b = b[:j]
		s = s[i:]
	}
	return append(b, '"'), valid
}

const hexDigits = "0123456789abcdef"

// jsonPiece bounds the room appendJSONString makes ahead of what it has
// written.
const jsonPiece = 4 << 10

// needsEscape reports whether one of the 8 bytes in w is not printable
// ASCII that stands for itself in a JSON string: a control character
// (below 0x20), a quote, a backslash, or a byte of a multi-byte character
// (0x80 and up).
func needsEscape(w uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	zero := func(v uint64) uint64 { return (v - ones) & ^v & highs }
	return w&highs | (w-0x20*ones) & ^w & highs | zero(w^('"'*ones)) | zero(w^('\\'*ones)) != 0
}

// jsonEscape is, for each ASCII byte, '.' when it stands for itself in a
// JSON string, else the letter after the backslash ('u': \u00XX).
const jsonEscape = "" +
	"uuuuuuuubtnufruuuuuuuuuuuuuuuuuu" +
	"..\"............................." +
	"............................\\..." +
	"................................"

// jsonASCII is, for each ASCII byte, what stands for it in a JSON string
// (the byte, \x or \u00XX) in a word's low bytes, first byte lowest, and
// its length in the top byte: appendJSONString stores the word whole and
// moves on by the length.
var jsonASCII = func() (t [utf8.RuneSelf]uint64) {
	for c := range t {
		switch e := jsonEscape[c]; e {
		case '.':
			t[c] = uint64(c) | 1<<56
		case 'u':
			t[c] = '\\' | 'u'<<8 | '0'<<16 | '0'<<24 | uint64(hexDigits[c>>4])<<32 | uint64(hexDigits[c&0xf])<<40 | 6<<56
		default:
			t[c] = '\\' | uint64(e)<<8 | 2<<56
		}
	}
	return t
}()
