package catalog

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	seccomp "github.com/seccomp/libseccomp-golang"
)

func mustCatalog(t testing.TB) *Catalog {
	t.Helper()
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var (
	sinceRE = regexp.MustCompile(`^[0-9]+\.[0-9]+(\.[0-9]+){0,2}$`)
	manRE   = regexp.MustCompile(`^[a-z_0-9]+\([23]\)$`)
)

func TestEveryEntryComplete(t *testing.T) {
	c := mustCatalog(t)
	if c.Len() < 500 {
		t.Fatalf("catalog has %d syscalls, want at least 500", c.Len())
	}
	cats := map[Category]bool{}
	for _, x := range Categories() {
		cats[x] = true
	}
	for _, e := range c.All() {
		if e.Risk.Rank() >= len(Risks()) {
			t.Errorf("%s: bad risk %q", e.Name, e.Risk)
		}
		if !cats[e.Category] {
			t.Errorf("%s: bad category %q", e.Name, e.Category)
		}
		for field, v := range map[string]string{"description": e.Description, "rationale": e.Rationale} {
			if strings.TrimSpace(v) == "" || strings.Contains(v, "\n") || strings.HasSuffix(v, ".") || len(v) > 140 {
				t.Errorf("%s: %s must be one line of at most 140 chars without a final period: %q", e.Name, field, v)
			}
		}
		if !sinceRE.MatchString(e.Since) {
			t.Errorf("%s: since %q is not a kernel version", e.Name, e.Since)
		}
		if !manRE.MatchString(e.Man) {
			t.Errorf("%s: man %q is not a man page reference", e.Name, e.Man)
		}
		if e.Numbers.Len() == 0 {
			t.Errorf("%s: no numbers on any arch", e.Name)
		}
		for a := range e.Numbers.All() {
			if _, ok := a.Info(); !ok {
				t.Errorf("%s: number for unknown arch %q", e.Name, a)
			}
		}
		if len(e.Family) == 0 || !slices.Contains(e.Family, e.Name) {
			t.Errorf("%s: family %v does not include itself", e.Name, e.Family)
		}
		switch e.Docker {
		case DockerAllow, DockerDeny:
		case DockerConditional:
			if e.DockerWhy == "" {
				t.Errorf("%s: conditional Docker verdict without its condition", e.Name)
			}
		default:
			t.Errorf("%s: bad docker verdict %q", e.Name, e.Docker)
		}
		if e.SystemdGroups == nil {
			t.Errorf("%s: systemd_groups must be a list, even empty", e.Name)
		}
	}
}

// The kernel's newer calls that libseccomp 2.5.4 lacks must be here, marked.
func TestCoversRecentKernels(t *testing.T) {
	c := mustCatalog(t)
	for _, n := range []string{"mseal", "statmount", "listmount", "lsm_get_self_attr",
		"lsm_set_self_attr", "lsm_list_modules", "setxattrat", "getxattrat", "listxattrat",
		"removexattrat", "open_tree_attr", "file_getattr", "file_setattr", "listns",
		"uretprobe", "cachestat", "fchmodat2", "futex_waitv", "map_shadow_stack"} {
		e, ok := c.Lookup(n)
		if !ok {
			t.Errorf("%s missing", n)
			continue
		}
		if n == "mseal" {
			if got, _ := e.Number(X86_64); got != 462 {
				t.Errorf("mseal on x86_64 = %d, want 462", got)
			}
			if got, _ := e.Number(X32); got != X32SyscallBit+462 {
				t.Errorf("mseal on x32 = %d, want bit 30 + 462", got)
			}
		}
	}
	open, ok := c.Lookup("open")
	if !ok {
		t.Fatal("open missing")
	}
	if _, ok := open.Number(AArch64); ok {
		t.Error("aarch64 has no open(2), yet the catalog gives it a number")
	}
}

// Every number must be libseccomp's wherever libseccomp knows the name;
// names marked libseccomp:false must be unknown to it (or, with a newer
// libseccomp, agree with it).
func TestNumbersAgreeWithLibseccomp(t *testing.T) {
	c := mustCatalog(t)
	checked := 0
	for _, e := range c.All() {
		for _, a := range Arches() {
			sa, err := seccomp.GetArchFromString(a.Native())
			if err != nil {
				t.Fatalf("libseccomp lacks arch %s", a)
			}
			n, has := e.Number(a)
			if has {
				name, err := seccomp.ScmpSyscall(n).GetNameByArch(sa)
				if e.Libseccomp && (err != nil || name != e.Name) {
					t.Errorf("%s on %s: catalog says %d, libseccomp names %d %q (%v)", e.Name, a, n, n, name, err)
				}
				if !e.Libseccomp && err == nil && name != "" && name != e.Name {
					t.Errorf("%s on %s: catalog says %d, which libseccomp calls %q", e.Name, a, n, name)
				}
				checked++
			}
			if !e.Libseccomp {
				continue
			}
			// Name -> number: libseccomp answers a negative pseudo number
			// for calls an arch lacks or multiplexes (socketcall, ipc).
			got, err := seccomp.GetSyscallFromNameByArch(e.Name, sa)
			if err == nil && int32(got) >= 0 && (!has || int64(got) != n) {
				t.Errorf("%s on %s: libseccomp resolves to %d, catalog has %d (present=%v)", e.Name, a, int32(got), n, has)
			}
		}
	}
	if checked < 2500 {
		t.Errorf("only %d (syscall, arch) numbers checked", checked)
	}
}

// The x86_64 numbers also agree with the installed kernel headers.
func TestNumbersAgreeWithKernelHeaders(t *testing.T) {
	f, err := os.Open("/usr/include/x86_64-linux-gnu/asm/unistd_64.h")
	if err != nil {
		t.Skip("no x86_64 kernel headers here:", err)
	}
	defer f.Close()
	c := mustCatalog(t)
	re := regexp.MustCompile(`^#define __NR_(\w+) (\d+)$`)
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		m := re.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		nr, _ := strconv.ParseInt(m[2], 10, 64)
		e, ok := c.Lookup(m[1])
		if !ok {
			t.Errorf("kernel header names %s (%d), catalog lacks it", m[1], nr)
			continue
		}
		if got, _ := e.Number(X86_64); got != nr {
			t.Errorf("%s: header %d, catalog %d", m[1], nr, got)
		}
		n++
	}
	if n < 300 {
		t.Errorf("parsed only %d header entries", n)
	}
}

