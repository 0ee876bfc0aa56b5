package runner

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/lint"
)

// Argument rules on the kernel: testdata/argprobe.c makes raw socket,
// clone and unshare calls with the arguments it is given and prints what
// each got, so a recording of one set of calls can be replayed with
// another.

func argprobe(t testing.TB) string { return buildBinary(t, "argprobe", "argprobe.c") }

// recordArgs records argprobe doing actions and returns the profile as
// saved and loaded back (what a user replays).
func recordArgs(t *testing.T, base *profile.Effective, actions ...string) (*profile.Profile, *Run) {
	t.Helper()
	res := runIt(t, Config{Mode: ModeRecord, Effective: base, Argv: append([]string{argprobe(t)}, actions...)})
	p := res.run.Recorded()
	if res.verdict.Result != ResultPass || p == nil {
		t.Fatalf("recording %v: %+v\n%s", actions, res.verdict, res.stderr)
	}
	for _, a := range actions {
		if !strings.Contains(res.stdout, a+" ok\n") {
			t.Fatalf("recording: %s did not succeed:\n%s", a, res.stdout)
		}
	}
	b, err := profile.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := profile.Parse("recorded.json", b)
	if err != nil {
		t.Fatal(err)
	}
	return loaded, res.run
}

// replay runs argprobe doing actions under p in mode and returns what it
// printed and the denial rows.
func replay(t *testing.T, p *profile.Profile, mode Mode, actions ...string) *result {
	t.Helper()
	return runIt(t, Config{Mode: mode, Effective: p.Effective(profile.HostEnv()), Argv: append([]string{argprobe(t)}, actions...)})
}

// wantDenied checks that action was refused with EPERM and that its row
// shows the call as want.
func wantDenied(t *testing.T, res *result, action, call, want string) {
	t.Helper()
	if !strings.Contains(res.stdout, action+" errno=1\n") {
		t.Errorf("%s was not denied with EPERM:\n%s", action, res.stdout)
	}
	for _, d := range res.denials {
		if d.Syscall == call && strings.Contains(d.ArgText, want) {
			return
		}
	}
	var rows []string
	for _, d := range res.denials {
		rows = append(rows, d.ArgText)
	}
	t.Errorf("no denial row of %s showing %s: %v", call, want, rows)
}

// withoutClone3 is rules without the rule a recording adds to answer
// clone3 ENOSYS (record_clone3.go).
func withoutClone3(rules []*profile.Rule) []*profile.Rule {
	var out []*profile.Rule
	for _, r := range rules {
		if !(len(r.Names) == 1 && r.Names[0] == "clone3" && r.Action == profile.ActErrno) {
			out = append(out, r)
		}
	}
	return out
}

// cond is a condition as "INDEX OP VALUE VALUETWO".
func cond(a *profile.Arg) string {
	return fmt.Sprintf("%d %s %#x %#x", a.Index, a.Op, a.Value, a.ValueTwo)
}

// noUpperHalf checks the lint's int-upper-half on p.
func noUpperHalf(t *testing.T, p *profile.Profile) {
	t.Helper()
	for _, f := range lint.Lint(p, profile.HostEnv()) {
		if f.Code == "int-upper-half" {
			t.Errorf("the recorded profile has an upper-half bypass: %s", f.Message)
		}
	}
}

