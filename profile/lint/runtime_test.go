package lint

import (
	"strings"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// runcInit is every call runtimeNeeds asks for, allowed.
const runcInit = `{"names": ["read", "write", "exit_group", "execve", "close", "openat", "getdents64", "fstat", "newfstatat", "futex",
	"setgroups", "setgid", "setuid", "capget", "capset", "prctl", "getppid", "chdir"], "action": "SCMP_ACT_ALLOW"}`

func TestLintRuntime(t *testing.T) {
	x86 := testEnv(catalog.X86_64)
	arm := testEnv(catalog.AArch64)
	const x64 = `"architectures": ["SCMP_ARCH_X86_64"]`
	cases := []lintCase{
		// runtime-needs
		{"runc's init calls allowed", x86, `{"defaultAction": "SCMP_ACT_ERRNO", ` + x64 + `, "syscalls": [` + runcInit + `]}`,
			nil, []string{"runtime-needs"}},
		{"execve denied in a deny-list", x86, `{"defaultAction": "SCMP_ACT_ALLOW", ` + x64 + `, "syscalls": [{"names": ["execve"], "action": "SCMP_ACT_ERRNO"}]}`,
			[]wantFinding{{"runtime-needs", SevWarning, -1, "", []string{"denied on x86_64: execve (errno(EPERM)); runc's init makes these calls after loading the filter", "the container does not start", "allow them"}}}, nil},
		{"a bare allow-list misses the init's calls", x86, `{"defaultAction": "SCMP_ACT_KILL_PROCESS", ` + x64 + `, "syscalls": [{"names": ["read", "write", "exit_group", "execve"], "action": "SCMP_ACT_ALLOW"}]}`,
			[]wantFinding{
				{"runtime-needs", SevWarning, -1, "", []string{"denied on x86_64: close (kill_process), openat (errno(ENOSYS)), getdents64 (kill_process), futex (kill_process);", "under runc (Docker, Podman, containerd, Kubernetes) the container does not start"}},
				{"runtime-needs", SevWarning, -1, "", []string{"denied on x86_64: fstat (kill_process), newfstatat (errno(ENOSYS)), setgroups (kill_process), setgid (kill_process), setuid (kill_process), capget (kill_process), capset (kill_process), prctl (kill_process), getppid (kill_process), chdir (kill_process);",
					"without no_new_privs (Docker's, Podman's and Kubernetes' default)", "or run the container with no_new_privs"}},
			}, nil},
		// Go's os package, in runc, uses openat and getdents64 only.
		{"open does not stand in for openat", x86, `{"defaultAction": "SCMP_ACT_ERRNO", ` + x64 + `, "syscalls": [{"names": ["openat"], "action": "SCMP_ACT_ERRNO"}, ` + runcInit + `, {"names": ["open", "getdents"], "action": "SCMP_ACT_ALLOW"}]}`,
			[]wantFinding{{"runtime-needs", SevWarning, -1, "", []string{"denied on x86_64: openat (errno(EPERM));"}}}, nil},
		{"write only to stdout", x86, `{"defaultAction": "SCMP_ACT_ERRNO", ` + x64 + `, "syscalls": [{"names": ["write"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]}, ` + runcInit + `]}`,
			[]wantFinding{{"runtime-needs", SevWarning, -1, "", []string{"allowed on x86_64 only for some arguments: write;", "allow them unconditionally"}}}, nil},
		{"aarch64", arm, `{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_AARCH64"], "syscalls": [{"names": ["openat", "getdents64", "fstat"], "action": "SCMP_ACT_ERRNO"}]}`,
			[]wantFinding{{"runtime-needs", SevWarning, -1, "", []string{"denied on aarch64: openat (errno(EPERM)), getdents64 (errno(EPERM));"}}, {"runtime-needs", SevWarning, -1, "", []string{"denied on aarch64: fstat (errno(EPERM));"}}}, nil},
		// Calls runc does not need may go.
		{"unneeded calls denied", x86, `{"defaultAction": "SCMP_ACT_ALLOW", ` + x64 + `, "syscalls": [{"names": ["setresuid", "fchdir", "umask", "open"], "action": "SCMP_ACT_ERRNO"}]}`,
			nil, []string{"runtime-needs"}},
		// Nothing allowed at all is empty-allowlist's finding alone.
		{"empty allow-list", x86, `{"defaultAction": "SCMP_ACT_ERRNO", ` + x64 + `, "syscalls": []}`,
			[]wantFinding{{"empty-allowlist", SevError, -1, "", nil}}, []string{"runtime-needs"}},

		// runtime-drops: runc on the linked libseccomp (2.5.4) drops the
		// names it does not know.
		{"allowed call unknown to libseccomp", x86, `{"defaultAction": "SCMP_ACT_ERRNO", ` + x64 + `, "syscalls": [` + runcInit + `, {"names": ["listmount", "statmount"], "action": "SCMP_ACT_ALLOW"}]}`,
			[]wantFinding{
				{"runtime-drops", SevWarning, 1, "listmount", []string{"libseccomp 2.5.4 does not know listmount, statmount, so runc built on it drops them", "they get errno(ENOSYS) on x86_64 from its ENOSYS stub", "where this filter gives allow"}},
			}, nil},
		{"denied call unknown to libseccomp", x86, `{"defaultAction": "SCMP_ACT_ALLOW", ` + x64 + `, "syscalls": [{"names": ["open_tree_attr", "mount"], "action": "SCMP_ACT_ERRNO"}]}`,
			[]wantFinding{{"runtime-drops", SevWarning, 0, "open_tree_attr", []string{"does not know open_tree_attr, so runc built on it drops it", "it gets allow on x86_64 from its default action", "where this filter gives errno(EPERM)"}}}, nil},
		// Below the highest number runc keeps, a dropped allow falls to
		// the default action, not to the stub.
		{"dropped below the stub", x86, `{"defaultAction": "SCMP_ACT_ERRNO", ` + x64 + `, "syscalls": [` + runcInit + `, {"names": ["uretprobe", "clone3"], "action": "SCMP_ACT_ALLOW"}]}`,
			[]wantFinding{{"runtime-drops", SevWarning, 1, "uretprobe", []string{"it gets errno(EPERM) on x86_64 from its default action"}}}, nil},
		// Denied with the default's errno here, but above runc's stub there.
		{"dropped denial in an allow-list", x86, `{"defaultAction": "SCMP_ACT_ERRNO", ` + x64 + `, "syscalls": [` + runcInit + `, {"names": ["listmount"], "action": "SCMP_ACT_ERRNO"}]}`,
			[]wantFinding{{"runtime-drops", SevWarning, 1, "listmount", []string{"it gets errno(ENOSYS) on x86_64 from its ENOSYS stub, as the number is above", "where this filter gives errno(EPERM)"}}}, nil},
		// A dropped rule whose action is the default changes nothing.
		{"dropped but the same", x86, `{"defaultAction": "SCMP_ACT_ALLOW", ` + x64 + `, "syscalls": [{"names": ["listmount"], "action": "SCMP_ACT_ALLOW"}, {"names": ["mount"], "action": "SCMP_ACT_ERRNO"}]}`,
			nil, []string{"runtime-drops"}},
		{"known names only", x86, `{"defaultAction": "SCMP_ACT_ERRNO", ` + x64 + `, "syscalls": [` + runcInit + `]}`,
			nil, []string{"runtime-drops"}},
	}
	// The runtime-drops cases use calls libseccomp 2.5.4 does not know.
	newer := profile.LinkedKnows("listmount")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, w := range tc.want {
				if w.code == "runtime-drops" && newer {
					t.Skipf("libseccomp %s knows listmount", profile.LinkedLibseccomp())
				}
			}
			checkLintCase(t, tc)
		})
	}
}

// Docker's default, the profile runc's users start from, allows all of
// runc's init calls; what runc on libseccomp 2.5.4 does differently with
// it is the calls newer than that library.
func TestLintRuntimeDockerDefault(t *testing.T) {
	if profile.LinkedKnows("listmount") {
		t.Skipf("libseccomp %s knows listmount", profile.LinkedLibseccomp())
	}
	fs := Lint(mustOpen(t, "preset:docker-default"), x86Env())
	var drops []string
	for _, f := range fs {
		switch f.Code {
		case "runtime-needs":
			t.Errorf("docker-default: %s", f)
		case "runtime-drops":
			drops = append(drops, f.Message)
		}
	}
	if len(drops) != 2 {
		t.Errorf("docker-default: %d runtime-drops findings, want one per outcome (ENOSYS from the stub, EPERM from the default): %v", len(drops), drops)
	}
	for _, n := range []string{"listmount", "statmount", "mseal", "uretprobe"} {
		if !strings.Contains(strings.Join(drops, "\n"), " "+n+",") && !strings.Contains(strings.Join(drops, "\n"), " "+n+" ") {
			t.Errorf("docker-default: no runtime-drops for %s; got %v", n, drops)
		}
	}
}
