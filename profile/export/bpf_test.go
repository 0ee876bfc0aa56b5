package export

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// bwrapArgs run a command in a new mount namespace with the host's / read
// only and a private, writable /tmp, so that a mkdir there can only fail
// because of the filter.
func bwrapArgs(seccomp bool, cmd ...string) []string {
	args := []string{"--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"}
	if seccomp {
		args = append(args, "--seccomp", "3")
	}
	return append(append(args, "--"), cmd...)
}

// runBwrap runs bwrap with the exported program on fd 3.
func runBwrap(t *testing.T, bwrap string, prog []byte, cmd ...string) (string, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "filter.bpf")
	if err := profile.WriteFileAtomic(path, prog, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c := exec.Command(bwrap, bwrapArgs(prog != nil, cmd...)...)
	if prog != nil {
		c.ExtraFiles = []*os.File{f} // becomes fd 3
	}
	var out bytes.Buffer
	c.Stdout, c.Stderr = &out, &out
	err = c.Run()
	return out.String(), err
}

// needBwrap skips when bubblewrap is missing or cannot create its
// namespaces here (say, in a container without user namespaces), with
// the reason bwrap gave.
func needBwrap(t *testing.T) string {
	t.Helper()
	bwrap, err := exec.LookPath("bwrap")
	if err != nil {
		t.Skip("bubblewrap is not installed (apt-get install bubblewrap)")
	}
	if out, err := exec.Command(bwrap, bwrapArgs(false, "/bin/true")...).CombinedOutput(); err != nil {
		t.Skipf("bwrap cannot create a sandbox here: %v: %s", err, bytes.TrimSpace(out))
	}
	return bwrap
}

// TestBPFExportRunsUnderBubblewrap loads exported programs with
// bubblewrap's --seccomp FD, the consumer the bpf format is for.
func TestBPFExportRunsUnderBubblewrap(t *testing.T) {
	bwrap := needBwrap(t)
	env := profile.HostEnv()

	p := mustOpen(t, "preset:docker-default")
	prog, _, err := Export(p, env, FormatBPF, ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if out, err := runBwrap(t, bwrap, prog, "/bin/true"); err != nil {
		t.Fatalf("bwrap --seccomp with docker-default: %v: %s", err, out)
	}
	// The same filter, and mkdir works: the sandbox's /tmp is writable.
	if out, err := runBwrap(t, bwrap, prog, "mkdir", "/tmp/x"); err != nil {
		t.Fatalf("mkdir under docker-default: %v: %s", err, out)
	}

	deny, err := profile.Parse("deny-mkdir", []byte(`{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}`))
	if err != nil {
		t.Fatal(err)
	}
	prog, _, err = Export(deny, env, FormatBPF, ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := runBwrap(t, bwrap, prog, "mkdir", "/tmp/x")
	if err == nil {
		t.Fatalf("mkdir succeeded under a filter that denies it: %s", out)
	}
	if !strings.Contains(out, "Operation not permitted") {
		t.Fatalf("mkdir failed, but not with EPERM: %s", out)
	}
	// Control: without the filter, the same command succeeds.
	if out, err := runBwrap(t, bwrap, nil, "mkdir", "/tmp/x"); err != nil {
		t.Fatalf("mkdir without a filter: %v: %s", err, out)
	}
}
