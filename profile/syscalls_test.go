package profile

import (
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
)

func TestParseArg(t *testing.T) {
	cases := []struct {
		arch catalog.Arch
		in   string
		want uint64
		err  bool
	}{
		{catalog.X86_64, "010", 10, false},
		{catalog.X86_64, "0x10", 16, false},
		{catalog.X86_64, "0XfF", 255, false},
		{catalog.X86_64, "-1", ^uint64(0), false},
		{catalog.X86, "-1", 0xffffffff, false},
		{catalog.X86, "0xffffffff", 0xffffffff, false},
		{catalog.X86, "0x100000000", 0, true},
		{catalog.X86_64, "0xffffffffffffffff", ^uint64(0), false},
		{catalog.X86_64, "18446744073709551616", 0, true},
		{catalog.X86_64, "abc", 0, true},
		{catalog.X86_64, "", 0, true},
		{catalog.X86_64, "-0x1", 0, true},
	}
	for _, c := range cases {
		got, err := ParseArg(c.arch, c.in)
		if (err != nil) != c.err || got != c.want {
			t.Errorf("ParseArg(%s, %q) = %#x, %v", c.arch, c.in, got, err)
		}
	}
}

func TestEditDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		d    int
	}{{"", "", 0}, {"open", "open", 0}, {"opne", "open", 1}, {"abcd", "badc", 2}, {"mkdri", "mkdir", 1}, {"mkdir", "rmdir", 2}, {"read", "ready", 1}, {"", "abc", 3}} {
		if got := editDistance(c.a, c.b); got != c.d {
			t.Errorf("editDistance(%q, %q) = %d, want %d", c.a, c.b, got, c.d)
		}
	}
}
