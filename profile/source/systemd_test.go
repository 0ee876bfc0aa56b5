package source

import (
	"regexp"
	"strings"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/compile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/diff"
	"github.com/seccomp-workbench/seccomp-workbench/profile/export"
)

// TestSystemdRoundTripNoted exports profiles systemd cannot express
// exactly and opens the drop-ins again: every call whose outcome changed
// is one the export's notes name, or one the linked libseccomp (and so
// systemd) does not know, or one the ENOSYS stub for newer calls answers
// on one side only (the drop-in cannot name the newest calls, which
// moves the stub's boundary).
func TestSystemdRoundTripNoted(t *testing.T) {
	cat := catalog.MustDefault()
	for name, src := range roundTripProfiles {
		t.Run(name, func(t *testing.T) {
			p := mustOpen(t, src)
			path, notes := exportTo(t, p, export.FormatSystemd, export.ExportOptions{})
			o := mustImport(t, path)
			if o.Format != FormatSystemd {
				t.Fatalf("format %s", o.Format)
			}
			if _, err := compile.Build(o.Profile.Effective(x86Env()), profile.Options{}); err != nil {
				t.Errorf("the imported drop-in does not compile: %v", err)
			}
			all := strings.Join(notes, "\n")
			for _, c := range diff.Diff(p.Effective(x86Env()), o.Profile.Effective(x86Env())) {
				if c.Scope != diff.ScopeSyscall {
					t.Errorf("unexpected change %s", c)
					continue
				}
				ent, _ := cat.Lookup(c.Syscall)
				named := regexp.MustCompile(`(?m)(^|[ ,])`+regexp.QuoteMeta(c.Syscall)+`[:,]`).MatchString(all) ||
					c.Syscall == "socketcall" && strings.Contains(all, "where socket() is reached through socketcall")
				stub := c.A.Rule == profile.RuleNewer || c.B.Rule == profile.RuleNewer
				if !named && ent.Libseccomp && !stub {
					t.Errorf("%s changed without a note", c)
				}
			}
		})
	}
}

// sdExact are profiles the systemd export says exactly: their drop-ins
// open to the same meaning.
var sdExact = map[string]string{
	"allow-list": `{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 13, "architectures": ["SCMP_ARCH_X86_64"], "syscalls": [
		{"names": ["@default"], "action": "SCMP_ACT_ALLOW"},
		{"names": ["read", "write", "openat", "close", "fstat", "mmap", "pidfd_getfd"], "action": "SCMP_ACT_ALLOW"},
		{"names": ["getdents64"], "action": "SCMP_ACT_LOG"}]}`,
	"deny-list": `{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"], "syscalls": [
		{"names": ["mount", "umount2", "pivot_root"], "action": "SCMP_ACT_ERRNO"},
		{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
		{"names": ["reboot", "kexec_load"], "action": "SCMP_ACT_KILL_PROCESS"},
		{"names": ["getpid"], "action": "SCMP_ACT_LOG"}]}`,
	"log-default": `{"defaultAction": "SCMP_ACT_LOG", "architectures": ["SCMP_ARCH_X86_64"], "syscalls": [
		{"names": ["mount"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1},
		{"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"}]}`,
	"argument-directives": `{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"], "syscalls": [
		{"names": ["mmap"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 2, "value": 6, "valueTwo": 6, "op": "SCMP_CMP_MASKED_EQ"}]},
		{"names": ["mprotect", "pkey_mprotect"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 2, "value": 4, "valueTwo": 4, "op": "SCMP_CMP_MASKED_EQ"}]},
		{"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]},
		{"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 10, "op": "SCMP_CMP_EQ"}]},
		{"names": ["socket"], "action": "SCMP_ACT_ERRNO", "errnoRet": 97},
		{"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 0, "op": "SCMP_CMP_EQ"}]},
		{"names": ["@default", "read", "write", "close", "mmap", "mprotect", "pkey_mprotect"], "action": "SCMP_ACT_ALLOW"}]}`,
	"kill-default": `{"defaultAction": "SCMP_ACT_KILL_PROCESS", "architectures": ["SCMP_ARCH_X86_64"], "syscalls": [
		{"names": ["@default", "read", "write", "exit_group", "openat"], "action": "SCMP_ACT_ALLOW"}]}`,
}

