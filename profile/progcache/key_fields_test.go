package progcache

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// keyInput is everything appendKey reads, as one value to walk.
type keyInput struct {
	Format     int
	Binary     string
	Libseccomp string
	Options    profile.Options
	Effective  profile.Effective
}

func (in *keyInput) key() [32]byte {
	return sha256.Sum256(appendKey(nil, in.Format, in.Binary, in.Libseccomp, &in.Effective, in.Options))
}

// keyFields lists, for each struct type the key reads, the fields
// appendKey encodes, as "Name type".
var keyFields = map[reflect.Type][]string{
	reflect.TypeFor[keyInput](): {"Format int", "Binary string", "Libseccomp string",
		"Options profile.Options", "Effective profile.Effective"},
	reflect.TypeFor[profile.Options](): {"Variant profile.Variant", "NoENOSYS bool", "NoOptimize bool",
		"Exempt *profile.Exemption"},
	reflect.TypeFor[profile.Exemption](): {"Arch catalog.Arch", "HandoffFD int", "Magic [3]uint64"},
	reflect.TypeFor[profile.Effective](): {"DefaultAction profile.Action", "DefaultErrno uint",
		"Arches []catalog.Arch", "Rules []profile.EffRule"},
	reflect.TypeFor[profile.EffRule](): {"Index int", "Names []string", "Action profile.Action",
		"Errno uint", "Args []*profile.Arg", "Comment string", "ORed bool"},
	reflect.TypeFor[profile.Arg](): {"Index uint", "Value uint64", "ValueTwo uint64", "Op profile.Operator",
		"Extra map[string]json.RawMessage"},
}

// notDeciding are the fields of those types left out of the key, and why
// they do not decide the program.
var notDeciding = map[reflect.Type]map[string]string{
	reflect.TypeFor[profile.Effective](): {
		"Source":      "the file as loaded: compile reads the resolved rules",
		"Env":         "what the rules were resolved for: already in them",
		"Unsupported": "reported by lint, not compiled",
		"maxNr":       "derived from Rules and Arches",
	},
	reflect.TypeFor[profile.EffRule](): {
		"mux": "derived from the rule and the arches (muxViews)",
	},
}

// keyLeaves are the named types in the key that are not structs, with the
// kind appendKey encodes them as.
var keyLeaves = map[reflect.Type]reflect.Kind{
	reflect.TypeFor[profile.Action]():   reflect.String,
	reflect.TypeFor[profile.Operator](): reflect.String,
	reflect.TypeFor[profile.Variant]():  reflect.Int,
	reflect.TypeFor[catalog.Arch]():     reflect.String,
	reflect.TypeFor[json.RawMessage]():  reflect.Slice,
}

// keyedFields are the indexes of t's fields in keyFields.
func keyedFields(t reflect.Type) []int {
	var out []int
	for i := 0; i < t.NumField(); i++ {
		if f := t.Field(i); slices.Contains(keyFields[t], f.Name+" "+f.Type.String()) {
			out = append(out, i)
		}
	}
	return out
}

// Every field of every type the key reads, down to the leaves, is either
// encoded by appendKey (listed in keyFields, and then
// TestKeyTellsEveryFieldApart proves it changes the key) or listed in
// notDeciding: a field added to profile.EffRule, Arg, Options ... fails
// here until it is placed.
func TestKeyFieldsListed(t *testing.T) {
	seen := map[reflect.Type]bool{}
	var walk func(ty reflect.Type)
	walk = func(ty reflect.Type) {
		if seen[ty] {
			return
		}
		seen[ty] = true
		if ty.Kind() != reflect.Struct && ty.PkgPath() != "" {
			if k, ok := keyLeaves[ty]; !ok || k != ty.Kind() {
				t.Errorf("%s (a %s) is in the program cache key but not in keyLeaves as one: check appendKey (key.go) encodes it, and list it", ty, ty.Kind())
			}
		}
		switch ty.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Array:
			walk(ty.Elem())
		case reflect.Map:
			walk(ty.Key())
			walk(ty.Elem())
		case reflect.Interface, reflect.Func, reflect.Chan, reflect.UnsafePointer, reflect.Complex64, reflect.Complex128:
			t.Errorf("%s cannot be in the program cache key as it is: appendKey (key.go) has no encoding for it", ty)
		case reflect.Struct:
			listed, ok := keyFields[ty]
			if !ok {
				t.Errorf("%s is in the program cache key but has no keyFields entry: encode its fields in appendKey (key.go) and list them", ty)
				return
			}
			have := map[string]bool{}
			for i := 0; i < ty.NumField(); i++ {
				f := ty.Field(i)
				have[f.Name] = true
				desc := f.Name + " " + f.Type.String()
				switch {
				case slices.Contains(listed, desc):
					walk(f.Type)
				case notDeciding[ty][f.Name] != "":
				default:
					t.Errorf("%s.%s (%s) is not in the program cache key: add it to appendKey (key.go) and keyFields, or to notDeciding with why it does not decide the program", ty, f.Name, f.Type)
				}
			}
			for _, desc := range listed {
				if name, _, _ := strings.Cut(desc, " "); !have[name] {
					t.Errorf("keyFields lists %s.%s, which is no longer a field", ty, desc)
				}
			}
		}
	}
	walk(reflect.TypeFor[keyInput]())
	for ty := range keyFields {
		if !seen[ty] {
			t.Errorf("keyFields lists %s, which the key no longer reaches", ty)
		}
	}
}

