package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/runner"
)

// leanPair builds the lean build once into a directory of its own, with
// the full build (the tests' binary) beside it under the name it starts.
func leanPair(t *testing.T) (lean string) {
	t.Helper()
	builtLean.once.Do(func() {
		dir, err := os.MkdirTemp("", "seccomp-workbench-lean-")
		if err != nil {
			builtLean.err = err.Error()
			return
		}
		builtLean.dir = dir
		builtLean.path = filepath.Join(dir, "seccomp-workbench")
		if out, err := exec.Command("go", "build", "-tags", "lean", "-o", builtLean.path, ".").CombinedOutput(); err != nil {
			builtLean.err = fmt.Sprintf("%v\n%s", err, out)
			return
		}
		if err := os.Symlink(workbenchBinary(t), filepath.Join(dir, "seccomp-workbench-full")); err != nil {
			builtLean.err = err.Error()
		}
	})
	if builtLean.err != "" {
		t.Fatalf("building the lean build: %s", builtLean.err)
	}
	return builtLean.path
}

var builtLean struct {
	once           sync.Once
	dir, path, err string
}

// The lean build exists to keep these packages' inits out of every run;
// the full build links them, so the check can tell the two apart.
func TestLeanBuildLinks(t *testing.T) {
	deps := func(tags ...string) string {
		out, err := exec.Command("go", append(append([]string{"list", "-deps"}, tags...), ".")...).CombinedOutput()
		if err != nil {
			t.Fatalf("go list: %v\n%s", err, out)
		}
		return string(out)
	}
	heavy := []string{"seccomp-workbench/tui\n", "seccomp-workbench/artifact\n", "charm.land/", "oras.land/", "github.com/atotto/clipboard", "github.com/mattn/go-runewidth", "github.com/opencontainers/go-digest", "github.com/cilium/ebpf"}
	lean, full := deps("-tags", "lean"), deps()
	for _, h := range heavy {
		if strings.Contains(lean, h) {
			t.Errorf("the lean build links %s", strings.TrimSpace(h))
		}
	}
	if !strings.Contains(full, "seccomp-workbench/tui\n") || !strings.Contains(full, "oras.land/") || !strings.Contains(full, "github.com/cilium/ebpf\n") {
		t.Fatalf("the full build should link the TUI, oras-go and cilium/ebpf:\n%s", full)
	}
}

// The lean build runs what it links itself and hands the rest, flags,
// help and errors included, to the full build beside it.
func TestLeanHandsOver(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the lean binary")
	}
	lean := leanPair(t)
	run := func(args ...string) (string, string, int) {
		cmd := exec.Command(lean, args...)
		cmd.Env = append(os.Environ(), "NO_COLOR=1")
		return runCmd(t, cmd)
	}
	if out, _, code := run("--help"); code != 0 || !strings.Contains(out, pushShort) || !strings.Contains(out, pullShort) {
		t.Fatalf("--help lists push and pull (exit %d):\n%s", code, out)
	}
	if out, _, code := run("push", "--help"); code != 0 || !strings.Contains(out, "KEP-6061") || !strings.Contains(out, "--layout") {
		t.Fatalf("push --help is the full build's (exit %d):\n%s", code, out)
	}
	// Shell completion of what it hands over is the full build's too.
	if out, _, code := run("__complete", "push", "--"); code != 0 || !strings.Contains(out, "--layout") || !strings.Contains(out, "--platform") {
		t.Fatalf("completing push's flags gives the full build's (exit %d):\n%s", code, out)
	}
	if out, _, code := run("__complete", "pull", "--"); code != 0 || !strings.Contains(out, "--output") {
		t.Fatalf("completing pull's flags gives the full build's (exit %d):\n%s", code, out)
	}
	if _, errs, code := run("pull", "oci://127.0.0.1:1/p:v1"); code != exitUsage || !strings.Contains(errs, "-o OUT is required") {
		t.Fatalf("pull without -o is the full build's usage error, exit 2 (exit %d):\n%s", code, errs)
	}
	// record picks the engine the full build picks: where the eBPF
	// recorder may load, the full build records; with notify, the lean
	// build does.
	if out, _, code := run("record", "--help"); code != 0 || !strings.Contains(out, "--engine") || !strings.Contains(out, "--scenarios") {
		t.Fatalf("record --help is the full build's (exit %d):\n%s", code, out)
	}
	if out, _, code := run("__complete", "record", "--"); code != 0 || !strings.Contains(out, "--engine") {
		t.Fatalf("completing record's flags gives the full build's (exit %d):\n%s", code, out)
	}
	want := "engine ebpf"
	if why := runner.EBPFWhyNot(); why != "" {
		want = "engine notify (" + why
	}
	for _, c := range []struct{ engine, want string }{{"auto", want}, {"notify", "engine notify"}} {
		rec := filepath.Join(t.TempDir(), "rec.json")
		_, errs, code := run("record", "--engine", c.engine, "-o", rec, "--", "/bin/true")
		if _, err := os.Stat(rec); code != 0 || err != nil || !strings.Contains(errs, c.want) {
			t.Fatalf("record --engine %s through the lean build writes its profile with %q (exit %d, %v):\n%s", c.engine, c.want, code, err, errs)
		}
	}
	if _, errs, code := run("run", "--mode", "enforce", "--profile", "preset:docker-default", "--", "/bin/true"); code != 0 || !strings.Contains(errs, "PASS") {
		t.Fatalf("the lean build runs under a filter itself (exit %d):\n%s", code, errs)
	}

	// Alone, it says where the full build should be and how to get it.
	alone := filepath.Join(t.TempDir(), "seccomp-workbench")
	data, err := os.ReadFile(lean)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(alone, data, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"push", "preset:docker-default", "oci://127.0.0.1:1/p:v1"}, {"preset:docker-default"}} {
		cmd := exec.Command(alone, args...)
		_, errs, code := runCmd(t, cmd)
		want := filepath.Join(filepath.Dir(alone), "seccomp-workbench-full")
		if code != exitFailed || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, want) || !strings.Contains(errs, "make build") {
			t.Fatalf("%v without the full build: one line naming %s and make build, exit 1 (exit %d):\n%s", args, want, code, errs)
		}
	}
}

// Started without a command, the lean build opens the workbench (the
// full build's TUI) on the user's terminal, and a command run from it is
// filtered: the full build is its own shim.
func TestLeanOpensWorkbench(t *testing.T) {
	lean := leanPair(t)
	p := newTermPane(t, 160, 48)
	p.line(lean + `; echo "EXIT=$?"`)
	p.waitFor("the compiled profile", "compiled & verified", "Syscalls · ")
	p.keys("c")
	p.waitFor("the command prompt", "Run a command")
	p.tmux("send-keys", "-t", "0", "-l", "unshare -U true")
	p.keys("Enter")
	p.waitFor("the denial of unshare", "FAIL", `unshare\(`)
	p.keys("q")
	p.waitFor("the exit", `(?m)EXIT=0$`)
}
