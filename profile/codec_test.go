package profile

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// Docker's own default.json is in canonical form: it must save back to
// exactly the same bytes.
func TestDockerDefaultRoundTripsByteForByte(t *testing.T) {
	data, err := os.ReadFile("../testdata/profiles/docker-default.json")
	if err != nil {
		t.Fatal(err)
	}
	p, err := Parse("docker-default.json", data)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, data) {
		i := 0
		for i < len(out) && i < len(data) && out[i] == data[i] {
			i++
		}
		t.Fatalf("round trip differs at byte %d: got %q, want %q", i, snippet(out, i), snippet(data, i))
	}
}

func snippet(b []byte, i int) string {
	lo, hi := i-40, i+40
	if lo < 0 {
		lo = 0
	}
	if hi > len(b) {
		hi = len(b)
	}
	return string(b[lo:hi])
}

// Fields the workbench does not model survive a save.
func TestUnknownFieldsKept(t *testing.T) {
	in := `{"defaultAction":"SCMP_ACT_ERRNO","x-owner":"team-a",
"syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","x-ticket":42},{"name":"write","action":"SCMP_ACT_ALLOW"}]}`
	p, err := Parse("t.json", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	out, _ := Marshal(p)
	for _, want := range []string{`"x-owner": "team-a"`, `"x-ticket": 42`, `"name": "write"`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("saved profile lost %s:\n%s", want, out)
		}
	}
	if strings.Contains(string(out), `"names": null`) {
		t.Errorf("legacy name rule grew a null names:\n%s", out)
	}
	if c, _ := Marshal(p.Clone()); !bytes.Equal(c, out) {
		t.Errorf("Clone lost fields:\n%s", c)
	}
	q, err := Parse("again.json", out)
	if err != nil {
		t.Fatal(err)
	}
	out2, _ := Marshal(q)
	if !bytes.Equal(out, out2) {
		t.Errorf("second round trip changed the bytes")
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"empty", "", "t.json: the file is empty"},
		{"spaces", "  \n ", "t.json: the file is empty"},
		{"not json", "hello", "t.json:1:1: not a JSON object"},
		{"array", "[1]", "t.json:1:1: not a JSON object"},
		{"bom only", "\ufeff\n", "t.json:1:1: the file starts with a byte-order mark"},
		{"bom", "\ufeff{\"defaultAction\": \"SCMP_ACT_ALLOW\"}", "t.json:1:1: the file starts with a byte-order mark"},
		{"syntax", "{\n  \"defaultAction\": \"SCMP_ACT_ALLOW\",\n  oops\n}", "t.json:3:3: invalid JSON"},
		{"truncated", `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [`, `t.json:1:50: invalid JSON: the file ends inside the "syscalls" array opened at 1:49, inside the profile object opened at 1:1: restore the rest of the file, or close what is open with "]}"`},
		{"truncated in a rule", "{\n \"defaultAction\": \"SCMP_ACT_ALLOW\",\n \"syscalls\": [\n  {\"names\": [\"read\"], \"args\": [{\"index\": 0",
			`t.json:4:43: invalid JSON: the file ends inside an object opened at 4:32, inside the "args" array opened at 4:31, inside an object opened at 4:3, inside the "syscalls" array opened at 3:14, inside the profile object opened at 1:1`},
		{"truncated after a comma", `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"]},`, `inside the "syscalls" array opened at 1:49, inside the profile object opened at 1:1: restore the rest of the file`},
		{"truncated in a string", `{"defaultAction": "SCMP_ACT_AL`, `t.json:1:31: invalid JSON: the file ends inside a string opened at 1:19, inside the profile object opened at 1:1`},
		{"truncated string with escapes", `{"defaultAction": "SCMP_ACT_ALLOW", "comment": "a \"[{\" b`, `t.json:1:59: invalid JSON: the file ends inside a string opened at 1:48, inside the profile object opened at 1:1: restore`},
		{"truncated after a key", `{"defaultAction"`, `t.json:1:17: invalid JSON: the file ends inside the profile object opened at 1:1: restore the rest of the file, or close what is open with "}"`},
		{"missing default", `{"syscalls": []}`, `"defaultAction" is missing`},
		{"bad default", "{\n\"defaultAction\": \"SCMP_ACT_NOPE\"}", `t.json:2:18: unknown action "SCMP_ACT_NOPE" in defaultAction`},
		{"bad action", "{\"defaultAction\": \"SCMP_ACT_ALLOW\",\n\"syscalls\": [\n {\"names\": [\"read\"], \"action\": \"ALLOW\"}]}", `t.json:3:32: unknown action "ALLOW" in syscalls[0]`},
		{"bad arch", `{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_Z80"]}`, `unknown architecture "SCMP_ARCH_Z80"`},
		{"bad op", `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"SCMP_CMP_LIKE"}]}]}`, `unknown comparison operator "SCMP_CMP_LIKE"`},
		{"bad index", `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":6,"value":1,"op":"SCMP_CMP_EQ"}]}]}`, `index 6 is out of range: syscalls have arguments 0..5`},
		{"type", `{"defaultAction":"SCMP_ACT_ALLOW","defaultErrnoRet":"EPERM"}`, `t.json:1:53: defaultErrnoRet must be a non-negative integer, not a JSON string`},
		{"errno range", `{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":5000}`, `out of range`},
		{"both arch", `{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64"],"archMap":[{"architecture":"SCMP_ARCH_X86_64","subArchitectures":[]}]}`, `keep only one`},
		{"no names", `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"action":"SCMP_ACT_ALLOW"}]}`, `names no syscall`},
		{"errno with allow", `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","errnoRet":1}]}`, `errnoRet only goes with`},
		{"minKernel", `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","includes":{"minKernel":"five"}}]}`, `is not a kernel version`},
		{"trailing", `{"defaultAction":"SCMP_ACT_ALLOW"} {}`, `unexpected data after`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("t.json", []byte(tc.in))
			if err == nil {
				t.Fatalf("no error, want %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
		})
	}
}

// FuzzParse: whatever the bytes, Parse returns a profile or a one-line
// error, never panics; and what it accepts saves and re-parses.
func FuzzParse(f *testing.F) {
	if data, err := os.ReadFile("../testdata/profiles/docker-default.json"); err == nil {
		f.Add(data)
	}
	f.Add([]byte(`{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"}]}]}`))
	f.Add([]byte(`{"defaultAction":"SCMP_ACT_ALLOW","x":[1,{"y":null}],"syscalls":[{"name":"x","action":"SCMP_ACT_LOG","z":true}]}`))
	f.Add([]byte(``))
	f.Add([]byte(`{`))
	f.Add([]byte("\ufeff "))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse("fuzz.json", data)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error: %q", err)
			}
			return
		}
		out, err := Marshal(p)
		if err != nil {
			t.Fatalf("accepted profile does not marshal: %v", err)
		}
		if _, err := Parse("again.json", out); err != nil {
			t.Fatalf("saved profile does not parse: %v\n%s", err, out)
		}
	})
}
