package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

const runDenyMkdir = `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
	{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"},
	{"names": ["ptrace"], "action": "SCMP_ACT_KILL_PROCESS"},
	{"names": ["uname"], "action": "SCMP_ACT_LOG"}]}`

func TestRunExitStatus(t *testing.T) {
	prof := writeProfile(t, runDenyMkdir)
	denyExec := writeProfile(t, `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["execve"], "action": "SCMP_ACT_ERRNO"}]}`)
	noexec := writeFile(t, "script", "#!/bin/sh\n") // not executable
	dir := t.TempDir()
	cases := []struct {
		name    string
		args    []string
		code    int
		summary string // the last line of stderr, a regexp
	}{
		{"pass", []string{"--profile", prof, "--", "true"}, 0, `^seccomp-workbench: PASS: exit status 0$`},
		{"exit code", []string{"--profile", prof, "sh", "-c", "exit 3"}, 3, `^seccomp-workbench: FAIL: exit status 3$`},
		{"denied", []string{"--profile", prof, "--", "mkdir", dir + "/a"}, 1, `^seccomp-workbench: FAIL: exit status 1; denied: mkdir \(1\)$`},
		{"enforce", []string{"--profile", prof, "--mode", "enforce", "--", "mkdir", dir + "/a"}, 1, `^seccomp-workbench: FAIL: exit status 1$`},
		{"seccomp kill", []string{"--profile", prof, "--", "sh", "-c", "exec strace -o /dev/null true"}, 159, `^seccomp-workbench: KILLED: killed by seccomp \(SIGSYS\) in ptrace; denied: ptrace \(1\)$`},
		{"enforce kill", []string{"--profile", prof, "--mode", "enforce", "--", "strace", "-o", "/dev/null", "true"}, 159, `^seccomp-workbench: KILLED: killed by seccomp \(SIGSYS\); run in watch mode to see which call$`},
		{"not found", []string{"--profile", prof, "--", "no-such-cmd-xyz"}, 127, `^seccomp-workbench: ERROR: could not start: no-such-cmd-xyz: not found in PATH$`},
		{"not executable", []string{"--profile", prof, "--", noexec}, 126, `^seccomp-workbench: ERROR: could not start: .*permission denied`},
		{"execve denied", []string{"--profile", denyExec, "--", "true"}, 126, `^seccomp-workbench: ERROR: could not start: the profile denies execve \(errno EPERM\), so the target could not start$`},
		{"timeout", []string{"--profile", prof, "--timeout", "200ms", "--", "sleep", "10"}, 143, `^seccomp-workbench: TIMEOUT: timed out after 200ms$`},
		{"bad profile", []string{"--profile", "/no/such/profile.json", "--", "true"}, 125, `no such file`},
		{"no profile", []string{"--", "true"}, 2, `^Run 'seccomp-workbench --help' for usage.$`},
		{"bad mode", []string{"--profile", prof, "--mode", "record", "--", "true"}, 2, `^Run 'seccomp-workbench --help'`},
		{"no command", []string{"--profile", prof}, 2, `^Run 'seccomp-workbench --help'`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if strings.Contains(c.name, "kill") {
				if _, err := exec.LookPath("strace"); err != nil {
					t.Skip("needs strace")
				}
			}
			stdout, stderr, code := workbenchExec(t, "", append([]string{"run"}, c.args...)...)
			lines := strings.Split(strings.TrimRight(stderr, "\n"), "\n")
			last := lines[len(lines)-1]
			if code != c.code || !regexp.MustCompile(c.summary).MatchString(last) {
				t.Fatalf("exit %d, want %d; last stderr line %q, want /%s/\nstderr: %s", code, c.code, last, c.summary, stderr)
			}
			if stdout != "" {
				t.Errorf("stdout %q: only the command writes there", stdout)
			}
		})
	}
}

