package export

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// systemdProfiles are profiles that take every path of the systemd export:
// allow-lists and deny-lists, errno, kill, trap, trace, notify and log
// outcomes, argument conditions and calls libseccomp does not know.
var systemdProfiles = map[string]string{
	"docker-default": "preset:docker-default",
	"deny-critical":  "preset:deny-critical",
	"small":          "../../testdata/export/small.json",
	"denylist":       "../../testdata/export/denylist.json",
	"log-all": `{"defaultAction": "SCMP_ACT_LOG", "syscalls": [
		{"names": ["mount"], "action": "SCMP_ACT_ERRNO"}]}`,
	"kill-default": `{"defaultAction": "SCMP_ACT_KILL_PROCESS", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_AARCH64"], "syscalls": [
		{"names": ["read", "write", "exit_group", "openat"], "action": "SCMP_ACT_ALLOW"},
		{"names": ["getpid"], "action": "SCMP_ACT_LOG"},
		{"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}]}`,
	"trap-default": `{"defaultAction": "SCMP_ACT_TRAP", "syscalls": [
		{"names": ["read"], "action": "SCMP_ACT_ALLOW"}]}`,
	"odd-denials": `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["mkdir"], "action": "SCMP_ACT_TRACE", "errnoRet": 5},
		{"names": ["rmdir"], "action": "SCMP_ACT_NOTIFY"},
		{"names": ["chmod"], "action": "SCMP_ACT_KILL_THREAD"},
		{"names": ["mseal"], "action": "SCMP_ACT_ERRNO"}]}`,
	"allow-all": `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": []}`,
	"deny-all":  `{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 13, "syscalls": []}`,
	// Namespace types some of which clone may create.
	"ns-some": `{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"], "syscalls": [
		{"names": ["clone", "unshare"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 268435456, "valueTwo": 268435456, "op": "SCMP_CMP_MASKED_EQ"}]},
		{"names": ["setns", "clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}]}`,
	// Argument rules systemd has directives for.
	"arg-rules": `{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"], "syscalls": [
		{"names": ["read", "write", "exit_group", "close", "execve", "brk", "clone3", "unshare"], "action": "SCMP_ACT_ALLOW"},
		{"names": ["mmap", "mprotect"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 2, "value": 4, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}]},
		{"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 0, "op": "SCMP_CMP_EQ"}]},
		{"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]},
		{"names": ["socket"], "action": "SCMP_ACT_ERRNO", "errnoRet": 97},
		{"names": ["clone"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 1073741824, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}]}]}`,
}

