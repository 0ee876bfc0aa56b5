package compile

// The curated presets compiled: for this host, in every variant the
// runner uses, and under the real kernel.

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

func presetProfile(t testing.TB, name string) *profile.Profile {
	t.Helper()
	p, err := profile.Open(profile.PresetPrefix + name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Every preset parses, says what it is for, and compiles and verifies for
// this host in both the enforce and the watch variant (the latter with
// the runner's shim exemption, as run uses it).
func TestPresetsBuild(t *testing.T) {
	names := map[string]bool{}
	for _, pr := range profile.Presets() {
		names[pr.Name] = true
		t.Run(pr.Name, func(t *testing.T) {
			if len(pr.Description) < 40 || strings.Contains(pr.Description, "\n") {
				t.Errorf("description %q: want a sentence or more on one line", pr.Description)
			}
			p := presetProfile(t, pr.Name)
			if pr.Name != "docker-default" {
				var meta struct{ Description string }
				data, _ := pr.Bytes()
				if err := json.Unmarshal(data, &meta); err != nil || meta.Description != pr.Description {
					t.Errorf("the file's description is not the listed one")
				}
			}
			env := profile.HostEnv()
			for _, o := range []profile.Options{
				{Variant: profile.VariantEnforce},
				{Variant: profile.VariantWatch, Exempt: &profile.Exemption{Arch: env.Host, HandoffFD: 3, Magic: [3]uint64{0x5eccc0de, 0x1234567890abcdef, 42}}},
			} {
				prog, err := Build(p.Effective(env), o)
				if err != nil {
					t.Fatalf("%s: %v", o.Variant, err)
				}
				if len(prog.Stats.Skipped) > 0 && pr.Name != "docker-default" {
					t.Logf("%s: names no supported ABI has: %v", o.Variant, prog.Stats.Skipped)
				}
			}
		})
	}
	for _, want := range []string{"docker-default", "strict-baseline", "no-network", "no-exec-after-start", "deny-critical", "read-only-fs"} {
		if !names[want] {
			t.Errorf("preset %s is missing", want)
		}
	}
}

// Under the runner (watch mode) the compiled filter lets the shim's exec,
// which carries the run's secret, through.
func TestPresetNoExecAfterStartCompiled(t *testing.T) {
	p := presetProfile(t, "no-exec-after-start")
	x := &profile.Exemption{Arch: catalog.X86_64, HandoffFD: 3, Magic: [3]uint64{7, 8, 9}}
	e := p.Effective(testEnv(catalog.X86_64))
	o := profile.Options{Variant: profile.VariantWatch, Exempt: x}
	prog, err := Build(e, o)
	if err != nil {
		t.Fatal(err)
	}
	if n := catalog.MustDefault().Name(catalog.X86_64, 59); n != "execve" {
		t.Fatalf("x86_64 syscall 59 is %s", n)
	}
	if d, err := prog.Run(catalog.X86_64, 59, [6]uint64{0, 0, 0, 7, 8, 9}); err != nil || d.Action != profile.ActAllow {
		t.Errorf("compiled filter, the shim's execve: %v %v", d, err)
	}
}

// seccompExec is a minimal C program that loads a BPF program from a
// file, sets no_new_privs, installs the program with seccomp(2) and execs
// its remaining arguments. Exit 125 when it could not install the filter,
// 126 when the exec failed.
const seccompExec = `#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv) {
	if (argc < 3) {
		fprintf(stderr, "usage: %s FILTER PROGRAM [ARG...]\n", argv[0]);
		return 125;
	}
	int fd = open(argv[1], O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0 || st.st_size == 0 || st.st_size % sizeof(struct sock_filter) != 0) {
		fprintf(stderr, "%s: not a BPF program\n", argv[1]);
		return 125;
	}
	struct sock_filter *insns = malloc(st.st_size);
	if (insns == NULL || read(fd, insns, st.st_size) != st.st_size) {
		fprintf(stderr, "%s: short read\n", argv[1]);
		return 125;
	}
	close(fd);
	struct sock_fprog prog = {.len = st.st_size / sizeof(struct sock_filter), .filter = insns};
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		perror("prctl(PR_SET_NO_NEW_PRIVS)");
		return 125;
	}
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) {
		perror("seccomp(SECCOMP_SET_MODE_FILTER)");
		return 125;
	}
	execv(argv[2], argv + 2);
	fprintf(stderr, "execv %s: %s\n", argv[2], strerror(errno));
	return 126;
}
`

// Real programs under the real kernel with each curated preset installed
// as the enforce variant.
func TestPresetsRealProcess(t *testing.T) {
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		t.Skip("gcc is not installed")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "seccomp-exec.c")
	helper := filepath.Join(dir, "seccomp-exec")
	if err := os.WriteFile(src, []byte(seccompExec), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(gcc, "-O1", "-Wall", "-Werror", "-o", helper, src).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	python := "/usr/bin/python3"
	if _, err := os.Stat(python); err != nil {
		python = ""
	}
	// A raw clone(CLONE_NEWUSER|SIGCHLD) through ctypes: x86_64's number.
	const cloneNewUserPy = `import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
r = libc.syscall(56, 0x10000000 | 17, 0, 0, 0, 0)
if r == 0:
    os._exit(0)
print(r, ctypes.get_errno())`
	x86Python := python
	if profile.NativeArch() != catalog.X86_64 {
		x86Python = ""
	}
	type run struct {
		argv     []string
		exit     int
		stdout   string // substring expected on stdout
		stderr   string // substring expected on stderr
		needs    string // a program that must exist, or the case is skipped
		inTmpDir bool
	}
	cases := map[string][]run{
		"strict-baseline": {
			{argv: []string{"/bin/true"}},
			{argv: []string{"/bin/ls", "/"}, stdout: "etc"},
			{argv: []string{"/bin/sh", "-c", "echo hello | tr a-z A-Z; cat /etc/hostname >/dev/null"}, stdout: "HELLO"},
			{argv: []string{"/bin/sh", "-c", "mkdir d && echo x > d/f && mv d/f d/g && chmod 600 d/g && ln -s g d/h && rm -r d && echo done"},
				stdout: "done", inTmpDir: true},
			{argv: []string{python, "-c", "print(1)"}, stdout: "1", needs: python},
			{argv: []string{python, "-c", "import socket; socket.socket(socket.AF_INET)"}, exit: 1,
				stderr: "PermissionError", needs: python},
			{argv: []string{"/usr/bin/unshare", "-U", "/bin/true"}, exit: 1, stderr: "Operation not permitted", needs: "/usr/bin/unshare"},
		},
		"read-only-fs": {
			{argv: []string{"/bin/cat", "/etc/hostname"}},
			{argv: []string{"/bin/sh", "-c", "echo x > f"}, exit: 2, stderr: "Read-only file system", inTmpDir: true},
			{argv: []string{"/bin/mkdir", "d"}, exit: 1, stderr: "Read-only file system", inTmpDir: true},
			{argv: []string{"/bin/sh", "-c", "echo ok"}, stdout: "ok"},
		},
		"no-network": {
			{argv: []string{"/bin/ls", "/"}, stdout: "etc"},
			{argv: []string{python, "-c", "import socket; socket.socket(socket.AF_UNIX); print('unix ok')"}, stdout: "unix ok", needs: python},
			{argv: []string{python, "-c", "import socket; socket.socket(socket.AF_INET6)"}, exit: 1, stderr: "PermissionError", needs: python},
		},
		"deny-critical": {
			{argv: []string{"/bin/sh", "-c", "echo ok"}, stdout: "ok"},
			{argv: []string{"/usr/bin/unshare", "-U", "/bin/true"}, exit: 1, stderr: "Operation not permitted", needs: "/usr/bin/unshare"},
			{argv: []string{python, "-c", cloneNewUserPy}, stdout: "-1 1\n", needs: x86Python},
		},
		// The helper's own exec is refused in enforce mode: nothing starts.
		"no-exec-after-start": {
			{argv: []string{"/bin/true"}, exit: 126, stderr: "Operation not permitted"},
		},
	}
	for name, runs := range cases {
		t.Run(name, func(t *testing.T) {
			p := presetProfile(t, name)
			prog, err := Build(p.Effective(profile.HostEnv()), profile.Options{Variant: profile.VariantEnforce})
			if err != nil {
				t.Fatal(err)
			}
			filter := filepath.Join(t.TempDir(), name+".bpf")
			if err := os.WriteFile(filter, prog.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			for _, r := range runs {
				if r.needs == "" && r.argv[0] != "" {
					r.needs = r.argv[0]
				}
				if _, err := os.Stat(r.needs); r.needs == "" || err != nil {
					t.Logf("skipped %v: %s is not installed", r.argv, r.needs)
					continue
				}
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				cmd := exec.CommandContext(ctx, helper, append([]string{filter}, r.argv...)...)
				if r.inTmpDir {
					cmd.Dir = t.TempDir()
				}
				var stdout, stderr bytes.Buffer
				cmd.Stdout, cmd.Stderr = &stdout, &stderr
				err := cmd.Run()
				cancel()
				code := 0
				if ee, ok := err.(*exec.ExitError); ok {
					code = ee.ExitCode()
				} else if err != nil {
					t.Fatalf("%v: %v", r.argv, err)
				}
				if code != r.exit || !strings.Contains(stdout.String(), r.stdout) || !strings.Contains(stderr.String(), r.stderr) {
					t.Errorf("%v: exit %d (want %d)\nstdout: %s\nstderr: %s\nwant stdout containing %q and stderr containing %q",
						r.argv, code, r.exit, stdout.String(), stderr.String(), r.stdout, r.stderr)
				}
			}
		})
	}
}
