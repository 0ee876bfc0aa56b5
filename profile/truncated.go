package profile

import (
	"fmt"
	"strings"
)

// openBracket is a '{' or '[' not yet closed, with the key whose value it
// is ("" for an array element or the top level).
type openBracket struct {
	ch  byte
	off int
	key string
}

// unclosed scans JSON text that ended early and returns the brackets still
// open, outermost first, and the offset of an unterminated string (-1 if
// none). It assumes the text is valid up to its end, which is what the
// decoder found.
func unclosed(data []byte) (stack []openBracket, inString int) {
	inString = -1
	lastString, lastStringEnd := "", -1
	pendingKey := ""
	for i := 0; i < len(data); i++ {
		c := data[i]
		if inString >= 0 {
			switch c {
			case '\\':
				i++
			case '"':
				lastString, lastStringEnd = string(data[inString+1:i]), i
				inString = -1
			}
			continue
		}
		switch c {
		case '"':
			inString = i
		case ':':
			if lastStringEnd >= 0 {
				pendingKey = lastString
			}
		case '{', '[':
			stack = append(stack, openBracket{c, i, pendingKey})
			pendingKey = ""
		case '}', ']':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			pendingKey = ""
		case ',':
			pendingKey = ""
		}
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != ':' && c != '"' {
			lastStringEnd = -1
		}
	}
	return stack, inString
}

// truncatedError says where a file that ends too early ends and what is
// still open there, innermost first: "name:L:C: invalid JSON: the file
// ends inside the "syscalls" array opened at 3:14, inside the profile
// object opened at 1:1: ...".
func truncatedError(name string, data []byte) error {
	end := len(data)
	line, col := lineCol(data, end)
	stack, str := unclosed(data)
	var parts []string
	if str >= 0 {
		l, c := lineCol(data, str)
		parts = append(parts, fmt.Sprintf("a string opened at %d:%d", l, c))
	}
	closers := ""
	for i := len(stack) - 1; i >= 0; i-- {
		b := stack[i]
		l, c := lineCol(data, b.off)
		kind, closer := "object", "}"
		if b.ch == '[' {
			kind, closer = "array", "]"
		}
		closers += closer
		what := kind
		switch {
		case i == 0 && b.ch == '{':
			what = "the profile object"
		case b.key != "":
			what = fmt.Sprintf("the %q %s", b.key, kind)
		default:
			what = "an " + kind
		}
		parts = append(parts, fmt.Sprintf("%s opened at %d:%d", what, l, c))
	}
	if len(parts) == 0 {
		return fmt.Errorf("%s:%d:%d: invalid JSON: the file ends before the profile is complete", name, line, col)
	}
	fix := "restore the rest of the file"
	last := strings.TrimRight(string(data), " \t\r\n")
	if str < 0 && closers != "" && !strings.HasSuffix(last, ",") && !strings.HasSuffix(last, ":") {
		fix = fmt.Sprintf("restore the rest of the file, or close what is open with %q", closers)
	}
	return fmt.Errorf("%s:%d:%d: invalid JSON: the file ends inside %s: %s", name, line, col, strings.Join(parts, ", inside "), fix)
}
