package main

import (
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
	unit := writeFile(t, "x.service", "[Service]\nSystemCallFilter=~mount\nLockPersonality=yes\n")
	code, out, errs = runCLI(t, "explain", unit, "mount")
	if code != 0 || !strings.Contains(out, "kill_process") {
		t.Errorf("explain on a unit: exit %d\n%s%s", code, out, errs)
	}
	if !strings.Contains(errs, "seccomp-workbench: warning: "+unit+":3: LockPersonality=yes restricts personality changes with a filter of its own") {
		t.Errorf("the import's warning is not on stderr: %q", errs)
	}
}