func TestSystemdRoundTripExact(t *testing.T) {
	for name, src := range sdExact {
		t.Run(name, func(t *testing.T) {
			p, err := profile.Parse(name, []byte(expandGroups(src)))
			if err != nil {
				t.Fatal(err)
			}
			path, _ := exportTo(t, p, export.FormatSystemd, export.ExportOptions{})
			o := mustImport(t, path)
			sameMeaning(t, p, o.Profile)
			if len(o.Warnings) != 0 {
				t.Errorf("warnings: %q", o.Warnings)
			}
		})
	}
}

// expandGroups replaces "@group" in a JSON names list by its members that
// the linked libseccomp knows.
func expandGroups(src string) string {
	return regexp.MustCompile(`"(@[a-z-]+)"`).ReplaceAllStringFunc(src, func(m string) string {
		names := expandKnown(strings.Trim(m, `"`))
		return `"` + strings.Join(names, `", "`) + `"`
	})
}

// TestSystemdCombine pins how several lines combine, as systemd's parser
// does it.
func TestSystemdCombine(t *testing.T) {
	def := `"@default", `
	cases := map[string]struct {
		unit, want string
		warn       []string
	}{
		"allow-list, later ~ removes": {"[Service]\nSystemCallFilter=read write mkdir\nSystemCallFilter=~mkdir\n",
			`{"defaultAction": "SCMP_ACT_KILL_PROCESS", "syscalls": [{"names": [` + def + `"read", "write"], "action": "SCMP_ACT_ALLOW"}]}`, nil},
		"allow-list, ~name:errno fails it": {"[Service]\nSystemCallFilter=read write\nSystemCallFilter=~mkdir:EACCES\nSystemCallErrorNumber=EPERM\n",
			`{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1, "syscalls": [{"names": [` + def + `"read", "write"], "action": "SCMP_ACT_ALLOW"},
			{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}`, nil},
		"deny-list, later allow removes": {"[Service]\nSystemCallFilter=~@mount mkdir:ENOENT reboot:kill\nSystemCallFilter=umount2\nSystemCallErrorNumber=EPERM\n",
			`{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["umount2"], "action": "SCMP_ACT_ALLOW"},
			{"names": ["@mount"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1},
			{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 2}, {"names": ["reboot"], "action": "SCMP_ACT_KILL_PROCESS"}]}`, nil},
		"empty assignment resets": {"[Service]\nSystemCallFilter=~mount\nSystemCallFilter=\nSystemCallFilter=read\nSystemCallErrorNumber=EACCES\n",
			`{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 13, "syscalls": [{"names": [` + def + `"read"], "action": "SCMP_ACT_ALLOW"}]}`, nil},
		"deny-list kills by default": {"[Service]\nSystemCallFilter=~ptrace\n",
			`{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["ptrace"], "action": "SCMP_ACT_KILL_PROCESS"}]}`, nil},
		"log set over an allow-list": {"[Service]\nSystemCallFilter=read write\nSystemCallLog=write mkdir\nSystemCallErrorNumber=EPERM\n",
			`{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": [` + def + `"read"], "action": "SCMP_ACT_ALLOW"}, {"names": ["write"], "action": "SCMP_ACT_LOG"}]}`, nil},
		"log everything but": {"[Service]\nSystemCallLog=~read\n",
			`{"defaultAction": "SCMP_ACT_LOG", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"}]}`, nil},
		"arches": {"[Service]\nSystemCallArchitectures=native x86\nSystemCallFilter=~mount\n",
			`{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"], "syscalls": [{"names": ["mount"], "action": "SCMP_ACT_KILL_PROCESS"}]}`, nil},
		"continuation, comments, other sections": {"[Unit]\nSystemCallFilter=~read\n# SystemCallFilter=~write\n[Service]\nSystemCallFilter=~mount \\\n  umount2\nProtectClock=yes\nLockPersonality=no\n",
			`{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mount", "umount2"], "action": "SCMP_ACT_KILL_PROCESS"}]}`,
			[]string{":7: ProtectClock=yes restricts clock changes with a filter of its own, which the profile does not include"}},
		"argument directives": {"[Service]\nSystemCallArchitectures=native\nSystemCallFilter=~mount\nRestrictAddressFamilies=AF_UNIX AF_INET\nRestrictAddressFamilies=~AF_INET\n" +
			"RestrictNamespaces=~user net\nRestrictNamespaces=~pid\nLockPersonality=yes\nMemoryDenyWriteExecute=yes\n",
			`{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"], "syscalls": [
				{"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]},
				{"names": ["socket"], "action": "SCMP_ACT_ERRNO", "errnoRet": 97},
				{"names": ["clone", "unshare"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 1073741824, "valueTwo": 1073741824, "op": "SCMP_CMP_MASKED_EQ"}]},
				{"names": ["clone", "unshare"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 536870912, "valueTwo": 536870912, "op": "SCMP_CMP_MASKED_EQ"}]},
				{"names": ["clone", "unshare"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 268435456, "valueTwo": 268435456, "op": "SCMP_CMP_MASKED_EQ"}]},
				{"names": ["setns"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 1, "value": 1073741824, "valueTwo": 1073741824, "op": "SCMP_CMP_MASKED_EQ"}]},
				{"names": ["setns"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 1, "value": 536870912, "valueTwo": 536870912, "op": "SCMP_CMP_MASKED_EQ"}]},
				{"names": ["setns"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 1, "value": 268435456, "valueTwo": 268435456, "op": "SCMP_CMP_MASKED_EQ"}]},
				{"names": ["setns"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 1, "value": 0, "op": "SCMP_CMP_EQ"}]},
				{"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38},
				{"names": ["personality"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 0, "op": "SCMP_CMP_NE"}]},
				{"names": ["mmap"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 2, "value": 6, "valueTwo": 6, "op": "SCMP_CMP_MASKED_EQ"}]},
				{"names": ["mprotect", "pkey_mprotect"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 2, "value": 4, "valueTwo": 4, "op": "SCMP_CMP_MASKED_EQ"}]},
				{"names": ["shmat"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 2, "value": 32768, "valueTwo": 32768, "op": "SCMP_CMP_MASKED_EQ"}]},
				{"names": ["mount"], "action": "SCMP_ACT_KILL_PROCESS"}]}`, nil},
		"unknown names": {"[Service]\nSystemCallFilter=~mount not_a_call mseal\n",
			`{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mount"], "action": "SCMP_ACT_KILL_PROCESS"}]}`,
			[]string{":2:25: unknown system call not_a_call: systemd ignores it", ":2:36: libseccomp 2.5.4 does not know mseal, so systemd ignores it"}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			path := writeFile(t, "x.service", c.unit)
			o := mustImport(t, path)
			want, err := profile.Parse("want", []byte(expandGroups(c.want)))
			if err != nil {
				t.Fatal(err)
			}
			if len(want.Architectures) == 0 {
				want.Architectures = catalog.DockerNames(profile.NativeArch().WithCompanions())
			}
			sameMeaning(t, want, o.Profile)
			for _, w := range c.warn {
				wantWarning(t, o, w)
			}
			if len(c.warn) == 0 && len(o.Warnings) > 0 {
				t.Errorf("warnings: %q", o.Warnings)
			}
		})
	}
}

