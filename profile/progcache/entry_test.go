package progcache

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/compile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/internal/proftest"
)

// statsFields are the fields of compile.Stats appendStats and decodeStats
// carry, as "Name type".
var statsFields = []string{"Instructions int", "Generator string", "Fallback string",
	"Prelude int", "ByNumber []string", "Skipped []string"}

// Every field of compile.Stats is listed in statsFields, and each listed
// one is carried: set alone, it changes the encoding and comes back. A
// field added to Stats fails here until the entry stores it (and
// formatVersion is bumped).
func TestStatsFieldsEncoded(t *testing.T) {
	ty := reflect.TypeFor[compile.Stats]()
	zero := appendStats(nil, &compile.Stats{})
	have := map[string]bool{}
	for i := 0; i < ty.NumField(); i++ {
		f := ty.Field(i)
		have[f.Name] = true
		if !slices.Contains(statsFields, f.Name+" "+f.Type.String()) {
			t.Errorf("compile.Stats.%s (%s) is not in the program cache entry: encode it in appendStats and decodeStats (entry.go), list it in statsFields and bump formatVersion", f.Name, f.Type)
			continue
		}
		var s compile.Stats
		v := reflect.ValueOf(&s).Elem().Field(i)
		switch {
		case v.Kind() == reflect.Int:
			v.SetInt(-7)
		case v.Kind() == reflect.String:
			v.SetString("x\xff")
		case v.Type() == reflect.TypeFor[[]string]():
			v.Set(reflect.ValueOf([]string{"a", ""}))
		default:
			t.Errorf("compile.Stats.%s: no test value for a %s", f.Name, f.Type)
			continue
		}
		b := appendStats(nil, &s)
		if bytes.Equal(b, zero) {
			t.Errorf("compile.Stats.%s set does not change the encoding: appendStats (entry.go) leaves it out", f.Name)
			continue
		}
		got, err := decodeStats(b)
		if err != nil || !reflect.DeepEqual(got, s) {
			t.Errorf("compile.Stats.%s: %+v came back as %+v, %v", f.Name, s, got, err)
		}
	}
	for _, desc := range statsFields {
		if name, _, _ := strings.Cut(desc, " "); !have[name] {
			t.Errorf("statsFields lists %s, which is no longer a field of compile.Stats", desc)
		}
	}
}

// Stats come back as they went in, and encode again to the same bytes;
// strings byte for byte (encoding/json made invalid UTF-8 U+FFFD); an
// empty list comes back nil, as the compiler makes its empty lists.
func TestStatsRoundTrip(t *testing.T) {
	long := strings.Repeat("fallback ", 40) // a length of two varint bytes
	many := make([]string, 200)
	for i := range many {
		many[i] = fmt.Sprint("call", i)
	}
	fresh, err := compile.Build(dockerDefault(t), profile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		in   compile.Stats
		want *compile.Stats // nil: in
	}{
		{"zero", compile.Stats{}, nil},
		{"docker-default", fresh.Stats, nil},
		{"every field", compile.Stats{Instructions: 1 << 40, Generator: compile.GenLibseccomp, Fallback: long,
			Prelude: -1 << 40, ByNumber: []string{"mseal", "lsm_get_self_attr"}, Skipped: many}, nil},
		{"odd bytes", compile.Stats{Generator: "\x00\xff\xfe", Fallback: "a\nb\x00c\ufffd\xc3(",
			ByNumber: []string{"", "\x80", ""}, Skipped: []string{"\xff"}}, nil},
		{"empty lists", compile.Stats{ByNumber: []string{}, Skipped: []string{}}, &compile.Stats{}},
	}
	for _, c := range cases {
		want := c.want
		if want == nil {
			want = &c.in
		}
		b := appendStats(nil, &c.in)
		got, err := decodeStats(b)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if !reflect.DeepEqual(got, *want) {
			t.Errorf("%s: %#v came back as %#v", c.name, *want, got)
		}
		if again := appendStats(nil, &got); !bytes.Equal(again, b) {
			t.Errorf("%s: encodes to %x, then to %x", c.name, b, again)
		}
	}
}

