package runner

import (
	"runtime"
	"strings"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// x86_64 syscall numbers used by the probe operations.
const (
	nrGetpid  = 39
	nrGetppid = 110
	nrGettid  = 186
	nrUname   = 63
	x86Getpid = 20 // the 32-bit ABI's getpid
)

func needAmd64(t *testing.T) {
	t.Helper()
	if runtime.GOARCH != "amd64" {
		t.Skip("uses x86_64 syscall numbers")
	}
}

func TestFilterIsActiveInTarget(t *testing.T) {
	for name, shim := range shimsUnderTest(t) {
		for _, mode := range []Mode{ModeWatch, ModeEnforce} {
			t.Run(name+"/"+string(mode), func(t *testing.T) { testFilterIsActive(t, shim, mode) })
		}
	}
}

func testFilterIsActive(t *testing.T, shim []string, mode Mode) {
	// The target's parent is its init, the shim: its command line says
	// which one ran.
	res := runIt(t, Config{Effective: eff(t, allowAll), Mode: mode, Shim: shim,
		Argv: []string{"sh", "-c", `cat /proc/self/status; tr "\0" " " < /proc/$PPID/cmdline`}})
	if res.verdict.Result != ResultPass {
		t.Fatalf("verdict %+v\nstderr: %s", res.verdict, res.stderr)
	}
	fields := map[string]string{}
	for _, line := range strings.Split(res.stdout, "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok {
			fields[k] = strings.TrimSpace(v)
		}
	}
	if fields["Seccomp"] != "2" || fields["NoNewPrivs"] != "1" {
		t.Fatalf("the target's status says Seccomp=%q NoNewPrivs=%q, want 2 and 1", fields["Seccomp"], fields["NoNewPrivs"])
	}
	if n := fields["Seccomp_filters"]; n != "1" {
		t.Errorf("Seccomp_filters = %q, want 1 (one filter, the workbench's)", n)
	}
	if shim != nil && !strings.Contains(res.stdout, strings.Join(shim, " ")+" ") {
		t.Errorf("the target's init is not %v:\n%s", shim, res.stdout)
	}
	if _, ok := res.events[0].(Started); !ok {
		t.Errorf("first event is %T, want Started", res.events[0])
	}
	if _, ok := res.events[len(res.events)-2].(Exited); !ok {
		t.Errorf("event before the verdict is %T, want Exited", res.events[len(res.events)-2])
	}
}

func TestStaticBinary(t *testing.T) {
	needAmd64(t)
	static := buildBinary(t, "probe-static", "probe.c", "-static")
	res := runIt(t, Config{Effective: eff(t, denyOne("getppid", "SCMP_ACT_ERRNO", 1)), Argv: []string{static, "status", "raw:110"}})
	if !strings.Contains(res.stdout, "Seccomp:\t2") || !strings.Contains(res.stdout, "NoNewPrivs:\t1") || !strings.Contains(res.stdout, "raw 110 = -1 EPERM") {
		t.Fatalf("static probe: %q", res.stdout)
	}
	if _, ok := res.denied("getppid"); !ok {
		t.Error("no denial row from the static binary")
	}
}

