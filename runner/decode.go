package runner

import (
	"bytes"
	"encoding/binary"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
)

// Argument decoding for reports: a denial reads
// openat(AT_FDCWD, "/etc/x", O_WRONLY|O_CREAT, 0644) rather than six hex
// numbers. Syscalls not in the table print their arguments in hex up to
// the last non-zero one.

type argKind uint8

// oTmpfileBit is O_TMPFILE without the O_DIRECTORY bit it includes: the
// kernel uses open's mode when O_CREAT or this bit is set, not for a
// plain O_DIRECTORY.
const oTmpfileBit = unix.O_TMPFILE &^ unix.O_DIRECTORY

const (
	kInt argKind = iota
	kUint
	kHex
	kPtr
	kPath // NUL-terminated string in the caller's memory
	kFd
	kDirFd
	kOpenFlags
	kMode
	kCreateMode // the mode of open/openat: shown only with O_CREAT or O_TMPFILE
	kAtFlags
	kUnlinkFlags
	kAccessMode
	kSockDomain
	kSockType
	kCloneFlags
	kClone3Args // pointer to struct clone_args: its flags are shown
	kNsFlags
	kProt
	kMapFlags
	kSignal
	kPtraceReq
	kPrctlOpt
	kMknodMode // file type and permissions of mknod
	kDev       // a device number: shown only for character and block devices
	kSockAddr  // pointer to a socket address; its length is the next argument
	kMsgHdr    // pointer to struct msghdr: its destination address is shown
)

