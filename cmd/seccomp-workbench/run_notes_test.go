package main

import (
	"bufio"
	"encoding/json"
	"strings"
	"testing"
)

// Where watch mode's outcome differs from enforce mode's, the run says
// so: here a kill_process in a child of the shell, which dies of SIGKILL
// (the shell sees 137) where the kernel would use SIGSYS (159).
func TestRunNotes(t *testing.T) {
	prof := writeProfile(t, `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_KILL_PROCESS"}]}`)
	script := "mkdir " + t.TempDir() + "/x; echo status $?"
	note := "watch mode: kill_process in mkdir ended a process other than the command's own with SIGKILL; enforce mode ends it with SIGSYS, which its parent sees (status 159, not 137)"

	stdout, stderr, code := workbenchExec(t, "", "run", "--profile", prof, "--", "sh", "-c", script)
	lines := strings.Split(strings.TrimRight(stderr, "\n"), "\n")
	if code != 0 || stdout != "status 137\n" || lines[len(lines)-1] != "seccomp-workbench: note: "+note {
		t.Fatalf("exit %d, stdout %q, stderr:\n%s", code, stdout, stderr)
	}
	stdout, _, _ = workbenchExec(t, "", "run", "--profile", prof, "--mode", "enforce", "--", "sh", "-c", script)
	if stdout != "status 159\n" {
		t.Errorf("enforce: stdout %q", stdout)
	}

	stdout, _, _ = workbenchExec(t, "", "run", "--profile", prof, "--json", "--", "sh", "-c", script)
	var v struct {
		Type  string    `json:"type"`
		Notes *[]string `json:"notes"`
	}
	sc := bufio.NewScanner(strings.NewReader(stdout))
	for sc.Scan() {
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("not a JSON line: %q", sc.Text())
		}
	}
	if v.Type != "verdict" || v.Notes == nil || len(*v.Notes) != 1 || (*v.Notes)[0] != note {
		t.Errorf("verdict notes %v in %s", v.Notes, stdout)
	}
	// A run without differences carries an empty list.
	stdout, _, _ = workbenchExec(t, "", "run", "--profile", prof, "--json", "--", "true")
	if !strings.Contains(stdout, `"notes":[]`) {
		t.Errorf("a run without notes: %s", stdout)
	}
}
