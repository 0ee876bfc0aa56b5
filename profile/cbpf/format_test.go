package cbpf

import (
	"strings"
	"testing"
)

// Steps whose instruction the listing lacks are left out; every row still
// shows its own instruction.
func TestFormatTraceSkipsUnknownSteps(t *testing.T) {
	asm := []AsmLine{{PC: 0, Text: "ld   [4]"}, {PC: 1, Text: "jeq  #1, 2, 3"}, {PC: 2, Text: "ret  #0x7fff0000"}}
	steps := []Step{{PC: 7}, {PC: 0}, {PC: 2, Next: -1}}
	lines := strings.Split(strings.TrimSuffix(FormatTrace(asm, steps), "\n"), "\n")
	want := []string{"0: ld   [4]", "2: ret  #0x7fff0000"}
	if len(lines) != len(want) {
		t.Fatalf("got %q, want rows starting %q", lines, want)
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("row %d = %q, want it to start %q", i, lines[i], w)
		}
	}
}