func TestFamiliesSymmetric(t *testing.T) {
	c := mustCatalog(t)
	for _, e := range c.All() {
		for _, m := range e.Family {
			o, ok := c.Lookup(m)
			if !ok {
				t.Errorf("%s: family member %s unknown", e.Name, m)
				continue
			}
			if strings.Join(o.Family, ",") != strings.Join(e.Family, ",") {
				t.Errorf("%s lists %v but %s lists %v", e.Name, e.Family, m, o.Family)
			}
		}
	}
	open, _ := c.Lookup("openat")
	for _, want := range []string{"open", "openat", "openat2", "creat"} {
		if !slices.Contains(open.Family, want) {
			t.Errorf("openat's family lacks %s", want)
		}
	}
}

// systemd_groups agree with `systemd-analyze syscall-filter` where it runs.
func TestSystemdGroupsAgree(t *testing.T) {
	out, err := exec.Command("systemd-analyze", "syscall-filter", "--no-pager").Output()
	if err != nil {
		t.Skip("systemd-analyze not usable here:", err)
	}
	c := mustCatalog(t)
	live := map[string][]string{} // syscall -> groups
	group := ""
	for _, l := range strings.Split(string(out), "\n") {
		s := strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(l, "@"):
			group = s
		case s == "" || strings.HasPrefix(s, "#") || strings.HasPrefix(s, "@") || group == "@known":
		default:
			live[s] = append(live[s], group)
		}
	}
	if len(live) < 300 {
		t.Fatalf("parsed only %d syscalls from systemd-analyze", len(live))
	}
	for name, groups := range live {
		e, ok := c.Lookup(name)
		if !ok {
			continue // systemd knows arches the workbench does not support
		}
		sort.Strings(groups)
		if strings.Join(groups, " ") != strings.Join(e.SystemdGroups, " ") {
			t.Errorf("%s: systemd-analyze says %v, catalog %v", name, groups, e.SystemdGroups)
		}
	}
	if got := c.ExpandSystemdGroup("@system-service"); !slices.Contains(got, "read") || !slices.Contains(got, "execve") {
		t.Errorf("@system-service expansion lacks read/execve: %d names", len(got))
	}
}

func TestDockerVerdicts(t *testing.T) {
	c := mustCatalog(t)
	for _, tc := range []struct {
		name string
		want DockerVerdict
		cap  string
	}{
		{"read", DockerAllow, ""},
		{"openat", DockerAllow, ""},
		{"clone3", DockerConditional, "CAP_SYS_ADMIN"},
		{"mount", DockerConditional, "CAP_SYS_ADMIN"},
		{"init_module", DockerConditional, "CAP_SYS_MODULE"},
		{"add_key", DockerDeny, ""},
		{"keyctl", DockerDeny, ""},
		{"userfaultfd", DockerDeny, ""},
	} {
		e, _ := c.Lookup(tc.name)
		if e.Docker != tc.want || e.Capability != tc.cap {
			t.Errorf("%s: docker %s cap %q, want %s %q", tc.name, e.Docker, e.Capability, tc.want, tc.cap)
		}
	}
}

