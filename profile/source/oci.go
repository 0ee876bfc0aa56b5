package source

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// An OCI runtime config.json carries the filter as linux.seccomp, an
// object with Docker's field names (runtime-spec's LinuxSeccomp): it is
// read by Docker's reader, on a copy of the file where everything outside
// that object is blanked out, so that errors keep the file's own line and
// column. The workbench's "oci" export wrapped as {"linux":{"seccomp":…}}
// is such a file too.

func parseOCIConfig(name string, data []byte) (*Opened, error) {
	var top struct {
		Linux map[string]json.RawMessage `json:"linux"`
	}
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, fmt.Errorf("%s: linux must be an object: %v", name, err)
	}
	if top.Linux == nil {
		return nil, fmt.Errorf("%s: an OCI runtime config without \"linux\": it has no seccomp filter (add linux.seccomp)", name)
	}
	if _, ok := top.Linux["seccomp"]; !ok {
		return nil, fmt.Errorf("%s: an OCI runtime config whose \"linux\" has no \"seccomp\": the container runs without a filter; there is no profile to open", name)
	}
	start, end, ok := valueSpan(data, "linux", "seccomp")
	if !ok {
		return nil, fmt.Errorf("%s: cannot find linux.seccomp", name)
	}
	blank := bytes.Clone(data)
	for i := range blank {
		if (i < start || i >= end) && blank[i] != '\n' {
			blank[i] = ' '
		}
	}
	p, err := profile.Parse(name, blank)
	if err != nil {
		return nil, err
	}
	o := &Opened{Profile: p}
	for k := range p.Extra {
		o.warnf("linux.seccomp.%s is not a runtime-spec field: kept, but no runtime reads it", k)
	}
	return o, nil
}

// valueSpan finds the byte range of the value at keys (objects only).
func valueSpan(data []byte, keys ...string) (int, int, bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return 0, 0, false
		}
		d, isDelim := tok.(json.Delim)
		if !isDelim || d != '{' {
			return 0, 0, false
		}
		found := false
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return 0, 0, false
			}
			if kt == keys[depth] {
				found = true
				break
			}
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return 0, 0, false
			}
		}
		if !found {
			return 0, 0, false
		}
		depth++
		if depth == len(keys) {
			// The value starts after the ':' that follows the key.
			off := int(dec.InputOffset())
			for off < len(data) && bytes.IndexByte([]byte(" \t\r\n:"), data[off]) >= 0 {
				off++
			}
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return 0, 0, false
			}
			end := int(dec.InputOffset())
			return off, end, true
		}
	}
}
