package profile

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// Clone is a deep copy: it marshals as the original does, and changing
// anything reachable from the copy leaves the original as it was.
func TestCloneIsDeep(t *testing.T) {
	files, _ := filepath.Glob("../testdata/roundtrip/*.json")
	files = append(files, "../testdata/profiles/docker-default.json")
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		p, err := Parse(f, data)
		if err != nil {
			t.Fatal(err)
		}
		before, _ := Marshal(p)
		q := p.Clone()
		if got, _ := Marshal(q); !bytes.Equal(got, before) {
			t.Fatalf("%s: the clone marshals differently:\n%s", f, got)
		}
		if q.DefaultErrnoRet != nil {
			*q.DefaultErrnoRet += 1
		}
		q.Extra = map[string]json.RawMessage{}
		for _, r := range q.Syscalls {
			if len(r.Names) > 0 {
				r.Names[0] = "changed"
			}
			for _, a := range r.Args {
				a.Value++
				for k := range a.Extra {
					a.Extra[k] = json.RawMessage(`"changed"`)
				}
			}
			for _, fl := range []*Filter{r.Includes, r.Excludes} {
				if fl != nil && len(fl.Caps) > 0 {
					fl.Caps[0] = "changed"
				}
			}
			for k := range r.Extra {
				r.Extra[k][0] = 'X'
			}
		}
		for i := range q.ArchMap {
			if len(q.ArchMap[i].SubArches) > 0 {
				q.ArchMap[i].SubArches[0] = "changed"
			}
		}
		if after, _ := Marshal(p); !bytes.Equal(after, before) {
			t.Errorf("%s: changing the clone changed the original", f)
		}
	}
}
