package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// pathsScript takes one of two code paths: "a DIR" makes a directory,
// "b" talks to itself over a socketpair. Neither path makes the other's
// call.
const pathsScript = `import os, socket, sys
if sys.argv[1] == "a":
    os.mkdir(sys.argv[2])
else:
    a, b = socket.socketpair()
    a.send(b"x")
    assert b.recv(1) == b"x"
`

func needPython(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat("/usr/bin/python3"); err != nil {
		t.Skip("needs python3")
	}
	return writeFile(t, "paths.py", pathsScript)
}

// runDenied runs argv under prof in watch mode and returns its exit code
// and the names the verdict says were denied.
func runDenied(t *testing.T, prof string, argv ...string) (int, []string) {
	t.Helper()
	stdout, stderr, code := workbenchExec(t, "", append([]string{"run", "--json", "--profile", prof, "--"}, argv...)...)
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var ev struct {
			Type   string   `json:"type"`
			Denied []string `json:"denied"`
		}
		if json.Unmarshal([]byte(line), &ev) == nil && ev.Type == "verdict" {
			return code, ev.Denied
		}
	}
	t.Fatalf("no verdict from run: exit %d\n%s\n%s", code, stdout, stderr)
	return 0, nil
}

func enforce(t *testing.T, prof string, argv ...string) (int, string) {
	t.Helper()
	_, stderr, code := workbenchExec(t, "", append([]string{"run", "--mode", "enforce", "--profile", prof, "--"}, argv...)...)
	return code, stderr
}

