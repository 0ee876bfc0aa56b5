package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// runWith runs the built workbench with extra environment variables.
func runWith(t *testing.T, env []string, args ...string) (stderr string, code int) {
	t.Helper()
	cmd := exec.Command(workbenchBinary(t), args...)
	cmd.Env = append(append(os.Environ(), "NO_COLOR=1"), env...)
	_, stderr, code = runCmd(t, cmd)
	return stderr, code
}

// run --mode enforce stores its verified program and takes it from the
// cache the next time, with the same outcome; --no-cache and
// SECCOMP_WORKBENCH_CACHE=off do without it (off never creates the
// directory); a directory others can write is refused with a warning.
func TestRunProgramCache(t *testing.T) {
	prof := writeProfile(t, runDenyMkdir)
	dir := t.TempDir()
	xdg := filepath.Join(t.TempDir(), "xdg")
	verbose := []string{"XDG_CACHE_HOME=" + xdg, "SECCOMP_WORKBENCH_CACHE=verbose"}
	args := []string{"run", "--profile", prof, "--mode", "enforce", "--", "mkdir", dir + "/a"}
	const denied = "seccomp-workbench: FAIL: exit status 1"
	check := func(what, stderr string, code int, note string) {
		t.Helper()
		if code != 1 || !strings.Contains(stderr, denied) {
			t.Fatalf("%s: mkdir was not denied (exit %d): %s", what, code, stderr)
		}
		if note == "" && strings.Contains(stderr, "program cache") || !strings.Contains(stderr, note) {
			t.Fatalf("%s: want a note %q: %s", what, note, stderr)
		}
	}
	stderr, code := runWith(t, verbose, args...)
	check("first run", stderr, code, ": stored ")
	stderr, code = runWith(t, verbose, args...)
	check("second run", stderr, code, ": hit ")
	noCache := append([]string{"run", "--no-cache"}, args[1:]...)
	stderr, code = runWith(t, verbose, noCache...)
	check("--no-cache", stderr, code, "")

	off := filepath.Join(t.TempDir(), "off")
	stderr, code = runWith(t, []string{"XDG_CACHE_HOME=" + off, "SECCOMP_WORKBENCH_CACHE=off"}, args...)
	check("cache off", stderr, code, "")
	if _, err := os.Lstat(off); !os.IsNotExist(err) {
		t.Fatalf("SECCOMP_WORKBENCH_CACHE=off created %s: %v", off, err)
	}

	open := filepath.Join(t.TempDir(), "open")
	if err := os.MkdirAll(filepath.Join(open, "seccomp-workbench"), 0o700); err != nil {
		t.Fatal(err)
	}
	os.Chmod(filepath.Join(open, "seccomp-workbench"), 0o777)
	stderr, code = runWith(t, []string{"XDG_CACHE_HOME=" + open}, args...)
	check("group-writable cache", stderr, code, "seccomp-workbench: warning: program cache "+filepath.Join(open, "seccomp-workbench")+": the directory is writable by group or others")
	if m, _ := filepath.Glob(filepath.Join(open, "seccomp-workbench", "*")); len(m) > 0 {
		t.Fatalf("the refused directory was written: %v", m)
	}
}