// An AF_UNIX-only program is allowed AF_UNIX (with or without
// SOCK_CLOEXEC) and denied AF_INET, also when AF_INET comes with bits
// above 32 that the kernel ignores, in watch and enforce mode.
func TestRecordArgsSocketFamily(t *testing.T) {
	needAmd64(t)
	p, run := recordArgs(t, nil, "socket:1:1", "socket:1:0x80001")
	var rules []*profile.Rule
	for _, r := range p.Syscalls {
		if contains(r.Names, "socket") {
			rules = append(rules, r)
		}
	}
	if len(rules) != 1 || len(rules[0].Names) != 1 || len(rules[0].Args) != 2 {
		t.Fatalf("socket rules %+v, want one with two conditions", rules)
	}
	a := rules[0].Args
	if cond(a[0]) != "0 SCMP_CMP_EQ 0x1 0x0" || cond(a[1]) != "1 SCMP_CMP_MASKED_EQ 0xfffffffffff7f7ff 0x1" {
		t.Errorf("socket conditions %s and %s, want domain == AF_UNIX and type & ^(SOCK_NONBLOCK|SOCK_CLOEXEC) == SOCK_STREAM", cond(a[0]), cond(a[1]))
	}
	if notes := strings.Join(run.RecordedNotes(), "\n"); !strings.Contains(notes, "socket is allowed only as socket(AF_UNIX, SOCK_STREAM)") {
		t.Errorf("notes %q do not name the family", notes)
	}
	noUpperHalf(t, p)

	for _, mode := range []Mode{ModeWatch, ModeEnforce} {
		same := replay(t, p, mode, "socket:1:1", "socket:1:0x80801")
		if same.verdict.Result != ResultPass || len(same.denials) != 0 || strings.Contains(same.stdout, "errno") {
			t.Errorf("%s: the recorded workload under its recording: %+v %v\n%s", mode, same.verdict, same.denials, same.stdout)
		}
	}
	res := replay(t, p, ModeWatch, "socket:1:1", "socket:2:1", "socket:0x100000002:1", "socket:0x100000001:1", "socket:1:2")
	if !strings.Contains(res.stdout, "socket:1:1 ok\n") {
		t.Errorf("AF_UNIX denied on replay:\n%s", res.stdout)
	}
	wantDenied(t, res, "socket:2:1", "socket", "socket(AF_INET, SOCK_STREAM, 0)")
	wantDenied(t, res, "socket:1:2", "socket", "socket(AF_UNIX, SOCK_DGRAM, 0)")
	// The kernel would run these as AF_INET and AF_UNIX: the filter,
	// comparing 64 bits, lets neither past.
	wantDenied(t, res, "socket:0x100000002:1", "socket", "socket(0x100000002, SOCK_STREAM, 0)")
	wantDenied(t, res, "socket:0x100000001:1", "socket", "socket(0x100000001, SOCK_STREAM, 0)")
	enf := replay(t, p, ModeEnforce, "socket:2:1", "socket:0x100000002:1")
	if !strings.Contains(enf.stdout, "socket:2:1 errno=1\n") || !strings.Contains(enf.stdout, "socket:0x100000002:1 errno=1\n") {
		t.Errorf("enforce: AF_INET got through:\n%s", enf.stdout)
	}
	// The same test on the names-only recording lets AF_INET through:
	// the assertions above are about the argument rules.
	names := runIt(t, Config{Mode: ModeRecord, RecordNamesOnly: true, Argv: []string{argprobe(t), "socket:1:1"}}).run.Recorded()
	if len(withoutClone3(names.Syscalls)) != 1 {
		t.Errorf("--names-only wrote %d rules", len(names.Syscalls))
	}
	if r := replay(t, names, ModeWatch, "socket:2:1"); !strings.Contains(r.stdout, "socket:2:1 ok\n") {
		t.Errorf("names only: AF_INET denied:\n%s", r.stdout)
	}
}

// A recording that never saw CLONE_NEWUSER denies it, to unshare and to
// clone; clone's flags are held by a mask: every bit seen is allowed, in
// any combination, and no other.
func TestRecordArgsNamespaceFlags(t *testing.T) {
	needAmd64(t)
	const (
		sigchld  = 0x11
		files    = 0x400
		fs       = 0x200
		sysvsem  = 0x40000
		newuser  = 0x10000000
		clearSig = 0x100000000
	)
	cl := func(f uint64) string { return fmt.Sprintf("clone:%#x", f) }
	p, run := recordArgs(t, nil, cl(sigchld), cl(files|sigchld), cl(fs|sigchld), "unshare:0x400")
	var clone *profile.Rule
	for _, r := range p.Syscalls {
		if contains(r.Names, "clone") {
			clone = r
		}
	}
	if clone == nil || len(clone.Args) != 1 || cond(clone.Args[0]) != fmt.Sprintf("0 SCMP_CMP_MASKED_EQ %#x 0x0", ^uint64(files|fs|sigchld)) {
		t.Fatalf("clone rule %+v, want flags & ^(CLONE_FILES|CLONE_FS|SIGCHLD) == 0", clone)
	}
	notes := strings.Join(run.RecordedNotes(), "\n")
	for _, want := range []string{"clone is allowed with flags within SIGCHLD|CLONE_FS|CLONE_FILES", "unshare is allowed with flags within CLONE_FILES"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes %q lack %q", notes, want)
		}
	}
	noUpperHalf(t, p)

	same := replay(t, p, ModeEnforce, cl(sigchld), cl(files|sigchld), cl(fs|sigchld), "unshare:0x400")
	if same.verdict.Result != ResultPass || strings.Contains(same.stdout, "errno") {
		t.Errorf("the recorded workload under its recording: %+v\n%s", same.verdict, same.stdout)
	}
	res := replay(t, p, ModeWatch, cl(files|fs|sigchld), cl(newuser|sigchld), cl(sysvsem|sigchld), cl(clearSig|sigchld), "unshare:0x10000000", "unshare:0x10000400")
	if !strings.Contains(res.stdout, cl(files|fs|sigchld)+" ok\n") {
		t.Errorf("a combination of the bits seen was denied:\n%s", res.stdout)
	}
	wantDenied(t, res, cl(newuser|sigchld), "clone", "clone(SIGCHLD|CLONE_NEWUSER")
	wantDenied(t, res, cl(sysvsem|sigchld), "clone", "clone(SIGCHLD|CLONE_SYSVSEM")
	wantDenied(t, res, cl(clearSig|sigchld), "clone", "clone(SIGCHLD|CLONE_CLEAR_SIGHAND")
	wantDenied(t, res, "unshare:0x10000000", "unshare", "unshare(CLONE_NEWUSER)")
	wantDenied(t, res, "unshare:0x10000400", "unshare", "unshare(CLONE_FILES|CLONE_NEWUSER)")
}

