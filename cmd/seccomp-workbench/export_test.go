package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/export"
)

func TestExportToStdout(t *testing.T) {
	code, out, errs := runCLI(t, "export", "preset:docker-default", "--format", "oci")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var s map[string]any
	if err := json.Unmarshal([]byte(out), &s); err != nil || s["defaultAction"] != "SCMP_ACT_ERRNO" {
		t.Fatalf("stdout is not the OCI object: %v\n%.200s", err, out)
	}
	code, out, _ = runCLI(t, "export", "preset:docker-default", "--format", "oci", "--wrap")
	if code != 0 || !strings.HasPrefix(out, "{\n\t\"linux\": {\n\t\t\"seccomp\": {") {
		t.Errorf("--wrap: exit %d\n%.100s", code, out)
	}
	code, out, _ = runCLI(t, "export", "preset:docker-default", "--format", "k8s")
	if code != 0 || !strings.Contains(out, "kind: SeccompProfile\nmetadata:\n  name: docker-default\n") {
		t.Errorf("k8s: the name should come from the preset: exit %d\n%.300s", code, out)
	}
	code, out, _ = runCLI(t, "export", filepath.Join(testdataDir, "export", "small.json"), "--format", "k8s", "--name", "web.v2")
	if code != 0 || !strings.Contains(out, "  name: web.v2\n") {
		t.Errorf("k8s --name: exit %d\n%.300s", code, out)
	}
}

func TestExportToFileWithNotes(t *testing.T) {
	needX86_64(t)
	dir := t.TempDir()
	dst := filepath.Join(dir, "seccomp.conf")
	code, out, errs := runCLI(t, "export", "preset:docker-default", "--format", "systemd", "-o", dst)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if out != "" {
		t.Errorf("stdout should be empty with -o, got %q", out)
	}
	data, err := os.ReadFile(dst)
	if err != nil || !bytes.Contains(data, []byte("\n[Service]\nSystemCallArchitectures=")) {
		t.Fatalf("%s: %v\n%s", dst, err, data)
	}
	if !strings.Contains(errs, "note: clone: allow when arg0 & 0x7e020000 == 0x0") {
		t.Errorf("notes are not on stderr:\n%s", errs)
	}
	if !strings.Contains(errs, "wrote systemd drop-in to "+dst) {
		t.Errorf("stderr does not say where it wrote:\n%s", errs)
	}
	// Replacing keeps the existing file's mode.
	if err := os.Chmod(dst, 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := runCLI(t, "export", "preset:deny-critical", "--format", "systemd", "-o", dst); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	st, _ := os.Stat(dst)
	data, _ = os.ReadFile(dst)
	if st.Mode().Perm() != 0o600 || !bytes.Contains(data, []byte("SystemCallFilter=~")) {
		t.Errorf("replaced file: mode %v\n%s", st.Mode().Perm(), data)
	}
}

func TestExportBPFFile(t *testing.T) {
	dst := filepath.Join(t.TempDir(), "filter.bpf")
	code, _, errs := runCLI(t, "export", "preset:docker-default", "--format", "bpf", "-o", dst)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	data, _ := os.ReadFile(dst)
	p, _ := profile.Open("preset:docker-default")
	want, _, err := export.Export(p, profile.HostEnv(), export.FormatBPF, export.ExportOptions{})
	if err != nil || !bytes.Equal(data, want) {
		t.Errorf("the file is not the exported program (%d bytes, want %d): %v", len(data), len(want), err)
	}
	if !strings.Contains(errs, "wrote BPF program to "+dst) {
		t.Errorf("stderr: %s", errs)
	}
}

// TestExportRefusesWeakenedFilter: libseccomp 2.5.4 compiles this
// profile weaker than its rules, so PFC (libseccomp's code) is refused
// and the old file stays. The BPF export is the workbench's own program,
// which is right.
func TestExportRefusesWeakenedFilter(t *testing.T) {
	needX86_64(t) // the profile is x86_64-only
	bug := filepath.Join(testdataDir, "profiles", "libseccomp-64bit-bug.json")
	bpfOut := filepath.Join(t.TempDir(), "filter.bpf")
	if code, _, errs := runCLI(t, "export", bug, "--format", "bpf", "-o", bpfOut); code != 0 {
		t.Errorf("bpf export: exit %d, %s", code, errs)
	}
	dst := filepath.Join(t.TempDir(), "filter.pfc")
	if err := os.WriteFile(dst, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs := runCLI(t, "export", bug, "--format", "pfc", "-o", dst)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	if !strings.Contains(errs, "verify: mmap on x86_64") || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
		t.Errorf("want a one-line verify error naming mmap, got:\n%s", errs)
	}
	if data, _ := os.ReadFile(dst); string(data) != "old" {
		t.Errorf("the old file was changed: %q", data)
	}
}

func TestExportUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"export", "preset:docker-default"}, 2, "--format is required: use one of docker, oci, k8s, k8s-localhost, systemd, bpf, pfc, asm, firecracker, minijail"},
		{[]string{"export", "preset:docker-default", "--format", "yaml"}, 2, `unknown export format "yaml"`},
		{[]string{"export", "preset:docker-default", "--format", "oci", "--arch", "vax"}, 2, `unknown architecture "vax"`},
		{[]string{"export", "preset:docker-default", "--format", "k8s", "--name", "Bad_Name"}, 2, "not a valid Kubernetes name"},
		{[]string{"export", "preset:docker-default", "--format", "systemd", "--wrap"}, 2, "--wrap only applies to --format oci"},
		{[]string{"export", "--format", "oci"}, 2, "accepts 1 arg"},
		{[]string{"export", "preset:nope", "--format", "oci"}, 1, "no such preset"},
		{[]string{"export", "/no/such/file.json", "--format", "oci"}, 1, "no such file"},
	} {
		code, _, errs := runCLI(t, tc.args...)
		if code != tc.code || !strings.Contains(errs, tc.msg) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tc.args, code, errs, tc.code, tc.msg)
		}
	}
}

