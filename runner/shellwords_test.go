package runner

import (
	"reflect"
	"strings"
	"testing"
)

func TestSplitCommand(t *testing.T) {
	sh := func(line string) []string { return []string{"/bin/sh", "-c", line} }
	cases := []struct {
		line string
		want []string
		err  string
	}{
		{"ls -l /tmp", []string{"ls", "-l", "/tmp"}, ""},
		{"  ls\t -l  ", []string{"ls", "-l"}, ""},
		{`echo 'a b' "c d" e\ f`, []string{"echo", "a b", "c d", "e f"}, ""},
		{`echo 'it''s' "say \"hi\"" \\`, []string{"echo", "its", `say "hi"`, `\`}, ""},
		{`echo "a\nb" 'x\y'`, []string{"echo", `a\nb`, `x\y`}, ""},
		{`echo '$HOME' "\$HOME" a=b`, []string{"echo", "$HOME", "$HOME", "a=b"}, ""},
		{`printf '%s|%s' a b`, []string{"printf", "%s|%s", "a", "b"}, ""},
		{`echo ""`, []string{"echo", ""}, ""},
		{"echo hi | wc -l", sh("echo hi | wc -l"), ""},
		{"echo hi > /tmp/x", sh("echo hi > /tmp/x"), ""},
		{"true && false", sh("true && false"), ""},
		{"true || false", sh("true || false"), ""},
		{"a; b", sh("a; b"), ""},
		{"sleep 1 &", sh("sleep 1 &"), ""},
		{"echo $(id)", sh("echo $(id)"), ""},
		{"echo `id`", sh("echo `id`"), ""},
		{`echo "$HOME"`, sh(`echo "$HOME"`), ""},
		{"ls *.go", sh("ls *.go"), ""},
		{"ls file?", sh("ls file?"), ""},
		{"ls [ab]", sh("ls [ab]"), ""},
		{"ls ~/x", sh("ls ~/x"), ""},
		{"FOO=1 env", sh("FOO=1 env"), ""},
		{"echo hi # comment", sh("echo hi # comment"), ""},
		{"(cd /; ls)", sh("(cd /; ls)"), ""},
		{"echo a#b", []string{"echo", "a#b"}, ""},
		{"", nil, "empty command"},
		{"   ", nil, "empty command"},
		{"echo 'abc", nil, "unterminated single quote at column 6"},
		{`echo "abc`, nil, "unterminated double quote at column 6"},
		{`echo abc\`, nil, "ends with a backslash at column 9"},
	}
	for _, c := range cases {
		got, err := SplitCommand(c.line)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("SplitCommand(%q) error %v, want %q", c.line, err, c.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("SplitCommand(%q) = %q, %v; want %q", c.line, got, err, c.want)
		}
	}
}
