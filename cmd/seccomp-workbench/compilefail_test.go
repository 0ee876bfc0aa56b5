package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
)

// The runner starts the shim before it compiles the filter. A profile
// whose filter then fails to compile (too big for the kernel) must run
// nothing: the error is the compile's, one line, exit 125, and the
// command never ran — as root and as an unprivileged user, isolated or
// not.
func TestRunUncompilableProfileRunsNothing(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o777); err != nil {
			t.Fatal(err)
		}
	}
	// One rule: every call of the catalog, each with four conditions.
	var names []string
	for _, ent := range catalog.MustDefault().All() {
		names = append(names, ent.Name)
	}
	list, err := json.Marshal(names)
	if err != nil {
		t.Fatal(err)
	}
	prof := filepath.Join(dir, "big.json")
	if err := os.WriteFile(prof, []byte(`{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": `+string(list)+`, "action": "SCMP_ACT_ALLOW",
		"args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}, {"index": 1, "value": 2, "op": "SCMP_CMP_EQ"},
			{"index": 2, "value": 3, "op": "SCMP_CMP_EQ"}, {"index": 3, "value": 8589934596, "op": "SCMP_CMP_EQ"}]}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	users := []struct {
		name string
		cred *syscall.Credential
	}{{"self", nil}}
	if os.Getuid() == 0 {
		users = append(users, struct {
			name string
			cred *syscall.Credential
		}{"nobody", &syscall.Credential{Uid: nobody, Gid: nobody, Groups: []uint32{}}})
	}
	for _, u := range users {
		for _, iso := range []string{"auto", "none"} {
			t.Run(u.name+"/"+iso, func(t *testing.T) {
				marker := filepath.Join(dir, "ran-"+u.name+"-"+iso)
				_, stderr, code := workbenchAs(t, dir, u.cred, "run", "--isolate", iso, "--mode", "enforce", "--profile", prof,
					"--", "/bin/sh", "-c", "echo ran > "+marker)
				line := strings.TrimSpace(stderr)
				if code != exitRunFail || strings.Count(line, "\n") != 0 || !strings.Contains(line, "compiling the filter: ") || !strings.Contains(line, "4096") {
					t.Errorf("exit %d, stderr %q: want 125 and one line with the compile error", code, stderr)
				}
				if _, err := os.Stat(marker); !os.IsNotExist(err) {
					t.Errorf("the command ran although its filter did not compile (%s exists)", marker)
				}
			})
		}
	}
}
