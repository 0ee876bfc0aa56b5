package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"syscall"
	"testing"
)

// auditProfile denies mkdir (EPERM) and socket (EACCES): in audit mode
// neither is denied.
const auditProfile = `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
	{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1},
	{"names": ["socket"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}`

// auditKit is a directory every user can read, holding the runner's probe
// program and the profile, and a directory every user can write to.
type auditKit struct {
	probe, profile, work string
}

func newAuditKit(t *testing.T) auditKit {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	k := auditKit{probe: filepath.Join(dir, "probe"), profile: filepath.Join(dir, "audit.json"), work: filepath.Join(dir, "work")}
	if out, err := exec.Command("gcc", "-O2", "-o", k.probe, "../../runner/testdata/probe.c", "-lpthread").CombinedOutput(); err != nil {
		t.Fatalf("building the probe: %v\n%s", err, out)
	}
	if err := os.WriteFile(k.profile, []byte(auditProfile), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(k.work, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(k.work, 0o777); err != nil {
		t.Fatal(err)
	}
	return k
}

// A program that makes two directories and opens a socket under a
// profile that denies both: in audit mode everything happens, and each call is reported
// with its arguments and the outcome it would have had — as root and as
// nobody, in text and in JSON.
func TestRunAudit(t *testing.T) {
	needX86_64(t)
	k := newAuditKit(t)
	for _, u := range escapeUsers() {
		t.Run(u.name, func(t *testing.T) {
			for _, asJSON := range []bool{false, true} {
				d := filepath.Join(k.work, fmt.Sprintf("%s-%v", u.name, asJSON))
				if err := os.Mkdir(d, 0o777); err != nil {
					t.Fatal(err)
				}
				os.Chmod(d, 0o777)
				a, b := d+"/a", d+"/b"
				args := []string{"run", "--profile", k.profile, "--mode", "audit"}
				if asJSON {
					args = append(args, "--json")
				}
				args = append(args, "--", k.probe, "mkdir:"+a, "mkdir:"+b, "raw:41:1:1:0", "exit:0")
				stdout, stderr, code := workbenchAs(t, "", u.cred, args...)
				if code != 0 {
					t.Fatalf("json=%v: exit %d\nstdout %s\nstderr %s", asJSON, code, stdout, stderr)
				}
				for _, p := range []string{a, b} {
					st, err := os.Stat(p)
					if err != nil || !st.IsDir() {
						t.Errorf("json=%v: %s was not made (%v): the call was not continued", asJSON, p, err)
						continue
					}
					if uid := st.Sys().(*syscall.Stat_t).Uid; u.cred != nil && uid != u.cred.Uid {
						t.Errorf("%s is owned by %d: the run was not %s's", p, uid, u.name)
					}
				}
				if asJSON {
					checkAuditJSON(t, stdout, a, b)
				} else {
					checkAuditText(t, stdout, stderr, a, b)
				}
			}
		})
	}
}

func checkAuditText(t *testing.T, stdout, stderr, a, b string) {
	t.Helper()
	if !strings.Contains(stdout, "mkdir "+a+" = 0") || !strings.Contains(stdout, "raw 41 = ") || strings.Contains(stdout, "-1 E") {
		t.Errorf("the calls did not all succeed: %q", stdout)
	}
	want := []string{
		`^seccomp-workbench: audit mode: nothing is denied; calls the profile would deny are reported and run$`,
		`^seccomp: audit: would deny mkdir\("` + regexp.QuoteMeta(a) + `", 0755\) → errno\(EPERM\), ran \[pid \d+\] x1$`,
		`^seccomp: audit: would deny mkdir\("` + regexp.QuoteMeta(b) + `", 0755\) → errno\(EPERM\), ran \[pid \d+\] x1$`,
		`^seccomp: audit: would deny socket\(AF_UNIX, SOCK_STREAM, 0\) → errno\(EACCES\), ran \[pid \d+\] x1$`,
		`^seccomp-workbench: AUDIT PASS: exit status 0; audit mode, nothing was denied; would deny: mkdir ×2, socket$`,
	}
	lines := strings.Split(strings.TrimRight(stderr, "\n"), "\n")
	if len(lines) != len(want) {
		t.Fatalf("stderr has %d lines, want %d:\n%s", len(lines), len(want), stderr)
	}
	for i, re := range want {
		if !regexp.MustCompile(re).MatchString(lines[i]) {
			t.Errorf("stderr line %d %q, want /%s/", i+1, lines[i], re)
		}
	}
}

func checkAuditJSON(t *testing.T, stdout, a, b string) {
	t.Helper()
	recs := jsonRecords(t, stdout)
	if len(recs) < 4 || recs[0]["type"] != "started" || recs[0]["mode"] != "audit" || recs[len(recs)-1]["type"] != "verdict" {
		t.Fatalf("records %v", recs)
	}
	wantArgs := map[string]string{
		fmt.Sprintf("mkdir(%q, 0755)", a): "EPERM",
		fmt.Sprintf("mkdir(%q, 0755)", b): "EPERM",
		"socket(AF_UNIX, SOCK_STREAM, 0)": "EACCES",
	}
	for _, r := range recs {
		switch r["type"] {
		case "denied":
			t.Errorf("a denied record in audit mode: %v", r)
		case "would_deny":
			text, _ := r["arg_text"].(string)
			if r["audit"] != true || r["action"] != "errno" || r["errno_name"] != wantArgs[text] || r["count"] != 1.0 {
				t.Errorf("would_deny record %v", r)
			}
			for _, key := range []string{"syscall", "arch", "pid", "args", "nr"} {
				if _, ok := r[key]; !ok {
					t.Errorf("would_deny record lacks %q: %v", key, r)
				}
			}
			delete(wantArgs, text)
		}
	}
	if len(wantArgs) > 0 {
		t.Errorf("no would_deny record for %v", wantArgs)
	}
	v := recs[len(recs)-1]
	if v["result"] != "pass" || v["exit_code"] != 0.0 || len(v["denied"].([]any)) != 0 || v["mode"] != "audit" || v["audit"] != true ||
		!reflect.DeepEqual(v["would_deny"], []any{"mkdir", "socket"}) ||
		!reflect.DeepEqual(v["would_deny_counts"], map[string]any{"mkdir": 2.0, "socket": 1.0}) ||
		v["reason"] != "exit status 0; audit mode, nothing was denied; would deny: mkdir ×2, socket" {
		t.Errorf("verdict %v", v)
	}
}

// A call the profile would kill the command for runs in audit mode, and
// the command goes on; --fail-on-denial turns what would be denied into
// exit 1; watch mode, for contrast, kills.
func TestRunAuditWouldKill(t *testing.T) {
	prof := writeProfile(t, `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_KILL_PROCESS"}]}`)
	dir := t.TempDir()
	for _, c := range []struct {
		name    string
		args    []string
		code    int
		made    bool
		summary string
	}{
		{"audit", []string{"--mode", "audit"}, 0, true, `^seccomp-workbench: AUDIT PASS: exit status 0; audit mode, nothing was denied; would deny: mkdir(at)?$`},
		{"audit fail-on-denial", []string{"--mode", "audit", "--fail-on-denial"}, 1, true, `^seccomp-workbench: AUDIT PASS: .*would deny: mkdir(at)?$`},
		{"audit, nothing to deny", []string{"--mode", "audit", "--fail-on-denial"}, 0, false, `^seccomp-workbench: AUDIT PASS: exit status 0; audit mode, nothing was denied; the profile would deny nothing$`},
		{"watch", nil, 159, false, `^seccomp-workbench: KILLED: killed by seccomp \(SIGSYS\) in mkdir`},
	} {
		t.Run(c.name, func(t *testing.T) {
			target := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "-"))
			script := "mkdir " + target + " && echo made"
			switch c.name {
			case "audit, nothing to deny":
				script = "echo made"
			case "watch":
				script = "exec mkdir " + target // the main process is killed
			}
			args := append([]string{"run", "--profile", prof}, c.args...)
			stdout, stderr, code := workbenchExec(t, "", append(args, "--", "sh", "-c", script)...)
			lines := strings.Split(strings.TrimRight(stderr, "\n"), "\n")
			if code != c.code || !regexp.MustCompile(c.summary).MatchString(lines[len(lines)-1]) {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, c.code, stderr)
			}
			if _, err := os.Stat(target); (err == nil) != c.made || c.code != 159 && stdout != "made\n" {
				t.Errorf("made %v, want %v; stdout %q", err == nil, c.made, stdout)
			}
			if c.made && !regexp.MustCompile(`(?m)^seccomp: audit: would deny mkdir(at)?\(.*\) → kill_process, ran `).MatchString(stderr) {
				t.Errorf("no would-deny line:\n%s", stderr)
			}
		})
	}
}

// The audit example passes: its commands run as if unfiltered and its
// denied/not_denied name what lockdown-http.json would deny.
func TestAuditScenarioExample(t *testing.T) {
	needX86_64(t)
	if _, err := os.Stat("/usr/bin/python3"); err != nil {
		t.Skip("needs /usr/bin/python3")
	}
	stdout, stderr, code := workbenchExec(t, "", "test", "../../testdata/scenarios/audit.yaml")
	if code != 0 || strings.Count(stdout, "[audit: nothing denied]") != 3 || !strings.Contains(stdout, "3 passed, 0 failed") {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
}