func TestExportArchFlag(t *testing.T) {
	code, out, errs := runCLI(t, "export", "preset:docker-default", "--format", "systemd", "--arch", "aarch64,arm")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "SystemCallArchitectures=arm64 arm\n") && !strings.Contains(out, "SystemCallArchitectures=arm arm64\n") {
		t.Errorf("--arch not applied:\n%s", out)
	}
}

// export resolves for the host --platform, --caps and --kernel name (or
// an --arch's own), says so on stderr, and --api picks the SeccompProfile
// version.
func TestExportHostAndAPI(t *testing.T) {
	for _, c := range []struct {
		args     []string
		code     int
		stdout   []string
		stderr   []string
		noStdout []string
	}{
		{[]string{"--format", "oci", "--platform", "aarch64", "--kernel", "6.1"}, 0,
			[]string{`"SCMP_ARCH_AARCH64"`, `"SCMP_ARCH_ARM"`}, []string{"note: resolved for host aarch64, kernel 6.1, Docker's default capabilities"}, []string{"SCMP_ARCH_X86_64"}},
		{[]string{"--format", "oci", "--arch", "aarch64"}, 0,
			[]string{`"SCMP_ARCH_AARCH64"`}, []string{"note: resolved for host aarch64,"}, []string{"SCMP_ARCH_ARM"}},
		// Docker allows mount only with CAP_SYS_ADMIN.
		{[]string{"--format", "oci", "--platform", "x86_64", "--caps", "all"}, 0,
			[]string{`"mount"`}, []string{"all capabilities"}, nil},
		{[]string{"--format", "oci", "--platform", "x86_64"}, 0,
			nil, []string{"Docker's default capabilities"}, []string{`"mount"`}},
		{[]string{"--format", "k8s", "--platform", "x86_64"}, 0,
			[]string{"apiVersion: security-profiles-operator.x-k8s.io/v1\n", "# resolved for host x86_64"}, []string{"note: listmount: libseccomp"}, nil},
		{[]string{"--format", "k8s", "--api", "v1beta1"}, 0,
			[]string{"apiVersion: security-profiles-operator.x-k8s.io/v1beta1\n"}, nil, nil},
		{[]string{"--format", "k8s-localhost", "--platform", "x86_64"}, 0,
			[]string{`"SCMP_ARCH_X86_64"`}, []string{"containerd and CRI-O load this file as written"}, []string{"archMap", "includes"}},
		{[]string{"--format", "k8s", "--api", "v2"}, 2, nil, []string{`--api "v2": use v1 or v1beta1`}, nil},
		{[]string{"--format", "oci", "--api", "v1"}, 2, nil, []string{"--api only applies to --format k8s"}, nil},
		{[]string{"--format", "oci", "--platform", "vax"}, 2, nil, []string{`--platform: unknown architecture "vax"`}, nil},
		{[]string{"--format", "oci", "--kernel", "six"}, 2, nil, []string{`--kernel: kernel version "six"`}, nil},
	} {
		code, out, errs := runCLI(t, append([]string{"export", "preset:docker-default"}, c.args...)...)
		if code != c.code {
			t.Errorf("%v: exit %d, want %d: %s", c.args, code, c.code, errs)
			continue
		}
		for _, w := range c.stdout {
			if !strings.Contains(out, w) {
				t.Errorf("%v: stdout lacks %q", c.args, w)
			}
		}
		for _, w := range c.noStdout {
			if strings.Contains(out, w) {
				t.Errorf("%v: stdout has %q", c.args, w)
			}
		}
		for _, w := range c.stderr {
			if !strings.Contains(errs, w) {
				t.Errorf("%v: stderr lacks %q:\n%s", c.args, w, errs)
			}
		}
	}
}