func openSystemdProfile(t *testing.T, src string) *profile.Profile {
	t.Helper()
	if strings.HasPrefix(src, "{") {
		p, err := profile.Parse("inline", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	return mustOpen(t, src)
}

// TestSystemdExportVerifies installs each drop-in next to a unit and runs
// systemd-analyze verify, which parses every directive with the same
// code systemd uses: a name, group, errno or arch it does not accept
// shows up as a warning.
func TestSystemdExportVerifies(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze is not installed (apt-get install systemd)")
	}
	dir := t.TempDir()
	for name, src := range systemdProfiles {
		t.Run(name, func(t *testing.T) {
			p := openSystemdProfile(t, src)
			out, _, err := Export(p, x86Env(), FormatSystemd, ExportOptions{Source: name})
			if err != nil {
				t.Fatal(err)
			}
			unit := filepath.Join(dir, "wb-"+name+".service")
			dropin := filepath.Join(dir, "wb-"+name+".service.d")
			if err := os.MkdirAll(dropin, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(unit, []byte("[Unit]\nDescription=seccomp-workbench export test\n\n[Service]\nType=oneshot\nExecStart=/bin/true\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dropin, "seccomp.conf"), out, 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(analyze, "verify", unit)
			cmd.Dir = dir
			msg, err := cmd.CombinedOutput()
			if err != nil || len(strings.TrimSpace(string(msg))) > 0 {
				t.Fatalf("systemd-analyze verify: %v\n%s\ndrop-in:\n%s", err, msg, out)
			}
			// Make sure systemd really read the drop-in: a broken copy
			// must be reported.
			bad := strings.Replace(string(out), "[Service]\n", "[Service]\nSystemCallFilter=no_such_call_xyz\n", 1)
			if err := os.WriteFile(filepath.Join(dropin, "seccomp.conf"), []byte(bad), 0o644); err != nil {
				t.Fatal(err)
			}
			msg, _ = exec.Command(analyze, "verify", unit).CombinedOutput()
			if !strings.Contains(string(msg), "no_such_call_xyz") {
				t.Fatalf("systemd-analyze did not read the drop-in (no complaint about a bad name): %s", msg)
			}
		})
	}
}

// directives collects a drop-in's values per directive.
func directives(out []byte) map[string][]string {
	d := map[string][]string{}
	for _, line := range strings.Split(string(out), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(line, "#") {
			d[k] = append(d[k], v)
		}
	}
	return d
}

func entries(vals []string) map[string]bool {
	m := map[string]bool{}
	for _, v := range vals {
		for _, f := range strings.Fields(strings.TrimPrefix(v, "~")) {
			m[f] = true
		}
	}
	return m
}

func TestSystemdExportContent(t *testing.T) {
	type want struct {
		arches        string
		errno         string // SystemCallErrorNumber=, "" for none
		deny          bool   // deny-list ("~") form
		has, hasNot   []string
		log           string // the first SystemCallLog= value
		notes         []string
		noteCommented bool
		// args are directive lines the drop-in has; noArgs directives
		// it must not have.
		args, noArgs []string
	}
	cases := map[string]want{
		"docker-default": {arches: "x86-64 x86 x32", errno: "EPERM", has: []string{"@basic-io", "@network-io", "clone", "clone3", "personality", "mkdir"},
			hasNot: []string{"kexec_load", "@mount", "mount", "@default", "mseal"},
			notes: []string{"clone: allow when arg0 & 0x7e020000 == 0x0; else errno(EPERM)",
				"getxattrat, listmount, listxattrat, mseal, removexattrat, setxattrat, statmount, uretprobe: allowed, but libseccomp 2.5.4",
				"clone: allow when arg0 & 0x7e020000 == 0x0; else errno(EPERM); SystemCallFilter= cannot compare arguments, and RestrictNamespaces= says the same",
				"socket: allow when arg0 < 0x26; allow when arg0 == 0x27; allow when arg0 > 0x28; else errno(EPERM); SystemCallFilter= cannot compare arguments: RestrictAddressFamilies= restricts it, but the families it fails answer errno(EAFNOSUPPORT)"},
			args: []string{"RestrictAddressFamilies=~AF_ALG AF_VSOCK", "RestrictNamespaces=yes"}, noArgs: []string{"LockPersonality", "MemoryDenyWriteExecute"}},
		"denylist": {arches: "x86-64", errno: "EPERM", deny: true, has: []string{"@swap", "mount", "mkdir:EACCES", "reboot:kill", "kexec_load:kill"},
			hasNot: []string{"socket", "read"}, log: "~close read write", notes: []string{"kexec_load: trap in the profile"}},
		"log-all": {arches: "x86-64", errno: "EPERM", deny: true, has: []string{"mount"}, log: "@known"},
		"kill-default": {arches: "x86-64 arm64", errno: "", has: []string{"read", "write", "openat"}, hasNot: []string{"exit_group", "getpid", "mkdir"}, log: "getpid",
			notes: []string{"mkdir: notify in the profile; an allow-list denies every call the same way (killing the process)"}},
		"trap-default": {arches: "x86-64", errno: "", has: []string{"read"}, notes: []string{"default action trap: systemd's nearest is killing the process"}},
		"odd-denials": {arches: "x86-64", errno: "ENOSYS", deny: true, has: []string{"mkdir", "rmdir", "chmod:kill"}, hasNot: []string{"mseal"},
			notes: []string{"mkdir: trace(5) in the profile; systemd's nearest is errno(ENOSYS)", "chmod: kill_thread in the profile; systemd's nearest is killing the process",
				"mseal: denied, but libseccomp 2.5.4 (and so a systemd built with it) does not know it: systemd cannot deny it"}},
		"allow-all": {arches: "x86-64"},
		"ns-some": {arches: "x86-64", errno: "ENOSYS", deny: true, has: []string{"setns", "clone3"},
			args:  []string{"RestrictNamespaces=cgroup ipc net mnt pid uts"},
			notes: []string{"clone: errno(EPERM) when arg0 & 0x10000000 == 0x10000000; else allow; SystemCallFilter= cannot compare arguments, and RestrictNamespaces= says the same"}},
		"arg-rules": {arches: "x86-64", errno: "EPERM", has: []string{"read", "personality", "socket", "clone"},
			args: []string{"MemoryDenyWriteExecute=yes", "LockPersonality=yes", "RestrictAddressFamilies=AF_UNIX"},
			// unshare is allowed for every flag, so RestrictNamespaces=
			// would fail what the profile allows.
			noArgs: []string{"RestrictNamespaces"},
			notes: []string{"personality: allow when arg0 == 0x0; else errno(EPERM); SystemCallFilter= cannot compare arguments, and LockPersonality= says the same",
				"mmap: allow when arg2 & 0x4 == 0x0; else errno(EPERM); SystemCallFilter= cannot compare arguments: MemoryDenyWriteExecute= restricts it, but the profile fails more of its calls",
				"mprotect: allow when arg2 & 0x4 == 0x0; else errno(EPERM); SystemCallFilter= cannot compare arguments, and MemoryDenyWriteExecute= says the same",
				"socket: allow when arg0 == 0x1; else errno(EAFNOSUPPORT); SystemCallFilter= cannot compare arguments, and RestrictAddressFamilies= says the same",
				"clone: allow when arg0 & 0x40000000 == 0x0; else errno(EPERM); systemd cannot compare arguments, so it is allowed for all of them"}},
		"deny-all": {arches: "x86-64", errno: "EACCES", has: []string{"@default"}},
	}
	for name, w := range cases {
		t.Run(name, func(t *testing.T) {
			p := openSystemdProfile(t, systemdProfiles[name])
			out, notes, err := Export(p, x86Env(), FormatSystemd, ExportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			d := directives(out)
			if got := strings.Join(d["SystemCallArchitectures"], " "); got != w.arches {
				t.Errorf("SystemCallArchitectures=%s, want %s", got, w.arches)
			}
			if got := strings.Join(d["SystemCallErrorNumber"], " "); got != w.errno {
				t.Errorf("SystemCallErrorNumber=%s, want %q", got, w.errno)
			}
			for _, v := range d["SystemCallFilter"] {
				if strings.HasPrefix(v, "~") != w.deny {
					t.Errorf("SystemCallFilter=%s: want deny-list form %v", v, w.deny)
				}
			}
			filter := entries(d["SystemCallFilter"])
			for _, h := range w.has {
				if !filter[h] {
					t.Errorf("SystemCallFilter lacks %s:\n%s", h, out)
				}
			}
			for _, h := range w.hasNot {
				if filter[h] {
					t.Errorf("SystemCallFilter has %s", h)
				}
			}
			if got := ""; len(d["SystemCallLog"]) > 0 {
				got = d["SystemCallLog"][0]
				if got != w.log {
					t.Errorf("SystemCallLog=%s, want %s", got, w.log)
				}
			} else if w.log != "" {
				t.Errorf("no SystemCallLog=, want %s", w.log)
			}
			for _, l := range w.args {
				if !strings.Contains(string(out), "\n"+l+"\n") {
					t.Errorf("the drop-in lacks %s:\n%s", l, out)
				}
			}
			for _, l := range w.noArgs {
				if strings.Contains(string(out), "\n"+l+"=") {
					t.Errorf("the drop-in has %s=:\n%s", l, out)
				}
			}
			all := strings.Join(notes, "\n")
			for _, n := range w.notes {
				if !strings.Contains(all, n) {
					t.Errorf("notes lack %q:\n%s", n, all)
				}
				if !commented(out, n) {
					t.Errorf("the drop-in's comments lack %q", n)
				}
			}
		})
	}
}

// commented reports whether a "#   - " note line at the top of a drop-in
// contains s.
func commented(out []byte, s string) bool {
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, "#   - ") && strings.Contains(line, s) {
			return true
		}
	}
	return false
}

// TestSystemdGroupsAreWhole checks that every @group in an allow-list
// export only stands for calls the profile allows.
func TestSystemdGroupsAreWhole(t *testing.T) {
	p := mustOpen(t, "preset:docker-default")
	e := p.Effective(x86Env())
	out, _, err := Export(p, x86Env(), FormatSystemd, ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	groupRE := regexp.MustCompile(`@[a-z-]+`)
	cat := catalog.MustDefault()
	for _, v := range directives(out)["SystemCallFilter"] {
		for _, g := range groupRE.FindAllString(v, -1) {
			for _, name := range cat.ExpandSystemdGroup(g) {
				for _, arch := range e.Arches {
					d, ok := e.DecideName(arch, name, [6]uint64{}, profile.Options{})
					if ok && !d.Action.LetsThrough() {
						t.Errorf("%s is in the allow-list, but the profile does %s with its member %s on %s", g, d, name, arch)
					}
				}
			}
		}
	}
}

// BenchmarkExportSystemd measures the systemd export of Docker's default
// profile (classifying every catalog call on three ABIs, then covering
// the allow-list with groups).
func BenchmarkExportSystemd(b *testing.B) {
	p, err := profile.Open("preset:docker-default")
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := Export(p, x86Env(), FormatSystemd, ExportOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