func TestRunPassesOutputThrough(t *testing.T) {
	prof := writeProfile(t, runDenyMkdir)
	dir := t.TempDir()
	stdout, stderr, code := workbenchExec(t, "from stdin\n", "run", "--profile", prof, "--",
		"sh", "-c", "cat; uname >/dev/null; mkdir "+dir+"/x; echo done; echo warn >&2")
	if code != 0 || stdout != "from stdin\ndone\n" {
		t.Fatalf("exit %d stdout %q", code, stdout)
	}
	want := []string{
		`^seccomp: logged uname\(0x[0-9a-f]+\) → log \[pid \d+\] x1$`,
		`^seccomp: denied mkdir\("` + regexp.QuoteMeta(dir) + `/x", 0777\) → errno\(EPERM\) \[pid \d+\] x1$`,
		`^mkdir: .*Operation not permitted$`,
		`^warn$`,
		`^seccomp-workbench: FAIL: exit status 0; denied: mkdir \(1\)$`,
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

func TestRunJSON(t *testing.T) {
	prof := writeProfile(t, runDenyMkdir)
	dir := t.TempDir()
	stdout, stderr, code := workbenchExec(t, "", "run", "--profile", prof, "--json", "--",
		"sh", "-c", "echo out; echo err >&2; mkdir "+dir+"/x; exit 4")
	if code != 4 {
		t.Fatalf("exit %d; stderr %s", code, stderr)
	}
	if stderr != "" {
		t.Errorf("stderr %q: --json puts everything in the events", stderr)
	}
	recs := jsonRecords(t, stdout)
	if len(recs) < 5 || recs[0]["type"] != "started" || recs[len(recs)-1]["type"] != "verdict" || recs[len(recs)-2]["type"] != "exited" {
		t.Fatalf("records %v", recs)
	}
	var out, errs string
	var denied map[string]any
	for _, r := range recs {
		switch r["type"] {
		case "output":
			if r["stream"] == "stdout" {
				out += r["data"].(string)
			} else {
				errs += r["data"].(string)
			}
		case "denied":
			denied = r
		case "started", "exited", "verdict", "logged":
		default:
			t.Errorf("unknown record type %v", r["type"])
		}
	}
	if out != "out\n" || !strings.HasPrefix(errs, "err\n") {
		t.Errorf("output events: stdout %q stderr %q", out, errs)
	}
	for _, k := range []string{"syscall", "arch", "pid", "args", "action", "errno", "arg_text", "count"} {
		if _, ok := denied[k]; !ok {
			t.Errorf("denied record lacks %q: %v", k, denied)
		}
	}
	if denied["syscall"] != "mkdir" || denied["action"] != "errno" || denied["errno"] != 1.0 || denied["arch"] != "x86_64" && denied["arch"] != "aarch64" {
		t.Errorf("denied record %v", denied)
	}
	v := recs[len(recs)-1]
	if v["result"] != "fail" || v["exit_code"] != 4.0 || v["signal"] != "" || len(v["denied"].([]any)) != 1 || v["reason"] != "exit status 4; denied: mkdir" {
		t.Errorf("verdict %v", v)
	}
	if _, ok := v["duration_ms"]; !ok {
		t.Error("verdict lacks duration_ms")
	}
}

func TestRunFlagErrors(t *testing.T) {
	prof := writeProfile(t, runDenyMkdir)
	cases := []struct {
		name string
		args []string
		msg  string
	}{
		{"bad caps", []string{"--caps", "CAP_NET_ADMIN,cap_bogus"}, `seccomp-workbench: run: --caps: "cap_bogus" is not a capability: use docker, all, none or names such as CAP_NET_ADMIN,CAP_SYS_PTRACE`},
		{"empty cap", []string{"--caps", "CAP_KILL,"}, `seccomp-workbench: run: --caps: "" is not a capability`},
		{"bad isolate", []string{"--isolate", "full"}, `seccomp-workbench: run: --isolate: unknown isolation "full": use auto or none`},
		{"fail-on-denial in enforce", []string{"--mode", "enforce", "--fail-on-denial"}, "seccomp-workbench: run: --fail-on-denial needs watch or audit mode: in enforce mode the workbench does not see denied calls"},
		{"bad mode", []string{"--mode", "learn"}, `seccomp-workbench: run: --mode "learn": use watch, enforce or audit`},
	}
	marker := filepath.Join(t.TempDir(), "ran")
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := append(append([]string{"run", "--profile", prof}, c.args...), "--", "touch", marker)
			stdout, stderr, code := workbenchExec(t, "", args...)
			first, _, _ := strings.Cut(stderr, "\n")
			if code != 2 || !strings.HasPrefix(first, c.msg) || stdout != "" {
				t.Errorf("exit %d, first stderr line %q, want 2 and %q", code, first, c.msg)
			}
			if _, err := os.Stat(marker); err == nil {
				t.Fatal("the command ran after a usage error")
			}
		})
	}
}

