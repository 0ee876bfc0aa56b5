package diff

import (
	"reflect"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

func effOf(t *testing.T, src string) *profile.Effective {
	t.Helper()
	return mustOpen(t, src).Effective(x86Env())
}

func effInline(t *testing.T, js string) *profile.Effective {
	t.Helper()
	p, err := profile.Parse("inline", []byte(js))
	if err != nil {
		t.Fatal(err)
	}
	return p.Effective(x86Env())
}

func findChange(cs []Change, syscall string) *Change {
	for i := range cs {
		if cs[i].Syscall == syscall {
			return &cs[i]
		}
	}
	return nil
}

func TestDiffIdentical(t *testing.T) {
	for _, src := range []string{"preset:docker-default", "preset:deny-critical", "../../testdata/export/small.json"} {
		if cs := Diff(effOf(t, src), effOf(t, src)); len(cs) != 0 {
			t.Errorf("%s against itself: %d changes, first %s", src, len(cs), cs[0])
		}
	}
	// The same meaning written differently: split rules, other order,
	// a rule equal to the default, the legacy name field. (The extra rule
	// names close, 3, below mmap, 9, so the ENOSYS stub's boundary stays.)
	a := effInline(t, `{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
		{"names": ["read", "write", "mmap"], "action": "SCMP_ACT_ALLOW"}]}`)
	b := effInline(t, `{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1, "syscalls": [
		{"name": "write", "action": "SCMP_ACT_ALLOW"},
		{"names": ["mmap"], "action": "SCMP_ACT_ALLOW"},
		{"names": ["close"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1},
		{"names": ["read"], "action": "SCMP_ACT_ALLOW"}]}`)
	if cs := Diff(a, b); len(cs) != 0 {
		t.Errorf("same meaning, different text: %v", cs)
	}
	// Naming a newer syscall moves the ENOSYS stub's boundary: calls in
	// between now get the default errno instead of ENOSYS.
	b = effInline(t, `{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
		{"names": ["read", "write", "mmap"], "action": "SCMP_ACT_ALLOW"},
		{"names": ["mprotect"], "action": "SCMP_ACT_ERRNO"}]}`)
	cs := Diff(a, b)
	if len(cs) != 1 || cs[0].String() != "mprotect (x86_64): errno(ENOSYS) → errno(EPERM)" || cs[0].Kind != Changed {
		t.Errorf("moving the stub's boundary by one call: %v", cs)
	}
}

func TestDiffAllowVersusDeny(t *testing.T) {
	allow, deny := effOf(t, "../../testdata/diff/allow-mkdir.json"), effOf(t, "../../testdata/diff/deny-mkdir.json")
	cs := Diff(allow, deny)
	if len(cs) != 2 {
		t.Fatalf("want 2 changes (mkdir, mkdirat), got %d: %v", len(cs), cs)
	}
	c := findChange(cs, "mkdir")
	if c == nil {
		t.Fatalf("no change for mkdir: %v", cs)
	}
	if got := c.String(); got != "mkdir (x86_64, x86): allow → errno(EPERM)" {
		t.Errorf("mkdir change = %q", got)
	}
	if c.Kind != Tightened || c.Loosens || !c.Tightens || c.A.Action != profile.ActAllow || c.B.Action != profile.ActErrno || c.B.Errno != 1 {
		t.Errorf("mkdir change = %+v, want tightened allow → errno(EPERM)", c)
	}
	back := Diff(deny, allow)
	if c := findChange(back, "mkdirat"); c == nil || c.Kind != Loosened || !c.Loosens {
		t.Errorf("reverse mkdirat change = %+v, want loosened", c)
	}
	if s := Subset(allow, deny); len(s) != 0 {
		t.Errorf("deny-mkdir is stricter than allow-mkdir, but Subset lists %v", s)
	}
	if s := Subset(deny, allow); len(s) != 2 {
		t.Errorf("allow-mkdir allows mkdir and mkdirat that deny-mkdir denies; Subset = %v", s)
	}
}

// TestDiffArgumentDependent: B denies mkdir only for mode 0777. The
// change is found through the argument cases, and described by rule.
func TestDiffArgumentDependent(t *testing.T) {
	allow, mode := effOf(t, "../../testdata/diff/allow-mkdir.json"), effOf(t, "../../testdata/diff/mode-mkdir.json")
	cs := Diff(allow, mode)
	c := findChange(cs, "mkdir")
	if c == nil {
		t.Fatalf("no change for mkdir: %v", cs)
	}
	if c.ADesc != "allow" || c.BDesc != "errno(EPERM) when arg1 == 0x1ff; else allow" {
		t.Errorf("mkdir: %q → %q", c.ADesc, c.BDesc)
	}
	// For all-zero arguments both allow: the decisions alone would miss it.
	if !c.A.Same(c.B) {
		t.Errorf("zero-argument decisions differ: %s, %s", c.A, c.B)
	}
	if c.Kind != Tightened {
		t.Errorf("kind = %s, want tightened", c.Kind)
	}
	// mkdirat: allowed by allow-mkdir's rule and by mode-mkdir's default.
	if c := findChange(cs, "mkdirat"); c != nil {
		t.Errorf("mkdirat is allowed by both: %s", c)
	}
}

func TestDiffDockerDefaultVersusDenyCritical(t *testing.T) {
	dd, dc := effOf(t, "preset:docker-default"), effOf(t, "preset:deny-critical")
	cs := Diff(dd, dc)
	if len(cs) == 0 || cs[0].Scope != ScopeDefault || cs[0].ADesc != "errno(EPERM)" || cs[0].BDesc != "allow" || cs[0].Kind != Loosened {
		t.Fatalf("first change should be the default errno(EPERM) → allow, got %v", cs[:min(len(cs), 1)])
	}
	want := map[string]string{
		"ptrace":     Tightened, // docker-default allows it (kernel ≥ 4.8); deny-critical does not
		"acct":       Loosened,  // denied without CAP_SYS_PACCT, allowed by deny-critical
		"bpf":        "",        // denied by both
		"read":       "",
		"kexec_load": "",
	}
	for name, kind := range want {
		c := findChange(cs, name)
		switch {
		case kind == "" && c != nil:
			t.Errorf("%s: unexpected change %s", name, c)
		case kind != "" && c == nil:
			t.Errorf("%s: no change, want %s", name, kind)
		case kind != "" && c.Kind != kind:
			t.Errorf("%s: %s, want %s", name, c.Kind, kind)
		}
	}
	// Against a profile that allows everything, docker-default's
	// argument conditions show in the description.
	all := effInline(t, `{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"], "syscalls": []}`)
	c := findChange(Diff(dd, all), "clone")
	if c == nil || c.Kind != Loosened || c.ADesc != "allow when arg0 & 0x7e020000 == 0x0; else errno(EPERM)" || c.BDesc != "allow" {
		t.Errorf("clone against allow-all: %+v", c)
	}
	// Subset: deny-critical allows a lot that docker-default denies;
	// every listed change loosens.
	sub := Subset(dd, dc)
	if len(sub) < 10 {
		t.Errorf("Subset(docker-default, deny-critical) = %d changes, want many", len(sub))
	}
	for _, c := range sub {
		if !c.Loosens {
			t.Errorf("Subset lists a change that does not loosen: %s", c)
		}
	}
}

func TestDiffGroupsArches(t *testing.T) {
	a := effInline(t, `{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_AARCH64"], "syscalls": []}`)
	b := effInline(t, `{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_AARCH64"], "syscalls": [
		{"names": ["openat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
		{"names": ["open"], "action": "SCMP_ACT_KILL_PROCESS"}]}`)
	cs := Diff(a, b)
	c := findChange(cs, "openat")
	if c == nil || !reflect.DeepEqual(c.Arches, []catalog.Arch{catalog.X86_64, catalog.X86, catalog.AArch64}) {
		t.Fatalf("openat should be one change on all three ABIs: %v", cs)
	}
	if c.BDesc != "errno(EACCES)" {
		t.Errorf("openat: %s", c.BDesc)
	}
	// open has no aarch64 number.
	if c := findChange(cs, "open"); c == nil || !reflect.DeepEqual(c.Arches, []catalog.Arch{catalog.X86_64, catalog.X86}) {
		t.Errorf("open should change on x86_64 and x86 only: %v", c)
	}
}

func TestDiffArchSetAndKinds(t *testing.T) {
	one := effInline(t, `{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"], "syscalls": [
		{"names": ["read"], "action": "SCMP_ACT_ALLOW"},
		{"names": ["write"], "action": "SCMP_ACT_ERRNO"}]}`)
	two := effInline(t, `{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"], "syscalls": [
		{"names": ["read"], "action": "SCMP_ACT_LOG"},
		{"names": ["write"], "action": "SCMP_ACT_KILL_PROCESS"}]}`)
	cs := Diff(one, two)
	if len(cs) == 0 || cs[0].Scope != ScopeArch || !reflect.DeepEqual(cs[0].Arches, []catalog.Arch{catalog.X86}) || cs[0].Kind != Loosened {
		t.Fatalf("first change should add the x86 ABI (loosened): %v", cs)
	}
	if got := cs[0].String(); got != "ABI x86: not in the filter: kill_thread → filtered by the profile" {
		t.Errorf("arch change reads %q", got)
	}
	if c := findChange(cs, "read"); c == nil || c.Kind != Changed || c.BDesc != "log" {
		t.Errorf("read allow → log should be 'changed': %v", c)
	}
	if c := findChange(cs, "write"); c == nil || c.Kind != Changed || c.String() != "write (x86_64): errno(EPERM) → kill_process" {
		t.Errorf("write errno → kill should be 'changed': %v", c)
	}
	if s := Subset(one, two); len(s) != 1 || s[0].Scope != ScopeArch {
		t.Errorf("Subset should list only the added ABI: %v", s)
	}
	if s := Subset(two, one); len(s) != 0 {
		t.Errorf("dropping an ABI loosens nothing: %v", s)
	}
}

// BenchmarkDiffDockerDefault measures a full semantic diff of two large
// profiles on three ABIs (what `diff` and the TUI's compare view do).
func BenchmarkDiffDockerDefault(b *testing.B) {
	dd, err := profile.Open("preset:docker-default")
	if err != nil {
		b.Fatal(err)
	}
	dc, err := profile.Open("preset:deny-critical")
	if err != nil {
		b.Fatal(err)
	}
	ea, eb := dd.Effective(x86Env()), dc.Effective(x86Env())
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Diff(ea, eb)
	}
}
