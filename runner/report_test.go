package runner

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
)

// Real-kernel tests of what a run reports, and of watch mode giving the
// outcome enforce mode gives.

func reportProbe(t testing.TB) string { return buildBinary(t, "report", "report.c") }

// sameEnd compares what two runs' verdicts say about how the target ended.
func sameEnd(t *testing.T, what string, watch, enforce Verdict) {
	t.Helper()
	if watch.Result != enforce.Result || watch.ExitCode != enforce.ExitCode || watch.Signal != enforce.Signal {
		t.Errorf("%s: watch ended %s/%d/%q (%s), enforce %s/%d/%q (%s)", what,
			watch.Result, watch.ExitCode, watch.Signal, watch.Outcome,
			enforce.Result, enforce.ExitCode, enforce.Signal, enforce.Outcome)
	}
}

// The kernel's trap unblocks a blocked SIGSYS and resets an ignored one
// to its default: the target dies of SIGSYS in both modes.
func TestTrapWithSIGSYSIgnoredOrBlocked(t *testing.T) {
	needAmd64(t)
	bin := reportProbe(t)
	prof := eff(t, denyOne("getppid", "SCMP_ACT_TRAP", 0))
	for _, setup := range []string{"sigsys-ignore", "sigsys-block"} {
		t.Run(setup, func(t *testing.T) {
			t.Parallel()
			got := map[Mode]*result{}
			for _, mode := range []Mode{ModeWatch, ModeEnforce} {
				res := runIt(t, Config{Effective: prof, Mode: mode, Argv: []string{bin, setup, fmt.Sprintf("raw,%d", nrGetppid), "exit,3"}})
				v := res.verdict
				if v.Result != ResultKilled || v.ExitCode != 159 || v.Signal != "SIGSYS" {
					t.Errorf("%s: verdict %s exit %d signal %q (%s), want killed 159 SIGSYS", mode, v.Result, v.ExitCode, v.Signal, v.Reason)
				}
				if strings.Contains(res.stdout, "raw =") {
					t.Errorf("%s: the trapped call returned: %q", mode, res.stdout)
				}
				got[mode] = res
			}
			sameEnd(t, setup, got[ModeWatch].verdict, got[ModeEnforce].verdict)
			if w := got[ModeWatch].verdict; w.KilledIn != "getppid" || !strings.Contains(w.Outcome, "trap in getppid") {
				t.Errorf("watch: KilledIn %q, outcome %q: want the trap in getppid named", w.KilledIn, w.Outcome)
			}
		})
	}
}

// A handler sees the trapped call return what the kernel's syscall
// rollback leaves (the number itself on x86_64) in both modes; the
// signal's origin differs, and the verdict says so.
func TestTrapHandlerSameReturn(t *testing.T) {
	needAmd64(t)
	bin := reportProbe(t)
	prof := eff(t, denyOne("getppid", "SCMP_ACT_TRAP", 0))
	codes := map[Mode]string{ModeEnforce: "code 1", ModeWatch: "code -6"} // SYS_SECCOMP, SI_TKILL
	for _, mode := range []Mode{ModeWatch, ModeEnforce} {
		res := runIt(t, Config{Effective: prof, Mode: mode, Argv: []string{bin, "sigsys-catch", fmt.Sprintf("raw,%d", nrGetppid)}})
		want := "caught SIGSYS " + codes[mode] + "\nraw = 110\n"
		if !strings.Contains(res.stdout, want) || strings.Count(res.stdout, "caught") != 1 {
			t.Errorf("%s: stdout %q, want it to contain %q once", mode, res.stdout, want)
		}
		notes := res.verdict.Notes
		if mode == ModeWatch && !slices.Contains(notes, noteTrapSignal("getppid")) {
			t.Errorf("watch: notes %q lack the signal's origin", notes)
		}
		if mode == ModeEnforce && len(notes) != 0 {
			t.Errorf("enforce: notes %q, want none", notes)
		}
	}
}

// The same on the 32-bit ABI (int 0x80), whose return register is eax.
func TestTrapHandlerSameReturnX86(t *testing.T) {
	needAmd64(t)
	prof := eff(t, `{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
		"syscalls": [{"names": ["getpid"], "action": "SCMP_ACT_TRAP"}]}`)
	for _, mode := range []Mode{ModeWatch, ModeEnforce} {
		res := runIt(t, Config{Effective: prof, Mode: mode, Argv: []string{probe(t), "sigsys", "int80:20"}})
		if res.stdout != "caught SIGSYS\nint80 20 = 20\n" {
			t.Errorf("%s: stdout %q", mode, res.stdout)
		}
	}
}