// With a base, argument rules are added only for the calls the base
// refused, from the arguments of those calls; the base stays whole. A
// base that allows by default gets the name alone (libseccomp takes no
// conditional rule with the default action).
func TestRecordArgsOntoBase(t *testing.T) {
	needAmd64(t)
	// The base allows clone without CLONE_NEWUSER, mmap and the rest
	// of what argprobe needs, and no socket.
	rec, _ := recordArgs(t, nil, "clone:0x11")
	var allowed []string
	for _, r := range withoutClone3(rec.Syscalls) {
		allowed = append(allowed, r.Names...)
	}
	base := fmt.Sprintf(`{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"], "syscalls": [
		{"names": ["clone"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 268435456, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}]},
		{"names": [%s], "action": "SCMP_ACT_ALLOW"}]}`, `"`+strings.Join(slices.DeleteFunc(allowed, func(n string) bool { return n == "clone" }), `", "`)+`"`)
	p, run := recordArgs(t, eff(t, base), "socket:1:1", "clone:0x11")
	if len(p.Syscalls) != 3 || !contains(p.Syscalls[0].Names, "socket") || len(p.Syscalls[0].Args) != 2 {
		t.Fatalf("recorded onto the base: %d rules, first %+v; want the socket rule then the base's two", len(p.Syscalls), p.Syscalls[0])
	}
	if got := run.RecordedNames(); strings.Join(got, ",") != "socket" {
		t.Errorf("RecordedNames %v, want socket alone (the base let clone(SIGCHLD) and mmap through)", got)
	}
	res := replay(t, p, ModeWatch, "socket:1:1", "socket:2:1", "clone:0x11", "clone:0x10000011")
	if !strings.Contains(res.stdout, "socket:1:1 ok\n") || !strings.Contains(res.stdout, "clone:0x11 ok\n") {
		t.Errorf("replay onto the base:\n%s", res.stdout)
	}
	wantDenied(t, res, "socket:2:1", "socket", "AF_INET")
	wantDenied(t, res, "clone:0x10000011", "clone", "CLONE_NEWUSER")

	allow := `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["socket"], "action": "SCMP_ACT_ERRNO"}]}`
	p, run = recordArgs(t, eff(t, allow), "socket:1:1")
	if len(p.Syscalls) != 2 || len(p.Syscalls[0].Args) != 0 || strings.Join(p.Syscalls[0].Names, ",") != "socket" {
		t.Errorf("recorded onto an allow-by-default base: %+v", p.Syscalls[0])
	}
	if notes := strings.Join(run.RecordedNotes(), "\n"); !strings.Contains(notes, "socket is allowed by name: the base allows by default") {
		t.Errorf("notes %q", notes)
	}
	if res := replay(t, p, ModeEnforce, "socket:1:1"); !strings.Contains(res.stdout, "socket:1:1 ok") {
		t.Errorf("replay onto an allow-by-default base:\n%s", res.stdout)
	}
}

