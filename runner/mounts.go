package runner

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// The mount namespace of an isolated run. Unprivileged, the run's user
// namespace already keeps the host's sysctls, sysfs and devices out of
// reach (they belong to the initial user namespace). A root target with
// Docker's capabilities has no CAP_SYS_ADMIN to undo a mount, but it has
// CAP_DAC_OVERRIDE and CAP_MKNOD, and as root the host's /proc/sys,
// /sys and device nodes are its to write: core_pattern runs a program of
// its choice as root outside any filter, and a disk's block device is
// the whole file system. So, as a container runtime does, the shim makes
// those read-only or hides them, takes device nodes away from every file
// system (nodev) and gives the target a /dev of its own with only the
// harmless nodes.

// procReadOnly are made read-only; procMasked are hidden (a file under
// /dev/null, a directory under an empty read-only tmpfs).
var (
	procReadOnly = []string{"/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/bus", "/proc/fs"}
	procMasked   = []string{"/proc/kcore", "/proc/keys", "/proc/timer_list", "/proc/sched_debug",
		"/proc/latency_stats", "/proc/acpi", "/proc/scsi", "/proc/asound", "/sys/firmware",
		"/sys/devices/virtual/powercap"}
)

// devNodes are the character devices of the target's /dev.
var devNodes = []struct {
	name         string
	major, minor uint32
}{{"null", 1, 3}, {"zero", 1, 5}, {"full", 1, 7}, {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0}, {"ptmx", 5, 2}}

// mountNamespace sets up the run's mount namespace; the shim is PID 1 of
// the run's PID namespace. root says the target runs as root on the host
// (no user namespace).
func mountNamespace(root bool) error {
	// Slaves first, so nothing mounted here propagates to the host.
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_SLAVE, ""); err != nil {
		return &os.PathError{Op: "making mounts private", Path: "/", Err: err}
	}
	if err := unix.Mount("proc", "/proc", "proc", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, ""); err != nil {
		return &os.PathError{Op: "mounting a new proc on", Path: "/proc", Err: err}
	}
	if !root {
		return nil
	}
	for _, p := range procReadOnly {
		if err := bindReadOnly(p); err != nil {
			return err
		}
	}
	for _, p := range procMasked {
		if err := mask(p); err != nil {
			return err
		}
	}
	if err := setattr("/sys", unix.MOUNT_ATTR_RDONLY); err != nil {
		return err
	}
	// The host's pseudo-terminals stay usable (a terminal run's own is
	// one of them); take a copy before nodev reaches it.
	pts, ptsErr := unix.OpenTree(unix.AT_FDCWD, "/dev/pts", unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC)
	if ptsErr == nil {
		defer unix.Close(pts)
	}
	if err := setattr("/", unix.MOUNT_ATTR_NODEV); err != nil {
		return err
	}
	return ownDev(pts, ptsErr == nil)
}

// setattr sets attr on path and every mount below it.
func setattr(path string, attr uint64) error {
	err := unix.MountSetattr(unix.AT_FDCWD, path, unix.AT_RECURSIVE, &unix.MountAttr{Attr_set: attr})
	if err != nil && !errors.Is(err, unix.ENOENT) {
		return &os.PathError{Op: "mount_setattr", Path: path, Err: err}
	}
	return nil
}

func bindReadOnly(p string) error {
	if err := unix.Mount(p, p, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		if errors.Is(err, unix.ENOENT) {
			return nil
		}
		return &os.PathError{Op: "bind-mounting", Path: p, Err: err}
	}
	return setattr(p, unix.MOUNT_ATTR_RDONLY|unix.MOUNT_ATTR_NOSUID|unix.MOUNT_ATTR_NODEV|unix.MOUNT_ATTR_NOEXEC)
}

func mask(p string) error {
	st, err := os.Stat(p)
	if err != nil {
		return nil // not on this kernel
	}
	if st.IsDir() {
		err = unix.Mount("tmpfs", p, "tmpfs", unix.MS_RDONLY|unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, "size=0")
	} else {
		err = unix.Mount("/dev/null", p, "", unix.MS_BIND, "")
	}
	if err != nil {
		return &os.PathError{Op: "masking", Path: p, Err: err}
	}
	return nil
}

// ownDev mounts the target's /dev: a tmpfs with devNodes, the usual
// links, the host's pseudo-terminals, and a writable /dev/shm; then it is
// made read-only, so a target with CAP_MKNOD cannot add a node to it.
func ownDev(pts int, havePts bool) error {
	if err := unix.Mount("tmpfs", "/dev", "tmpfs", unix.MS_NOSUID|unix.MS_NOEXEC, "mode=755,size=64k"); err != nil {
		return &os.PathError{Op: "mounting a tmpfs on", Path: "/dev", Err: err}
	}
	for _, n := range devNodes {
		if err := unix.Mknod("/dev/"+n.name, unix.S_IFCHR|0o666, int(unix.Mkdev(n.major, n.minor))); err != nil {
			return &os.PathError{Op: "mknod", Path: "/dev/" + n.name, Err: err}
		}
		unix.Chmod("/dev/"+n.name, 0o666) // whatever the umask
	}
	for link, to := range map[string]string{"fd": "/proc/self/fd", "stdin": "/proc/self/fd/0",
		"stdout": "/proc/self/fd/1", "stderr": "/proc/self/fd/2", "core": "/proc/kcore"} {
		if err := os.Symlink(to, "/dev/"+link); err != nil {
			return err
		}
	}
	for _, d := range []string{"pts", "shm", "mqueue"} {
		if err := os.Mkdir("/dev/"+d, 0o755); err != nil {
			return err
		}
	}
	if havePts {
		if err := unix.MoveMount(pts, "", unix.AT_FDCWD, "/dev/pts", unix.MOVE_MOUNT_F_EMPTY_PATH); err != nil {
			return &os.PathError{Op: "moving the pseudo-terminals to", Path: "/dev/pts", Err: err}
		}
	}
	if err := unix.Mount("shm", "/dev/shm", "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "mode=1777,size=65536k"); err != nil {
		return &os.PathError{Op: "mounting", Path: "/dev/shm", Err: err}
	}
	unix.Mount("mqueue", "/dev/mqueue", "mqueue", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, "")
	if err := unix.Mount("", "/dev", "", unix.MS_REMOUNT|unix.MS_RDONLY|unix.MS_NOSUID|unix.MS_NOEXEC, "mode=755,size=64k"); err != nil {
		return &os.PathError{Op: "making read-only", Path: "/dev", Err: err}
	}
	return nil
}
