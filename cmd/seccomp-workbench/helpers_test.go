package main

// Helpers shared by the tests of every subcommand: running the CLI in
// process or as the built binary, golden files and fixtures.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"hash/fnv"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// go test -update rewrites the golden files instead of comparing.
var update = flag.Bool("update", false, "rewrite golden files in testdata")

const testdataDir = "../../testdata"

// runCLI runs the CLI in process, with empty stdin, and returns its exit
// status and output.
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = execute(args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// needX86_64 skips a test whose expected output is for an x86_64 host: the
// x86 ABIs Docker's archMap picks there, libseccomp's x86_64 layout.
func needX86_64(t *testing.T) {
	t.Helper()
	if profile.NativeArch() != catalog.X86_64 {
		t.Skipf("expected output is for an x86_64 host, this is %s", profile.NativeArch())
	}
}

// assertGolden compares got with the file at path, or rewrites the file
// when the tests run with -update.
func assertGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s:\n--- got\n%s--- want\n%s", path, got, want)
	}
}

// writeFile writes content to name in a fresh temporary directory and
// returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// writeProfile writes a profile's JSON to a temporary file.
func writeProfile(t *testing.T, js string) string {
	t.Helper()
	return writeFile(t, "profile.json", js)
}

// The run and record tests drive the real binary: the runner re-executes
// it as its shim, so it has to be the workbench, not the test binary.
var builtWorkbench struct {
	once sync.Once
	path string
	err  error
}

func workbenchBinary(t *testing.T) string {
	t.Helper()
	builtWorkbench.once.Do(func() {
		// One fixed place per user and checkout, rebuilt (incrementally)
		// by each test run, so runs leave at most one copy behind and two
		// checkouts tested at once do not run each other's binary.
		wd, _ := os.Getwd()
		h := fnv.New32a()
		h.Write([]byte(wd))
		dir := filepath.Join(os.TempDir(), fmt.Sprintf("seccomp-workbench-cli-test-%d-%08x", os.Getuid(), h.Sum32()))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			builtWorkbench.err = err
			return
		}
		builtWorkbench.path = filepath.Join(dir, "seccomp-workbench")
		out, err := exec.Command("go", "build", "-o", builtWorkbench.path, ".").CombinedOutput()
		if err != nil {
			builtWorkbench.err = err
			builtWorkbench.path = string(out)
		}
	})
	if builtWorkbench.err != nil {
		t.Fatalf("building the workbench: %v\n%s", builtWorkbench.err, builtWorkbench.path)
	}
	return builtWorkbench.path
}

// workbenchExec runs the built workbench with args and NO_COLOR set, and
// returns stdout, stderr and the exit status.
func workbenchExec(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(workbenchBinary(t), args...)
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	return runCmd(t, cmd)
}

// workbenchAs runs the built workbench as cred (nil: the test's user) in
// dir ("": the test's directory), with a fixed environment.
func workbenchAs(t *testing.T, dir string, cred *syscall.Credential, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(workbenchBinary(t), args...)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=/usr/local/bin:/usr/bin:/bin", "NO_COLOR=1", "LC_ALL=C"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	return runCmd(t, cmd)
}

// runCmd runs cmd and returns stdout, stderr and the exit status.
func runCmd(t *testing.T, cmd *exec.Cmd) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

// jsonRecords parses run --json output: one object per line.
func jsonRecords(t *testing.T, stdout string) []map[string]any {
	t.Helper()
	var recs []map[string]any
	sc := bufio.NewScanner(strings.NewReader(stdout))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("not a JSON line: %q", sc.Text())
		}
		recs = append(recs, m)
	}
	return recs
}