// Stats bytes that appendStats would not have written, or stats the
// compiler would not have made for the program, are refused, each with
// its reason.
func TestStatsRefused(t *testing.T) {
	good := compile.Stats{Instructions: 5, Generator: compile.GenWorkbench, Prelude: 2}
	enc := appendStats(nil, &good)
	head := appendString(appendInt(nil, 5), compile.GenWorkbench) // Instructions, Generator
	cases := []struct {
		name string
		b    []byte
		why  string
	}{
		{"empty", nil, "ends inside a number"},
		{"cut in a number", []byte{0x80}, "ends inside a number"},
		{"cut short", enc[:len(enc)-1], "ends inside a number"},
		{"cut in a string", enc[:3], "a length of 9, with 1 bytes left"},
		{"a byte after", append(slices.Clone(enc), 0), "1 bytes after the end"},
		{"a padded number", append([]byte{0x8a, 0x00}, enc[1:]...), "not in its shortest form"},
		{"a number beyond 64 bits", bytes.Repeat([]byte{0xff}, 11), "longer than 64 bits"},
		{"a string longer than the rest", appendUint(slices.Clone(head), 1<<40), "a length of 1099511627776, with 0 bytes left"},
		{"a list longer than the rest", appendUint(appendInt(appendString(slices.Clone(head), ""), 0), 3), "a length of 3, with 0 bytes left"},
		{"a list one string short", append(appendUint(appendInt(appendString(slices.Clone(head), ""), 0), 2), 1, 'a'), "ends inside a number"},
	}
	for _, c := range cases {
		_, err := decodeStats(c.b)
		if err == nil || !strings.Contains(err.Error(), c.why) {
			t.Errorf("%s (%x): %v, want an error saying %q", c.name, c.b, err, c.why)
		}
	}
	checks := []struct {
		name string
		edit func(*compile.Stats)
		why  string
	}{
		{"another instruction count", func(s *compile.Stats) { s.Instructions = 6 }, "they count 6 instructions, the program has 5"},
		{"no generator", func(s *compile.Stats) { s.Generator = "" }, `generator ""`},
		{"an unknown generator", func(s *compile.Stats) { s.Generator = "Workbench" }, `generator "Workbench"`},
		{"a negative prelude", func(s *compile.Stats) { s.Prelude = -1 }, "a prelude of -1 instructions"},
		{"a prelude beyond the program", func(s *compile.Stats) { s.Prelude = 6 }, "a prelude of 6 instructions in a program of 5"},
	}
	if err := checkStats(&good, 5); err != nil {
		t.Fatalf("good stats: %v", err)
	}
	for _, c := range checks {
		s := good
		c.edit(&s)
		if err := checkStats(&s, 5); err == nil || !strings.Contains(err.Error(), c.why) {
			t.Errorf("%s: %v, want an error saying %q", c.name, err, c.why)
		}
	}
}

// A list's length is checked against the bytes left before anything is
// allocated for it: a claim of 60000 strings in no bytes costs no more
// than the error's text (a list of 60000 strings is 960 KB).
func TestStatsLengthBeforeAllocation(t *testing.T) {
	b := appendUint(appendInt(appendString(appendString(appendInt(nil, 1), compile.GenWorkbench), ""), 0), 60000)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := 0; i < 10; i++ {
		if _, err := decodeStats(b); err == nil {
			t.Fatal("decoded")
		}
	}
	runtime.ReadMemStats(&after)
	if per := (after.TotalAlloc - before.TotalAlloc) / 10; per > 1<<10 {
		t.Errorf("%d bytes allocated to refuse a list of 60000 strings in no bytes", per)
	}
}

// reseal makes the entry's stats length and checksum those of the bytes
// after its program.
func reseal(b []byte) []byte {
	le := binary.LittleEndian
	n := int(le.Uint32(b[12:]))
	le.PutUint32(b[16:], uint32(len(b)-headerLen-8*n))
	sum := sha256.Sum256(b[headerLen:])
	copy(b[56:], sum[:])
	return b
}

// withStats is the entry b with stats in place of its own, lengths and
// checksum right.
func withStats(b, stats []byte) []byte {
	n := int(binary.LittleEndian.Uint32(b[12:]))
	return reseal(append(slices.Clone(b[:headerLen+8*n]), stats...))
}

