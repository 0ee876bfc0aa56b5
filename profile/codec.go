package profile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"sort"
	"strings"
	"sync"
)

// Parse decodes and validates a profile. name is used in error messages
// (a path, or preset:NAME). Errors are one line: name:line:col: what, and
// what to do.
func Parse(name string, data []byte) (*Profile, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("%s: the file is empty: a profile is a JSON object with at least \"defaultAction\"", name)
	}
	if bytes.HasPrefix(data, []byte("\ufeff")) {
		return nil, fmt.Errorf("%s:1:1: the file starts with a byte-order mark, which Docker's JSON reader rejects: save it as UTF-8 without one", name)
	}
	trim := bytes.TrimLeft(data, " \t\r\n")
	if len(trim) == 0 || trim[0] != '{' {
		line, col := lineCol(data, len(data)-len(trim))
		return nil, fmt.Errorf("%s:%d:%d: not a JSON object: a seccomp profile starts with '{'", name, line, col)
	}
	var p Profile
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&p); err != nil {
		return nil, jsonError(name, data, err)
	}
	if dec.More() {
		line, col := lineCol(data, int(dec.InputOffset()))
		return nil, fmt.Errorf("%s:%d:%d: unexpected data after the profile's closing '}'", name, line, col)
	}
	if err := collectExtras(&p, data); err != nil {
		return nil, jsonError(name, data, err)
	}
	if err := p.validate(); err != nil {
		var pe *pathError
		if errors.As(err, &pe) {
			line, col := lineCol(data, locate(data, pe.path))
			return nil, fmt.Errorf("%s:%d:%d: %s", name, line, col, pe.msg)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &p, nil
}

// Load reads and parses a profile file.
func Load(path string) (*Profile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, fmt.Errorf("%s: no such file: give a profile file or preset:NAME (see 'seccomp-workbench presets')", path)
		}
		return nil, fmt.Errorf("%s: %v", path, pathCause(err))
	}
	return Parse(path, data)
}

func jsonError(name string, data []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		// Offset is just past the offending byte.
		line, col := lineCol(data, int(se.Offset)-1)
		return fmt.Errorf("%s:%d:%d: invalid JSON: %s", name, line, col, strings.TrimPrefix(se.Error(), "invalid character "))
	case errors.As(err, &te):
		line, col := lineCol(data, valueStart(data, int(te.Offset)))
		field := te.Field
		if field == "" {
			field = "value"
		}
		return fmt.Errorf("%s:%d:%d: %s must be %s, not a JSON %s", name, line, col, field, jsonKind(te.Type.String()), te.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return truncatedError(name, data)
	}
	return fmt.Errorf("%s: invalid JSON: %v", name, err)
}

func jsonKind(goType string) string {
	switch {
	case strings.HasPrefix(goType, "[]"):
		return "an array"
	case strings.Contains(goType, "uint"), strings.Contains(goType, "int"):
		return "a non-negative integer"
	case goType == "string", strings.HasSuffix(goType, "Action"), strings.HasSuffix(goType, "Operator"):
		return "a string"
	case goType == "bool":
		return "true or false"
	}
	return "an object"
}

// valueStart walks back from just past a JSON scalar to its first byte.
func valueStart(data []byte, end int) int {
	if end > len(data) {
		end = len(data)
	}
	i := end - 1
	if i >= 0 && data[i] == '"' {
		for i--; i >= 0; i-- {
			if data[i] == '"' && (i == 0 || data[i-1] != '\\') {
				return i
			}
		}
		return 0
	}
	for i >= 0 && !strings.ContainsRune(",:[{ \t\r\n", rune(data[i])) {
		i--
	}
	return i + 1
}

// lineCol turns a byte offset into 1-based line and column.
func lineCol(data []byte, off int) (int, int) {
	if off > len(data) {
		off = len(data)
	}
	if off < 0 {
		off = 0
	}
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	col := off - bytes.LastIndexByte(data[:off], '\n')
	return line, col
}

// The JSON keys the model has fields for, at each level; any other key is
// kept in that level's Extra. Read from the struct tags on first use: a
// run of a preset parses no JSON.
var (
	profileKeys = sync.OnceValue(func() map[string]bool { return jsonKeys(reflect.TypeFor[Profile]()) })
	ruleKeys    = sync.OnceValue(func() map[string]bool { return jsonKeys(reflect.TypeFor[Rule]()) })
	argKeys     = sync.OnceValue(func() map[string]bool { return jsonKeys(reflect.TypeFor[Arg]()) })
	filterKeys  = sync.OnceValue(func() map[string]bool { return jsonKeys(reflect.TypeFor[Filter]()) })
	archMapKeys = sync.OnceValue(func() map[string]bool { return jsonKeys(reflect.TypeFor[Architecture]()) })
)

func jsonKeys(t reflect.Type) map[string]bool {
	out := map[string]bool{}
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			out[name] = true
		}
	}
	return out
}

