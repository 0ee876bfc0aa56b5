package source

import (
	"regexp"
	"strings"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/diff"
	"github.com/seccomp-workbench/seccomp-workbench/profile/export"
)

// TestFirecrackerRoundTrip exports each profile for x86_64 as seccompiler
// JSON and opens it again: every call whose outcome changed is one the
// export's notes name (seccompiler has one match action).
func TestFirecrackerRoundTrip(t *testing.T) {
	profiles := map[string]string{
		"allow-list": `{"defaultAction": "SCMP_ACT_KILL_PROCESS", "syscalls": [
			{"names": ["read", "write", "exit_group"], "action": "SCMP_ACT_ALLOW", "comment": "the basics"},
			{"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 0, "op": "SCMP_CMP_EQ"}]},
			{"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]},
			{"names": ["mmap"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 2, "value": 4, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}, {"index": 1, "value": 4096, "op": "SCMP_CMP_GE"}]},
			{"names": ["ioctl"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 1, "value": 21505, "op": "SCMP_CMP_LE"}]}]}`,
		"deny-list": `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
			{"names": ["mount", "umount2"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
			{"names": ["socket"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13, "args": [{"index": 0, "value": 16, "op": "SCMP_CMP_EQ"}]}]}`,
	}
	for name, src := range roundTripProfiles {
		profiles[name] = src
	}
	cat := catalog.MustDefault()
	for name, src := range profiles {
		t.Run(name, func(t *testing.T) {
			var p *profile.Profile
			if strings.HasPrefix(src, "{") {
				var err error
				if p, err = profile.Parse(name, []byte(src)); err != nil {
					t.Fatal(err)
				}
			} else {
				p = mustOpen(t, src)
			}
			o := export.ExportOptions{Arches: []catalog.Arch{catalog.X86_64}, Thread: "vmm"}
			path, notes := exportTo(t, p, export.FormatFirecracker, o)
			got := mustImport(t, path)
			if got.Format != FormatFirecracker || got.Name != "vmm" {
				t.Fatalf("format %s thread %q", got.Format, got.Name)
			}
			a := p.Effective(x86Env())
			a.Arches = []catalog.Arch{catalog.X86_64}
			all := strings.Join(notes, "\n")
			for _, c := range diff.Diff(a, got.Profile.Effective(x86Env())) {
				named := c.Scope == diff.ScopeSyscall && regexp.MustCompile(`(?m)^`+regexp.QuoteMeta(c.Syscall)+`:`).MatchString(all)
				if ent, ok := cat.Lookup(c.Syscall); !named && !(ok && !hasNumber(ent, catalog.X86_64)) {
					t.Errorf("%s changed without a note", c)
				}
			}
			if strings.HasPrefix(src, "{") {
				for _, n := range notes {
					if !strings.HasPrefix(n, "resolved for") && !strings.HasPrefix(n, "calls newer than") {
						t.Errorf("a note for a profile seccompiler says exactly: %s", n)
					}
				}
			}
		})
	}
}

func hasNumber(ent *catalog.Entry, a catalog.Arch) bool { _, ok := ent.Number(a); return ok }

const fcFile = `{
    "vmm": {
        "default_action": "trap",
        "filter_action": "allow",
        "filter": [
            {"syscall": "read"},
            {"syscall": "ioctl", "args": [{"index": 1, "type": "dword", "op": "eq", "val": 21505, "comment": "TCGETS"}]},
            {"syscall": "ioctl", "args": [{"index": 1, "type": "dword", "op": "eq", "val": 21506}]},
            {"syscall": "mmap", "args": [{"index": 2, "type": "dword", "op": {"masked_eq": 4}, "val": 0}]},
            {"syscall": "futex"},
            {"syscall": "futex", "args": [{"index": 1, "type": "qword", "op": "le", "val": 1}]}
        ]
    },
    "api": {
        "mismatch_action": {"errno": 1},
        "match_action": "allow",
        "filter": [{"syscall": "write", "comment": "responses"}]
    }
}
`

