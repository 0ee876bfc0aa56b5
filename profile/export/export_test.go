package export

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/compile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/diff"
)

// The -update flag rewrites golden files. It is registered in init, and
// only when no other test file of the package has registered it, so the
// package's golden tests can share one flag.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files in testdata")
	}
}

func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// exportFixtures are the profiles with golden exports.
var exportFixtures = map[string]string{
	"docker-default": "preset:docker-default",
	"small":          "../../testdata/export/small.json",
	"denylist":       "../../testdata/export/denylist.json",
}

// textFormats have golden files (bpf is checked against Build instead).
var textFormats = map[Format]bool{
	FormatDocker: true, FormatOCI: true, FormatK8s: true, FormatK8sLocalhost: true,
	FormatSystemd: true, FormatPFC: true, FormatAsm: true, FormatFirecracker: true, FormatMinijail: true,
}

// TestExportGolden pins every text format for Docker's default profile
// and two small ones. Run with -update after an intended change and
// review the diff.
func TestExportGolden(t *testing.T) {
	for fix, src := range exportFixtures {
		p := mustOpen(t, src)
		for _, f := range Formats() {
			if !textFormats[f] {
				continue
			}
			t.Run(fix+"/"+string(f), func(t *testing.T) {
				out, notes, err := Export(p, x86Env(), f, ExportOptions{Source: src, Name: fix})
				var b bytes.Buffer
				switch {
				case err != nil && f == FormatMinijail && p.DefaultAction.LetsThrough():
					// A deny-list has no minijail policy: the error is
					// the golden.
					b.WriteString("==== error ====\n" + err.Error() + "\n")
				case err != nil:
					t.Fatal(err)
				}
				b.Write(out)
				if len(notes) > 0 && f != FormatSystemd {
					// Keep the notes in the golden too, after a marker
					// no format produces.
					b.WriteString("\n==== notes ====\n" + strings.Join(notes, "\n") + "\n")
				}
				golden := filepath.Join("..", "..", "testdata", "export", fix+"."+string(f)+".golden")
				if updating() {
					if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run go test ./profile/export -run TestExportGolden -update to create it)", err)
				}
				if !bytes.Equal(b.Bytes(), want) {
					t.Errorf("%s differs from the golden file %s:\n%s", f, golden, firstDiff(string(want), b.String()))
				}
			})
		}
	}
}

func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + ":\n  want: " + w + "\n  got:  " + g
		}
	}
	return "(same lines)"
}

func TestParseFormat(t *testing.T) {
	for _, f := range Formats() {
		got, err := ParseFormat(strings.ToUpper(string(f)))
		if err != nil || got != f {
			t.Errorf("ParseFormat(%q) = %q, %v", f, got, err)
		}
	}
	_, err := ParseFormat("yaml")
	want := `unknown export format "yaml": use one of docker, oci, k8s, k8s-localhost, systemd, bpf, pfc, asm, firecracker, minijail`
	if err == nil || err.Error() != want {
		t.Errorf("ParseFormat(yaml) error = %v, want %s", err, want)
	}
}