// signatures maps catalog names to their argument kinds; built on first
// use, not at every start of the workbench and its shim.
var signatures = sync.OnceValue(func() map[string][]argKind {
	return map[string][]argKind{
		"read": {kFd, kPtr, kUint}, "write": {kFd, kPtr, kUint},
		"pread64": {kFd, kPtr, kUint, kInt}, "pwrite64": {kFd, kPtr, kUint, kInt},
		"open": {kPath, kOpenFlags, kCreateMode}, "openat": {kDirFd, kPath, kOpenFlags, kCreateMode},
		"openat2": {kDirFd, kPath, kPtr, kUint}, "creat": {kPath, kMode}, "close": {kFd},
		"stat": {kPath, kPtr}, "lstat": {kPath, kPtr}, "fstat": {kFd, kPtr},
		"newfstatat": {kDirFd, kPath, kPtr, kAtFlags}, "fstatat64": {kDirFd, kPath, kPtr, kAtFlags},
		"stat64": {kPath, kPtr}, "lstat64": {kPath, kPtr},
		"statx":  {kDirFd, kPath, kAtFlags, kHex, kPtr},
		"access": {kPath, kAccessMode}, "faccessat": {kDirFd, kPath, kAccessMode},
		"faccessat2": {kDirFd, kPath, kAccessMode, kAtFlags},
		"mkdir":      {kPath, kMode}, "mkdirat": {kDirFd, kPath, kMode}, "rmdir": {kPath},
		"unlink": {kPath}, "unlinkat": {kDirFd, kPath, kUnlinkFlags},
		"rename": {kPath, kPath}, "renameat": {kDirFd, kPath, kDirFd, kPath},
		"renameat2": {kDirFd, kPath, kDirFd, kPath, kHex},
		"link":      {kPath, kPath}, "linkat": {kDirFd, kPath, kDirFd, kPath, kAtFlags},
		"symlink": {kPath, kPath}, "symlinkat": {kPath, kDirFd, kPath},
		"readlink": {kPath, kPtr, kUint}, "readlinkat": {kDirFd, kPath, kPtr, kUint},
		"chmod": {kPath, kMode}, "fchmod": {kFd, kMode}, "fchmodat": {kDirFd, kPath, kMode},
		"fchmodat2": {kDirFd, kPath, kMode, kAtFlags},
		"chown":     {kPath, kInt, kInt}, "lchown": {kPath, kInt, kInt}, "fchown": {kFd, kInt, kInt},
		"fchownat": {kDirFd, kPath, kInt, kInt, kAtFlags},
		"chdir":    {kPath}, "fchdir": {kFd}, "chroot": {kPath}, "pivot_root": {kPath, kPath},
		"truncate": {kPath, kInt}, "ftruncate": {kFd, kInt},
		"execve": {kPath, kPtr, kPtr}, "execveat": {kDirFd, kPath, kPtr, kPtr, kAtFlags},
		"mount": {kPath, kPath, kPath, kHex, kPtr}, "umount2": {kPath, kHex}, "umount": {kPath},
		"mknod": {kPath, kMknodMode, kDev}, "mknodat": {kDirFd, kPath, kMknodMode, kDev},
		"utimensat": {kDirFd, kPath, kPtr, kAtFlags}, "utime": {kPath, kPtr}, "utimes": {kPath, kPtr},
		"setxattr": {kPath, kPath, kPtr, kUint, kHex}, "lsetxattr": {kPath, kPath, kPtr, kUint, kHex},
		"getxattr": {kPath, kPath, kPtr, kUint}, "lgetxattr": {kPath, kPath, kPtr, kUint},
		"listxattr": {kPath, kPtr, kUint}, "removexattr": {kPath, kPath},
		"swapon": {kPath, kHex}, "swapoff": {kPath}, "acct": {kPath}, "uselib": {kPath},
		"statfs": {kPath, kPtr}, "fstatfs": {kFd, kPtr},
		"inotify_add_watch": {kFd, kPath, kHex},
		"socket":            {kSockDomain, kSockType, kInt}, "socketpair": {kSockDomain, kSockType, kInt, kPtr},
		"connect": {kFd, kSockAddr, kUint}, "bind": {kFd, kSockAddr, kUint}, "listen": {kFd, kInt},
		"accept": {kFd, kPtr, kPtr}, "accept4": {kFd, kPtr, kPtr, kSockType},
		"sendto":   {kFd, kPtr, kUint, kHex, kSockAddr, kUint},
		"recvfrom": {kFd, kPtr, kUint, kHex, kPtr, kPtr},
		"sendmsg":  {kFd, kMsgHdr, kHex}, "recvmsg": {kFd, kPtr, kHex},
		"clone": {kCloneFlags, kPtr, kPtr, kPtr, kPtr}, "clone3": {kClone3Args, kUint},
		"unshare": {kNsFlags}, "setns": {kFd, kNsFlags},
		"mmap":     {kPtr, kUint, kProt, kMapFlags, kFd, kHex},
		"mmap2":    {kPtr, kUint, kProt, kMapFlags, kFd, kHex},
		"mprotect": {kPtr, kUint, kProt}, "pkey_mprotect": {kPtr, kUint, kProt, kInt},
		"munmap": {kPtr, kUint},
		"kill":   {kInt, kSignal}, "tkill": {kInt, kSignal}, "tgkill": {kInt, kInt, kSignal},
		"ptrace": {kPtraceReq, kInt, kPtr, kPtr},
		"prctl":  {kPrctlOpt, kHex, kHex, kHex, kHex},
		"ioctl":  {kFd, kHex, kHex}, "personality": {kHex},
		"bpf": {kInt, kPtr, kUint}, "perf_event_open": {kPtr, kInt, kInt, kFd, kHex},
		"dup": {kFd}, "dup2": {kFd, kFd}, "dup3": {kFd, kFd, kOpenFlags},
		"setuid": {kInt}, "setgid": {kInt}, "setresuid": {kInt, kInt, kInt}, "setresgid": {kInt, kInt, kInt},
		"init_module": {kPtr, kUint, kPath}, "finit_module": {kFd, kPath, kHex},
		"delete_module": {kPath, kHex}, "reboot": {kHex, kHex, kHex, kPtr},
		"sethostname": {kPath, kUint}, "setdomainname": {kPath, kUint},
		"name_to_handle_at": {kDirFd, kPath, kPtr, kPtr, kAtFlags},
		"open_by_handle_at": {kFd, kPtr, kOpenFlags},
		"memfd_create":      {kPath, kHex}, "userfaultfd": {kHex},
		"pidfd_open": {kInt, kHex}, "pidfd_send_signal": {kFd, kSignal, kPtr, kHex},
		"open_tree": {kDirFd, kPath, kHex}, "move_mount": {kDirFd, kPath, kDirFd, kPath, kHex},
		"fsopen": {kPath, kHex}, "fspick": {kDirFd, kPath, kHex},
		"mount_setattr": {kDirFd, kPath, kHex, kPtr, kUint},
		"add_key":       {kPath, kPath, kPtr, kUint, kInt}, "request_key": {kPath, kPath, kPath, kInt},
		"syslog": {kInt, kPtr, kInt}, "getcwd": {kPtr, kUint},
		"getpid": {}, "getppid": {}, "gettid": {}, "getuid": {}, "geteuid": {}, "getgid": {},
		"getegid": {}, "fork": {}, "vfork": {}, "sync": {}, "vhangup": {}, "sched_yield": {},
	}
})