// The lint check used above finds what it should: a rule on socket's
// 32-bit family that a caller gets past through the upper half.
func TestRecordArgsLintCanFail(t *testing.T) {
	p, err := profile.Parse("bad.json", []byte(`{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
		"syscalls": [{"names": ["socket"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 2, "op": "SCMP_CMP_EQ"}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range lint.Lint(p, profile.HostEnv()) {
		found = found || f.Code == "int-upper-half"
	}
	if !found {
		t.Error("lint finds no upper-half bypass in a rule denying socket(AF_INET) by a 64-bit comparison")
	}
}

// callNr is name's number on the native ABI.
func callNr(t *testing.T, name string) int64 {
	t.Helper()
	ent, ok := catalog.MustDefault().Lookup(name)
	if !ok {
		t.Fatalf("no %s in the catalog", name)
	}
	nr, ok := ent.Number(profile.NativeArch())
	if !ok {
		t.Skipf("no %s on %s", name, profile.NativeArch())
	}
	return nr
}

// The bounds, fed through add as a recorder does: more than
// argValuesMax values leave an argument loose (with a note), a value of
// a 32-bit argument that arrived sign-extended is compared on its low 32
// bits, and neither leaves an upper-half bypass. Decide is the profile's
// meaning, which compile verifies the filter against.
func TestRecordArgsBounds(t *testing.T) {
	needAmd64(t)
	arch := profile.NativeArch()
	r := newRecording(nil, true)
	ioctl, kill, socket := callNr(t, "ioctl"), callNr(t, "kill"), callNr(t, "socket")
	for i := range uint64(argValuesMax + 1) {
		r.add(arch, ioctl, [6]uint64{1, 0x5400 + i})
	}
	sigterm := uint64(15)
	r.add(arch, kill, [6]uint64{42, sigterm})
	r.add(arch, kill, [6]uint64{42, uint64(0xffffffff00000000) | 10}) // SIGUSR1 with garbage above
	r.add(arch, socket, [6]uint64{1, 1})
	r.add(arch, callNr(t, "clone3"), [6]uint64{0x7000, 88})
	p, _, notes := r.profile()
	text := strings.Join(notes, "\n")
	for _, want := range []string{
		"clone3 is allowed by name: the flags are in struct clone_args in the caller's memory",
		"ioctl is allowed whatever its cmd: more than 8 values seen (0x5400, TCGETS, TCSETS, TCSETSW, TCSETSF, 0x5405, 0x5406, 0x5407 ...)\n",
		"kill is allowed only as kill(SIGUSR1), kill(SIGTERM)",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("notes lack %q:\n%s", want, text)
		}
	}
	if !contains(p.Syscalls[0].Names, "ioctl") || !contains(p.Syscalls[0].Names, "clone3") {
		t.Errorf("ioctl or clone3 is not allowed by name: %v", p.Syscalls[0].Names)
	}
	noUpperHalf(t, p)
	e := p.Effective(profile.HostEnv())
	for _, tc := range []struct {
		nr   int64
		args [6]uint64
		want bool
	}{
		{ioctl, [6]uint64{1, 0x5413}, true},
		{kill, [6]uint64{7, sigterm}, true},
		{kill, [6]uint64{7, 10}, true},
		{kill, [6]uint64{7, 0xffffffff0000000a}, true}, // the kernel reads SIGUSR1
		{kill, [6]uint64{7, 9}, false},
		{kill, [6]uint64{7, 0xffffffff00000009}, false}, // SIGKILL, whatever the upper half
		{kill, [6]uint64{7, 1<<32 | sigterm}, true},     // low 32 bits, as the kernel: SIGTERM
		{socket, [6]uint64{1, 1}, true},
		{socket, [6]uint64{2, 1}, false},
		{socket, [6]uint64{1<<32 | 1, 1}, false}, // no upper half seen: compared on 64 bits
		{socket, [6]uint64{1<<32 | 2, 1}, false},
	} {
		got := e.Decide(arch, tc.nr, tc.args, profile.Options{}).Action.LetsThrough()
		if got != tc.want {
			t.Errorf("%s%s: let through %v, want %v", catalog.MustDefault().Name(arch, tc.nr), profile.FormatArgs(tc.args), got, tc.want)
		}
	}

	// More combinations of family and type than argTuplesMax: the
	// family alone is held.
	r = newRecording(nil, true)
	for _, d := range []uint64{1, 2, 10, 16} {
		for _, ty := range []uint64{1, 2, 3, 4, 5} {
			r.add(arch, socket, [6]uint64{d, ty})
		}
	}
	p, _, notes = r.profile()
	var domains []string
	for _, rule := range withoutClone3(p.Syscalls)[1:] {
		if len(rule.Args) != 1 || rule.Args[0].Index != 0 {
			t.Errorf("socket rule %+v: want one condition, on the family", rule.Args)
		}
		domains = append(domains, cond(rule.Args[0]))
	}
	if len(domains) != 4 {
		t.Errorf("socket rules on %v, want one per family", domains)
	}
	if want := "socket is allowed only as socket(AF_UNIX), socket(AF_INET), socket(AF_INET6), socket(AF_NETLINK); whatever its type: more than 16 combinations with its domain seen"; !slices.Contains(notes, want) {
		t.Errorf("notes %q, want %q", notes, want)
	}
	if e := p.Effective(profile.HostEnv()); e.Decide(arch, socket, [6]uint64{17, 3}, profile.Options{}).Action.LetsThrough() {
		t.Error("AF_PACKET let through")
	}
}

// BenchmarkRecordingAdd is what add costs a recorder per call, on a mix
// of calls with and without risky arguments, with argument rules and
// names only (run side by side: -bench RecordingAdd).
func BenchmarkRecordingAdd(b *testing.B) {
	arch := profile.NativeArch()
	cat := catalog.MustDefault()
	var calls []struct {
		nr   int64
		args [6]uint64
	}
	for _, c := range []struct {
		name string
		args [6]uint64
	}{
		{"read", [6]uint64{3, 0x7000, 4096}}, {"openat", [6]uint64{0xffffff9c, 0x7000, 0x80000}},
		{"mmap", [6]uint64{0, 8192, 3, 0x22, 0xffffffffffffffff}}, {"close", [6]uint64{3}},
		{"ioctl", [6]uint64{1, 0x5401, 0x7000}}, {"newfstatat", [6]uint64{3, 0x7000, 0x7100, 0x1000}},
		{"socket", [6]uint64{1, 0x80001}}, {"write", [6]uint64{1, 0x7000, 10}},
	} {
		ent, ok := cat.Lookup(c.name)
		if !ok {
			b.Fatalf("no %s", c.name)
		}
		nr, ok := ent.Number(arch)
		if !ok {
			b.Skipf("no %s on %s", c.name, arch)
		}
		calls = append(calls, struct {
			nr   int64
			args [6]uint64
		}{nr, c.args})
	}
	for _, namesOnly := range []bool{true, false} {
		b.Run(fmt.Sprintf("names-only=%v", namesOnly), func(b *testing.B) {
			r := newRecording(nil, true)
			r.namesOnly = namesOnly
			i := 0
			for b.Loop() {
				c := &calls[i%len(calls)]
				r.add(arch, c.nr, c.args)
				i++
			}
		})
	}
}

// Merged recordings (record --scenarios) hold the values any of them
// saw, and no other.
func TestRecordArgsMerged(t *testing.T) {
	needAmd64(t)
	a := runIt(t, Config{Mode: ModeRecord, Argv: []string{argprobe(t), "socket:1:1", "unshare:0x400"}})
	b := runIt(t, Config{Mode: ModeRecord, Argv: []string{argprobe(t), "socket:2:1", "unshare:0x200"}})
	p, _, _, err := MergeRecorded([]*Run{a.run, b.run})
	if err != nil {
		t.Fatal(err)
	}
	noUpperHalf(t, p)
	res := replay(t, p, ModeWatch, "socket:1:1", "socket:2:1", "unshare:0x600", "socket:10:1", "unshare:0x10000000")
	for _, ok := range []string{"socket:1:1", "socket:2:1", "unshare:0x600"} {
		if !strings.Contains(res.stdout, ok+" ok\n") {
			t.Errorf("%s denied under the merged recording:\n%s", ok, res.stdout)
		}
	}
	wantDenied(t, res, "socket:10:1", "socket", "socket(AF_INET6, SOCK_STREAM, 0)")
	wantDenied(t, res, "unshare:0x10000000", "unshare", "unshare(CLONE_NEWUSER)")
}

// Every risky argument the catalog describes fits a recording (newArgSeen
// keeps maxRisky of them) and lies within seccomp_data's six.
func TestRecordArgsFitCatalog(t *testing.T) {
	for _, e := range catalog.MustDefault().All() {
		n := 0
		for _, a := range e.RiskyArgs {
			if a.Read != catalog.ReadMemory {
				n++
			}
			for _, arch := range catalog.Arches() {
				if i := a.At(arch); i < -1 || i > 5 {
					t.Errorf("%s %s: index %d on %s", e.Name, a.Name, i, arch)
				}
			}
		}
		if n > maxRisky {
			t.Errorf("%s has %d risky arguments, a recording keeps %d", e.Name, n, maxRisky)
		}
	}
}