func TestEachAction(t *testing.T) {
	needAmd64(t)
	pr := probe(t)
	cases := []struct {
		action     string
		errno      int
		mode       Mode
		ops        []string
		result     string
		exit       int
		signal     string
		out        string // expected in stdout
		denied     bool
		logged     bool
		killedIn   string
		reasonPart string
	}{
		{action: "SCMP_ACT_ALLOW", mode: ModeWatch, ops: []string{"raw:110"}, result: ResultPass, out: "raw 110 = "},
		{action: "SCMP_ACT_ERRNO", errno: 13, mode: ModeWatch, ops: []string{"raw:110"}, result: ResultFail, out: "raw 110 = -1 EACCES", denied: true, reasonPart: "denied: getppid"},
		{action: "SCMP_ACT_ERRNO", errno: 13, mode: ModeEnforce, ops: []string{"raw:110"}, result: ResultPass, out: "raw 110 = -1 EACCES"},
		{action: "SCMP_ACT_KILL_PROCESS", mode: ModeWatch, ops: []string{"raw:110", "exit:0"}, result: ResultKilled, exit: 159, signal: "SIGSYS", denied: true, killedIn: "getppid", reasonPart: "killed by seccomp (SIGSYS) in getppid"},
		{action: "SCMP_ACT_KILL_PROCESS", mode: ModeEnforce, ops: []string{"raw:110", "exit:0"}, result: ResultKilled, exit: 159, signal: "SIGSYS", reasonPart: "killed by seccomp (SIGSYS)"},
		{action: "SCMP_ACT_KILL_THREAD", mode: ModeWatch, ops: []string{"raw:110", "exit:0"}, result: ResultKilled, exit: 159, signal: "SIGSYS", denied: true, killedIn: "getppid"},
		{action: "SCMP_ACT_KILL_THREAD", mode: ModeEnforce, ops: []string{"raw:110", "exit:0"}, result: ResultKilled, exit: 159, signal: "SIGSYS"},
		{action: "SCMP_ACT_TRAP", mode: ModeWatch, ops: []string{"raw:110", "exit:0"}, result: ResultKilled, exit: 159, signal: "SIGSYS", denied: true, reasonPart: "trap in getppid"},
		{action: "SCMP_ACT_TRAP", mode: ModeEnforce, ops: []string{"raw:110", "exit:0"}, result: ResultKilled, exit: 159, signal: "SIGSYS"},
		{action: "SCMP_ACT_TRAP", mode: ModeWatch, ops: []string{"sigsys", "raw:110"}, result: ResultFail, out: "caught SIGSYS", denied: true},
		{action: "SCMP_ACT_TRAP", mode: ModeEnforce, ops: []string{"sigsys", "raw:110"}, result: ResultPass, out: "caught SIGSYS"},
		{action: "SCMP_ACT_TRACE", mode: ModeWatch, ops: []string{"raw:110"}, result: ResultFail, out: "raw 110 = -1 ENOSYS", denied: true},
		{action: "SCMP_ACT_TRACE", mode: ModeEnforce, ops: []string{"raw:110"}, result: ResultPass, out: "raw 110 = -1 ENOSYS"},
		{action: "SCMP_ACT_LOG", mode: ModeWatch, ops: []string{"raw:110"}, result: ResultPass, out: "raw 110 = ", logged: true},
		{action: "SCMP_ACT_LOG", mode: ModeEnforce, ops: []string{"raw:110"}, result: ResultPass, out: "raw 110 = "},
		{action: "SCMP_ACT_NOTIFY", mode: ModeWatch, ops: []string{"raw:110"}, result: ResultFail, out: "raw 110 = -1 ENOSYS", denied: true},
		{action: "SCMP_ACT_NOTIFY", mode: ModeEnforce, ops: []string{"raw:110"}, result: ResultPass, out: "raw 110 = -1 ENOSYS"},
	}
	for _, c := range cases {
		name := profile.Action(c.action).Short() + "/" + string(c.mode) + "/" + strings.Join(c.ops, ",")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			res := runIt(t, Config{Effective: eff(t, denyOne("getppid", c.action, c.errno)), Mode: c.mode, Argv: append([]string{pr}, c.ops...)})
			v := res.verdict
			if v.Result != c.result || v.ExitCode != c.exit || v.Signal != c.signal {
				t.Fatalf("verdict %q exit %d signal %q (%s), want %q %d %q\nstdout: %s", v.Result, v.ExitCode, v.Signal, v.Reason, c.result, c.exit, c.signal, res.stdout)
			}
			if c.out != "" && !strings.Contains(res.stdout, c.out) {
				t.Errorf("stdout %q lacks %q", res.stdout, c.out)
			}
			d, found := res.denied("getppid")
			if found != (c.denied || c.logged) {
				t.Fatalf("denial row for getppid: found=%v, want %v (rows %+v)", found, c.denied || c.logged, res.denials)
			}
			if found {
				if d.Count != 1 || d.ArgText != "getppid()" || d.Pid != res.run.Pid() {
					t.Errorf("row %+v: want count 1, getppid(), pid %d", d, res.run.Pid())
				}
				if d.Outcome.Action != profile.Action(c.action) {
					t.Errorf("row outcome %v, want %s", d.Outcome, c.action)
				}
				_, isLogged := findEvent[Logged](res.events)
				if isLogged != c.logged {
					t.Errorf("Logged event present=%v, want %v", isLogged, c.logged)
				}
			}
			if c.denied && !contains(v.Denied, "getppid") {
				t.Errorf("verdict denied list %v lacks getppid", v.Denied)
			}
			if v.KilledIn != c.killedIn {
				t.Errorf("KilledIn = %q, want %q", v.KilledIn, c.killedIn)
			}
			if !strings.Contains(v.Reason, c.reasonPart) {
				t.Errorf("reason %q lacks %q", v.Reason, c.reasonPart)
			}
		})
	}
}