// moreSignatures covers the rest of the common syscalls compactly, one
// letter per argument: f fd, d dirfd (AT_FDCWD), p pointer, i signed,
// u unsigned, x hex, s string in memory, g signal, n no arguments.
const moreSignatures = `
getpgrp:n inotify_init:n munlockall:n pause:n restart_syscall:n rt_sigreturn:n sigreturn:n
setsid:n sgetmask:n uretprobe:n getegid32:n geteuid32:n getgid32:n getuid32:n get_tls:n
alarm:u brk:p exit:i exit_group:i epoll_create:i epoll_create1:x fdatasync:f fsync:f
getpgid:i getsid:i inotify_init1:x io_destroy:x iopl:u mlockall:x nice:i pipe:p
pkey_free:i setfsgid:i setfsuid:i setfsgid32:i setfsuid32:i setgid32:i setuid32:i
set_tid_address:p sysinfo:p time:p times:p umask:x uname:p olduname:p oldolduname:p
stime:p ssetmask:x shmdt:p syncfs:f mq_unlink:s timer_delete:i timer_getoverrun:i
eventfd:u set_thread_area:p get_thread_area:p set_tls:p memfd_secret:x sigpending:p
sigsuspend:x adjtimex:p _sysctl:p sched_getscheduler:i sched_get_priority_max:i
sched_get_priority_min:i
arch_prctl:xp capget:pp capset:pp clock_getres:ip clock_getres_time64:ip clock_gettime:ip
clock_gettime64:ip clock_settime:ip clock_settime64:ip clock_adjtime:ip clock_adjtime64:ip
eventfd2:ux fanotify_init:xx flock:fx getgroups:ip getgroups32:ip getitimer:ip getrlimit:ip
ugetrlimit:ip getrusage:ip gettimeofday:pp setgroups:ip setgroups32:ip setrlimit:ip
settimeofday:pp setpgid:ii setregid:ii setregid32:ii setreuid:ii setreuid32:ii
getpriority:ii inotify_rm_watch:fi io_setup:up ioprio_get:ii mlock:pu munlock:pu
nanosleep:pp pipe2:px pkey_alloc:xx set_robust_list:pu shutdown:fi sigaltstack:pp
signal:gp timerfd_create:ix timerfd_gettime:fp timerfd_gettime64:fp rt_sigpending:pu
rt_sigsuspend:pu sched_getparam:ip sched_setparam:ip sched_rr_get_interval:ip
sched_rr_get_interval_time64:ip ustat:xp fstat64:fp truncate64:si ftruncate64:fi
mq_notify:ip msgget:ix timer_gettime:ip timer_gettime64:ip landlock_restrict_self:fx
fremovexattr:fs lremovexattr:ss io_uring_setup:up process_mrelease:fx socketcall:ip
bdflush:ix
fcntl:fxx fcntl64:fxx chown32:sii lchown32:sii fchown32:fii getdents:fpu getdents64:fpu
getpeername:fpp getsockname:fpp getrandom:pux getresgid:ppp getresuid:ppp getresgid32:ppp
getresuid32:ppp setresgid32:iii setresuid32:iii ioperm:uui ioprio_set:iii lseek:fii
madvise:pui mincore:pup mlock2:pux msync:pux poll:pui readv:fpu writev:fpu readahead:fiu
readdir:fpu sigprocmask:ipp sched_getaffinity:iup sched_setaffinity:iup
sched_setscheduler:iip sched_setattr:ipx seccomp:xxp semget:xix semop:ipu shmat:ipx
shmget:xux msgctl:iip shmctl:iip timer_create:ipp getcpu:ppp landlock_create_ruleset:pux
lsm_list_modules:ppx membarrier:xxi mq_getsetattr:ipp modify_ldt:ipu mseal:pux
pidfd_getfd:ffx rt_sigqueueinfo:igp sysfs:ixx signalfd:fpu fsmount:fxx
get_robust_list:ipp set_mempolicy:ipu close_range:uux setitimer:ipp setpriority:iii
waitpid:ipx flistxattr:fpu llistxattr:spu removexattrat:dsxs futimesat:dsp
sigaction:gpp map_shadow_stack:pux cacheflush:pix
rt_sigprocmask:ippu sched_getattr:ipux semctl:iiix landlock_add_rule:fipx
lsm_get_self_attr:upux lsm_set_self_attr:upux quotactl_fd:fxip sendmmsg:fpux
signalfd4:fpux vmsplice:fpux sendfile:ffpu sendfile64:ffpu fallocate:fxii
fadvise64:fiui fadvise64_64:fiix sync_file_range:fiix sync_file_range2:fxii
epoll_ctl:fifp epoll_wait:fpii futex_requeue:pxui migrate_pages:iupp
set_mempolicy_home_node:puux kexec_load:uupx io_uring_register:fupu mq_open:sxxp
msgsnd:ipux clock_nanosleep:ixpp prlimit64:iipp recv:fpux send:fpux rt_sigaction:gppu
rt_sigtimedwait:pppu rt_tgsigqueueinfo:iigp rseq:puxx semtimedop:ipup quotactl:xsip
timer_settime:ixpp timerfd_settime:fxpp wait4:ipxp listmount:ppux statmount:ppux
utimensat_time64:dspx futex_wake:puxx cachestat:fppx fgetxattr:fspu tee:ffux
mbind:puxpux get_mempolicy:ppupx kexec_file_load:ffusx keyctl:ixxxx
io_getevents:xiipp mremap:puuxp mq_timedsend:fpuup mq_timedreceive:fpupp msgrcv:ipuix
preadv:fpuii pwritev:fpuii ppoll:puppu select:ipppp _newselect:ipppp getsockopt:fiipp
setsockopt:fiipu waitid:iipxp fsetxattr:fspux fanotify_mark:fxxds recvmmsg:fpuxp
futex_waitv:puxpi fsconfig:fisxi remap_file_pages:puuux _llseek:fuupu
listxattrat:dsxpu file_getattr:dspux file_setattr:dspux process_madvise:fpuix
open_tree_attr:dsxpu kcmp:iiiuu
futex:pxupui futex_time64:pxupui futex_wait:puxxpi epoll_pwait:fpiipu
epoll_pwait2:fpippu move_pages:iupppx io_pgetevents:xiippp io_uring_enter:fuuxpu ipc:uiiipi
preadv2:fpuiix pwritev2:fpuiix process_vm_readv:ipupux process_vm_writev:ipupux
pselect6:ippppp copy_file_range:fpfpux splice:fpfpux getxattrat:dsxspu setxattrat:dsxspu
`