func TestSystemdErrors(t *testing.T) {
	cases := map[string]struct{ unit, want string }{
		"errno on allowed": {"[Service]\nSystemCallFilter=read:EPERM\n", ":2:18: read:EPERM: an errno on an allowed call means nothing, and systemd refuses the line"},
		"bad errno":        {"[Service]\nSystemCallFilter=~read:EWHAT\n", ":2:19: read:EWHAT: unknown errno name"},
		"bad group":        {"[Service]\nSystemCallFilter=@nope\n", ":2:18: unknown system call group @nope"},
		"bad arch":         {"[Service]\nSystemCallArchitectures=native vax\nSystemCallFilter=read\n", ":2:32: SystemCallArchitectures=: unknown architecture \"vax\""},
		"bad errno number": {"[Service]\nSystemCallErrorNumber=EWHAT\nSystemCallFilter=read\n", ":2:23: SystemCallErrorNumber=EWHAT"},
		"no filter":        {"[Service]\nExecStart=/bin/true\n", ": a systemd unit without SystemCallFilter= or SystemCallLog="},
		"not key=value":    {"[Service]\nSystemCallFilter read\n", ":2:1: \"SystemCallFilter read\" is neither a [Section] nor a Key=value line"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			path := writeFile(t, "x.conf", c.unit)
			_, err := Open(path)
			wantErr(t, err, path+c.want)
		})
	}
}
