package runner

import (
	"fmt"
	"strings"
)

// SplitCommand splits a command line typed by a user into words, with
// the quoting rules of a POSIX shell: 'single quotes' keep everything,
// "double quotes" keep everything but \" \\ \$ \` and a backslash-newline,
// and a backslash outside quotes keeps the next character. A line that
// needs a shell — pipes, redirections, &&, ||, ;, &, $ expansions,
// backquotes, globs, ~, a leading VAR=value, comments, parentheses or
// braces — comes back as {"/bin/sh", "-c", line} instead.
func SplitCommand(line string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord, needShell := false, false
	runes := []rune(line)
	for i := 0; i < len(runes); i++ {
		c := runes[i]
		switch {
		case c == '\'':
			inWord = true
			end := indexRune(runes, i+1, '\'')
			if end < 0 {
				return nil, fmt.Errorf("unterminated single quote at column %d: close it with '", i+1)
			}
			cur.WriteString(string(runes[i+1 : end]))
			i = end
		case c == '"':
			inWord = true
			j := i + 1
			for ; j < len(runes) && runes[j] != '"'; j++ {
				switch runes[j] {
				case '\\':
					if j+1 < len(runes) {
						switch runes[j+1] {
						case '"', '\\', '$', '`':
							j++
							cur.WriteRune(runes[j])
							continue
						case '\n':
							j++
							continue
						}
					}
					cur.WriteRune('\\')
				case '$', '`':
					needShell = true
					cur.WriteRune(runes[j])
				default:
					cur.WriteRune(runes[j])
				}
			}
			if j >= len(runes) {
				return nil, fmt.Errorf("unterminated double quote at column %d: close it with \"", i+1)
			}
			i = j
		case c == '\\':
			if i+1 >= len(runes) {
				return nil, fmt.Errorf("the line ends with a backslash at column %d: remove it or escape it as \\\\", i+1)
			}
			i++
			if runes[i] != '\n' {
				inWord = true
				cur.WriteRune(runes[i])
			}
		case c == ' ' || c == '\t' || c == '\r':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case strings.ContainsRune("|&;<>()$`*?[{}\n", c):
			needShell = true
			inWord = true
			cur.WriteRune(c)
		case (c == '#' || c == '~') && !inWord:
			needShell = true
			inWord = true
			cur.WriteRune(c)
		case c == '=' && inWord && len(words) == 0 && isName(cur.String()):
			// VAR=value before the command: an assignment.
			needShell = true
			cur.WriteRune(c)
		default:
			inWord = true
			cur.WriteRune(c)
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	if len(words) == 0 {
		return nil, fmt.Errorf("empty command: type a program and its arguments")
	}
	if needShell {
		return []string{"/bin/sh", "-c", line}, nil
	}
	return words, nil
}

func indexRune(rs []rune, from int, r rune) int {
	for i := from; i < len(rs); i++ {
		if rs[i] == r {
			return i
		}
	}
	return -1
}

// isName reports whether s is a shell variable name.
func isName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		if c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9' {
			continue
		}
		return false
	}
	return true
}
