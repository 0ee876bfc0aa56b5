package profile

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
)

// Save writes p to path in canonical form (Marshal), atomically (see
// writeAtomic).
//
// Trailing newline: an existing file keeps whatever it had (Docker's own
// default.json has none, so it saves back byte for byte); a new file ends
// with one, as text files usually do. Parse accepts both.
func Save(path string, p *Profile) error {
	return saveAtomic(path, p, false, nil)
}

// SaveFresh writes p to path like Save, as a new document: canonical form
// and a final newline whatever path held before (what record writes: the
// old file's contents, and so its convention, are not kept).
func SaveFresh(path string, p *Profile) error {
	return saveAtomic(path, p, true, nil)
}

// WriteFileAtomic replaces path with data atomically (see writeAtomic); a
// new file gets mode.
func WriteFileAtomic(path string, data []byte, mode os.FileMode) error {
	return writeAtomic(path, mode, nil, func(string, os.FileInfo) []byte { return data })
}

// saveFault lets tests make a step of save fail: it is called with the
// step's name just before the step, and a non-nil error is reported as
// that step's failure.
type saveFault func(step string) error

func saveAtomic(path string, p *Profile, fresh bool, fault saveFault) error {
	data, err := Marshal(p)
	if err != nil {
		return fmt.Errorf("%s: cannot encode the profile: %v", path, err)
	}
	return writeAtomic(path, 0o644, fault, func(target string, st os.FileInfo) []byte {
		if fresh || st == nil || saveEndsWithNewline(target, st.Size()) {
			return append(data, '\n')
		}
		return data
	})
}

// writeAtomic replaces path with the bytes content returns: the new text
// goes to a temporary file in the same directory (rename is atomic only
// within one file system), which is flushed to disk and then renamed over
// path, and the directory is flushed so the rename itself survives a
// crash. A reader sees the old file or the new one, never a mix; when
// anything fails before the rename, the old file is untouched and the
// temporary file is removed.
//
// content gets the file that will be replaced and its FileInfo (nil when
// there is none yet). The existing file's permission bits (and, where
// allowed, owner and group) are kept; a new file gets mode. Writing
// through a symlink replaces the file it points to, not the link.
func writeAtomic(path string, mode os.FileMode, fault saveFault, content func(target string, st os.FileInfo) []byte) error {
	step := func(name string) error {
		if fault == nil {
			return nil
		}
		return fault(name)
	}
	target, dir, base, existing, err := saveDest(path)
	if err != nil {
		return err
	}
	var owner *syscall.Stat_t
	if existing != nil {
		mode = existing.Mode() & (os.ModePerm | os.ModeSetuid | os.ModeSetgid | os.ModeSticky)
		owner, _ = existing.Sys().(*syscall.Stat_t)
	}
	data := content(target, existing)

	failed := func(what string, err error) error {
		return fmt.Errorf("%s: %s: %v: the file was not changed; check the directory is writable and has space", path, what, pathCause(err))
	}
	if err := step("create"); err != nil {
		return failed("cannot create a temporary file", err)
	}
	tmp, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return failed("cannot create a temporary file", err)
	}
	renamed := false
	defer func() {
		if !renamed {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if err := step("write"); err != nil {
		return failed("cannot write", err)
	}
	if _, err := tmp.Write(data); err != nil {
		return failed("cannot write", err)
	}
	if err := step("chmod"); err != nil {
		return failed("cannot set the file mode", err)
	}
	// fchmod, unlike creating the file with a mode, ignores the umask:
	// the copy must have exactly the original's bits.
	if err := tmp.Chmod(mode); err != nil {
		return failed("cannot set the file mode", err)
	}
	if owner != nil && (int(owner.Uid) != os.Geteuid() || int(owner.Gid) != os.Getegid()) {
		// Only root may give a file away; for anyone else the saved file
		// is theirs, as with any editor that saves by renaming.
		_ = tmp.Chown(int(owner.Uid), int(owner.Gid))
	}
	if err := step("sync"); err != nil {
		return failed("cannot flush to disk", err)
	}
	if err := tmp.Sync(); err != nil {
		return failed("cannot flush to disk", err)
	}
	if err := step("close"); err != nil {
		return failed("cannot close the temporary file", err)
	}
	if err := tmp.Close(); err != nil {
		return failed("cannot close the temporary file", err)
	}
	if err := step("rename"); err != nil {
		return failed("cannot replace the file", err)
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		return failed("cannot replace the file", err)
	}
	renamed = true
	if err := step("syncdir"); err != nil {
		return fmt.Errorf("%s: saved, but flushing the directory failed: %v: the new file may not survive a crash", path, err)
	}
	if err := saveSyncDir(dir); err != nil {
		return fmt.Errorf("%s: saved, but flushing the directory failed: %v: the new file may not survive a crash", path, pathCause(err))
	}
	return nil
}

// saveDest says where writeAtomic puts path: the file it replaces
// (symlinks followed), that file's directory and name, and its FileInfo
// (nil when there is none yet). It refuses what cannot be replaced by a
// regular file.
func saveDest(path string) (target, dir, base string, existing os.FileInfo, err error) {
	target, err = saveTarget(path)
	if err != nil {
		return "", "", "", nil, err
	}
	dir, base = filepath.Split(target)
	if dir == "" {
		dir = "."
	}
	if base == "" {
		return "", "", "", nil, fmt.Errorf("%s: not a file name: give the path of a file", path)
	}
	st, err := os.Stat(target)
	switch {
	case err == nil && st.IsDir():
		return "", "", "", nil, fmt.Errorf("%s: is a directory, not a regular file: give the path of a file", path)
	case err == nil && !st.Mode().IsRegular():
		return "", "", "", nil, fmt.Errorf("%s: not a regular file: give the path of a file", path)
	case err == nil:
		existing = st
	case !errors.Is(err, os.ErrNotExist):
		return "", "", "", nil, fmt.Errorf("%s: %v", path, pathCause(err))
	}
	return target, dir, base, existing, nil
}

// CheckWritable reports whether WriteFileAtomic could write path now,
// without touching path itself: it is (or would be) a regular file, and
// its directory exists and takes a new file (a temporary one is created
// there and removed). Commands that write their result only after long
// work call it first.
func CheckWritable(path string) error {
	_, dir, base, _, err := saveDest(path)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return fmt.Errorf("%s: cannot create a file in %s: %v: check that the directory exists and is writable", path, filepath.Clean(dir), pathCause(err))
	}
	tmp.Close()
	return os.Remove(tmp.Name())
}

// saveTarget follows symlinks so that the rename replaces the file a
// link points to rather than the link.
func saveTarget(path string) (string, error) {
	fi, err := os.Lstat(path)
	if err != nil || fi.Mode()&os.ModeSymlink == 0 {
		return path, nil
	}
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return "", fmt.Errorf("%s: is a symlink that cannot be followed (%v): write to the file it should point to", path, pathCause(err))
	}
	return real, nil
}

func saveEndsWithNewline(path string, size int64) bool {
	if size == 0 {
		return true
	}
	f, err := os.Open(path)
	if err != nil {
		return true
	}
	defer f.Close()
	var b [1]byte
	if _, err := f.ReadAt(b[:], size-1); err != nil && err != io.EOF {
		return true
	}
	return b[0] == '\n'
}

func saveSyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// pathCause drops the operation and path that *PathError and *LinkError
// repeat, since the messages here name the file already.
func pathCause(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}
