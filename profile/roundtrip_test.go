package profile

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// Every file in testdata/roundtrip is in canonical form and uses some of
// the less common fields (legacy name, listener, flags, includes and
// excludes, unknown keys): each must save back to exactly its own bytes.
func TestRoundTripGoldens(t *testing.T) {
	files, _ := filepath.Glob("../testdata/roundtrip/*.json")
	if len(files) == 0 {
		t.Fatal("no round-trip fixtures")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		p, err := Parse(f, data)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out, err := Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out, bytes.TrimRight(data, "\n")) {
			t.Errorf("%s does not round-trip:\n%s", f, out)
		}
	}
}
