package profile

import (
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
)

func TestArgInputs(t *testing.T) {
	e := mustOpen(t, "../testdata/diff/mode-mkdir.json").Effective(x86Env())
	in := ArgInputs(catalog.X86_64, "mkdir", e)
	if in[0] != ([6]uint64{}) {
		t.Errorf("first input is not all zero: %v", in[0])
	}
	seen := map[[6]uint64]bool{}
	has := map[uint64]bool{}
	for _, a := range in {
		if seen[a] {
			t.Errorf("duplicate input %v", a)
		}
		seen[a] = true
		has[a[1]] = true
	}
	for _, v := range []uint64{0x1ff, 0x1fe, 0x200} {
		if !has[v] {
			t.Errorf("no input with arg1 = %#x", v)
		}
	}
	if got := ArgInputs(catalog.X86_64, "rmdir", e); len(got) != 1 {
		t.Errorf("rmdir has no conditions, want only the zero input: %v", got)
	}
	// 32-bit ABIs compare 32-bit words.
	if got := FormatConditions([]*Arg{{Index: 2, Value: 0x1_0000_0005, Op: OpGreaterEqual}, {Index: 0, Value: 0xff, ValueTwo: 0x10, Op: OpMaskedEqual}}, catalog.X86); got != "arg0 & 0xff == 0x10 && arg2 >= 0x5" {
		t.Errorf("FormatConditions = %q", got)
	}
}