func TestExportDockerIsTheFile(t *testing.T) {
	p := mustOpen(t, "../../testdata/export/small.json")
	out, notes, err := Export(p, x86Env(), FormatDocker, ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range notes {
		// The only notes: what runc on this libseccomp does differently.
		if !strings.Contains(n, "runc built on it drops it") {
			t.Errorf("docker export note %q", n)
		}
	}
	want, _ := profile.Marshal(p)
	if !bytes.Equal(out, append(want, '\n')) {
		t.Error("docker export is not the profile as Marshal writes it")
	}
	// includes/excludes stay: the docker form is not resolved.
	if !bytes.Contains(out, []byte("CAP_SYS_ADMIN")) {
		t.Error("docker export lost an includes filter")
	}
}

// sameMeaning fails unless two profiles mean the same on env.
func sameMeaning(t *testing.T, what string, a, b *profile.Profile, env profile.Env) {
	t.Helper()
	if cs := diff.Diff(a.Effective(env), b.Effective(env)); len(cs) > 0 {
		t.Errorf("%s means something else than the profile: %d changes, first %s", what, len(cs), cs[0])
	}
}

// TestExportJSONFormatsKeepMeaning reads the oci and k8s-localhost exports
// back — into the runtime-spec types, and as a profile — and checks that
// they mean what the profile means on the same host.
func TestExportJSONFormatsKeepMeaning(t *testing.T) {
	env := x86Env()
	for fix, src := range exportFixtures {
		p := mustOpen(t, src)
		for _, f := range []Format{FormatOCI, FormatK8sLocalhost} {
			out, _, err := Export(p, env, f, ExportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var s specs.LinuxSeccomp
			dec := json.NewDecoder(bytes.NewReader(out))
			if f == FormatOCI {
				dec.DisallowUnknownFields()
			}
			if err := dec.Decode(&s); err != nil {
				t.Fatalf("%s/%s: not a runtime-spec LinuxSeccomp: %v", fix, f, err)
			}
			if len(s.Architectures) == 0 || s.Architectures[0] != "SCMP_ARCH_X86_64" {
				t.Errorf("%s/%s: architectures = %v, want the host's first", fix, f, s.Architectures)
			}
			if bytes.Contains(out, []byte(`"includes"`)) || bytes.Contains(out, []byte(`"excludes"`)) {
				t.Errorf("%s/%s: includes/excludes left unresolved", fix, f)
			}
			back, err := profile.Parse(string(f), out)
			if err != nil {
				t.Fatalf("%s/%s: the export does not parse as a profile: %v", fix, f, err)
			}
			sameMeaning(t, fix+"/"+string(f), p, back, env)
		}
	}
}

func TestExportOCIWrap(t *testing.T) {
	p := mustOpen(t, "../../testdata/export/small.json")
	out, _, err := Export(p, x86Env(), FormatOCI, ExportOptions{Wrap: true})
	if err != nil {
		t.Fatal(err)
	}
	var cfg specs.Spec
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Linux == nil || cfg.Linux.Seccomp == nil || cfg.Linux.Seccomp.DefaultAction != specs.ActErrno {
		t.Fatalf("wrapped OCI export has no linux.seccomp: %s", out)
	}
	// The CAP_SYS_ADMIN-only mkdir rule does not apply with Docker's
	// default capabilities.
	for _, sc := range cfg.Linux.Seccomp.Syscalls {
		for _, n := range sc.Names {
			if n == "mkdir" {
				t.Error("mkdir rule kept although its includes does not hold")
			}
		}
	}
}

func TestExportArchOverride(t *testing.T) {
	p := mustOpen(t, "preset:docker-default")
	out, _, err := Export(p, x86Env(), FormatOCI, ExportOptions{Arches: []catalog.Arch{catalog.AArch64, catalog.X86_64, catalog.AArch64}})
	if err != nil {
		t.Fatal(err)
	}
	var s specs.LinuxSeccomp
	if err := json.Unmarshal(out, &s); err != nil {
		t.Fatal(err)
	}
	if got := s.Architectures; len(got) != 2 || got[0] != "SCMP_ARCH_X86_64" || got[1] != "SCMP_ARCH_AARCH64" {
		t.Errorf("architectures = %v, want [SCMP_ARCH_X86_64 SCMP_ARCH_AARCH64]", got)
	}
}

// TestExportRefusesWeakenedFilter: the libseccomp 2.5.4 bug makes this
// profile compile weaker than its rules with libseccomp. The BPF export
// is the workbench's own program, which is right; PFC is libseccomp's
// code, and is refused.
func TestExportRefusesWeakenedFilter(t *testing.T) {
	p := mustOpen(t, "../../testdata/profiles/libseccomp-64bit-bug.json")
	out, _, err := Export(p, x86Env(), FormatBPF, ExportOptions{})
	if err != nil {
		t.Fatalf("bpf export: %v", err)
	}
	prog, err := compile.Build(p.Effective(x86Env()), profile.Options{})
	if err != nil || prog.Stats.Generator != compile.GenWorkbench || !bytes.Equal(out, prog.Bytes()) {
		t.Fatalf("bpf export is not the workbench's verified program: %v", err)
	}
	for _, f := range []Format{FormatPFC} {
		out, _, err := Export(p, x86Env(), f, ExportOptions{})
		var ve *compile.VerifyError
		if !errors.As(err, &ve) {
			t.Fatalf("%s export of a weakened filter: err = %v, want a VerifyError", f, err)
		}
		if out != nil {
			t.Errorf("%s export returned output with the error", f)
		}
		if !strings.Contains(err.Error(), "mmap on x86_64") || !strings.Contains(err.Error(), "GHSA-4q85-33p6-j5g6") {
			t.Errorf("error does not name the syscall and the bug: %v", err)
		}
	}
}

func TestExportBPFIsTheVerifiedProgram(t *testing.T) {
	p := mustOpen(t, "preset:docker-default")
	out, _, err := Export(p, x86Env(), FormatBPF, ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	prog, err := compile.Build(p.Effective(x86Env()), profile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, prog.Bytes()) || len(out)%8 != 0 {
		t.Errorf("bpf export (%d bytes) is not the built program (%d bytes)", len(out), len(prog.Bytes()))
	}
}

func TestK8sName(t *testing.T) {
	for in, want := range map[string]string{
		"preset:docker-default":    "docker-default",
		"/etc/My_Profile.json":     "my-profile",
		"a..b":                     "a.b",
		"___":                      "",
		"svc.v2.json":              "svc.v2",
		"./profiles/ngINX--1.JSON": "nginx-1",
	} {
		if got := K8sName(in); got != want {
			t.Errorf("K8sName(%q) = %q, want %q", in, got, want)
		}
	}
	if err := ValidK8sName("Bad_Name"); err == nil {
		t.Error("ValidK8sName accepted Bad_Name")
	}
	p := mustOpen(t, "../../testdata/export/small.json")
	if _, _, err := Export(p, x86Env(), FormatK8s, ExportOptions{Name: "-x"}); err == nil {
		t.Error("k8s export accepted an invalid name")
	}
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.conf")
	if err := profile.WriteFileAtomic(path, []byte("one\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("new file mode = %v, %v; want 0600", st.Mode().Perm(), err)
	}
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	if err := profile.WriteFileAtomic(path, []byte("two\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	st, _ = os.Stat(path)
	if string(got) != "two\n" || st.Mode().Perm() != 0o640 {
		t.Errorf("after replace: %q mode %v; want \"two\\n\" with the old mode 0640", got, st.Mode().Perm())
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 { // just out.conf
		t.Errorf("temporary files left behind: %v", ents)
	}
	// A directory in the way: the error names the path, nothing changes.
	if err := profile.WriteFileAtomic(dir, []byte("x"), 0o644); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("writing over a directory: %v", err)
	}
	// An unwritable directory: the old file is left as it was.
	if os.Geteuid() != 0 {
		ro := filepath.Join(dir, "ro")
		_ = os.Mkdir(ro, 0o500)
		if err := profile.WriteFileAtomic(filepath.Join(ro, "f"), []byte("x"), 0o644); err == nil {
			t.Error("write into a read-only directory succeeded")
		}
	}
	// Through a symlink: the target is replaced, the link stays.
	link := filepath.Join(dir, "link.conf")
	if err := os.Symlink("out.conf", link); err != nil {
		t.Fatal(err)
	}
	if err := profile.WriteFileAtomic(link, []byte("three\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "three\n" {
		t.Errorf("the symlink's target was not replaced: %q", got)
	}
	if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the symlink was replaced by a file: %v %v", st.Mode(), err)
	}
	if err := profile.WriteFileAtomic(filepath.Join(dir, "missing", "f"), []byte("x"), 0o644); err == nil || !strings.Contains(err.Error(), "missing/f") {
		t.Errorf("write into a missing directory: %v", err)
	}
}

// Every resolved export names the host on stderr (a note) and, where the
// format has comments, at its top; the formats a container runtime reads
// say per name what runc on the linked libseccomp drops.
func TestExportResolvedForAndRuntimeNotes(t *testing.T) {
	p, err := profile.Parse("t.json", []byte(`{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_AARCH64"], "syscalls": [
		{"names": ["read", "write", "exit_group", "execve", "close", "openat", "getdents64", "fstat", "futex", "clone3"], "action": "SCMP_ACT_ALLOW"},
		{"names": ["listmount"], "action": "SCMP_ACT_ALLOW"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	env := profile.Env{Host: catalog.AArch64, Kernel: profile.Kernel{Major: 5, Minor: 15}, Caps: profile.AllCaps()}
	const host = "resolved for host aarch64, kernel 5.15, all capabilities"
	for _, c := range []struct {
		f       Format
		header  string // the header comment, "" for formats without comments
		runtime bool
	}{
		{FormatDocker, "", true},
		{FormatOCI, "", true},
		{FormatK8sLocalhost, "", true},
		{FormatK8s, "# " + host + "\n", true},
		{FormatSystemd, "# " + host + ".\n", false},
		{FormatPFC, host, false},
		{FormatAsm, "; " + host + ".\n", false},
	} {
		out, notes, err := Export(p, env, c.f, ExportOptions{Source: "t.json"})
		if err != nil {
			t.Errorf("%s: %v", c.f, err)
			continue
		}
		all := strings.Join(notes, "\n")
		if resolved := c.f != FormatDocker; resolved != strings.Contains(all, host) {
			t.Errorf("%s: notes %q; want the host named: %v", c.f, all, resolved)
		}
		if c.header != "" && !strings.Contains(string(out[:min(len(out), 600)]), c.header) {
			t.Errorf("%s: header lacks %q:\n%.600s", c.f, c.header, out)
		}
		want := "listmount: libseccomp " + profile.LinkedLibseccomp() + " does not know the name, so runc built on it drops it"
		if profile.LinkedKnows("listmount") {
			continue // a newer libseccomp: nothing dropped
		}
		if got := strings.Contains(all, want) && strings.Contains(all, "on aarch64 gets errno(ENOSYS) from its ENOSYS stub"); got != c.runtime {
			t.Errorf("%s: runtime note present %v, want %v:\n%s", c.f, got, c.runtime, all)
		}
	}
}
