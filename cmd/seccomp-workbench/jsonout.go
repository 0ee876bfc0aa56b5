package main

import (
	"encoding/base64"
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
	b = appendJSONString(b, e.Data)
	if !utf8.ValidString(e.Data) {
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
// JavaScript does not allow them in a string literal.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = slices.Grow(b, len(s)+len(s)/4+2)
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			e := jsonEscape[c]
			if e == '.' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			if e == 'u' {
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			} else {
				b = append(b, '\\', e)
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// jsonEscape is, for each ASCII byte, '.' when it stands for itself in a
// JSON string, else the letter after the backslash ('u': \u00XX).
const jsonEscape = "" +
	"uuuuuuuubtnufruuuuuuuuuuuuuuuuuu" +
	"..\"............................." +
	"............................\\..." +
	"................................"
