package source

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/profile/export"
)

func TestOpenPresetAndDocker(t *testing.T) {
	o := mustImport(t, "preset:docker-default")
	if o.Format != FormatPreset || o.Path != "" || !o.Format.Native() {
		t.Fatalf("preset: %+v", o)
	}
	o = mustImport(t, "../../testdata/export/small.json")
	if o.Format != FormatDocker || len(o.Warnings) != 0 {
		t.Fatalf("docker: %s %q", o.Format, o.Warnings)
	}
	want := mustOpen(t, "../../testdata/export/small.json")
	sameMeaning(t, want, o.Profile)
	_, err := Open("preset:nope")
	wantErr(t, err, "preset:nope: no such preset")
	_, err = Open(filepath.Join(t.TempDir(), "missing.json"))
	wantErr(t, err, "missing.json: no such file")
	// Docker's reader keeps its own errors, with line and column.
	_, err = Open(writeFile(t, "bad.json", "{\n  \"defaultAction\": \"SCMP_ACT_NOPE\"\n}\n"))
	wantErr(t, err, "bad.json:2:20: unknown action")
	_, err = Open(writeFile(t, "p.json", `{"defaultAction": "SCMP_ACT_LOG", "syscalls": []}`) + "#x")
	wantErr(t, err, "p.json#x: a Docker seccomp JSON holds one profile: #NAME picks a SeccompProfile document or a Firecracker thread")
}

func TestDetect(t *testing.T) {
	cases := map[string]struct{ content, want string }{
		"empty":          {"  \n", "the file is empty"},
		"binary":         {"\x20\x00\x00\x00\x04\x00\x00\x00", "binary data, not a profile"},
		"array":          {"[1, 2]", "a JSON array, not a profile"},
		"unknown keys":   {`{"name": "x", "rules": []}`, "a JSON object with keys name, rules is no profile format: the workbench reads Docker/OCI seccomp JSON"},
		"docker and oci": {`{"defaultAction": "SCMP_ACT_LOG", "ociVersion": "1.0.2"}`, "ambiguous: it looks like a Docker seccomp JSON (\"defaultAction\") and a OCI runtime config.json (\"ociVersion\")"},
		"unit and yaml":  {"[Service]\nkind: SeccompProfile\n", "looks like both a systemd unit ([Service]) and YAML (kind:)"},
		"text":           {"hello world\n", "text that is no profile format (it starts \"hello world\")"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			path := writeFile(t, "f", c.content)
			_, err := Open(path)
			wantErr(t, err, path+": "+c.want)
		})
	}
}

// TestOCIRoundTrip: the oci export, bare (a Docker-format object) and
// wrapped in {"linux":{"seccomp":…}} (a config.json), opens to the same
// meaning.
func TestOCIRoundTrip(t *testing.T) {
	for name, src := range roundTripProfiles {
		for _, wrap := range []bool{false, true} {
			t.Run(name, func(t *testing.T) {
				p := mustOpen(t, src)
				path, _ := exportTo(t, p, export.FormatOCI, export.ExportOptions{Wrap: wrap})
				o := mustImport(t, path)
				want := FormatDocker
				if wrap {
					want = FormatOCIConfig
				}
				if o.Format != want {
					t.Fatalf("format %s, want %s", o.Format, want)
				}
				sameMeaning(t, p, o.Profile)
			})
		}
	}
}

// TestOCIConfig reads a whole runtime config.json (as runc spec writes
// one) with a filter in linux.seccomp.
func TestOCIConfig(t *testing.T) {
	cfg := `{
	"ociVersion": "1.0.2-dev",
	"process": {"terminal": false, "user": {"uid": 0, "gid": 0}, "args": ["sh"], "cwd": "/"},
	"root": {"path": "rootfs", "readonly": true},
	"linux": {
		"namespaces": [{"type": "pid"}, {"type": "mount"}],
		"seccomp": {
			"defaultAction": "SCMP_ACT_ERRNO",
			"defaultErrnoRet": 38,
			"architectures": ["SCMP_ARCH_X86_64"],
			"syscalls": [
				{"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"}
			]
		}
	}
}
`
	o := mustImport(t, writeFile(t, "config.json", cfg))
	if o.Format != FormatOCIConfig || o.Profile.DefaultErrno() != 38 || len(o.Profile.Syscalls) != 1 {
		t.Fatalf("%s: %+v", o.Format, o.Profile)
	}
	bad := strings.Replace(cfg, `"SCMP_ACT_ALLOW"`, `"SCMP_ACT_ALLOWED"`, 1)
	path := writeFile(t, "config.json", bad)
	_, err := Open(path)
	wantErr(t, err, path+":12:44: unknown action \"SCMP_ACT_ALLOWED\"")

	_, err = Open(writeFile(t, "config.json", `{"ociVersion": "1.0.2", "linux": {"namespaces": []}}`))
	wantErr(t, err, "config.json: an OCI runtime config whose \"linux\" has no \"seccomp\"")
	_, err = Open(writeFile(t, "config.json", `{"ociVersion": "1.0.2", "process": {}}`))
	wantErr(t, err, "config.json: an OCI runtime config without \"linux\"")
}

// TestOpenReadError: a file that cannot be read says so in Load's words.
func TestOpenReadError(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads a mode 000 file")
	}
	path := writeFile(t, "p.json", `{"defaultAction": "SCMP_ACT_LOG"}`)
	if err := os.Chmod(path, 0); err != nil {
		t.Fatal(err)
	}
	_, err := Open(path)
	wantErr(t, err, path)
}
