package main

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/creack/pty"
)

// The test command on the lockdown example: the service starts and
// answers, every escape fails, exit 0; the JUnit report parses back.
func TestTestCommandLockdown(t *testing.T) {
	junit := filepath.Join(t.TempDir(), "report.xml")
	out, errs, code := workbenchExec(t, "", "test", testdataDir+"/scenarios/lockdown.yaml", "--junit", junit)
	if code != 0 || strings.Contains(out, "✘") || !strings.Contains(out, "✔ service starts and answers @ lockdown-http.json") ||
		!strings.Contains(out, " passed, 0 failed (") {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	data, err := os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Name  string `xml:"name,attr"`
			Cases []struct {
				Name string `xml:"name,attr"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Tests != 9 || doc.Failures != 0 || len(doc.Suites) != 1 || doc.Suites[0].Name != "lockdown-http.json" {
		t.Errorf("junit: %+v", doc)
	}
}

// A matrix of two profiles, --filter and --json: the scenarios that pass
// under the lockdown fail under a profile that allows sockets; exit 1.
func TestTestCommandMatrix(t *testing.T) {
	dir := testdataDir + "/scenarios/"
	out, errs, code := workbenchExec(t, "", "test", dir+"lockdown.yaml", "--json", "--filter", "socket",
		"--profile", dir+"lockdown-http.json", "--profile", "preset:deny-critical", "--jobs", "1")
	if code != 1 {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 8 {
		t.Fatalf("%d results:\n%s", len(lines), out)
	}
	for i, l := range lines {
		var r struct {
			Scenario string   `json:"scenario"`
			Profile  string   `json:"profile"`
			Passed   bool     `json:"passed"`
			Failures []string `json:"failures"`
			Denials  []struct {
				Syscall, Args, Action string
			} `json:"denials"`
		}
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatal(err)
		}
		lock := i%2 == 0
		if lock != strings.HasSuffix(r.Profile, "lockdown-http.json") || r.Passed != lock || !strings.Contains(r.Scenario, "socket") {
			t.Errorf("line %d: %s", i, l)
		}
		if lock && (len(r.Denials) == 0 || r.Denials[0].Syscall != "socket" || !strings.HasPrefix(r.Denials[0].Args, "socket(") || r.Denials[0].Action != "errno EPERM") {
			t.Errorf("line %d denials: %s", i, l)
		}
		if !lock && (len(r.Failures) == 0 || !strings.Contains(strings.Join(r.Failures, "\n"), "\ndenied: socket was never denied (nothing was denied)\n")) {
			t.Errorf("line %d failures: %s", i, l)
		}
	}
}

func TestTestCommandUsage(t *testing.T) {
	dir := t.TempDir()
	bad := writeFile(t, "bad.yaml", "scenarios:\n  - {name: a, run: x, expect: {denied: [sockte]}}\n")
	noProfile := writeFile(t, "np.yaml", "scenarios:\n  - {name: a, run: \"true\"}\n")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"test", bad, "--profile", "preset:deny-critical"}, bad + `:2:41: unknown syscall "sockte" in denied: did you mean socket?`},
		{[]string{"test", noProfile}, "names no profile: give --profile P"},
		{[]string{"test", noProfile, "--profile", "preset:deny-critical", "--filter", "("}, "--filter"},
		{[]string{"test", noProfile, "--profile", "preset:deny-critical", "--filter", "zzz"}, "keeps none of the 1 scenarios"},
		{[]string{"test", noProfile, "--profile", "preset:deny-critical", "--junit", filepath.Join(dir, "no", "r.xml")}, "--junit"},
	} {
		code, out, errs := runCLI(t, c.args...)
		if code != 2 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, want 2 and %q\n%s%s", c.args, code, c.want, out, errs)
		}
	}
}

// The lockdown holds for an unprivileged workbench too: the service
// answers and every escape fails, run as nobody.
func TestTestCommandLockdownUnprivileged(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to run the workbench as nobody")
	}
	bin := workbenchBinary(t)
	dir := t.TempDir()
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"lockdown.yaml", "lockdown-http.json"} {
		data, err := os.ReadFile(testdataDir + "/scenarios/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(bin, "test", filepath.Join(dir, "lockdown.yaml"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	cmd.Dir = "/"
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "9 passed, 0 failed") {
		t.Errorf("as nobody: %v\n%s", err, out)
	}
}

// With stderr on a terminal, test draws a progress line there and clears
// it at the end; stdout keeps only the results. --json draws none.
func TestTestCommandProgressLine(t *testing.T) {
	bin := workbenchBinary(t)
	for _, asJSON := range []bool{false, true} {
		ptmx, tty, err := pty.Open()
		if err != nil {
			t.Fatal(err)
		}
		args := []string{"test", testdataDir + "/scenarios/throughput.yaml", "--filter", " [12]$"}
		if asJSON {
			args = append(args, "--json")
		}
		cmd := exec.Command(bin, args...)
		var out strings.Builder
		cmd.Stdout, cmd.Stderr = &out, tty
		err = cmd.Run()
		tty.Close()
		var shown strings.Builder
		_, _ = io.Copy(&shown, ptmx)
		ptmx.Close()
		if err != nil || strings.Contains(out.String(), "\r") {
			t.Fatalf("json=%v: %v\n%q", asJSON, err, out.String())
		}
		s := shown.String()
		drawn := strings.Contains(s, "[0/8] running: ") && strings.Contains(s, "[8/8]") && strings.HasSuffix(s, "\r\x1b[K")
		if drawn == asJSON || asJSON && s != "" {
			t.Errorf("json=%v: terminal got %q", asJSON, s)
		}
	}
}