// extraSignatures parses moreSignatures once.
var extraSignatures = sync.OnceValue(func() map[string][]argKind {
	letters := map[rune]argKind{'f': kFd, 'd': kDirFd, 'p': kPtr, 'i': kInt, 'u': kUint, 'x': kHex, 's': kPath, 'g': kSignal}
	m := map[string][]argKind{}
	for _, f := range strings.Fields(moreSignatures) {
		name, spec, _ := strings.Cut(f, ":")
		kinds := []argKind{}
		if spec != "n" {
			for _, c := range spec {
				kinds = append(kinds, letters[c])
			}
		}
		m[name] = kinds
	}
	return m
})

func signatureOf(name string) ([]argKind, bool) {
	if k, ok := signatures()[name]; ok {
		return k, true
	}
	k, ok := extraSignatures()[name]
	return k, ok
}

// argText renders a call. readMem is true when something was read from
// the caller's memory (the caller must then check the notification is
// still valid before trusting it).
func argText(tid int, arch catalog.Arch, name string, args [6]uint64) (text string, readMem bool) {
	c := decodeCall(tid, arch, name, args)
	return c.text, c.readMem
}

// decoded is a rendered call. key is text with pointer values left out,
// so that calls differing only in where their buffers lie share a
// denial row.
type decoded struct {
	text, key string
	readMem   bool
}