// fill makes v a value with every keyed place present: pointers set,
// lists and maps of one element, all leaves zero.
func fill(v reflect.Value) {
	switch v.Kind() {
	case reflect.Struct:
		for _, i := range keyedFields(v.Type()) {
			fill(v.Field(i))
		}
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem())
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fill(v.Index(0))
	case reflect.Array:
		for i := 0; i < v.Len(); i++ {
			fill(v.Index(i))
		}
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(k)
		fill(e)
		v.SetMapIndex(k, e)
	}
}

// An edit changes one place of a filled keyInput.
type edit struct {
	what  string
	apply func(root reflect.Value)
}

// edits are the ways to change a value of type ty, at(root) in root:
// each leaf set in turn to values that differ from zero (and from one
// another in the bits a careless encoding drops), each list made empty
// or longer, each pointer nil, each map empty, longer or keyed
// otherwise.
func edits(ty reflect.Type, path string, at func(reflect.Value) reflect.Value) []edit {
	set := func(what string, x any) edit {
		return edit{path + " = " + what, func(r reflect.Value) {
			v := at(r)
			v.Set(reflect.ValueOf(x).Convert(v.Type()))
		}}
	}
	var out []edit
	switch ty.Kind() {
	case reflect.Bool:
		out = append(out, set("true", true))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		for _, x := range []int64{1, -1, 1 << 33} {
			if !reflect.Zero(ty).OverflowInt(x) {
				out = append(out, set(fmt.Sprint(x), x))
			}
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		for _, x := range []uint64{1, 1 << 33, 1<<ty.Bits() - 1} {
			if !reflect.Zero(ty).OverflowUint(x) {
				out = append(out, set(fmt.Sprint(x), x))
			}
		}
	case reflect.String:
		// Two invalid UTF-8 strings: encoding/json wrote both as U+FFFD.
		for _, x := range []string{"x", "\xff", "\xfe"} {
			out = append(out, set(fmt.Sprintf("%q", x), x))
		}
	case reflect.Struct:
		for _, i := range keyedFields(ty) {
			out = append(out, edits(ty.Field(i).Type, path+"."+ty.Field(i).Name,
				func(r reflect.Value) reflect.Value { return at(r).Field(i) })...)
		}
	case reflect.Pointer:
		out = append(out, edit{path + " = nil", func(r reflect.Value) { v := at(r); v.Set(reflect.Zero(v.Type())) }})
		out = append(out, edits(ty.Elem(), path, func(r reflect.Value) reflect.Value { return at(r).Elem() })...)
	case reflect.Array:
		for i := 0; i < ty.Len(); i++ {
			out = append(out, edits(ty.Elem(), fmt.Sprintf("%s[%d]", path, i),
				func(r reflect.Value) reflect.Value { return at(r).Index(i) })...)
		}
	case reflect.Slice:
		out = append(out,
			edit{path + " = empty", func(r reflect.Value) { v := at(r); v.Set(reflect.MakeSlice(v.Type(), 0, 0)) }},
			edit{path + " one longer", func(r reflect.Value) {
				v := at(r)
				e := reflect.New(ty.Elem()).Elem()
				fill(e)
				v.Set(reflect.Append(v, e))
			}})
		out = append(out, edits(ty.Elem(), path+"[0]", func(r reflect.Value) reflect.Value { return at(r).Index(0) })...)
	case reflect.Map:
		// The one key fill made is the zero key; edits are of its element.
		k := reflect.New(ty.Key()).Elem()
		other := reflect.New(ty.Key()).Elem()
		other.Set(reflect.ValueOf("x").Convert(ty.Key()))
		filled := func() reflect.Value { e := reflect.New(ty.Elem()).Elem(); fill(e); return e }
		out = append(out,
			edit{path + " = empty", func(r reflect.Value) { at(r).Clear() }},
			edit{path + " one longer", func(r reflect.Value) { at(r).SetMapIndex(other, filled()) }},
			edit{path + " keyed otherwise", func(r reflect.Value) {
				m := at(r)
				m.SetMapIndex(k, reflect.Value{})
				m.SetMapIndex(other, filled())
			}})
		for _, in := range edits(ty.Elem(), path+"[zero key]", func(e reflect.Value) reflect.Value { return e }) {
			out = append(out, edit{in.what, func(r reflect.Value) {
				m := at(r)
				e := reflect.New(ty.Elem()).Elem()
				e.Set(m.MapIndex(k))
				in.apply(e)
				m.SetMapIndex(k, e)
			}})
		}
	}
	return out
}

// Changing any one encoded place of the key's input, however deep,
// changes the key, and no two such changes give one key.
func TestKeyTellsEveryFieldApart(t *testing.T) {
	filled := func() reflect.Value {
		v := reflect.New(reflect.TypeFor[keyInput]()).Elem()
		fill(v)
		return v
	}
	key := func(v reflect.Value) [32]byte { return v.Addr().Interface().(*keyInput).key() }
	base := key(filled())
	if key(filled()) != base {
		t.Fatal("one input has two keys")
	}
	by := map[[32]byte]string{base: "the unchanged input"}
	all := edits(reflect.TypeFor[keyInput](), "in", func(r reflect.Value) reflect.Value { return r })
	for _, ed := range all {
		v := filled()
		ed.apply(v)
		k := key(v)
		if prev, ok := by[k]; ok {
			t.Errorf("%s gives the key of %s", ed.what, prev)
			continue
		}
		by[k] = ed.what
	}
	// Every field of keyFields, at least one edit each.
	for ty, fields := range keyFields {
		for _, f := range fields {
			name, _, _ := strings.Cut(f, " ")
			if !slices.ContainsFunc(all, func(e edit) bool { return strings.Contains(e.what, "."+name) }) {
				t.Errorf("no edit of %s.%s", ty, name)
			}
		}
	}
	if len(all) < 80 {
		t.Errorf("only %d edits", len(all))
	}
}

// Lists of strings are told apart where they split, not only by what
// they hold together.
func TestKeyBoundaries(t *testing.T) {
	rule := func(comment string, names ...string) profile.EffRule {
		return profile.EffRule{Names: names, Comment: comment, Action: profile.ActAllow}
	}
	k := func(bin string, arches []catalog.Arch, rules ...profile.EffRule) [32]byte {
		in := keyInput{Binary: bin, Effective: profile.Effective{Arches: arches, Rules: rules}}
		return in.key()
	}
	pairs := []struct {
		name string
		a, b [32]byte
	}{
		{"names ab / a b", k("", nil, rule("", "ab")), k("", nil, rule("", "a", "b"))},
		{"a name's end and the comment", k("", nil, rule("b", "a")), k("", nil, rule("", "ab"))},
		{"two rules / one", k("", nil, rule("", "a"), rule("", "b")), k("", nil, rule("", "a", "b"))},
		{"arches / rules", k("", []catalog.Arch{"x86_64"}), k("", nil, rule("", "x86_64"))},
		{"binary / arch", k("ab", nil), k("a", []catalog.Arch{"b"})},
	}
	for _, p := range pairs {
		if p.a == p.b {
			t.Errorf("%s: one key", p.name)
		}
	}
}

// An argument's extra members are keyed in name order, whatever order
// the map gives them in.
func TestKeyExtraOrder(t *testing.T) {
	names := []string{"a", "b", "c", "d", "e", "f"}
	key := func(order []string) [32]byte {
		extra := map[string]json.RawMessage{}
		for _, n := range order {
			extra[n] = json.RawMessage(`"` + n + `"`)
		}
		e := &profile.Effective{Rules: []profile.EffRule{{Args: []*profile.Arg{{Extra: extra}}}}}
		k := Key("id", e, profile.Options{})
		return k
	}
	want := key(names)
	for i := 0; i < 20; i++ {
		order := slices.Clone(names)
		slices.Reverse(order)
		order[0], order[i%len(order)] = order[i%len(order)], order[0]
		if key(order) != want {
			t.Fatalf("extra members in the order %v: another key", order)
		}
	}
}

// Key hashes appendKey of this format and the linked libseccomp, and the
// format is not the JSON one's.
func TestKeyIsAppendKey(t *testing.T) {
	e := dockerDefault(t)
	o := profile.Options{Variant: profile.VariantWatch}
	got := Key("b1", e, o)
	if want := sha256.Sum256(appendKey(nil, keyFormat, "b1", profile.LinkedLibseccomp(), e, o)); got != want {
		t.Error("Key is not the hash of appendKey with keyFormat and the linked libseccomp")
	}
	if keyFormat < 2 {
		t.Errorf("keyFormat %d: 1 was the JSON encoding's", keyFormat)
	}
}
