package catalog

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/seccomp-workbench/seccomp-workbench/catalog/internal/gentables"
)

// tables_gen.go is what the generator makes of data/ today, byte for byte.
func TestTablesCurrent(t *testing.T) {
	want, err := gentables.Generate(os.DirFS("data"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(gentables.Output)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is stale: data/ says otherwise; run go generate ./catalog", gentables.Output)
	}
}

// dataFS is data/ with name's content replaced.
func dataFS(t *testing.T, name string, edit func(string) string) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	for _, p := range []string{"numbers.json", "systemd.json", "families.json", "args.json", "riskyargs.json", "syscalls/part00.json", "syscalls/part01.json", "syscalls/part02.json", "syscalls/part03.json"} {
		b, err := os.ReadFile("data/" + p)
		if err != nil {
			t.Fatal(err)
		}
		if p == name {
			s := edit(string(b))
			if s == string(b) {
				t.Fatalf("the edit of %s changed nothing", name)
			}
			b = []byte(s)
		}
		m[p] = &fstest.MapFile{Data: b, Mode: 0o644}
	}
	return m
}

// An edit of any source shows in the output, and sources that disagree
// are refused with the file and the call named.
func TestTablesFollowData(t *testing.T) {
	base, err := gentables.Generate(dataFS(t, "", nil))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ file, old, new string }{
		{"numbers.json", `"x86_64": 156`, `"x86_64": 999`},
		{"systemd.json", `"Asynchronous IO"`, `"Asynchronous I/O"`},
		{"families.json", `"creat"]`, `"creat", "open_tree"]`},
		{"args.json", `"int fd, struct sockaddr * upeer_sockaddr, int * upeer_addrlen"`, `"int fd"`},
		{"syscalls/part00.json", `"risk": "low"`, `"risk": "high"`},
	} {
		out, err := gentables.Generate(dataFS(t, tc.file, func(s string) string { return strings.Replace(s, tc.old, tc.new, 1) }))
		if err != nil {
			t.Errorf("%s: %v", tc.file, err)
		} else if bytes.Equal(out, base) {
			t.Errorf("%s: changing %s to %s left the tables as they were", tc.file, tc.old, tc.new)
		}
	}
	for _, tc := range []struct{ file, old, new, msg string }{
		{"numbers.json", `"_llseek": {`, `"_llseek_gone": {`, `describes "_llseek", which has no numbers`},
		{"families.json", `"creat"]`, `"creat", "no_such_call"]`, `unknown syscall "no_such_call"`},
		{"args.json", `"accept": "int fd,`, `"no_such_call": "int fd,`, `"no_such_call"`},
		{"syscalls/part00.json", `"rationale"`, `"rationals"`, `unknown field "rationals"`},
		{"numbers.json", `{`, `{{`, "numbers.json"},
		{"numbers.json", `"arm": 140`, `"arm": 142`, `"_llseek" and "_newselect" both have number 142 on arm`},
	} {
		_, err := gentables.Generate(dataFS(t, tc.file, func(s string) string { return strings.Replace(s, tc.old, tc.new, 1) }))
		if err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s with %s: error %v, want one with %s", tc.file, tc.new, err, tc.msg)
		}
	}
}

// BenchmarkLoad is what the first Default() of every process costs.
func BenchmarkLoad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := load(); err != nil {
			b.Fatal(err)
		}
	}
}