// kill_thread cannot kill one thread from outside: when the process has
// others, the verdict says so; a lone thread's kill is exact.
func TestKillThreadNote(t *testing.T) {
	needAmd64(t)
	pr := probe(t)
	prof := eff(t, denyOne("getppid", "SCMP_ACT_KILL_THREAD", 0))
	note := noteKillThread("getppid")
	res := runIt(t, Config{Effective: prof, Argv: []string{pr, "thread", "raw:110"}})
	if !slices.Contains(res.verdict.Notes, note) {
		t.Errorf("two threads: notes %q lack %q", res.verdict.Notes, note)
	}
	enf := runIt(t, Config{Effective: prof, Mode: ModeEnforce, Argv: []string{pr, "thread", "raw:110"}})
	if enf.verdict.Result != ResultPass || len(enf.verdict.Notes) != 0 {
		t.Errorf("enforce: the main thread should survive its thread's kill: %+v", enf.verdict)
	}
	res = runIt(t, Config{Effective: prof, Argv: []string{pr, "raw:110"}})
	if len(res.verdict.Notes) != 0 || res.verdict.ExitCode != 159 {
		t.Errorf("one thread: verdict %+v, want exit 159 and no notes", res.verdict)
	}
}

// A child killed for a kill action dies of SIGKILL in watch mode; its
// parent can see that, and the verdict says so.
func TestChildKillNote(t *testing.T) {
	needAmd64(t)
	prof := eff(t, denyOne("getppid", "SCMP_ACT_KILL_PROCESS", 0))
	res := runIt(t, Config{Effective: prof, Argv: []string{probe(t), "fork", "raw:110"}})
	if note := noteChildKilled("kill_process", "getppid"); !slices.Contains(res.verdict.Notes, note) {
		t.Errorf("notes %q lack %q", res.verdict.Notes, note)
	}
	if res.verdict.ExitCode != 0 {
		t.Errorf("the main process was not the one killed: %+v", res.verdict)
	}
}

// A call from an ABI the profile does not list is named in watch mode.
func TestForeignABIKillNamed(t *testing.T) {
	needAmd64(t)
	only64 := eff(t, `{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"], "syscalls": []}`)
	got := map[Mode]Verdict{}
	for _, mode := range []Mode{ModeWatch, ModeEnforce} {
		res := runIt(t, Config{Effective: only64, Mode: mode, Argv: []string{probe(t), "int80:5", "exit:0"}})
		got[mode] = res.verdict
		if mode != ModeWatch {
			continue
		}
		v := res.verdict
		if v.Outcome != "killed by seccomp (SIGSYS) in open [x86]" || v.KilledIn != "open [x86]" {
			t.Errorf("watch: outcome %q, killed in %q", v.Outcome, v.KilledIn)
		}
		if d, ok := res.denied("open"); !ok || d.Arch != catalog.X86 || d.Nr != 5 {
			t.Errorf("watch: no row for the x86 open: %+v", res.denials)
		}
	}
	sameEnd(t, "int 0x80 open", got[ModeWatch], got[ModeEnforce])
}

// A number above every one the profile names gets the ENOSYS stub; watch
// mode reports it by number when the catalog has no name for it.
func TestENOSYSStubReported(t *testing.T) {
	needAmd64(t)
	prof := dockerDefault(t)
	for _, mode := range []Mode{ModeWatch, ModeEnforce} {
		res := runIt(t, Config{Effective: prof, Mode: mode, Argv: []string{reportProbe(t), "raw,1000"}})
		v := res.verdict
		if !strings.Contains(res.stdout, "raw = -1 ENOSYS") || v.Result != ResultPass {
			t.Fatalf("%s: stdout %q verdict %+v", mode, res.stdout, v)
		}
		if mode != ModeWatch {
			continue
		}
		if !slices.Equal(v.NotImplemented, []string{"syscall 1000"}) || v.Reason != "exit status 0; answered ENOSYS: syscall 1000" {
			t.Errorf("watch: verdict %+v", v)
		}
		if d, ok := res.denied("syscall 1000"); !ok || d.Nr != 1000 || !strings.HasPrefix(d.ArgText, "syscall 1000(") {
			t.Errorf("watch: no row for the stubbed call: %+v", res.denials)
		}
	}
}

