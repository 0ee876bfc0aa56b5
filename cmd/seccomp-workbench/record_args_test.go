package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/lint"
)

// Argument-aware recording from the command line, as root and as nobody:
// Python asking for an AF_UNIX socket is recorded; the same program asking
// for AF_INET is denied on replay, and the denial row says AF_INET; a
// program that was recorded unsharing without CLONE_NEWUSER is denied it.

// socketPy makes the socket of the family in argv[1] and says so.
const socketPy = `import socket, sys
s = socket.socket(getattr(socket, sys.argv[1]), socket.SOCK_STREAM)
print("socket", sys.argv[1], "ok")`

type argsKit struct {
	dir, workbench, argprobe string
}

// newArgsKit is a directory every user can read, holding argprobe and
// taking new files.
func newArgsKit(t *testing.T) *argsKit {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o777); err != nil {
			t.Fatal(err)
		}
	}
	k := &argsKit{dir: dir, workbench: workbenchBinary(t), argprobe: filepath.Join(dir, "argprobe")}
	src, _ := filepath.Abs("../../runner/testdata/argprobe.c")
	if out, err := exec.Command("gcc", "-O2", "-Wall", "-o", k.argprobe, src).CombinedOutput(); err != nil {
		t.Fatalf("building argprobe.c: %v\n%s", err, out)
	}
	return k
}

// as runs the workbench as u in the kit's directory.
func (k *argsKit) as(t *testing.T, u escapeUser, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return workbenchAs(t, k.dir, u.cred, args...)
}

// denials are the denied rows of a run --json output, by syscall.
func denials(t *testing.T, stdout string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, ev := range jsonRecords(t, stdout) {
		if ev["type"] == "denied" {
			name, _ := ev["syscall"].(string)
			text, _ := ev["arg_text"].(string)
			out[name] = append(out[name], text)
		}
	}
	return out
}

func TestRecordArgsCLI(t *testing.T) {
	k := newArgsKit(t)
	for _, u := range escapeUsers() {
		t.Run(u.name, func(t *testing.T) {
			py := filepath.Join(k.dir, u.name+"-python.json")
			_, stderr, code := k.as(t, u, "record", "-o", py, "--", "python3", "-c", socketPy, "AF_UNIX")
			if code != 0 || !strings.Contains(stderr, "seccomp-workbench: note: socket is allowed only as socket(AF_UNIX, SOCK_STREAM)\n") {
				t.Fatalf("record: exit %d\n%s", code, stderr)
			}
			p, err := profile.Load(py)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range lint.Lint(p, profile.HostEnv()) {
				if f.Code == "int-upper-half" {
					t.Errorf("lint on the recording: %s", f.Message)
				}
			}
			stdout, stderr, code := k.as(t, u, "run", "--profile", py, "--mode", "watch", "--json", "--", "python3", "-c", socketPy, "AF_UNIX")
			if code != 0 || len(denials(t, stdout)) != 0 || !strings.Contains(stdout, `socket AF_UNIX ok`) {
				t.Errorf("the recorded program under its recording: exit %d, denials %v\n%s", code, denials(t, stdout), stderr)
			}
			stdout, _, code = k.as(t, u, "run", "--profile", py, "--mode", "watch", "--json", "--", "python3", "-c", socketPy, "AF_INET")
			d := denials(t, stdout)
			if code == 0 || len(d["socket"]) != 1 || !strings.HasPrefix(d["socket"][0], "socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC") {
				t.Errorf("AF_INET on replay: exit %d, denials %v", code, d)
			}

			// unshare: recorded with CLONE_FILES alone, asked for a new
			// user namespace on replay; socket: AF_UNIX recorded, AF_INET
			// asked for with bits above 32 the kernel ignores.
			un := filepath.Join(k.dir, u.name+"-unshare.json")
			if _, stderr, code := k.as(t, u, "record", "-o", un, "--", k.argprobe, "unshare:0x400", "socket:1:1"); code != 0 || !strings.Contains(stderr, "note: unshare is allowed with flags within CLONE_FILES\n") {
				t.Fatalf("record unshare: exit %d\n%s", code, stderr)
			}
			stdout, _, _ = k.as(t, u, "run", "--profile", un, "--mode", "watch", "--json", "--", k.argprobe, "unshare:0x400", "unshare:0x10000000", "socket:1:1", "socket:0x100000002:1")
			d = denials(t, stdout)
			if len(d) != 2 || strings.Join(d["unshare"], ",") != "unshare(CLONE_NEWUSER)" || !strings.Contains(stdout, `unshare:0x400 ok`) ||
				strings.Join(d["socket"], ",") != "socket(0x100000002, SOCK_STREAM, 0)" || !strings.Contains(stdout, `socket:0x100000002:1 errno=1`) {
				t.Errorf("unshare and socket on replay: denials %v\n%s", d, stdout)
			}

			// --names-only: today's profile, one allow rule, AF_INET let
			// through.
			names := filepath.Join(k.dir, u.name+"-names.json")
			if _, stderr, code := k.as(t, u, "record", "--names-only", "-o", names, "--", "python3", "-c", socketPy, "AF_UNIX"); code != 0 || strings.Contains(stderr, "note:") {
				t.Fatalf("record --names-only: exit %d\n%s", code, stderr)
			}
			if p, err := profile.Load(names); err != nil || len(p.Syscalls) != 1 || len(p.Syscalls[0].Args) != 0 {
				t.Errorf("--names-only wrote %+v (%v)", p, err)
			}
			if _, stderr, code := k.as(t, u, "run", "--profile", names, "--", "python3", "-c", socketPy, "AF_INET"); code != 0 {
				t.Errorf("AF_INET under the names-only recording: exit %d\n%s", code, stderr)
			}
		})
	}
}

// record --scenarios merges the values every scenario saw and prints the
// same notes; a value no scenario used is denied.
func TestRecordArgsScenariosCLI(t *testing.T) {
	k := newArgsKit(t)
	file := filepath.Join(k.dir, "probe.yaml")
	yaml := fmt.Sprintf(`scenarios:
  - name: unix socket
    argv: [%[1]s, "socket:1:1"]
    expect: {exit: 0, output: "socket:1:1 ok"}
  - name: inet socket
    argv: [%[1]s, "socket:2:0x80001"]
    expect: {exit: 0, output: "ok"}
`, k.argprobe)
	if err := os.WriteFile(file, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(k.dir, "probe.json")
	_, stderr, code := workbenchExec(t, "", "record", "--scenarios", file, "-o", out)
	if code != 0 || !strings.Contains(stderr, "seccomp-workbench: note: socket is allowed only as socket(AF_UNIX, SOCK_STREAM), socket(AF_INET, SOCK_STREAM)\n") {
		t.Fatalf("record --scenarios: exit %d\n%s", code, stderr)
	}
	stdout, _, _ := workbenchExec(t, "", "run", "--profile", out, "--mode", "watch", "--json", "--", k.argprobe, "socket:1:1", "socket:2:1", "socket:10:1")
	if d := denials(t, stdout); strings.Join(d["socket"], ",") != "socket(AF_INET6, SOCK_STREAM, 0)" || !strings.Contains(stdout, "socket:2:1 ok") {
		t.Errorf("replay of the merged scenarios: denials %v\n%s", d, stdout)
	}
}