func decodeCall(tid int, arch catalog.Arch, name string, args [6]uint64) decoded {
	kinds, known := signatureOf(name)
	if !known {
		var b strings.Builder
		b.WriteString(name)
		b.WriteByte('(')
		n := 6
		for n > 0 && args[n-1] == 0 {
			n--
		}
		for i := 0; i < n; i++ {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("0x" + strconv.FormatUint(args[i], 16))
		}
		b.WriteByte(')')
		return decoded{text: b.String(), key: b.String()}
	}
	// parts[i] is argument i's text, keys[i] its text in the key when
	// that differs: "*" for a bare pointer, "?" for one whose target
	// could not be read.
	var parts, keys [6]string
	n, differs, readMem := 0, false, false
	for i, k := range kinds {
		if k == kCreateMode && (i == 0 || args[i-1]&(unix.O_CREAT|oTmpfileBit) == 0) {
			break
		}
		if k == kDev && (i == 0 || !isDevice(args[i-1])) {
			break
		}
		v := args[i]
		var s, ks string
		switch k {
		case kPtr:
			s = formatArg(arch, name, k, v)
			if v != 0 {
				ks = "*"
			}
		case kPath:
			if v == 0 {
				s = "NULL"
				break
			}
			str, ok := readString(tid, v, 256)
			readMem = true
			if !ok {
				s, ks = "0x"+strconv.FormatUint(v, 16), "?"
				break
			}
			s = str
		case kClone3Args:
			flags, ok := readU64(tid, v)
			readMem = true
			if !ok {
				s, ks = "0x"+strconv.FormatUint(v, 16), "?"
				break
			}
			s = "{flags=" + flagText(flags, catalogNames("clone_flags"), 0) + "}"
		case kSockAddr:
			var size uint64
			if i+1 < len(args) {
				size = args[i+1]
			}
			s, ks = sockAddrArg(tid, arch, v, size)
			readMem = readMem || v != 0
		case kMsgHdr:
			s, ks = msgHdrArg(tid, arch, v)
			readMem = readMem || v != 0
		case kHex, kInt, kUint:
			if n, ok := riskyText(arch, name, i, v); ok {
				s = n
				break
			}
			s = formatArg(arch, name, k, v)
		default:
			s = formatArg(arch, name, k, v)
		}
		parts[n], keys[n] = s, ks
		if ks != "" && ks != s {
			differs = true
		}
		n++
	}
	text := name + "(" + strings.Join(parts[:n], ", ") + ")"
	if !differs {
		return decoded{text: text, key: text, readMem: readMem}
	}
	for i := range n {
		if keys[i] == "" {
			keys[i] = parts[i]
		}
	}
	return decoded{text: text, key: name + "(" + strings.Join(keys[:n], ", ") + ")", readMem: readMem}
}

func signed(arch catalog.Arch, v uint64) int64 {
	if arch.Is32Bit() {
		return int64(int32(v))
	}
	return int64(v)
}