func findEvent[T Event](evs []Event) (T, bool) {
	for _, e := range evs {
		if x, ok := e.(T); ok {
			return x, true
		}
	}
	var zero T
	return zero, false
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func TestDenialsFromGrandchildAndThread(t *testing.T) {
	needAmd64(t)
	pr := probe(t)
	// "fork" runs the remaining operations in a child: two make a grandchild.
	res := runIt(t, Config{Effective: eff(t, denyOne("getppid", "SCMP_ACT_ERRNO", 1)), Argv: []string{pr, "fork", "fork", "raw:110"}})
	d, ok := res.denied("getppid")
	if !ok {
		t.Fatalf("no denial row; stdout %s", res.stdout)
	}
	if d.Pid == res.run.Pid() || d.Pid == 0 {
		t.Errorf("the grandchild's denial has pid %d, the main process is %d", d.Pid, res.run.Pid())
	}
	if !strings.Contains(res.stdout, "raw 110 = -1 EPERM") {
		t.Errorf("stdout %q: the grandchild did not get EPERM", res.stdout)
	}

	res = runIt(t, Config{Effective: eff(t, denyOne("getppid", "SCMP_ACT_ERRNO", 1)), Argv: []string{pr, "thread", "raw:110"}})
	d, ok = res.denied("getppid")
	if !ok {
		t.Fatalf("no denial row from the second thread; stdout %s", res.stdout)
	}
	if d.Pid != res.run.Pid() || d.Tid == d.Pid {
		t.Errorf("thread denial has pid %d tid %d; want pid %d and a different tid", d.Pid, d.Tid, res.run.Pid())
	}
}

func TestCompatABI(t *testing.T) {
	needAmd64(t)
	pr := probe(t)
	// The x86 (int 0x80) getpid is number 20; x86_64's 20 is writev.
	deny := `{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
		"syscalls": [{"names": ["getpid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1},
		             {"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}`
	for _, mode := range []Mode{ModeWatch, ModeEnforce} {
		res := runIt(t, Config{Effective: eff(t, deny), Mode: mode, Argv: []string{pr, "int80:20"}})
		if !strings.Contains(res.stdout, "int80 20 = -1 EPERM") {
			t.Fatalf("%s: the x86 getpid was not denied: %q", mode, res.stdout)
		}
		if mode == ModeWatch {
			d, ok := res.denied("getpid")
			if !ok || d.Arch != "x86" || d.Nr != x86Getpid {
				t.Fatalf("watch: want a getpid denial on x86 nr 20, got %+v", res.denials)
			}
		}
	}
	// Listing x86 and allowing getpid there lets it through.
	allow := `{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"], "syscalls": []}`
	res := runIt(t, Config{Effective: eff(t, allow), Argv: []string{pr, "int80:20"}})
	if !strings.Contains(res.stdout, "int80 20 = ") || strings.Contains(res.stdout, "-1") || res.verdict.Result != ResultPass {
		t.Fatalf("x86 getpid under an allowing profile: %q %+v", res.stdout, res.verdict)
	}
	// A profile without the x86 ABI: the kernel kills the 32-bit call.
	only64 := `{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"], "syscalls": []}`
	for _, mode := range []Mode{ModeWatch, ModeEnforce} {
		res := runIt(t, Config{Effective: eff(t, only64), Mode: mode, Argv: []string{pr, "int80:20"}})
		if res.verdict.Result != ResultKilled || res.verdict.Signal != "SIGSYS" {
			t.Fatalf("%s: a call from an unlisted ABI: verdict %+v", mode, res.verdict)
		}
	}
}

func TestCoalescedCount(t *testing.T) {
	needAmd64(t)
	res := runIt(t, Config{Effective: eff(t, denyOne("getppid", "SCMP_ACT_ERRNO", 1)), Argv: []string{probe(t), "loop:500:110"}})
	if len(res.denials) != 1 {
		t.Fatalf("want one row, got %+v", res.denials)
	}
	d, _ := res.denied("getppid")
	if d.Count != 500 {
		t.Fatalf("count %d, want 500", d.Count)
	}
	n := 0
	for _, e := range res.events {
		if _, ok := e.(Denied); ok {
			n++
		}
	}
	if n > 20 {
		t.Errorf("%d Denied events for one row: updates are not coalesced", n)
	}
	if !strings.Contains(res.stdout, "loop 500 failed 500") {
		t.Errorf("stdout %q", res.stdout)
	}
}

func TestDecodedArguments(t *testing.T) {
	needAmd64(t)
	dir := t.TempDir()
	js := `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO"},
		{"names": ["openat"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 2, "value": 64, "valueTwo": 64, "op": "SCMP_CMP_MASKED_EQ"}]},
		{"names": ["socket"], "action": "SCMP_ACT_ERRNO", "errnoRet": 97}]}`
	res := runIt(t, Config{Effective: eff(t, js), Argv: []string{probe(t), "mkdir:" + dir + "/x", "openw:" + dir + "/y", "raw:41:2:1:0", "raw:41:10:0x80002"}})
	want := map[string]bool{
		`mkdir("` + dir + `/x", 0755)`:                              false,
		`openat(AT_FDCWD, "` + dir + `/y", O_WRONLY|O_CREAT, 0644)`: false,
		`socket(AF_INET, SOCK_STREAM, 0)`:                           false,
		`socket(AF_INET6, SOCK_DGRAM|SOCK_CLOEXEC, 0)`:              false,
	}
	for _, d := range res.denials {
		if _, ok := want[d.ArgText]; ok {
			want[d.ArgText] = true
		}
	}
	for text, seen := range want {
		if !seen {
			var got []string
			for _, d := range res.denials {
				got = append(got, d.ArgText)
			}
			t.Errorf("no denial %s; rows: %q", text, got)
		}
	}
}

func TestENOSYSIsNotADenial(t *testing.T) {
	needAmd64(t)
	// Docker's default answers clone3 with ENOSYS so that glibc falls back
	// to clone: reported, but the verdict still passes.
	res := runIt(t, Config{Effective: eff(t, denyOne("getppid", "SCMP_ACT_ERRNO", 38)), Argv: []string{probe(t), "raw:110"}})
	v := res.verdict
	if v.Result != ResultPass || len(v.Denied) != 0 || !contains(v.NotImplemented, "getppid") || v.Reason != "exit status 0; answered ENOSYS: getppid" {
		t.Fatalf("verdict %+v", v)
	}
	if _, ok := res.denied("getppid"); !ok {
		t.Error("the ENOSYS answer was not reported")
	}
}
