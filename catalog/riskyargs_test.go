package catalog

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/catalog/internal/gentables"
)

// The calls whose risk an argument decides are described, at the index
// the kernel declares, with names a user recognises.
func TestRiskyArgs(t *testing.T) {
	c := MustDefault()
	for _, tc := range []struct {
		call   string
		index  int
		read   ArgRead
		narrow bool
	}{
		{"socket", 0, ReadValues, true}, {"socket", 1, ReadValues, true},
		{"socketpair", 0, ReadValues, true}, {"socketpair", 1, ReadValues, true},
		{"clone", 0, ReadBits, false}, {"clone3", 0, ReadMemory, false},
		{"unshare", 0, ReadBits, false}, {"setns", 1, ReadValues, true},
		{"ioctl", 1, ReadValues, true}, {"prctl", 0, ReadValues, true},
		{"personality", 0, ReadValues, true}, {"mmap", 2, ReadValues, false},
		{"mprotect", 2, ReadValues, false}, {"pkey_mprotect", 2, ReadValues, false},
		{"fcntl", 1, ReadValues, true}, {"kill", 1, ReadValues, true},
		{"tgkill", 2, ReadValues, true}, {"tkill", 1, ReadValues, true},
		{"keyctl", 0, ReadValues, true}, {"bpf", 0, ReadValues, true},
		{"ptrace", 0, ReadValues, false}, {"setsockopt", 1, ReadValues, true},
		{"setsockopt", 2, ReadValues, true},
	} {
		var got *RiskyArg
		for _, a := range c.RiskyArgs(tc.call) {
			if a.Index == tc.index {
				got = &a
			}
		}
		if got == nil {
			t.Errorf("%s: argument %d is not described", tc.call, tc.index)
			continue
		}
		if got.Read != tc.read || got.Narrow != tc.narrow || got.Why == "" {
			t.Errorf("%s argument %d: read %s narrow %v why %q, want %s %v and a reason", tc.call, tc.index, got.Read, got.Narrow, got.Why, tc.read, tc.narrow)
		}
		if got.Names != "" {
			if _, ok := c.ValueNames(got.Names); !ok {
				t.Errorf("%s: no names %q", tc.call, got.Names)
			}
		}
	}
	if c.RiskyArgs("getpid") != nil || c.RiskyArgs("no_such_call") != nil {
		t.Error("getpid or an unknown call has risky arguments")
	}
	clone := c.RiskyArgs("clone")[0]
	if clone.At(S390X) != 1 || clone.At(X86_64) != 0 {
		t.Errorf("clone's flags at %d on s390x and %d on x86_64, want 1 and 0", clone.At(S390X), clone.At(X86_64))
	}
	if mmap := c.RiskyArgs("mmap")[0]; mmap.At(X86) != -1 || mmap.At(X86_64) != 2 {
		t.Errorf("mmap's prot at %d on x86 and %d on x86_64, want -1 (in memory) and 2", mmap.At(X86), mmap.At(X86_64))
	}
}

func TestArgText(t *testing.T) {
	c := MustDefault()
	arg := func(call string, i int) *RiskyArg {
		for _, a := range c.RiskyArgs(call) {
			if a.Index == i {
				return &a
			}
		}
		t.Fatalf("%s has no risky argument %d", call, i)
		return nil
	}
	for _, tc := range []struct {
		a    *RiskyArg
		v    uint64
		want string
	}{
		{arg("socket", 0), 1, "AF_UNIX"},
		{arg("socket", 0), 2, "AF_INET"},
		{arg("socket", 0), 99, "99"},
		{arg("socket", 1), 1 | 0x80000, "SOCK_STREAM|SOCK_CLOEXEC"},
		{arg("socket", 1), 2 | 0x80800, "SOCK_DGRAM|SOCK_NONBLOCK|SOCK_CLOEXEC"},
		{arg("clone", 0), 0x01200011, "SIGCHLD|CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID"},
		{arg("clone", 0), 0x10000000 | 17, "SIGCHLD|CLONE_NEWUSER"},
		{arg("clone", 0), 0x10000000, "CLONE_NEWUSER"},
		{arg("unshare", 0), 0x10000000 | 0x20000 | 0x80, "CLONE_NEWNS|CLONE_NEWUSER|CLONE_NEWTIME"},
		{arg("unshare", 0), 1 << 40, "0x10000000000"},
		{arg("mmap", 2), 0, "PROT_NONE"},
		{arg("mmap", 2), 5, "PROT_READ|PROT_EXEC"},
		{arg("ioctl", 1), 0x5413, "TIOCGWINSZ"},
		{arg("ioctl", 1), 0xdeadbeef, "0xdeadbeef"},
		{arg("kill", 1), 9, "SIGKILL"},
		{arg("setsockopt", 2), 2, "2"},
	} {
		if got := c.ArgText(tc.a, tc.v); got != tc.want {
			t.Errorf("%s %#x: %q, want %q", tc.a.Name, tc.v, got, tc.want)
		}
	}
}

// catalog --json carries the risky arguments.
func TestRiskyArgsJSON(t *testing.T) {
	e, _ := MustDefault().Lookup("socket")
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(`"risky_args":[{"index":0,"name":"domain","read":"values","names":"socket_domain","values":[{"value":1,"name":"AF_UNIX"},`)) {
		t.Errorf("socket's JSON lacks its risky arguments: %s", b)
	}
}

// riskyargs.json's mistakes are refused with the call and the fix named.
func TestRiskyArgsRefused(t *testing.T) {
	for _, tc := range []struct{ old, new, msg string }{
		{`"bpf": [{"index": 0`, `"bpf": [{"index": 3`, "bpf argument 3: no such argument"},
		{`"bpf": [`, `"no_such_call": [`, `"no_such_call", which the catalog lacks`},
		{`"read": "bits", "names": "clone_flags"`, `"read": "bitz", "names": "clone_flags"`, `read "bitz"`},
		{`"names": "bpf_cmd"`, `"names": "bpf_cmds"`, `no names "bpf_cmds"`},
		{`["0x100", "CLONE_VM"]`, `["0x300", "CLONE_VM"]`, "not a single bit"},
		{`["0x100", "CLONE_VM"]`, `["0xzz", "CLONE_VM"]`, "is not a number"},
		{`["1", "AF_UNIX"]`, `["2", "AF_UNIX"]`, "named twice"},
		{`"index_on": {"s390": 1`, `"index_on": {"s391": 1`, "index_on s391"},
	} {
		_, err := gentables.Generate(dataFS(t, "riskyargs.json", func(s string) string { return strings.Replace(s, tc.old, tc.new, 1) }))
		if err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: error %v, want one with %s", tc.new, err, tc.msg)
		}
	}
	base, _ := gentables.Generate(dataFS(t, "", nil))
	out, err := gentables.Generate(dataFS(t, "riskyargs.json", func(s string) string { return strings.Replace(s, `"AF_UNIX"`, `"AF_LOCAL"`, 1) }))
	if err != nil || bytes.Equal(out, base) {
		t.Errorf("renaming AF_UNIX left the tables as they were (%v)", err)
	}
}
