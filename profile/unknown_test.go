package profile

import (
	"slices"
	"strings"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
)

// Keys nobody reads are listed at every level with the known key they
// most likely misspell.
func TestUnknownKeys(t *testing.T) {
	p, err := Parse("t.json", []byte(`{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRett": 38, "frobnicate": 1,
		"archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": [], "subArchitecture": []}],
		"syscalls": [
			{"names": ["personality"], "action": "SCMP_ACT_ALLOW", "arg": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]},
			{"Names": ["read"], "names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "vaule": 5, "op": "SCMP_CMP_EQ"}],
			 "includes": {"cap": ["CAP_SYS_ADMIN"]}, "excludes": {"minkernel": "5.8"}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, u := range p.UnknownKeys() {
		got = append(got, u.Where()+" "+u.Key+"→"+u.Guess)
	}
	want := []string{
		"the profile defaultErrnoRett→defaultErrnoRet",
		"the profile frobnicate→",
		"archMap[0] subArchitecture→subArchitectures",
		"syscalls[0] arg→args",
		"syscalls[1] Names→names",
		"syscalls[1].args[0] vaule→value",
		"syscalls[1].includes cap→caps",
		"syscalls[1].excludes minkernel→minKernel",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("unknown keys:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// Podman's errno names, as containers-common reads them, and what the
// profile then means.
func TestPodmanErrno(t *testing.T) {
	for _, c := range []struct {
		in   string
		want uint
		ok   bool
	}{
		{"ENOSYS", 38, true}, {"EPERM", 1, true}, {"38", 38, true}, {"ENOTSUP", 95, true},
		{"EWOULDBLOCK", 11, true}, {"enosys", 0, false}, {"0x26", 0, false}, {"", 0, false}, {"EFOO", 0, false},
	} {
		n, ok := PodmanErrno(c.in)
		if n != c.want || ok != c.ok {
			t.Errorf("PodmanErrno(%q) = %d, %v; want %d, %v", c.in, n, ok, c.want, c.ok)
		}
	}
	for _, c := range []struct {
		name, json, call, want string
	}{
		{"defaultErrno alone", `{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrno": "ENOSYS", "syscalls": []}`, "getuid", "errno(ENOSYS)"},
		{"defaultErrno beats defaultErrnoRet", `{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1, "defaultErrno": "ENOSYS", "syscalls": []}`, "getuid", "errno(ENOSYS)"},
		{"defaultErrnoRet alone", `{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 13, "syscalls": []}`, "getuid", "errno(EACCES)"},
		{"errno beats errnoRet", `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1, "errno": "EACCES"}]}`, "mkdir", "errno(EACCES)"},
		{"errno as a number", `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errno": "38"}]}`, "mkdir", "errno(ENOSYS)"},
	} {
		p, err := Parse("t.json", []byte(c.json))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		d, _ := p.Effective(x86Env()).DecideName(catalog.X86_64, c.call, [6]uint64{}, Options{})
		if d.String() != c.want {
			t.Errorf("%s: %s gets %s, want %s", c.name, c.call, d, c.want)
		}
	}
	for _, c := range []struct{ json, want string }{
		{`{"defaultAction": "SCMP_ACT_ERRNO",
"defaultErrno": "ENOSYSS"}`, `t.json:2:17: defaultErrno "ENOSYSS" is not an errno Podman can read`},
		{`{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ALLOW", "errno": "EPERM"}]}`, `errno only goes with SCMP_ACT_ERRNO or SCMP_ACT_TRACE`},
		{`{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errno": "5000"}]}`, `syscalls[0].errno "5000" is out of range`},
	} {
		if _, err := Parse("t.json", []byte(c.json)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Parse: %v, want %q", err, c.want)
		}
	}
}

// Editing keeps Podman's errno names saying what the numbers say.
func TestEditKeepsPodmanErrnos(t *testing.T) {
	p, err := Parse("t.json", []byte(`{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrno": "ENOSYS", "syscalls": [
		{"names": ["read"], "action": "SCMP_ACT_ALLOW"},
		{"names": ["mkdir", "rmdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1, "errno": "EACCES", "args": [{"index": 1, "value": 0, "op": "SCMP_CMP_EQ"}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	ed := NewEditor(p)
	if err := ed.SetDefault(ActErrno, 13); err != nil {
		t.Fatal(err)
	}
	q := ed.Profile()
	if q.DefaultErrno() != 13 || q.DefaultErrnoName != "EACCES" || q.DefaultErrnoRet == nil || *q.DefaultErrnoRet != 13 {
		t.Errorf("SetDefault(errno 13): defaultErrno %q, defaultErrnoRet %v, means %d", q.DefaultErrnoName, q.DefaultErrnoRet, q.DefaultErrno())
	}
	// mkdir gets a rule of its own: it must still answer EACCES.
	if err := ed.AddCondition("mkdir", Arg{Index: 0, Value: 3, Op: OpEqualTo}); err != nil {
		t.Fatal(err)
	}
	q = ed.Profile()
	for _, r := range q.Syscalls {
		if r.Action == ActErrno && q.Errno(r) != 13 {
			t.Errorf("rule %v answers %d, want EACCES (13)", r.AllNames(), q.Errno(r))
		}
		// The rule made for mkdir says it both ways (rmdir's keeps what
		// the file said).
		if slices.Contains(r.AllNames(), "mkdir") && r.ErrnoName != "" && r.ErrnoRet != nil {
			if n, _ := PodmanErrno(r.ErrnoName); n != *r.ErrnoRet {
				t.Errorf("rule %v: errno %q and errnoRet %d disagree", r.AllNames(), r.ErrnoName, *r.ErrnoRet)
			}
		}
	}
	if err := ed.SetDefault(ActAllow, 0); err != nil {
		t.Fatal(err)
	}
	if q = ed.Profile(); q.DefaultErrnoName != "" || q.DefaultErrnoRet != nil {
		t.Errorf("allow by default keeps an errno: %q %v", q.DefaultErrnoName, q.DefaultErrnoRet)
	}
}