// encodeEntryV1 is the entry format 1 wrote for p: this header and
// program, the stats as encoding/json.
func encodeEntryV1(key [32]byte, p *compile.Program) ([]byte, error) {
	b, err := encodeEntry(key, p)
	if err != nil {
		return nil, err
	}
	stats, err := json.Marshal(p.Stats)
	if err != nil {
		return nil, err
	}
	b = withStats(b, stats)
	binary.LittleEndian.PutUint32(b[8:], 1)
	return b, nil
}

// decodeEntryV1 is decodeEntry as format 1 had it, stats by
// encoding/json: what BenchmarkDecodeFirstCall compares decodeEntry with.
func decodeEntryV1(b []byte, key [32]byte, e *profile.Effective, o profile.Options) (*compile.Program, error) {
	insns, stats, err := readEntry(b, key, 1, e)
	if err != nil {
		return nil, err
	}
	n := len(insns)
	var st compile.Stats
	if err := json.Unmarshal(stats, &st); err != nil {
		return nil, fmt.Errorf("the stats: %w", err)
	}
	if st.Instructions != n {
		return nil, fmt.Errorf("the stats count %d instructions, the program has %d", st.Instructions, n)
	}
	return &compile.Program{Insns: insns, Options: o, Effective: e, Stats: st}, nil
}

// The v1 helpers are format 1: the old decoder reads what encodeEntryV1
// writes, and today's refuses it by its version.
func TestEntryV1(t *testing.T) {
	e := dockerDefault(t)
	p, err := compile.Build(e, profile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	key := Key("id", e, profile.Options{})
	b, err := encodeEntryV1(key, p)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeEntryV1(b, key, e, profile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	samePrograms(t, "format 1", got, p)
	if _, err := decodeEntry(b, key, e, profile.Options{}); err == nil || err.Error() != fmt.Sprintf("format version 1, not %d", formatVersion) {
		t.Errorf("a format 1 entry: %v", err)
	}
}

// Whatever the bytes, decodeEntry does not panic, and what it accepts is
// exactly the entry encodeEntry makes of the result. With seal set the
// checksum is made right first, so that changes reach the program and
// the stats.
func FuzzDecodeEntry(f *testing.F) {
	e := parse(f, `{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read", "write", "mseal"], "action": "SCMP_ACT_ALLOW"}, {"names": ["nosuchcall"], "action": "SCMP_ACT_ALLOW"}]}`)
	p, err := compile.Build(e, profile.Options{})
	if err != nil {
		f.Fatal(err)
	}
	key := Key("id", e, profile.Options{})
	good, err := encodeEntry(key, p)
	if err != nil {
		f.Fatal(err)
	}
	v1, err := encodeEntryV1(key, p)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good, false)
	f.Add(good, true)
	f.Add(v1, true)
	f.Add(withStats(good, nil), true)
	f.Add(good[:headerLen], true)
	f.Add([]byte{}, false)
	f.Fuzz(func(t *testing.T, b []byte, seal bool) {
		var k [32]byte
		if len(b) >= headerLen {
			copy(k[:], b[24:56])
			if seal {
				b = slices.Clone(b)
				sum := sha256.Sum256(b[headerLen:])
				copy(b[56:], sum[:])
			}
		}
		got, err := decodeEntry(b, k, e, profile.Options{})
		if err != nil {
			if got != nil {
				t.Fatalf("a program and an error (%v)", err)
			}
			return
		}
		again, err := encodeEntry(k, got)
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("accepted an entry that encodes otherwise (%v):\n%x\n%x", err, b, again)
		}
	})
}