// Two recordings of different code paths of one program: each alone
// denies the other path (its call, named), the merge passes both, and
// merge --check says which calls one lacks.
func TestMergeRecordedPaths(t *testing.T) {
	script := needPython(t)
	dir := t.TempDir()
	a, b, m := filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json"), filepath.Join(dir, "m.json")
	pathA := func(n string) []string { return []string{"python3", script, "a", filepath.Join(dir, n)} }
	pathB := []string{"python3", script, "b"}
	if _, stderr, code := workbenchExec(t, "", append([]string{"record", "-o", a, "--"}, pathA("rec")...)...); code != 0 {
		t.Fatalf("record a: exit %d\n%s", code, stderr)
	}
	if _, stderr, code := workbenchExec(t, "", append([]string{"record", "-o", b, "--"}, pathB...)...); code != 0 {
		t.Fatalf("record b: exit %d\n%s", code, stderr)
	}
	if code, denied := runDenied(t, a, pathB...); code == 0 || !slices.Contains(denied, "socketpair") {
		t.Errorf("path b under a's recording: exit %d, denied %v; want a failure denying socketpair", code, denied)
	}
	if code, denied := runDenied(t, b, pathA("under-b")...); code == 0 || !slices.Contains(denied, "mkdir") {
		t.Errorf("path a under b's recording: exit %d, denied %v; want a failure denying mkdir", code, denied)
	}
	_, stderr, code := workbenchExec(t, "", "merge", a, b, "-o", m)
	wrote := "seccomp-workbench: wrote " + m + ": 2 profiles merged into "
	if code != 0 || !strings.Contains(stderr, wrote) || !strings.HasSuffix(stderr, "; it lets through what any of them does\n") {
		t.Fatalf("merge: exit %d\n%s", code, stderr)
	}
	for name, argv := range map[string][]string{"a": pathA("under-m"), "b": pathB} {
		if code, stderr := enforce(t, m, argv...); code != 0 {
			t.Errorf("path %s under the merge: exit %d\n%s", name, code, stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "under-m")); err != nil {
		t.Errorf("path a under the merge made no directory: %v", err)
	}

	stdout, _, code := workbenchExec(t, "", "merge", "--check", a, b)
	if code != 1 || !strings.HasPrefix(stdout, a+" lacks what "+b+" lets through:\n") ||
		!strings.Contains(stdout, "\n  socketpair (x86_64): errno(EPERM) → allow when arg0 == 0x1 && ") || // the recording's argument rule: AF_UNIX
		!strings.Contains(stdout, "\n"+a+" does not let through everything the others do: ") {
		t.Errorf("merge --check a b: exit %d\n%s", code, stdout)
	}
	stdout, _, code = workbenchExec(t, "", "merge", "--check", m, a, b)
	if code != 0 || !strings.HasSuffix(stdout, "\n"+m+" lets through everything "+a+" and "+b+" do\n") {
		t.Errorf("merge --check m a b: exit %d\n%s", code, stdout)
	}

	// record --merge-into, once per path, builds the same profile (by
	// meaning) as merging the two recordings.
	acc := filepath.Join(dir, "acc.json")
	_, stderr, code = workbenchExec(t, "", append([]string{"record", "-o", acc, "--merge-into", "--"}, pathA("into")...)...)
	if code != 0 || !strings.Contains(stderr, "seccomp-workbench: wrote "+acc+": ") {
		t.Fatalf("first --merge-into: exit %d\n%s", code, stderr)
	}
	_, stderr, code = workbenchExec(t, "", append([]string{"record", "-o", acc, "--merge-into", "--"}, pathB...)...)
	if code != 0 || !strings.Contains(stderr, "seccomp-workbench: wrote "+acc+": what the command used merged into the profile it held (") {
		t.Fatalf("second --merge-into: exit %d\n%s", code, stderr)
	}
	if stdout, _, code := workbenchExec(t, "", "diff", "--subset", acc, m); code != 0 {
		t.Errorf("merge allows more than --merge-into:\n%s", stdout)
	}
	if stdout, _, code := workbenchExec(t, "", "diff", "--subset", m, acc); code != 0 {
		t.Errorf("--merge-into allows more than merge:\n%s", stdout)
	}
	for name, argv := range map[string][]string{"a": pathA("under-acc"), "b": pathB} {
		if code, stderr := enforce(t, acc, argv...); code != 0 {
			t.Errorf("path %s under the --merge-into profile: exit %d\n%s", name, code, stderr)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 8 { // 4 profiles, 4 directories
		t.Errorf("files in %s: %v", dir, entries)
	}
}

// Merged with a stricter profile, Docker's default keeps everything it
// lets through; the merge is written resolved and says for what.
func TestMergeDockerDefaultCLI(t *testing.T) {
	strict := writeProfile(t, `{"defaultAction": "SCMP_ACT_KILL_PROCESS", "architectures": ["SCMP_ARCH_X86_64"],
		"syscalls": [{"names": ["read", "write", "exit_group", "mount"], "action": "SCMP_ACT_ALLOW"}]}`)
	out := filepath.Join(t.TempDir(), "m.json")
	code, _, stderr := runCLI(t, "merge", strict, "preset:docker-default", "-o", out)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	for _, want := range []string{
		"seccomp-workbench: warning: preset:docker-default: includes and excludes resolved for ",
		"seccomp-workbench: warning: ABIs x86 and x32: not filtered by " + strict + " (every call there is killed); the merged profile filters them, and the rules of every profile apply there\n",
		"seccomp-workbench: warning: default action: " + strict + " kill_process, preset:docker-default errno(EPERM): kept " + strict + "'s kill_process\n",
		"seccomp-workbench: warning: not exact: mount (x86, x32): the merged profile lets through what no input does, e.g. with arguments all 0\n",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if code, stdout, _ := runCLI(t, "merge", "--check", out, "preset:docker-default", strict); code != 0 {
		t.Errorf("the merge does not let through all docker-default and %s do:\n%s", strict, stdout)
	}
	p, err := profile.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range p.Syscalls {
		if !r.Includes.Empty() || !r.Excludes.Empty() {
			t.Errorf("rule %v kept includes/excludes", r.Names)
		}
	}
	// The other way round, the stricter profile lacks what Docker's
	// default lets through.
	code, stdout, _ := runCLI(t, "merge", "--check", strict, "preset:docker-default")
	if code != 1 || !strings.Contains(stdout, "\n  uname (x86_64): kill_process → allow\n") {
		t.Errorf("exit %d\n%s", code, stdout)
	}
}

func TestMergeErrors(t *testing.T) {
	dir := t.TempDir()
	good := writeProfile(t, `{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"}]}`)
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte("{\n  \"defaultAction\": 3\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.json")
	if err := os.WriteFile(out, []byte("keep me\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	const help = "Run 'seccomp-workbench --help' for usage.\n"
	missing := filepath.Join(dir, "none.json")
	cases := []struct {
		name string
		args []string
		msg  string
	}{
		{"one profile", []string{"merge", good, "-o", out},
			"seccomp-workbench: merge: give at least two profiles (got 1): usage: seccomp-workbench merge PROFILE... -o OUT | merge --check PROFILE... [flags]\n" + help},
		{"no -o", []string{"merge", good, good},
			"seccomp-workbench: merge: -o OUT is required: the file to write the merged profile to (or --check to compare)\n" + help},
		{"--check and -o", []string{"merge", "--check", good, good, "-o", out},
			"seccomp-workbench: merge: --check writes nothing: drop -o " + out + "\n" + help},
		{"missing file", []string{"merge", good, missing, "-o", out},
			"seccomp-workbench: merge: " + missing + ": no such file: give a profile file or preset:NAME (see 'seccomp-workbench presets')\n" + help},
		{"bad file", []string{"merge", "--check", bad, good},
			"seccomp-workbench: merge: " + bad + ":2:20: defaultAction must be a string, not a JSON number\n" + help},
		{"bad preset", []string{"merge", good, "preset:nope", "-o", out},
			"seccomp-workbench: merge: preset:nope: no such preset: use one of docker-default, deny-critical, no-exec-after-start, no-network, read-only-fs, strict-baseline\n" + help},
		{"OUT in no directory", []string{"merge", good, good, "-o", filepath.Join(dir, "no", "m.json")},
			"seccomp-workbench: merge: -o " + filepath.Join(dir, "no", "m.json") + ": cannot create a file in " + filepath.Join(dir, "no") + ": no such file or directory: check that the directory exists and is writable\n" + help},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, c.args...)
			if code != 2 || stderr != c.msg || stdout != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want 2 and %q", code, stdout, stderr, c.msg)
			}
		})
	}
	if data, _ := os.ReadFile(out); string(data) != "keep me\n" {
		t.Errorf("OUT now holds %q", data)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("files left in %s: %v", dir, entries)
	}
	// record --merge-into refuses an OUT that is not a profile before the
	// command runs.
	marker := filepath.Join(t.TempDir(), "ran")
	_, stderr, code := workbenchExec(t, "", "record", "-o", bad, "--merge-into", "--", "touch", marker)
	want := "seccomp-workbench: record: --merge-into: " + bad + ":2:20: defaultAction must be a string, not a JSON number\n"
	if code != 125 || stderr != want {
		t.Errorf("record --merge-into a bad OUT: exit %d, stderr %q; want 125 and %q", code, stderr, want)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("the command ran")
	}
}

// merge may write over one of its inputs: they are read first.
func TestMergeIntoAnInput(t *testing.T) {
	a := writeProfile(t, `{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"}]}`)
	b := writeProfile(t, `{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ALLOW"}]}`)
	if code, _, stderr := runCLI(t, "merge", a, b, "-o", a); code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if code, stdout, _ := runCLI(t, "merge", "--check", a, b); code != 0 {
		t.Errorf("a does not hold b now:\n%s", stdout)
	}
}
