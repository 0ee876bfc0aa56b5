package tui

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/runner"
)

// tmuxTerm drives a program in a detached tmux server of its own.
type tmuxTerm struct {
	t      *testing.T
	socket string
}

func newTmux(t *testing.T, w, h int, env ...string) *tmuxTerm {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed (make test installs it)")
	}
	tm := &tmuxTerm{t: t, socket: fmt.Sprintf("swb-e2e-%d-%d", os.Getpid(), time.Now().UnixNano())}
	t.Cleanup(func() { _ = exec.Command("tmux", "-L", tm.socket, "kill-server").Run() })
	// A plain shell with a known prompt and no rc files.
	args := []string{"-L", tm.socket, "-f", "/dev/null", "new-session", "-d", "-x", fmt.Sprint(w), "-y", fmt.Sprint(h),
		"env", "-i", "PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "TERM=xterm-256color", "PS1=e2e$ "}
	args = append(args, env...)
	args = append(args, "sh")
	if out, err := exec.Command("tmux", args...).CombinedOutput(); err != nil {
		t.Fatalf("tmux: %v\n%s", err, out)
	}
	tm.waitFor("the shell prompt", "e2e$")
	return tm
}

func (tm *tmuxTerm) tmux(args ...string) string {
	tm.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", tm.socket}, args...)...).CombinedOutput()
	if err != nil {
		tm.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// keys sends tmux key names (Enter, Tab, Escape …) or literal text.
func (tm *tmuxTerm) keys(keys ...string) {
	tm.tmux(append([]string{"send-keys", "-t", "0"}, keys...)...)
}

func (tm *tmuxTerm) text(s string) { tm.tmux("send-keys", "-t", "0", "-l", s) }

func (tm *tmuxTerm) capture() string { return tm.tmux("capture-pane", "-p", "-t", "0") }

// waitFor polls the screen until it contains every one of wants.
func (tm *tmuxTerm) waitFor(what string, wants ...string) string {
	tm.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		s := tm.capture()
		ok := true
		for _, w := range wants {
			ok = ok && strings.Contains(s, w)
		}
		if ok {
			return s
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("waited 20s for %s (%q); the screen:\n%s", what, wants, s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitGone polls the screen until it no longer contains gone (an
// Escape is read on its own only after a pause: the next key must wait).
func (tm *tmuxTerm) waitGone(what, gone string) string {
	tm.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		s := tm.capture()
		if !strings.Contains(s, gone) {
			return s
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("waited 20s for %s (%q gone); the screen:\n%s", what, gone, s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (tm *tmuxTerm) format(f string) string {
	return strings.TrimSpace(tm.tmux("display-message", "-p", "-t", "0", f))
}

func buildBinary(t *testing.T, pkg string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), filepath.Base(pkg))
	cmd := exec.Command("go", "build", "-o", bin, pkg)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, out)
	}
	return bin
}

// The whole hand-tuning loop in a real terminal: search for mkdir, deny
// it, run a command that needs it and see FAIL with the denial, allow it
// from the run pane, re-run and see PASS, save, quit, and find the
// terminal as it was.
func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	bin := buildBinary(t, "../cmd/seccomp-workbench")
	dir := t.TempDir()
	prof := filepath.Join(dir, "profile.json")
	data, err := os.ReadFile("../testdata/profiles/docker-default.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(prof, data, 0o644); err != nil {
		t.Fatal(err)
	}
	// Short, so that the whole call fits the denial column.
	target := fmt.Sprintf("/tmp/wb%06d", time.Now().UnixNano()%1000000)
	if *updateFlag() {
		target = "/tmp/wb-demo" // a stable name for the README's capture
		os.Remove(target)
	}
	if _, err := os.Stat(target); err == nil {
		t.Fatalf("%s exists already", target)
	}
	t.Cleanup(func() { os.Remove(target) })

	tm := newTmux(t, 160, 48, "XDG_STATE_HOME="+filepath.Join(dir, "state"))
	tm.text(fmt.Sprintf("cd %s; S0=$(stty -g); %s profile.json; echo \"EXIT=$?\"; [ \"$S0\" = \"$(stty -g)\" ] && echo TTY-SAME\n", dir, bin))
	tm.waitFor("the compiled profile", "compiled & verified", "Syscalls · ")
	if tm.format("#{alternate_on}") != "1" {
		t.Fatal("the workbench should use the alternate screen")
	}

	tm.keys("/")
	tm.text("mkdir")
	tm.keys("Enter")
	tm.waitFor("the search", "Syscalls · 2 matches", "╭─ mkdir ")
	tm.keys("d")
	tm.waitFor("the edit", "mkdir: errno(EPERM)", "● unsaved")

	tm.keys("c")
	tm.waitFor("the command prompt", "Run a command")
	tm.text("mkdir " + target)
	tm.keys("Enter")
	if s := tm.waitFor("the verdict", "exit status"); strings.Contains(s, "✘ ERROR") || strings.Contains(s, runner.ShimArg) {
		t.Fatalf("the command could not be run: the binary must run runner.ShimMain when started as '%s %s' (cmd/seccomp-workbench/main.go):\n%s", bin, runner.ShimArg, s)
	}
	s := tm.waitFor("FAIL with the denial", "FAIL", "Denials · 1", `mkdir("`+target)
	if _, err := os.Stat(target); !os.IsNotExist(err) {
		t.Fatal("the denied mkdir made the directory")
	}
	if !strings.Contains(s, "errno(EPERM)") {
		t.Fatalf("the denial's outcome is shown:\n%s", s)
	}
	if *updateFlag() {
		// The README's screen capture comes from this run.
		if err := os.WriteFile("../docs/screen.txt", []byte(strings.TrimRight(s, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	tm.keys("Tab", "Tab")
	tm.keys("a")
	tm.waitFor("the allow from the run pane", "mkdir: allow")
	tm.keys("r")
	tm.waitFor("PASS", "PASS", "Denials · 0")
	if _, err := os.Stat(target); err != nil {
		t.Fatalf("PASS but no directory: %v", err)
	}

	// One more edit so that the saved file differs from the original:
	// chmod fails with EACCES, picked from the errno list.
	tm.keys("Tab", "/")
	tm.text("chmod")
	tm.keys("Enter", "e")
	tm.waitFor("the errno picker", "Deny with errno")
	tm.text("eacces")
	tm.keys("Enter")
	tm.waitFor("the errno edit", "chmod: errno(EACCES)")
	tm.keys("s")
	tm.waitFor("the save", "saved to "+prof)

	saved, err := profile.Load(prof)
	if err != nil {
		t.Fatal(err)
	}
	eff := saved.Effective(profile.HostEnv())
	for name, want := range map[string]string{"mkdir": "allow", "chmod": "errno(EACCES)"} {
		if d, _ := eff.DecideName(profile.NativeArch(), name, [6]uint64{}, profile.Options{}); d.String() != want {
			t.Errorf("saved profile: %s is %s, want %s", name, d, want)
		}
	}

	tm.keys("q")
	s = tm.waitFor("the shell after quitting", "EXIT=0", "TTY-SAME", "e2e$")
	if tm.format("#{alternate_on}") != "0" || tm.format("#{mouse_any_flag}") != "0" || tm.format("#{cursor_flag}") != "1" {
		t.Fatalf("terminal not restored: alternate %s mouse %s cursor %s", tm.format("#{alternate_on}"), tm.format("#{mouse_any_flag}"), tm.format("#{cursor_flag}"))
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, "state", "seccomp-workbench")); len(entries) != 0 {
		t.Fatalf("a clean quit leaves no recovery file: %v", entries)
	}
}

// A panic inside the event loop still restores the terminal, and the
// unsaved edits survive in the recovery file.
func TestEndToEndPanicRestoresTerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	bin := buildBinary(t, "./testdata/panicapp")
	dir := t.TempDir()
	tm := newTmux(t, 120, 40, "XDG_STATE_HOME="+dir)
	tm.text(fmt.Sprintf("S0=$(stty -g); %s 2>/dev/null; echo \"EXIT=$?\"; [ \"$S0\" = \"$(stty -g)\" ] && echo TTY-SAME\n", bin))
	tm.waitFor("the workbench", "compiled & verified")
	tm.keys("a")
	tm.waitFor("an edit", "● unsaved")
	tm.keys("!")
	tm.waitFor("the shell after the panic", "panicapp returned: the workbench crashed", "EXIT=3", "TTY-SAME", "e2e$")
	if tm.format("#{alternate_on}") != "0" || tm.format("#{mouse_any_flag}") != "0" {
		t.Fatal("terminal not restored after a panic")
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "seccomp-workbench"))
	if len(entries) != 1 {
		t.Fatalf("the recovery file should survive the crash: %v", entries)
	}
}

// updateFlag is the golden package's -update flag.
func updateFlag() *bool {
	if f := flag.Lookup("update"); f != nil {
		if g, ok := f.Value.(flag.Getter); ok {
			if b, ok := g.Get().(bool); ok {
				return &b
			}
		}
	}
	b := false
	return &b
}

// What a user reads at a glance, in a real terminal: the findings
// overlay, the marker where older output was discarded (with the exact
// line count), and learn mode left with esc and with ctrl+c, the
// command stopped each time and the workbench still there.
func TestEndToEndFindingsOutputLearn(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	bin := buildBinary(t, "../cmd/seccomp-workbench")
	dir := t.TempDir()
	tm := newTmux(t, 160, 48, "XDG_STATE_HOME="+filepath.Join(dir, "state"))
	tm.text(fmt.Sprintf("cd %s; %s; echo \"EXIT=$?\"\n", dir, bin))
	tm.waitFor("the compiled profile", "compiled & verified", "warnings (!)")

	tm.keys("!")
	tm.waitFor("the findings overlay", "Lint findings", "critical-allowed", "ptrace")
	// The first finding, the names runc on this libseccomp drops, has no
	// one-key fix; the next, the multiplexer, has.
	tm.keys("Down")
	tm.waitFor("a finding with a fix", "f apply the fix")
	tm.keys("Escape")
	tm.waitGone("the overlay to close", "Lint findings")

	// 20000 lines: the pane keeps the last 5000 and says so at the top.
	tm.keys("c")
	tm.waitFor("the command prompt", "Run a command")
	tm.text("seq 1 20000")
	tm.keys("Enter")
	tm.waitFor("the verdict", "PASS", "Output · 20000 lines")
	tm.keys("3", "Left", "g")
	tm.waitFor("the discard marker", "… 15000 older lines discarded (5000 kept)", "  15001")

	// mkdir to the default: no rule names it, so learn mode asks.
	tm.keys("1", "/")
	tm.text("mkdir")
	tm.keys("Enter", "d")
	tm.waitFor("the edit", "mkdir: errno(EPERM)")
	// A command that copes with the denial passes, with denials; allowing
	// the call from the run pane says what that changes before a re-run.
	coped := filepath.Join(dir, "coped")
	tm.keys("c", "C-u")
	tm.text("sh -c 'mkdir " + coped + " 2>/dev/null; exit 0'")
	tm.keys("Enter")
	tm.waitFor("the verdict", "PASSED WITH DENIALS", "denied: mkdir")
	tm.keys("3", "Right", "a")
	tm.waitFor("the impact preview", "Δ this edit would allow 1 call it was denied (mkdir)")
	tm.keys("u")
	tm.waitFor("the undo", "undone · the edits change none of the 1 call the last run made")

	for _, k := range []string{"Escape", "C-c"} {
		target := filepath.Join(dir, "learn-"+k)
		tm.keys("l")
		tm.waitFor("the learn prompt", "Learn mode")
		tm.keys("C-u")
		tm.text("mkdir " + target)
		tm.keys("Enter")
		s := tm.waitFor("the learn question", "Learn · pid", `mkdir("`+target)
		if strings.Contains(s, "mkdirmkdir") {
			t.Fatalf("the question names the call twice:\n%s", s)
		}
		tm.keys(k)
		tm.waitGone("the question to close", "Learn · pid")
		// Stopped, or ended by the refused call first: either way over.
		tm.waitGone("the end of the run after "+k, "▶ RUNNING")
		s = tm.waitFor("the verdict after "+k, "exit status")
		if strings.Contains(s, "Learn · pid") || strings.Contains(s, "EXIT=") {
			t.Fatalf("%s should leave learn mode and keep the workbench:\n%s", k, s)
		}
		if _, err := os.Stat(target); !os.IsNotExist(err) {
			t.Fatalf("%s let the paused mkdir through", k)
		}
	}
	tm.keys("q")
	tm.waitFor("the quit question", "Unsaved edits")
	tm.keys("d")
	tm.waitFor("the shell", "EXIT=0")
}