func TestRiskRubricAnchors(t *testing.T) {
	c := mustCatalog(t)
	for name, want := range map[string]Risk{
		"init_module": Critical, "finit_module": Critical, "kexec_load": Critical, "bpf": Critical,
		"mount": Critical, "fsopen": Critical, "setns": Critical, "unshare": Critical,
		"keyctl": Critical, "userfaultfd": Critical, "io_uring_setup": Critical,
		"io_uring_enter": Critical, "open_by_handle_at": Critical, "ptrace": Critical,
		"process_vm_writev": Critical, "read": Low, "getpid": Low, "socket": Medium,
		"execve": Medium, "fork": Medium, "chmod": Medium,
	} {
		e, _ := c.Lookup(name)
		if e.Risk != want {
			t.Errorf("%s is %s, the rubric says %s", name, e.Risk, want)
		}
	}
}

func TestParseArch(t *testing.T) {
	for in, want := range map[string]Arch{"x86_64": X86_64, "amd64": X86_64, "SCMP_ARCH_AARCH64": AArch64,
		"arm64": AArch64, "i386": X86, "X32": X32, "ppc64le": PPC64LE, "mips": MIPS,
		"SCMP_ARCH_MIPSEL64N32": MIPSEL64N32, "mips64el": MIPSEL64, "hppa": PARISC, "SCMP_ARCH_S390": S390} {
		got, err := ParseArch(in)
		if err != nil || got != want {
			t.Errorf("ParseArch(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	// libseccomp 2.5.4 has no LoongArch: neither has the catalog.
	if _, err := ParseArch("loongarch64"); err == nil || !strings.Contains(err.Error(), "x86_64") {
		t.Errorf("ParseArch(loongarch64) error should list the known arches, got %v", err)
	}
	for host, want := range map[Arch]string{
		X86_64:    "SCMP_ARCH_X86_64 SCMP_ARCH_X86 SCMP_ARCH_X32",
		AArch64:   "SCMP_ARCH_AARCH64 SCMP_ARCH_ARM",
		MIPS64:    "SCMP_ARCH_MIPS64 SCMP_ARCH_MIPS64N32 SCMP_ARCH_MIPS",
		MIPS64N32: "SCMP_ARCH_MIPS64N32 SCMP_ARCH_MIPS64 SCMP_ARCH_MIPS",
		MIPSEL64:  "SCMP_ARCH_MIPSEL64 SCMP_ARCH_MIPSEL64N32 SCMP_ARCH_MIPSEL",
		S390X:     "SCMP_ARCH_S390X SCMP_ARCH_S390",
		PPC64:     "SCMP_ARCH_PPC64 SCMP_ARCH_PPC",
		PPC64LE:   "SCMP_ARCH_PPC64LE",
		PARISC64:  "SCMP_ARCH_PARISC64 SCMP_ARCH_PARISC",
		RISCV64:   "SCMP_ARCH_RISCV64",
	} {
		if got := DockerNames(host.WithCompanions()); strings.Join(got, " ") != want {
			t.Errorf("%s host ABIs = %v, want %s", host, got, want)
		}
	}
	if a, ok := ArchFromAudit(0xC000003E, X32SyscallBit+1); !ok || a != X32 {
		t.Errorf("x32 bit not recognised: %v %v", a, ok)
	}
	for _, tc := range []struct {
		a        Arch
		big      bool
		base     int64
		bits     int
		syscall0 string // the name at the ABI's base number, per libseccomp
	}{
		{X86_64, false, 0, 64, "read"}, {X32, false, X32SyscallBit, 32, "read"},
		{MIPS, true, 4000, 32, "syscall"}, {MIPSEL, false, 4000, 32, "syscall"},
		{MIPS64, true, 5000, 64, "read"}, {MIPSEL64N32, false, 6000, 32, "read"},
		{PPC, true, 0, 32, "restart_syscall"}, {S390, true, 0, 32, ""}, {PARISC64, true, 0, 64, "restart_syscall"},
	} {
		ai, _ := tc.a.Info()
		if tc.a.BigEndian() != tc.big || tc.a.Base() != tc.base || ai.Bits != tc.bits {
			t.Errorf("%s: big-endian %v base %d bits %d, want %v %d %d", tc.a, tc.a.BigEndian(), tc.a.Base(), ai.Bits, tc.big, tc.base, tc.bits)
		}
		sa, err := seccomp.GetArchFromString(tc.a.Native())
		if err != nil {
			t.Fatalf("libseccomp lacks %s: %v", tc.a, err)
		}
		if name, _ := seccomp.ScmpSyscall(tc.base).GetNameByArch(sa); tc.syscall0 != "" && name != tc.syscall0 {
			t.Errorf("%s: libseccomp names %d %q, want %q", tc.a, tc.base, name, tc.syscall0)
		}
	}
}

// Each ABI's AUDIT_ARCH value (what the kernel writes into
// seccomp_data.arch) is the one <linux/audit.h> defines.
func TestAuditArchesAgreeWithKernelHeaders(t *testing.T) {
	if _, err := os.Stat("/usr/include/linux/audit.h"); err != nil {
		t.Skip("no kernel headers here:", err)
	}
	cc, err := exec.LookPath("gcc")
	if err != nil {
		t.Skip("no gcc here:", err)
	}
	macro := func(a Arch) string {
		switch a {
		case X32:
			return "AUDIT_ARCH_X86_64" // x32 shares it; bit 30 of nr tells them apart
		case X86:
			return "AUDIT_ARCH_I386"
		case MIPS64N32:
			return "AUDIT_ARCH_MIPS64N32"
		case MIPSEL64N32:
			return "AUDIT_ARCH_MIPSEL64N32"
		}
		return "AUDIT_ARCH_" + strings.ToUpper(string(a))
	}
	src := "#include <stdio.h>\n#include <linux/audit.h>\nint main(void) {\n"
	for _, a := range Arches() {
		src += fmt.Sprintf("printf(\"%s %%u\\n\", (unsigned)%s);\n", a, macro(a))
	}
	src += "return 0; }\n"
	dir := t.TempDir()
	if err := os.WriteFile(dir+"/a.c", []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(cc, "-o", dir+"/a", dir+"/a.c").CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	out, err := exec.Command(dir + "/a").Output()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		name, v, _ := strings.Cut(line, " ")
		want, _ := strconv.ParseUint(v, 10, 32)
		ai, _ := Arch(name).Info()
		if uint64(ai.Audit) != want {
			t.Errorf("%s: catalog AUDIT_ARCH %#x, <linux/audit.h> %#x", name, ai.Audit, want)
		}
		n++
	}
	if n != len(Arches()) {
		t.Errorf("checked %d of %d ABIs", n, len(Arches()))
	}
}

// The argument types come from the kernel's own declarations; the
// narrow ones are what an upper-half bypass needs.
func TestParams(t *testing.T) {
	c := MustDefault()
	for _, tc := range []struct {
		name   string
		i      int
		arg    string
		narrow bool
	}{
		{"socket", 0, "int family", true},
		{"socket", 1, "int type", true},
		{"copy_file_range", 5, "unsigned int flags", true},
		{"copy_file_range", 4, "size_t len", false},
		{"clone", 0, "unsigned long clone_flags", false},
		{"personality", 0, "unsigned int personality", true},
		{"openat", 1, "const char * filename", false},
		{"setuid", 0, "uid_t uid", true},
		{"clock_gettime", 0, "const clockid_t which_clock", true},
		{"socketcall", 0, "int call", true},
		{"ipc", 0, "unsigned int call", true},
		{"uname", 0, "struct new_utsname * name", false},
	} {
		ps, ok := c.Params(tc.name)
		if !ok || tc.i >= len(ps) {
			t.Errorf("%s: no argument %d (%v)", tc.name, tc.i, ps)
			continue
		}
		if got := ps[tc.i].Type + " " + ps[tc.i].Name; got != tc.arg {
			t.Errorf("%s arg %d: %q, want %q", tc.name, tc.i, got, tc.arg)
		}
		if c.Narrow(tc.name, tc.i) != tc.narrow {
			t.Errorf("%s arg %d: narrow %v, want %v", tc.name, tc.i, !tc.narrow, tc.narrow)
		}
	}
	// catalog --json carries them.
	if ent, _ := c.Lookup("socket"); len(ent.Args) != 3 || ent.Args[0] != (Param{"family", "int"}) {
		t.Errorf("socket's entry: args %v", ent.Args)
	}
	// A call declared without arguments has a signature; one args.json
	// lacks has none.
	if ps, ok := c.Params("getpid"); !ok || len(ps) != 0 {
		t.Errorf("getpid: params %v, %v; want none, true", ps, ok)
	}
	if ps, ok := c.Params("arm_fadvise64_64"); ok {
		t.Errorf("arm_fadvise64_64: params %v, want no signature", ps)
	}
	if _, ok := c.Params("no_such_call"); ok {
		t.Error("no_such_call has a signature")
	}
	// Every type is one the width table has an answer for.
	signed := 0
	for _, e := range c.All() {
		if e.Args != nil {
			signed++
		}
		for _, p := range e.Args {
			ty := strings.TrimPrefix(p.Type, "const ")
			wide := strings.Contains(ty, "*") || strings.HasSuffix(ty, "_t") && !narrowType(ty) || strings.Contains(ty, "long") || ty == "__u64" || ty == "u64"
			if !wide && !narrowType(ty) {
				t.Errorf("%s: argument type %q is neither known narrow nor wide", e.Name, p.Type)
			}
		}
	}
	if signed < 300 {
		t.Errorf("only %d calls have a signature", signed)
	}
}