func TestMknodDecoded(t *testing.T) {
	needAmd64(t)
	dir := t.TempDir()
	prof := eff(t, denyOne("mknodat", "SCMP_ACT_ERRNO", 1))
	res := runIt(t, Config{Effective: prof, Argv: []string{reportProbe(t), "mknod," + dir + "/null,20600,1,3", "mknod," + dir + "/fifo,10644,0,0"}})
	for _, want := range []string{
		`mknodat(AT_FDCWD, "` + dir + `/null", S_IFCHR|0600, makedev(1, 3))`,
		`mknodat(AT_FDCWD, "` + dir + `/fifo", S_IFIFO|0644)`,
	} {
		if !hasRow(res, want) {
			t.Errorf("no row %s; rows %q", want, rowTexts(res))
		}
	}
}

// Socket addresses are read from the target's memory. Every call is
// denied, so nothing leaves the machine (and only loopback is named).
func TestSockaddrDecoded(t *testing.T) {
	needAmd64(t)
	prof := eff(t, `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["connect", "bind", "sendto", "sendmsg"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}`)
	sock := filepath.Join(t.TempDir(), "s.sock")
	res := runIt(t, Config{Effective: prof, Argv: []string{reportProbe(t),
		"connect4,127.0.0.1,8000", "connect6,::1,53", "unix," + sock, "unix,@wb-test",
		"bind4,127.0.0.1,8001", "sendto4,127.0.0.1,9", "sendmsg4,127.0.0.1,7"}})
	if strings.Count(res.stdout, "-1 EACCES") != 7 {
		t.Fatalf("not every call was denied: %q", res.stdout)
	}
	for _, want := range []string{
		"connect(%d, {AF_INET 127.0.0.1:8000}, 16)",
		"connect(%d, {AF_INET6 [::1]:53}, 28)",
		"connect(%d, {AF_UNIX \"" + sock + "\"}, 110)",
		"connect(%d, {AF_UNIX @\"wb-test\"}, 10)",
		"bind(%d, {AF_INET 127.0.0.1:8001}, 16)",
		"sendto(%d, 0x*, 1, 0x0, {AF_INET 127.0.0.1:9}, 16)",
		"sendmsg(%d, {msg_name={AF_INET 127.0.0.1:7}}, 0x0)",
	} {
		if !hasRowLike(res, want) {
			t.Errorf("no row like %s; rows %q", want, rowTexts(res))
		}
	}
}

// Calls that differ only in where their buffer is are one row.
func TestPointerDifferingDenialsMerged(t *testing.T) {
	needAmd64(t)
	prof := eff(t, denyOne("uname", "SCMP_ACT_ERRNO", 1))
	res := runIt(t, Config{Effective: prof, Argv: []string{reportProbe(t), "unames,3"}})
	if !strings.Contains(res.stdout, "unames = 3") {
		t.Fatalf("stdout %q: the calls were not all denied", res.stdout)
	}
	var rows []Denial
	for _, d := range res.denials {
		if d.Syscall == "uname" {
			rows = append(rows, d)
		}
	}
	if len(rows) != 1 || rows[0].Count != 3 || !strings.HasPrefix(rows[0].ArgText, "uname(0x") {
		t.Errorf("uname rows %+v, want one row counting 3 calls", rows)
	}
}

func hasRow(res *result, text string) bool {
	for _, d := range res.denials {
		if d.ArgText == text {
			return true
		}
	}
	return false
}

// hasRowLike matches a row against a pattern where %d is any number and
// 0x* any hex number.
func hasRowLike(res *result, pattern string) bool {
	for _, d := range res.denials {
		if likePattern(pattern, d.ArgText) {
			return true
		}
	}
	return false
}

func likePattern(pattern, s string) bool {
	for pattern != "" {
		switch {
		case strings.HasPrefix(pattern, "%d"):
			n := len(s) - len(strings.TrimLeft(s, "0123456789"))
			if n == 0 {
				return false
			}
			pattern, s = pattern[2:], s[n:]
		case strings.HasPrefix(pattern, "0x*"):
			if !strings.HasPrefix(s, "0x") {
				return false
			}
			rest := strings.TrimLeft(s[2:], "0123456789abcdef")
			if len(rest) == len(s)-2 {
				return false
			}
			pattern, s = pattern[3:], rest
		default:
			if s == "" || s[0] != pattern[0] {
				return false
			}
			pattern, s = pattern[1:], s[1:]
		}
	}
	return s == ""
}

func rowTexts(res *result) []string {
	var out []string
	for _, d := range res.denials {
		out = append(out, d.ArgText)
	}
	slices.Sort(out)
	return out
}