func formatArg(arch catalog.Arch, name string, k argKind, v uint64) string {
	cat := catalog.MustDefault()
	switch k {
	case kInt, kFd:
		return strconv.FormatInt(signed(arch, v), 10)
	case kUint:
		return strconv.FormatUint(v, 10)
	case kPtr:
		if v == 0 {
			return "NULL"
		}
		return "0x" + strconv.FormatUint(v, 16)
	case kDirFd:
		// The kernel takes a dirfd as an int: only the low 32 bits count.
		if int32(v) == unix.AT_FDCWD {
			return "AT_FDCWD"
		}
		return strconv.FormatInt(signed(arch, v), 10)
	case kOpenFlags:
		acc := []string{"O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"}[v&unix.O_ACCMODE]
		rest := flagText(v&^unix.O_ACCMODE, openFlagNames, 0)
		if rest == "0" {
			return acc
		}
		return acc + "|" + rest
	case kMode, kCreateMode:
		return "0" + strconv.FormatUint(v&0o7777, 8)
	case kMknodMode:
		return mknodMode(v)
	case kDev:
		return devText(v)
	case kAtFlags:
		return flagText(v, atFlagNames, 0)
	case kUnlinkFlags:
		return flagText(v, []flagName{{Value: unix.AT_REMOVEDIR, Name: "AT_REMOVEDIR"}}, 0)
	case kAccessMode:
		if v == 0 {
			return "F_OK"
		}
		return flagText(v, []flagName{{Value: 4, Name: "R_OK"}, {Value: 2, Name: "W_OK"}, {Value: 1, Name: "X_OK"}}, 0)
	case kSockDomain:
		return cat.ValueText("socket_domain", v)
	case kSockType:
		base := cat.ValueText("socket_type", v&0xf)
		if name == "accept4" {
			base = ""
		}
		rest := cat.ValueText("socket_type_flags", v&^0xf)
		switch {
		case base == "":
			return rest
		case rest == "0":
			return base
		}
		return base + "|" + rest
	case kCloneFlags:
		return flagText(v, catalogNames("clone_flags"), 0xff)
	case kNsFlags:
		return cat.ValueText("clone_flags", v)
	case kProt:
		return cat.ValueText("prot", v)
	case kMapFlags:
		typ := []string{"0", "MAP_SHARED", "MAP_PRIVATE", "MAP_SHARED_VALIDATE"}[v&3]
		rest := flagText(v&^3, mapFlagNames, 0)
		if rest == "0" {
			return typ
		}
		return typ + "|" + rest
	case kSignal:
		return signalText(v)
	case kPtraceReq:
		if n := cat.ValueText("ptrace_request", v); n != unnamedText(v) {
			return n
		}
		return "0x" + strconv.FormatUint(v, 16)
	case kPrctlOpt:
		if n := cat.ValueText("prctl_option", v); n != unnamedText(v) {
			return n
		}
		return strconv.FormatUint(v, 10)
	}
	return "0x" + strconv.FormatUint(v, 16)
}

// flagName names a bit; the catalog's sets (catalog.ValueNames) hold
// the names that record shares with the decoder.
type flagName = catalog.ValueName

// catalogNames is one of the catalog's sets of names.
func catalogNames(set string) []flagName {
	ns, _ := catalog.MustDefault().ValueNames(set)
	return ns.Names
}

// signalText names a signal number; 0 (a probe: is the process there?)
// and the real-time signals are numbers.
func signalText(v uint64) string {
	if v == 0 {
		return "0"
	}
	return catalog.MustDefault().ValueText("signal", v)
}

// riskyText names the value v of argument i of name when the catalog
// names that argument's values (ioctl's request, fcntl's command, bpf's
// command ...: catalog.RiskyArgs), so that a denial reads as record's
// notes do; ok is false for a value without a name, and for one with
// bits above 32 set (shown in hex: the filter saw them).
func riskyText(arch catalog.Arch, name string, i int, v uint64) (string, bool) {
	cat := catalog.MustDefault()
	for _, a := range cat.RiskyArgs(name) {
		if a.At(arch) != i || a.Names == "" {
			continue
		}
		if t := cat.ArgText(&a, v); t != unnamedText(v) {
			return t, true
		}
	}
	return "", false
}

// unnamedText is a value as catalog.ValueText shows one it cannot name.
func unnamedText(v uint64) string { return catalog.MustDefault().ValueText("", v) }

// flagText names the set bits of v; unnamed bits are added in hex. For
// clone, the low byte (lowMask) is the exit signal.
func flagText(v uint64, names []flagName, lowMask uint64) string {
	var parts []string
	if lowMask != 0 && v&lowMask != 0 {
		parts = append(parts, signalText(v&lowMask))
		v &^= lowMask
	}
	if v != 0 || len(parts) == 0 {
		parts = append(parts, catalog.FlagText(v, names))
	}
	return strings.Join(parts, "|")
}