// collectExtras keeps the keys the workbench does not model, at every
// level (the profile, its rules, their args and includes/excludes, the
// archMap entries), so that saving never drops anything the user wrote.
func collectExtras(p *Profile, data []byte) error {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return err
	}
	p.Extra = extras(top, profileKeys())
	var rules []map[string]json.RawMessage
	if err := objects(top["syscalls"], &rules); err != nil {
		return err
	}
	for i, raw := range rules {
		if i >= len(p.Syscalls) || p.Syscalls[i] == nil {
			continue
		}
		r := p.Syscalls[i]
		r.Extra = extras(raw, ruleKeys())
		var args []map[string]json.RawMessage
		if err := objects(raw["args"], &args); err != nil {
			return err
		}
		for j, a := range args {
			if j < len(r.Args) && r.Args[j] != nil {
				r.Args[j].Extra = extras(a, argKeys())
			}
		}
		for key, f := range map[string]*Filter{"includes": r.Includes, "excludes": r.Excludes} {
			var m map[string]json.RawMessage
			if f == nil || objects(raw[key], &m) != nil {
				continue
			}
			f.Extra = extras(m, filterKeys())
		}
	}
	var arches []map[string]json.RawMessage
	if err := objects(top["archMap"], &arches); err != nil {
		return err
	}
	for i, a := range arches {
		if i < len(p.ArchMap) {
			p.ArchMap[i].Extra = extras(a, archMapKeys())
		}
	}
	return nil
}

// objects decodes raw (absent or null allowed) into v.
func objects(raw json.RawMessage, v any) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	return json.Unmarshal(raw, v)
}

// extras are the entries of obj whose keys known lacks; nil when none.
func extras(obj map[string]json.RawMessage, known map[string]bool) map[string]json.RawMessage {
	var out map[string]json.RawMessage
	for k, v := range obj {
		if !known[k] {
			if out == nil {
				out = map[string]json.RawMessage{}
			}
			out[k] = v
		}
	}
	return out
}

// MarshalJSON writes the known fields in Docker's order, then any extra
// fields in name order.
func (p Profile) MarshalJSON() ([]byte, error) {
	type plain Profile
	b, err := json.Marshal(plain(p))
	if err != nil {
		return nil, err
	}
	return appendExtras(b, p.Extra)
}

// MarshalJSON writes a rule, then any extra fields in name order.
func (r Rule) MarshalJSON() ([]byte, error) {
	type plain Rule
	b, err := json.Marshal(plain(r))
	if err != nil {
		return nil, err
	}
	return appendExtras(b, r.Extra)
}

// MarshalJSON writes an argument condition, then any extra fields.
func (a Arg) MarshalJSON() ([]byte, error) {
	type plain Arg
	b, err := json.Marshal(plain(a))
	if err != nil {
		return nil, err
	}
	return appendExtras(b, a.Extra)
}

// MarshalJSON writes includes/excludes, then any extra fields.
func (f Filter) MarshalJSON() ([]byte, error) {
	type plain Filter
	b, err := json.Marshal(plain(f))
	if err != nil {
		return nil, err
	}
	return appendExtras(b, f.Extra)
}

// MarshalJSON writes an archMap entry, then any extra fields.
func (m Architecture) MarshalJSON() ([]byte, error) {
	type plain Architecture
	b, err := json.Marshal(plain(m))
	if err != nil {
		return nil, err
	}
	return appendExtras(b, m.Extra)
}

func appendExtras(obj []byte, extra map[string]json.RawMessage) ([]byte, error) {
	if len(extra) == 0 {
		return obj, nil
	}
	keys := make([]string, 0, len(extra))
	for k := range extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var buf bytes.Buffer
	buf.Write(obj[:len(obj)-1])
	for _, k := range keys {
		if buf.Len() > 1 {
			buf.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		buf.Write(kb)
		buf.WriteByte(':')
		buf.Write(extra[k])
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// Marshal renders p in canonical form: tab-indented like moby's
// default.json, without a trailing newline (Save decides about that).
func Marshal(p *Profile) ([]byte, error) {
	return json.MarshalIndent(p, "", "\t")
}

// locate finds the byte offset of the value at path (keys and indexes)
// in data, for error positions; 0 when it cannot be found.
func locate(data []byte, path []any) int {
	dec := json.NewDecoder(bytes.NewReader(data))
	best := 0
	var walk func(depth int) bool
	// walk consumes one value; returns true when path[depth:] was found
	// inside it (best then holds its offset).
	walk = func(depth int) bool {
		start := int(dec.InputOffset())
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		if depth == len(path) {
			best = skipSpace(data, start)
			skipRest(dec, tok)
			return true
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				for dec.More() {
					kt, err := dec.Token()
					if err != nil {
						return false
					}
					if k, ok := path[depth].(string); ok && kt == k {
						if walk(depth + 1) {
							return true
						}
					} else if !skipValue(dec) {
						return false
					}
				}
				_, _ = dec.Token()
			case '[':
				for i := 0; dec.More(); i++ {
					if idx, ok := path[depth].(int); ok && idx == i {
						if walk(depth + 1) {
							return true
						}
					} else if !skipValue(dec) {
						return false
					}
				}
				_, _ = dec.Token()
			}
		}
		return false
	}
	walk(0)
	return best
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r' || data[i] == ',' || data[i] == ':') {
		i++
	}
	return i
}

func skipValue(dec *json.Decoder) bool {
	tok, err := dec.Token()
	if err != nil {
		return false
	}
	skipRest(dec, tok)
	return true
}

func skipRest(dec *json.Decoder, tok json.Token) {
	if d, ok := tok.(json.Delim); ok && (d == '{' || d == '[') {
		depth := 1
		for depth > 0 {
			t, err := dec.Token()
			if err != nil {
				return
			}
			if d, ok := t.(json.Delim); ok {
				if d == '{' || d == '[' {
					depth++
				} else {
					depth--
				}
			}
		}
	}
}
