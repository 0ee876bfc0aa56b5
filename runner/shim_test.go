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

// runRawShim starts shim (a shimsUnderTest argv; nil: this test binary)
// with spec on its spec pipe and returns what it wrote on its status
// pipe and its exit code.
func runRawShim(t *testing.T, shim []string, spec []byte) (string, int) {
	t.Helper()
	return runRawShimChunks(t, shim, spec, len(spec))
}

// runRawShimChunks is runRawShim writing the spec in writes of chunk
// bytes.
func runRawShimChunks(t *testing.T, shim []string, spec []byte, chunk int) (string, int) {
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
	if shim == nil {
		self, err := os.Executable()
		if err != nil {
			t.Fatal(err)
		}
		shim = []string{self, ShimArg}
	}
	cmd := exec.Command(shim[0], shim[1:]...)
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
	for name, shim := range shimsUnderTest(t) {
		t.Run(name, func(t *testing.T) { testShimMalformedSpec(t, shim) })
	}
}

func testShimMalformedSpec(t *testing.T, shim []string) {
	good, err := (&shimSpec{Argv: []string{"/bin/true", "x"}, Env: []string{"A=b"}, Dir: "/nonexistent-dir-for-shim-test",
		Prog: make([]byte, 16)}).encode()
	if err != nil {
		t.Fatal(err)
	}
	// The well-formed spec gets as far as the working directory: the
	// shim did parse it.
	status, code := runRawShim(t, shim, good)
	wantStatus(t, "well-formed spec", status, code, 126, "working directory /nonexistent-dir-for-shim-test: no such file or directory")
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
		status, code := runRawShim(t, shim, spec)
		if code != 125 || !strings.HasPrefix(status, "E125 shim: reading the launch spec: ") {
			t.Errorf("%s: exit %d, status %q; want 125 and a spec error", name, code, status)
		}
	}
	// A NUL inside an argument cannot reach execve: 126, as for any
	// argument the kernel cannot take.
	b, _ := (&shimSpec{Argv: []string{"/bin/true", "a\x00b"}, Prog: make([]byte, 8)}).encode()
	if status, code := runRawShim(t, shim, b); code != 126 || status != "E126 arguments: invalid argument" {
		t.Errorf("NUL in an argument: exit %d, status %q", code, status)
	}
}

// wantStatus checks a shim's exit code and its status as the workbench
// words it.
func wantStatus(t *testing.T, what, status string, code, wantCode int, wantMsg string) {
	t.Helper()
	if gotCode, msg := decodeStatus([]byte(status), ""); code != wantCode || gotCode != wantCode || msg != wantMsg {
		t.Fatalf("%s: exit %d, status %q (%d %q); want %d %q", what, code, status, gotCode, msg, wantCode, wantMsg)
	}
}

// Each errno the shim names is worded by the workbench, whichever libc
// the shim has; anything else between marks is left alone.
func TestWordErrnos(t *testing.T) {
	m := shimErrnoMark
	for in, want := range map[string]string{
		"working directory /x: " + m + "2" + m:      "working directory /x: no such file or directory",
		"a " + m + "13" + m + ", b " + m + "40" + m: "a permission denied, b too many levels of symbolic links",
		"no mark":                    "no mark",
		"one " + m + "2":             "one " + m + "2",
		"zero " + m + "0" + m + " x": "zero " + m + "0" + m + " x",
		"text " + m + "abc" + m + " then " + m + "36" + m: "text " + m + "abc" + m + " then file name too long",
		"huge " + m + "99999999999999999999" + m:          "huge " + m + "99999999999999999999" + m,
	} {
		if got := wordErrnos(in); got != want {
			t.Errorf("wordErrnos(%q) = %q, want %q", in, got, want)
		}
	}
}