// The stats decoder alone, which the checksum keeps FuzzDecodeEntry's
// unsealed inputs from: no panic, and what decodes encodes back to the
// same bytes.
func FuzzDecodeStats(f *testing.F) {
	f.Add(appendStats(nil, &compile.Stats{}))
	f.Add(appendStats(nil, &compile.Stats{Instructions: 12, Generator: compile.GenLibseccomp, Fallback: "why\xff",
		Prelude: 3, ByNumber: []string{"mseal"}, Skipped: []string{"", "nosuchcall"}}))
	f.Add([]byte(`{"Instructions":1,"Generator":"workbench","Prelude":1,"ByNumber":null,"Skipped":null}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := decodeStats(b)
		if err != nil {
			return
		}
		_ = checkStats(&s, 12)
		if again := appendStats(nil, &s); !bytes.Equal(again, b) {
			t.Fatalf("%x decodes to %+v, which encodes to %x", b, s, again)
		}
	})
}

// decodeFirstCallEnv makes TestDecodeFirstCallChild time the first and
// second decode of the entry file it names, "json:PATH" (a format 1
// entry, decodeEntryV1) or "binary:PATH" (decodeEntry), after what a
// warm launch does before it: the profile read (encoding/json decoding
// it), the binary identified and the key made.
const decodeFirstCallEnv = "PROGCACHE_TEST_DECODE_FIRST_CALL"

func TestDecodeFirstCallChild(t *testing.T) {
	mode, path, _ := strings.Cut(os.Getenv(decodeFirstCallEnv), ":")
	if mode == "" {
		t.Skip("run by BenchmarkDecodeFirstCall")
	}
	decode := map[string]func([]byte, [32]byte, *profile.Effective, profile.Options) (*compile.Program, error){
		"json": decodeEntryV1, "binary": decodeEntry}[mode]
	p, err := profile.Open("preset:docker-default")
	if err != nil {
		t.Fatal(err)
	}
	e := p.Effective(proftest.X86Env())
	if _, err := BinaryID(); err != nil {
		t.Fatal(err)
	}
	key := Key("id", e, profile.Options{})
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var ns [2]int64
	for i := range ns {
		t0 := time.Now()
		if _, err := decode(b, key, e, profile.Options{}); err != nil {
			t.Fatal(err)
		}
		ns[i] = time.Since(t0).Nanoseconds()
	}
	fmt.Printf("decode-ns %d %d\n", ns[0], ns[1])
}

// BenchmarkDecodeFirstCall is a hit's decode of docker-default's entry
// in a fresh process, as each CLI run pays it: per iteration one new test
// process for each format, in alternating order, each timing its first
// and second decode. The metrics are medians, in µs; ns/op is the two
// processes.
func BenchmarkDecodeFirstCall(b *testing.B) {
	e := dockerDefault(b)
	p, err := compile.Build(e, profile.Options{})
	if err != nil {
		b.Fatal(err)
	}
	key := Key("id", e, profile.Options{})
	dir := b.TempDir()
	files := map[string]string{}
	for mode, enc := range map[string]func([32]byte, *compile.Program) ([]byte, error){"json": encodeEntryV1, "binary": encodeEntry} {
		data, err := enc(key, p)
		if err != nil {
			b.Fatal(err)
		}
		files[mode] = filepath.Join(dir, mode+entryExt)
		if err := os.WriteFile(files[mode], data, 0o600); err != nil {
			b.Fatal(err)
		}
	}
	firstCalls(b, "TestDecodeFirstCallChild", "decode-ns", func(mode string) string {
		return decodeFirstCallEnv + "=" + mode + ":" + files[mode]
	})
}

// BenchmarkDecode is a hit's decode of docker-default's entry in a warm
// process, by either format, and the stats alone.
func BenchmarkDecode(b *testing.B) {
	e := dockerDefault(b)
	p, err := compile.Build(e, profile.Options{})
	if err != nil {
		b.Fatal(err)
	}
	key := Key("id", e, profile.Options{})
	for _, v := range []struct {
		name   string
		enc    func([32]byte, *compile.Program) ([]byte, error)
		decode func([]byte, [32]byte, *profile.Effective, profile.Options) (*compile.Program, error)
	}{{"json", encodeEntryV1, decodeEntryV1}, {"binary", encodeEntry, decodeEntry}} {
		data, err := v.enc(key, p)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(v.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := v.decode(data, key, e, profile.Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	js, err := json.Marshal(p.Stats)
	if err != nil {
		b.Fatal(err)
	}
	bin := appendStats(nil, &p.Stats)
	b.Run("stats-json", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			var st compile.Stats
			if err := json.Unmarshal(js, &st); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("stats-binary", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, err := decodeStats(bin); err != nil {
				b.Fatal(err)
			}
		}
	})
}
