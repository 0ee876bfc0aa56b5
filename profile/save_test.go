package profile

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func saveDocker(t *testing.T) (*Profile, []byte) {
	t.Helper()
	data, err := os.ReadFile("../testdata/profiles/docker-default.json")
	if err != nil {
		t.Fatal(err)
	}
	p, err := Parse("docker-default.json", data)
	if err != nil {
		t.Fatal(err)
	}
	return p, data
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	sort.Strings(out)
	return out
}

// An existing file keeps its trailing-newline convention, so Docker's own
// file (which has none) saves back byte for byte; a new file ends in one.
func TestSaveRoundTrip(t *testing.T) {
	p, orig := saveDocker(t)
	dir := t.TempDir()

	existing := filepath.Join(dir, "default.json")
	if err := os.WriteFile(existing, orig, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Save(existing, p); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(existing); !bytes.Equal(got, orig) {
		t.Errorf("saving an unedited profile changed the file (%d bytes, was %d)", len(got), len(orig))
	}

	withNL := filepath.Join(dir, "nl.json")
	if err := os.WriteFile(withNL, append(append([]byte(nil), orig...), '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	ed := NewEditor(p)
	if err := ed.SetSyscall("mkdir", ActErrno, 1); err != nil {
		t.Fatal(err)
	}
	if err := Save(withNL, ed.Profile()); err != nil {
		t.Fatal(err)
	}
	want, _ := Marshal(ed.Profile())
	if got, _ := os.ReadFile(withNL); string(got) != string(want)+"\n" {
		t.Error("a file that ended in a newline lost it, or the content is not Marshal's")
	}

	fresh := filepath.Join(dir, "new.json")
	if err := Save(fresh, ed.Profile()); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(fresh)
	if string(got) != string(want)+"\n" {
		t.Error("a new file is not Marshal's output plus a newline")
	}
	back, err := Load(fresh)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := Marshal(back); !bytes.Equal(b, want) {
		t.Error("loading the saved file gives a different profile")
	}
	if names := dirNames(t, dir); strings.Join(names, " ") != "default.json new.json nl.json" {
		t.Errorf("directory holds %v, want only the three profiles", names)
	}
}

func TestSaveKeepsMode(t *testing.T) {
	p, orig := saveDocker(t)
	dir := t.TempDir()
	for _, mode := range []os.FileMode{0o600, 0o640, 0o755} {
		path := filepath.Join(dir, "p.json")
		if err := os.WriteFile(path, orig, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		if err := Save(path, p); err != nil {
			t.Fatal(err)
		}
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != mode {
			t.Errorf("mode %v became %v", mode, st.Mode().Perm())
		}
	}
	// New files get 0644 (the temporary file starts as 0600).
	path := filepath.Join(dir, "fresh.json")
	if err := Save(path, p); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o644 {
		t.Errorf("new file has mode %v, want 0644", st.Mode().Perm())
	}
}

func TestSaveThroughSymlink(t *testing.T) {
	p, orig := saveDocker(t)
	dir := t.TempDir()
	real := filepath.Join(dir, "real.json")
	link := filepath.Join(dir, "link.json")
	if err := os.WriteFile(real, []byte(`{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("real.json", link); err != nil {
		t.Fatal(err)
	}
	if err := Save(link, p); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Lstat(link); fi.Mode()&os.ModeSymlink == 0 {
		t.Error("the symlink was replaced by a file")
	}
	if got, _ := os.ReadFile(real); !bytes.Equal(got, orig) {
		t.Error("the link's target was not updated")
	}
}

// A failure at any step before the rename leaves the original byte for
// byte and no temporary file behind; after the rename the new file is in
// place and the error says so.
func TestSaveFailureLeavesOriginal(t *testing.T) {
	p, _ := saveDocker(t)
	ed := NewEditor(p)
	if err := ed.SetDefault(ActAllow, 0); err != nil {
		t.Fatal(err)
	}
	edited := ed.Profile()
	original := []byte("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": []}\n")
	injected := errors.New("injected failure")
	for _, step := range []string{"create", "write", "chmod", "sync", "close", "rename", "syncdir"} {
		t.Run(step, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "profile.json")
			if err := os.WriteFile(path, original, 0o600); err != nil {
				t.Fatal(err)
			}
			reached := false
			err := saveAtomic(path, edited, false, func(s string) error {
				if s == step {
					reached = true
					return injected
				}
				return nil
			})
			if !reached {
				t.Fatalf("save never reached step %q", step)
			}
			if err == nil || !strings.Contains(err.Error(), "injected failure") || !strings.HasPrefix(err.Error(), path+": ") {
				t.Fatalf("error %v; want one naming the file and the cause", err)
			}
			got, _ := os.ReadFile(path)
			if step == "syncdir" {
				if bytes.Equal(got, original) || !strings.Contains(err.Error(), "saved, but") {
					t.Errorf("after the rename: file unchanged or error %q does not say it was saved", err)
				}
			} else {
				if !bytes.Equal(got, original) {
					t.Errorf("the original changed: %q", got)
				}
				if !strings.Contains(err.Error(), "the file was not changed") {
					t.Errorf("error %q does not say the file is unchanged", err)
				}
			}
			if names := dirNames(t, dir); len(names) != 1 || names[0] != "profile.json" {
				t.Errorf("directory holds %v, want only profile.json", names)
			}
			if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
				t.Errorf("mode became %v", st.Mode().Perm())
			}
		})
	}
}

// A directory nobody may write to — made immutable, which stops root too —
// refuses the save and the file stays as it was.
func TestSaveUnwritableDirectory(t *testing.T) {
	p, _ := saveDocker(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "profile.json")
	original := []byte(`{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[]}`)
	if err := os.WriteFile(path, original, 0o644); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		if err := setImmutable(dir, true); err != nil {
			t.Skipf("cannot make %s immutable here (%v)", dir, err)
		}
		t.Cleanup(func() { _ = setImmutable(dir, false) })
	} else {
		if err := os.Chmod(dir, 0o500); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = os.Chmod(dir, 0o700) })
	}
	err := Save(path, p)
	if err == nil {
		t.Fatal("saving into an unwritable directory succeeded")
	}
	if !strings.Contains(err.Error(), "cannot create a temporary file") || strings.Contains(err.Error(), "\n") {
		t.Errorf("error %q", err)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, original) {
		t.Error("the original changed")
	}
	if names := dirNames(t, dir); len(names) != 1 {
		t.Errorf("directory holds %v", names)
	}
}

func TestSaveRefusesNonFiles(t *testing.T) {
	p, _ := saveDocker(t)
	dir := t.TempDir()
	if err := Save(dir, p); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("saving over a directory: %v", err)
	}
	if err := Save(filepath.Join(dir, "missing", "p.json"), p); err == nil {
		t.Error("saving into a missing directory succeeded")
	}
	dangling := filepath.Join(dir, "dangling.json")
	if err := os.Symlink("nowhere/p.json", dangling); err != nil {
		t.Fatal(err)
	}
	if err := Save(dangling, p); err == nil || !strings.Contains(err.Error(), "symlink") {
		t.Errorf("saving through a dangling symlink: %v", err)
	}
}

// WriteFileAtomic follows Save's rules: a dangling symlink is refused, not
// replaced by a plain file, and special mode bits stay.
func TestWriteFileAtomicLikeSave(t *testing.T) {
	dir := t.TempDir()
	dangling := filepath.Join(dir, "dangling.conf")
	if err := os.Symlink("nowhere/x.conf", dangling); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(dangling, []byte("x"), 0o644); err == nil || !strings.Contains(err.Error(), "symlink") {
		t.Errorf("writing through a dangling symlink: %v", err)
	}
	if fi, err := os.Lstat(dangling); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the dangling symlink was replaced: %v %v", fi.Mode(), err)
	}
	path := filepath.Join(dir, "tool")
	if err := os.WriteFile(path, []byte("old"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o755|os.ModeSetgid); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(path, []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(path); st.Mode()&(os.ModePerm|os.ModeSetgid) != 0o755|os.ModeSetgid {
		t.Errorf("mode became %v, want the old 0755 with setgid", st.Mode())
	}
	if names := dirNames(t, dir); strings.Join(names, " ") != "dangling.conf tool" {
		t.Errorf("directory holds %v", names)
	}
}

// fsImmutableFL is FS_IMMUTABLE_FL from linux/fs.h.
const fsImmutableFL = 0x10

func setImmutable(dir string, on bool) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	flags, err := unix.IoctlGetUint32(int(f.Fd()), unix.FS_IOC_GETFLAGS)
	if err != nil {
		return err
	}
	if on {
		flags |= fsImmutableFL
	} else {
		flags &^= fsImmutableFL
	}
	return unix.IoctlSetPointerInt(int(f.Fd()), unix.FS_IOC_SETFLAGS, int(flags))
}

// CheckWritable says beforehand what Save would find, and touches nothing:
// the directory holds the same files, with the same content, afterwards.
func TestCheckWritableAgreesWithSave(t *testing.T) {
	p, _ := saveDocker(t)
	dir := t.TempDir()
	existing := filepath.Join(dir, "old.json")
	if err := os.WriteFile(existing, []byte("old\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("nowhere/p.json", filepath.Join(dir, "dangling.json")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("old.json", filepath.Join(dir, "link.json")); err != nil {
		t.Fatal(err)
	}
	locked := filepath.Join(dir, "locked")
	if err := os.Mkdir(locked, 0o755); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		if err := setImmutable(locked, true); err != nil {
			t.Skipf("cannot make %s immutable here (%v)", locked, err)
		}
		t.Cleanup(func() { _ = setImmutable(locked, false) })
	} else if err := os.Chmod(locked, 0o500); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		ok   bool
	}{
		{"new.json", true}, {"old.json", true}, {"link.json", true},
		{".", false}, {"missing/p.json", false}, {"dangling.json", false}, {"locked/p.json", false},
	} {
		path := filepath.Join(dir, c.name)
		before := dirNames(t, dir)
		err := CheckWritable(path)
		if (err == nil) != c.ok || err != nil && (!strings.HasPrefix(err.Error(), path+": ") || strings.Contains(err.Error(), "\n")) {
			t.Errorf("%s: CheckWritable = %v, want ok %v and a one-line error naming the path", c.name, err, c.ok)
		}
		if after := dirNames(t, dir); strings.Join(after, ",") != strings.Join(before, ",") {
			t.Errorf("%s: CheckWritable changed the directory: %v, was %v", c.name, after, before)
		}
		if got, _ := os.ReadFile(existing); string(got) != "old\n" {
			t.Fatalf("%s: CheckWritable changed old.json to %q", c.name, got)
		}
		if serr := Save(path, p); (serr == nil) != c.ok {
			t.Errorf("%s: CheckWritable says ok %v, Save says %v", c.name, c.ok, serr)
		}
		if c.ok {
			os.WriteFile(existing, []byte("old\n"), 0o600)
		}
	}
}

func TestSaveFreshAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "p.json")
	os.WriteFile(path, []byte("old"), 0o600)
	p := &Profile{DefaultAction: ActAllow}
	if err := SaveFresh(path, p); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	if !strings.HasPrefix(string(data), "{") || !strings.HasSuffix(string(data), "}\n") {
		t.Errorf("saved %q", data)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
	if err := SaveFresh(filepath.Join(dir, "no/such/dir/p.json"), p); err == nil || !strings.Contains(err.Error(), "no/such/dir/p.json") {
		t.Errorf("error %v should name the path", err)
	}
}
