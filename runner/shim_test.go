package runner

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// runRawShim starts this test binary as the shim with spec on its spec
// pipe and returns what it wrote on its status pipe and its exit code.
func runRawShim(t *testing.T, spec []byte) (string, int) {
	t.Helper()
	return runRawShimChunks(t, spec, len(spec))
}

// runRawShimChunks is runRawShim writing the spec in writes of chunk
// bytes.
func runRawShimChunks(t *testing.T, spec []byte, chunk int) (string, int) {
	t.Helper()
	specR, specW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer specR.Close()
	statusR, statusW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer statusR.Close()
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self, ShimArg)
	cmd.ExtraFiles = []*os.File{specR, statusW, null, null, null}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	statusW.Close()
	specR.Close()
	go func() {
		for b := spec; len(b) > 0; {
			n := min(chunk, len(b))
			if _, err := specW.Write(b[:n]); err != nil {
				break
			}
			b = b[n:]
		}
		specW.Close()
	}()
	status, _ := io.ReadAll(statusR)
	err = cmd.Wait()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	return string(status), cmd.ProcessState.ExitCode()
}

// A spec the shim cannot read, whichever way it is broken, is a clean
// status record and exit 125: never a crash, never a run.
func TestShimMalformedSpec(t *testing.T) {
	good, err := (&shimSpec{Argv: []string{"/bin/true", "x"}, Env: []string{"A=b"}, Dir: "/nonexistent-dir-for-shim-test",
		Prog: make([]byte, 16)}).encode()
	if err != nil {
		t.Fatal(err)
	}
	// The well-formed spec gets as far as the working directory: the
	// shim did parse it.
	if status, code := runRawShim(t, good); code != 126 || status != "E126 working directory /nonexistent-dir-for-shim-test: no such file or directory" {
		t.Fatalf("well-formed spec: exit %d, status %q", code, status)
	}
	bad := map[string][]byte{"empty": nil, "trailing bytes": append(append([]byte(nil), good...), 0)}
	for n := 1; n < len(good); n += 5 {
		bad[fmt.Sprintf("cut at %d", n)] = good[:n]
	}
	wrongMagic := append([]byte(nil), good...)
	wrongMagic[0] ^= 1
	bad["wrong magic"] = wrongMagic
	hugeArgc := append([]byte(nil), good...)
	binary.NativeEndian.PutUint32(hugeArgc[48:], 0xffffffff)
	bad["huge argc"] = hugeArgc
	hugeField := append([]byte(nil), good...)
	binary.NativeEndian.PutUint32(hugeField[56:], 0xfffffff0) // the directory's length
	bad["huge field"] = hugeField
	for name, s := range map[string]*shimSpec{
		"no arguments":         {Env: []string{"A=b"}, Prog: make([]byte, 16)},
		"no filter":            {Argv: []string{"/bin/true"}},
		"odd filter length":    {Argv: []string{"/bin/true"}, Prog: make([]byte, 12)},
		"filter over the max":  {Argv: []string{"/bin/true"}, Prog: make([]byte, 8*4097)},
		"environment mismatch": {Argv: []string{"/bin/true"}, Prog: make([]byte, 8)},
	} {
		b, err := s.encode()
		if err != nil {
			t.Fatal(err)
		}
		if name == "environment mismatch" {
			binary.NativeEndian.PutUint32(b[52:], 3) // envc says 3, none follow
		}
		bad[name] = b
	}
	for name, spec := range bad {
		status, code := runRawShim(t, spec)
		if code != 125 || !strings.HasPrefix(status, "E125 shim: reading the launch spec: ") {
			t.Errorf("%s: exit %d, status %q; want 125 and a spec error", name, code, status)
		}
	}
	// A NUL inside an argument cannot reach execve: 126, as for any
	// argument the kernel cannot take.
	b, _ := (&shimSpec{Argv: []string{"/bin/true", "a\x00b"}, Prog: make([]byte, 8)}).encode()
	if status, code := runRawShim(t, b); code != 126 || status != "E126 arguments: invalid argument" {
		t.Errorf("NUL in an argument: exit %d, status %q", code, status)
	}
}
