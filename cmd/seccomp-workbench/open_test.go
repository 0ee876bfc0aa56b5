package main

import (
	"os/exec"
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
// a profile: the calls the unit's argument directives forbid fail in a
// real process under the real filter, and what they allow still works.
func TestImportedUnitHolds(t *testing.T) {
	needX86_64(t)
	if _, err := exec.LookPath("perl"); err != nil {
		t.Skip("needs perl")
	}
	unit := writeFile(t, "svc.service", "[Service]\nSystemCallFilter=~mount\nRestrictAddressFamilies=AF_UNIX\nRestrictNamespaces=yes\nMemoryDenyWriteExecute=yes\n")
	// socket(AF_INET), socket(AF_UNIX), unshare(CLONE_NEWUSER) (272 on
	// x86_64), mmap(PROT_READ|PROT_WRITE|PROT_EXEC) (9): each prints the
	// errno it got, or dies when the call worked.
	attack := `socket(my $s, 2, 1, 0) and die "AF_INET socket created\n"; print 0+$!, "\n";
socket(my $u, 1, 1, 0) or die "AF_UNIX socket failed: $!\n"; print "unix ok\n";
syscall(272, 0x10000000) == -1 or die "user namespace created\n"; print 0+$!, "\n";
syscall(9, 0, 4096, 7, 0x22, -1, 0) == -1 or die "W+X mapping created\n"; print 0+$!, "\n";`
	stdout, stderr, code := workbenchExec(t, "", "run", "--profile", unit, "--mode", "enforce", "--", "perl", "-e", attack)
	if code != 0 || stdout != "97\nunix ok\n1\n1\n" {
		t.Fatalf("exit %d, stdout %q (want EAFNOSUPPORT, unix ok, EPERM, EPERM)\n%s", code, stdout, stderr)
	}
}
