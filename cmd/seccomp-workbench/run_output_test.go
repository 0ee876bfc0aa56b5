package main

// The workbench's own output under run: --json carries any bytes exactly,
// and a closed pipe ends the run with 125 and no process left behind.

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// jsonStreams runs the workbench with run --json and returns the bytes of
// each stream as the output events carry them: data_b64 when present,
// else data. bad counts the events that needed data_b64.
func jsonStreams(t *testing.T, args ...string) (stdout, stderr []byte, bad int) {
	t.Helper()
	out, errs, code := workbenchExec(t, "", append([]string{"run", "--profile", "preset:docker-default", "--json", "--"}, args...)...)
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, errs)
	}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if !utf8.Valid(sc.Bytes()) {
			t.Fatalf("a JSON line is not UTF-8: %q", sc.Text())
		}
		var rec struct {
			Type, Stream, Data string
			DataB64            *string `json:"data_b64"`
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("not a JSON line: %q", sc.Text())
		}
		if rec.Type != "output" {
			continue
		}
		b := []byte(rec.Data)
		if rec.DataB64 != nil {
			bad++
			var err error
			if b, err = base64.StdEncoding.DecodeString(*rec.DataB64); err != nil {
				t.Fatalf("data_b64 %q: %v", *rec.DataB64, err)
			}
			if utf8.Valid(b) {
				t.Errorf("data_b64 on a batch that is valid UTF-8: %q", b)
			}
		}
		if rec.Stream == "stderr" {
			stderr = append(stderr, b...)
		} else {
			stdout = append(stdout, b...)
		}
	}
	return stdout, stderr, bad
}

func TestRunJSONNotUTF8(t *testing.T) {
	out, errs, bad := jsonStreams(t, "sh", "-c", `printf '\377\376\000abc'; printf 'ok \342\202\254\n\200' >&2`)
	if want := []byte("\xff\xfe\x00abc"); !bytes.Equal(out, want) {
		t.Errorf("stdout round-tripped as %q, want %q", out, want)
	}
	if want := []byte("ok €\n\x80"); !bytes.Equal(errs, want) {
		t.Errorf("stderr round-tripped as %q, want %q", errs, want)
	}
	if bad != 2 {
		t.Errorf("%d events carried data_b64, want 2 (one per stream)", bad)
	}
}

// Random bytes, far more than one batch holds, come out byte for byte.
func TestRunJSONRandomBytes(t *testing.T) {
	data := make([]byte, 300<<10)
	rand.Read(data)
	src := filepath.Join(t.TempDir(), "random")
	if err := os.WriteFile(src, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, _ := jsonStreams(t, "cat", src)
	if !bytes.Equal(out, data) {
		t.Fatalf("%d bytes came back as %d, first difference near %d", len(data), len(out), firstDiff(out, data))
	}
}

// Text without line ends is cut into batches by size, and a cut never
// falls inside a character: every batch is valid UTF-8.
func TestRunJSONBatchesKeepCharacters(t *testing.T) {
	text := "a" + strings.Repeat("é€😀", 40000) // 1+9*40000 bytes, no newline
	src := filepath.Join(t.TempDir(), "text")
	if err := os.WriteFile(src, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, bad := jsonStreams(t, "cat", src)
	if string(out) != text {
		t.Fatalf("%d bytes came back as %d", len(text), len(out))
	}
	if bad != 0 {
		t.Errorf("%d batches were cut inside a character", bad)
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// marker tags every process of one run through its environment, so the
// test can look for them whatever pid namespace they were in.
func marker(t *testing.T) string {
	var b [8]byte
	rand.Read(b[:])
	return "SWB_TEST_RUN=" + hex.EncodeToString(b[:])
}

// leftOver lists the processes whose environment holds mark.
func leftOver(mark string) []string {
	var pids []string
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		env, err := os.ReadFile(d + "/environ")
		if err == nil && bytes.Contains(env, []byte(mark+"\x00")) {
			cmdline, _ := os.ReadFile(d + "/cmdline")
			pids = append(pids, filepath.Base(d)+" "+strings.ReplaceAll(string(cmdline), "\x00", " "))
		}
	}
	return pids
}

// A reader that goes away (run --json ... | head -c 100) ends the run:
// exit 125 with a one-line reason, and the command, its background child
// and everything else of the run gone.
func TestRunClosedPipe(t *testing.T) {
	dir := t.TempDir()
	prof := writeProfile(t, runDenyMkdir)
	cases := []struct {
		name   string
		args   []string
		closed string // the stream whose reader goes away
		code   int
		reason string // the message on the other stream
	}{
		{"json on stdout", []string{"--json", "--", "sh", "-c", "sleep 1000 & yes"}, "stdout", 125,
			"seccomp-workbench: cannot write to stdout (write /dev/stdout: broken pipe): the command was stopped\n"},
		{"denial lines on stderr", []string{"--", "sh", "-c", "sleep 1000 & while :; do mkdir " + dir + "/x 2>/dev/null; done"}, "stderr", 125, ""},
		// Without --json the target writes to stdout itself: SIGPIPE ends
		// yes, as in a shell pipeline, and the status is the target's.
		{"the target's own stdout", []string{"--", "sh", "-c", "sleep 1000 & yes; exit $?"}, "stdout", 141,
			"seccomp-workbench: FAIL: exit status 141\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mark := marker(t)
			cmd := exec.Command(workbenchBinary(t), append([]string{"run", "--profile", prof, "--timeout", "30s"}, c.args...)...)
			cmd.Env = append(os.Environ(), "NO_COLOR=1", mark)
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			// The other stream is a file, so that Wait does not wait for
			// processes that outlive the workbench and hold a pipe.
			other, err := os.Create(filepath.Join(t.TempDir(), "other"))
			if err != nil {
				t.Fatal(err)
			}
			defer other.Close()
			if c.closed == "stdout" {
				cmd.Stdout, cmd.Stderr = w, other
			} else {
				cmd.Stdout, cmd.Stderr = other, w
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			w.Close()
			// Read something first, so the run is going, then go away.
			if _, err := io.ReadFull(r, make([]byte, 100)); err != nil {
				t.Fatalf("reading the first bytes: %v", err)
			}
			r.Close()
			err = cmd.Wait()
			code := cmd.ProcessState.ExitCode()
			said, _ := os.ReadFile(other.Name())
			if code != c.code || c.reason != "" && string(said) != c.reason {
				t.Errorf("exit %d (%v), other stream %q; want %d and %q", code, err, said, c.code, c.reason)
			}
			if left := leftOver(mark); len(left) > 0 {
				t.Errorf("processes of the run left after it ended: %v", left)
				for _, p := range left {
					pid, _, _ := strings.Cut(p, " ")
					exec.Command("kill", "-9", pid).Run()
				}
			}
		})
	}
}
