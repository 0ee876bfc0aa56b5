package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportedProfiles: every PROFILE argument reads the other formats;
// what an import cannot carry is a warning on stderr, and a file of
// several profiles needs FILE#NAME.
func TestImportedProfiles(t *testing.T) {
	needX86_64(t)
	code, k8s, errs := runCLI(t, "export", "preset:docker-default", "--format", "k8s", "--kernel", "6.18")
	if code != 0 {
		t.Fatalf("export k8s: %d %s", code, errs)
	}
	sp := writeFile(t, "sp.yaml", k8s+"---\n"+strings.Replace(k8s, "name: docker-default", "name: other", 1))
	code, out, errs := runCLI(t, "diff", "--kernel", "6.18", "preset:docker-default", sp+"#other")
	if code != 0 || !strings.HasSuffix(out, "\nno difference in meaning\n") {
		t.Errorf("diff against the SeccompProfile: exit %d\n%s%s", code, out, errs)
	}
	code, _, errs = runCLI(t, "check", sp)
	if code != 1 || !strings.Contains(errs, sp+" holds 2 SeccompProfiles (docker-default, other): pick one with "+sp+"#NAME") {
		t.Errorf("check without #NAME: exit %d %s", code, errs)
	}
	unit := writeFile(t, "x.service", "[Service]\nSystemCallFilter=~mount\nProtectClock=yes\n")
	code, out, errs = runCLI(t, "explain", unit, "mount")
	if code != 0 || !strings.Contains(out, "kill_process") {
		t.Errorf("explain on a unit: exit %d\n%s%s", code, out, errs)
	}
	if !strings.Contains(errs, "seccomp-workbench: warning: "+unit+":3: ProtectClock=yes restricts clock changes with a filter of its own") {
		t.Errorf("the import's warning is not on stderr: %q", errs)
	}
}

// TestImportedUnitHolds runs an attack under a systemd drop-in opened as
// a profile, as root and as nobody (for whom the kernel allows a user
// namespace of its own): the calls the unit's argument directives forbid
// fail in a real process under the real filter, and what they allow
// still works.
func TestImportedUnitHolds(t *testing.T) {
	needX86_64(t)
	if _, err := exec.LookPath("perl"); err != nil {
		t.Skip("needs perl")
	}
	dir := t.TempDir()
	// t.TempDir is mode 0700 inside a 0700 directory of its own.
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	k := &escapeKit{dir: dir, workbench: filepath.Join(dir, "seccomp-workbench")}
	if out, err := exec.Command("cp", workbenchBinary(t), k.workbench).CombinedOutput(); err != nil {
		t.Fatalf("copying the workbench: %v %s", err, out)
	}
	unit := filepath.Join(dir, "svc.service")
	if err := os.WriteFile(unit, []byte("[Service]\nSystemCallFilter=~mount\nRestrictAddressFamilies=AF_UNIX\nRestrictNamespaces=yes\nMemoryDenyWriteExecute=yes\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// socket(AF_INET), socket(AF_UNIX), unshare(CLONE_NEWUSER) (272 on
	// x86_64), mmap(PROT_READ|PROT_WRITE|PROT_EXEC) (9): each prints the
	// errno it got, or dies when the call worked.
	attack := `socket(my $s, 2, 1, 0) and die "AF_INET socket created\n"; print 0+$!, "\n";
socket(my $u, 1, 1, 0) or die "AF_UNIX socket failed: $!\n"; print "unix ok\n";
syscall(272, 0x10000000) == -1 or die "user namespace created\n"; print 0+$!, "\n";
syscall(9, 0, 4096, 7, 0x22, -1, 0) == -1 or die "W+X mapping created\n"; print 0+$!, "\n";`
	for _, u := range escapeUsers() {
		t.Run(u.name, func(t *testing.T) {
			r := runWorkbenchAs(t, k, u, "run", "--profile", unit, "--mode", "enforce", "--", "perl", "-e", attack)
			if r.code != 0 || r.stdout != "97\nunix ok\n1\n1\n" {
				t.Fatalf("exit %d, stdout %q (want EAFNOSUPPORT, unix ok, EPERM, EPERM)\n%s", r.code, r.stdout, r.stderr)
			}
		})
	}
	// Without the drop-in the same program gets what it asks for: the
	// test can fail.
	free := filepath.Join(dir, "free.json")
	if err := os.WriteFile(free, []byte(`{"defaultAction": "SCMP_ACT_ALLOW"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runWorkbenchAs(t, k, escapeUsers()[0], "run", "--profile", free, "--mode", "enforce", "--", "perl", "-e", attack)
	if r.code == 0 {
		t.Fatalf("the attack does not notice an allow-all profile: %q", r.stdout)
	}
}