func TestFirecrackerImport(t *testing.T) {
	path := writeFile(t, "fc.json", fcFile)
	_, err := Open(path)
	wantErr(t, err, path+" holds 2 threads (vmm, api): pick one with "+path+"#NAME")
	_, err = Open(path + "#vcpu")
	wantErr(t, err, path+"#vcpu: no thread named \"vcpu\": the file has vmm, api")

	o := mustImport(t, path+"#vmm")
	want, err := profile.Parse("want", []byte(`{"defaultAction": "SCMP_ACT_TRAP", "architectures": ["`+profile.NativeArch().Docker()+`"], "syscalls": [
		{"names": ["read"], "action": "SCMP_ACT_ALLOW"},
		{"names": ["ioctl"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 1, "op": "SCMP_CMP_MASKED_EQ", "value": 4294967295, "valueTwo": 21505}]},
		{"names": ["ioctl"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 1, "op": "SCMP_CMP_MASKED_EQ", "value": 4294967295, "valueTwo": 21506}]},
		{"names": ["mmap"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 2, "op": "SCMP_CMP_MASKED_EQ", "value": 4, "valueTwo": 0}]},
		{"names": ["futex"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 1, "op": "SCMP_CMP_LE", "value": 1}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	sameMeaning(t, want, o.Profile)
	wantWarning(t, o, path+":10:13: futex has rules with args too, and seccompiler then keeps only those")
	wantWarning(t, o, "a Firecracker filter names no architecture")

	o = mustImport(t, path+"#api")
	if o.Profile.DefaultErrno() != 1 || o.Profile.Syscalls[0].Names[0] != "write" {
		t.Fatalf("api: %+v", o.Profile)
	}
	// A dword comparison other than eq and masked_eq is read as 64 bits,
	// and said so.
	o = mustImport(t, writeFile(t, "fc.json", `{"t": {"default_action": "allow", "filter_action": {"errno": 1}, "filter": [
		{"syscall": "kill", "args": [{"index": 1, "type": "dword", "op": "ne", "val": 0}]}]}}`))
	wantWarning(t, o, "compares the low 32 bits (dword) with ne, which a profile cannot say")
}

func TestFirecrackerErrors(t *testing.T) {
	head := `{"t": {"default_action": "trap", "filter_action": "allow", "filter": [`
	cases := map[string]struct{ body, want string }{
		"bad op":      {head + `{"syscall": "read", "args": [{"index": 0, "type": "qword", "op": "equals", "val": 1}]}]}}`, `:1:136: filter[0].args[0].op "equals"`},
		"bad type":    {head + `{"syscall": "read", "args": [{"index": 0, "type": "word", "op": "eq", "val": 1}]}]}}`, `:1:121: filter[0].args[0].type "word"`},
		"no type":     {head + `{"syscall": "read", "args": [{"index": 0, "op": "eq", "val": 1}]}]}}`, `:1:100: filter[0].args[0] has no type`},
		"empty args":  {head + `{"syscall": "read", "args": []}]}}`, `:1:99: filter[0].args is empty, which seccompiler refuses`},
		"unknown":     {head + `{"syscall": "no_such_call"}]}}`, `:1:83: unknown syscall "no_such_call"`},
		"field":       {head + `{"syscall": "read", "action": "allow"}]}}`, `:1:91: "action" is not a field of a seccompiler rule`},
		"same":        {`{"t": {"default_action": "allow", "filter_action": "allow", "filter": []}}`, `:1:7: thread t: match and mismatch actions are the same`},
		"errno 0":     {`{"t": {"default_action": {"errno": 0}, "filter_action": "allow", "filter": []}}`, `:1:36: errno 0`},
		"bad action":  {`{"t": {"default_action": "deny", "filter_action": "allow", "filter": []}}`, `:1:26: default_action "deny"`},
		"dword value": {head + `{"syscall": "read", "args": [{"index": 0, "type": "dword", "op": "eq", "val": 4294967296}]}]}}`, `:1:149: filter[0].args[0].val 0x100000000 does not fit the dword`},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			path := writeFile(t, "fc.json", c.body)
			_, err := Open(path)
			wantErr(t, err, path+c.want)
		})
	}
}