// --caps chooses the capability set includes/excludes are resolved for: a
// rule that Docker drops for a container with CAP_SYS_ADMIN applies under
// the default set and not under all.
func TestRunCapsResolveProfile(t *testing.T) {
	prof := writeProfile(t, `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "excludes": {"caps": ["CAP_SYS_ADMIN"]}}]}`)
	for _, c := range []struct {
		caps   string
		code   int
		denied bool
	}{{"docker", 1, true}, {"CAP_CHOWN", 1, true}, {"all", 0, false}, {"sys_admin,CAP_KILL", 0, false}} {
		dir := filepath.Join(t.TempDir(), "d")
		_, stderr, code := workbenchExec(t, "", "run", "--profile", prof, "--caps", c.caps, "--isolate", "none", "--", "mkdir", dir)
		_, err := os.Stat(dir)
		if code != c.code || strings.Contains(stderr, "denied mkdir") != c.denied || (err == nil) == c.denied {
			t.Errorf("--caps %s: exit %d (want %d), made %v, stderr %s", c.caps, code, c.code, err == nil, stderr)
		}
	}
}

// A root target keeps exactly the capabilities --caps names.
func TestRunCapsOfTarget(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("an unprivileged target has no capabilities whatever --caps says")
	}
	for _, caps := range []string{"docker", "none", "CAP_KILL,chown"} {
		set, err := profile.ParseCaps(caps)
		if err != nil {
			t.Fatal(err)
		}
		stdout, stderr, code := workbenchExec(t, "", "run", "--profile", "preset:docker-default", "--caps", caps, "--", "grep", "^CapEff:", "/proc/self/status")
		if want := fmt.Sprintf("CapEff:\t%016x\n", profile.CapMask(set)); code != 0 || stdout != want {
			t.Errorf("--caps %s: exit %d, %q, want %q; stderr %s", caps, code, stdout, want, stderr)
		}
	}
}

func TestRunFailOnDenial(t *testing.T) {
	prof := writeProfile(t, runDenyMkdir)
	dir := t.TempDir()
	cases := []struct {
		name string
		flag bool
		cmd  string
		code int
	}{
		{"denied but exit 0", true, "mkdir " + dir + "/a 2>/dev/null; exit 0", 1},
		{"denied, without the flag", false, "mkdir " + dir + "/b 2>/dev/null; exit 0", 0},
		{"nothing denied", true, "uname >/dev/null; exit 0", 0}, // logged is not denied
		{"denied and failing", true, "mkdir " + dir + "/c 2>/dev/null; exit 3", 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := []string{"run", "--profile", prof}
			if c.flag {
				args = append(args, "--fail-on-denial")
			}
			_, stderr, code := workbenchExec(t, "", append(args, "--", "sh", "-c", c.cmd)...)
			if code != c.code {
				t.Errorf("exit %d, want %d; stderr %s", code, c.code, stderr)
			}
		})
	}
}

// A profile naming a syscall no ABI has is refused with check's finding;
// --allow-unknown runs it, with that finding as a warning.
func TestRunUnknownSyscall(t *testing.T) {
	prof := writeProfile(t, `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO"},
		{"names": ["getpid", "mkdirat_x"], "action": "SCMP_ACT_ERRNO"}]}`)
	checkOut, _, _ := workbenchExec(t, "", "check", prof)
	finding := ""
	for _, l := range strings.Split(checkOut, "\n") {
		if strings.HasPrefix(l, "error: mkdirat_x: ") {
			finding = strings.TrimPrefix(l, "error: ")
		}
	}
	if finding == "" {
		t.Fatalf("check does not report mkdirat_x:\n%s", checkOut)
	}
	marker := filepath.Join(t.TempDir(), "ran")
	for _, mode := range []string{"watch", "enforce"} {
		stdout, stderr, code := workbenchExec(t, "", "run", "--profile", prof, "--mode", mode, "--", "touch", marker)
		want := "seccomp-workbench: the profile names syscalls that exist on none of its ABIs, so the filter would leave them out: syscalls[1]: " +
			finding + "; fix the names, or pass --allow-unknown to run it anyway\n"
		if code != 125 || stderr != want || stdout != "" {
			t.Errorf("%s: exit %d, stderr\n%s\nwant 125 and\n%s", mode, code, stderr, want)
		}
		if _, err := os.Stat(marker); err == nil {
			t.Fatalf("%s: the command ran", mode)
		}
	}
	_, stderr, code := workbenchExec(t, "", "run", "--profile", prof, "--allow-unknown", "--", "touch", marker)
	if _, err := os.Stat(marker); code != 0 || err != nil || !strings.HasPrefix(stderr, "seccomp-workbench: warning: ") || !strings.Contains(stderr, finding) {
		t.Errorf("--allow-unknown: exit %d, ran %v, stderr %s", code, err == nil, stderr)
	}
	// record refuses such a base too.
	out := filepath.Join(t.TempDir(), "rec.json")
	if _, stderr, code := workbenchExec(t, "", "record", "-o", out, "--base", prof, "--", "true"); code != 125 || !strings.Contains(stderr, finding) {
		t.Errorf("record --base: exit %d, stderr %s", code, stderr)
	}
}