var openFlagNames = []flagName{
	{Value: unix.O_CREAT, Name: "O_CREAT"}, {Value: unix.O_EXCL, Name: "O_EXCL"}, {Value: unix.O_NOCTTY, Name: "O_NOCTTY"},
	{Value: unix.O_TRUNC, Name: "O_TRUNC"}, {Value: unix.O_APPEND, Name: "O_APPEND"}, {Value: unix.O_NONBLOCK, Name: "O_NONBLOCK"},
	{Value: unix.O_SYNC, Name: "O_SYNC"}, {Value: unix.O_DSYNC, Name: "O_DSYNC"}, {Value: unix.O_ASYNC, Name: "O_ASYNC"},
	{Value: unix.O_DIRECT, Name: "O_DIRECT"}, {Value: unix.O_LARGEFILE, Name: "O_LARGEFILE"},
	{Value: unix.O_TMPFILE, Name: "O_TMPFILE"}, {Value: unix.O_DIRECTORY, Name: "O_DIRECTORY"},
	{Value: unix.O_NOFOLLOW, Name: "O_NOFOLLOW"}, {Value: unix.O_NOATIME, Name: "O_NOATIME"},
	{Value: unix.O_CLOEXEC, Name: "O_CLOEXEC"}, {Value: unix.O_PATH, Name: "O_PATH"},
}

var atFlagNames = []flagName{
	{Value: unix.AT_SYMLINK_NOFOLLOW, Name: "AT_SYMLINK_NOFOLLOW"}, {Value: unix.AT_EACCESS, Name: "AT_EACCESS"},
	{Value: unix.AT_SYMLINK_FOLLOW, Name: "AT_SYMLINK_FOLLOW"}, {Value: unix.AT_NO_AUTOMOUNT, Name: "AT_NO_AUTOMOUNT"},
	{Value: unix.AT_EMPTY_PATH, Name: "AT_EMPTY_PATH"},
}

var mapFlagNames = []flagName{
	{Value: unix.MAP_FIXED, Name: "MAP_FIXED"}, {Value: unix.MAP_ANONYMOUS, Name: "MAP_ANONYMOUS"},
	{Value: unix.MAP_GROWSDOWN, Name: "MAP_GROWSDOWN"}, {Value: unix.MAP_DENYWRITE, Name: "MAP_DENYWRITE"},
	{Value: unix.MAP_EXECUTABLE, Name: "MAP_EXECUTABLE"}, {Value: unix.MAP_LOCKED, Name: "MAP_LOCKED"},
	{Value: unix.MAP_NORESERVE, Name: "MAP_NORESERVE"}, {Value: unix.MAP_POPULATE, Name: "MAP_POPULATE"},
	{Value: unix.MAP_NONBLOCK, Name: "MAP_NONBLOCK"}, {Value: unix.MAP_STACK, Name: "MAP_STACK"},
	{Value: unix.MAP_HUGETLB, Name: "MAP_HUGETLB"}, {Value: unix.MAP_SYNC, Name: "MAP_SYNC"},
	{Value: unix.MAP_FIXED_NOREPLACE, Name: "MAP_FIXED_NOREPLACE"},
}

// readMem reads len(buf) bytes at addr in process pid; it returns how many
// it could (a read stops at the first unmapped page).
func readMem(pid int, addr uint64, buf []byte) int {
	total := 0
	for total < len(buf) {
		// Never cross a page boundary in one read, so a string that
		// ends just before an unmapped page is still read whole.
		a := addr + uint64(total)
		chunk := 4096 - int(a%4096)
		if chunk > len(buf)-total {
			chunk = len(buf) - total
		}
		local := []unix.Iovec{{Base: &buf[total]}}
		local[0].SetLen(chunk)
		remote := []unix.RemoteIovec{{Base: uintptr(a), Len: chunk}}
		n, err := unix.ProcessVMReadv(pid, local, remote, 0)
		if err != nil || n <= 0 {
			break
		}
		total += n
	}
	return total
}

// readString reads a NUL-terminated string of up to max bytes and quotes
// it; a longer one is cut and marked with an ellipsis.
func readString(pid int, addr uint64, max int) (string, bool) {
	buf := make([]byte, max+1)
	n := readMem(pid, addr, buf)
	if n == 0 {
		return "", false
	}
	buf = buf[:n]
	if i := bytes.IndexByte(buf, 0); i >= 0 {
		return strconv.Quote(string(buf[:i])), true
	}
	if n > max {
		return strconv.Quote(string(buf[:max])) + "…", true
	}
	return strconv.Quote(string(buf)), true
}

func readU64(pid int, addr uint64) (uint64, bool) {
	var buf [8]byte
	if readMem(pid, addr, buf[:]) != 8 {
		return 0, false
	}
	return binary.NativeEndian.Uint64(buf[:]), true
}
