package profile

// The curated presets in presets/*.json are generated from the catalog by
// the code in this file, and TestPresetsUpToDate fails when a file and
// its generator disagree. After changing a generator or the catalog:
//
//	SECCOMP_WORKBENCH_UPDATE_PRESETS=1 go test ./profile -run TestPresetsUpToDate
//
// The checked-in JSON is what ships; this code only writes it.

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
)

// Flag values the presets compare against. They are the same on x86_64,
// x86, x32, aarch64 and arm (the generic values of asm-generic).
const (
	afUnix = 1

	oWronly  = 0x1
	oRdwr    = 0x2
	oAccmode = 0x3
	oCreat   = 0x40
	oTrunc   = 0x200

	// CLONE_NEW* flags accepted by clone(2). CLONE_NEWTIME (0x80) only
	// exists for clone3 and unshare; in clone's flags that bit belongs to
	// the exit signal.
	cloneNewNS     = 0x00020000
	cloneNewCgroup = 0x02000000
	cloneNewUTS    = 0x04000000
	cloneNewIPC    = 0x08000000
	cloneNewUser   = 0x10000000
	cloneNewPID    = 0x20000000
	cloneNewNet    = 0x40000000
	cloneNewAny    = cloneNewNS | cloneNewCgroup | cloneNewUTS | cloneNewIPC | cloneNewUser | cloneNewPID | cloneNewNet

	// ioctl requests that change inode flags through a read-only fd:
	// FS_IOC_SETFLAGS as 64-bit and 32-bit ABIs encode it, and
	// FS_IOC_FSSETXATTR.
	fsIocSetflags   = 0x40086602
	fsIocSetflags32 = 0x40046602
	fsIocFssetxattr = 0x401c5820

	errEPERM  = 1
	errEROFS  = 30
	errENOSYS = 38
)

// genPreset is one generated preset: its file name and profile.
type genPreset struct {
	name string
	p    *Profile
}

// generatePresets builds every curated preset, in file-name order.
func generatePresets() ([]genPreset, error) {
	cat := catalog.MustDefault()
	out := []genPreset{
		{"deny-critical", genDenyCritical(cat)},
		{"no-exec-after-start", genNoExec(cat)},
		{"read-only-fs", genReadOnly(cat)},
		{"strict-baseline", genStrict(cat)},
	}
	nn, err := genNoNetwork()
	if err != nil {
		return nil, err
	}
	out = append(out, genPreset{"no-network", nn})
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out, nil
}

func genDescribe(p *Profile, desc string) *Profile {
	b, _ := json.Marshal(desc)
	if p.Extra == nil {
		p.Extra = map[string]json.RawMessage{}
	}
	p.Extra["description"] = b
	return p
}

// genArchMap is Docker's mapping for the two common hosts: x86_64 kernels
// also run x86 and x32 programs, aarch64 kernels arm programs.
func genArchMap() []Architecture {
	return []Architecture{
		{Arch: "SCMP_ARCH_X86_64", SubArches: []string{"SCMP_ARCH_X86", "SCMP_ARCH_X32"}},
		{Arch: "SCMP_ARCH_AARCH64", SubArches: []string{"SCMP_ARCH_ARM"}},
	}
}

func genRule(names []string, a Action, errno uint, comment string, args ...*Arg) *Rule {
	r := &Rule{Names: append([]string(nil), names...), Action: a, Comment: comment, Args: args}
	sort.Strings(r.Names)
	if a == ActErrno {
		r.ErrnoRet = uintp(errno)
	}
	return r
}

func genTier(cat *catalog.Catalog, r catalog.Risk) []string {
	var out []string
	for _, e := range cat.All() {
		if e.Risk == r {
			out = append(out, e.Name)
		}
	}
	return out
}

func genFamilies(cat *catalog.Catalog, names ...string) []string {
	var out []string
	for _, n := range names {
		e, ok := cat.Lookup(n)
		if !ok {
			panic("preset generator: unknown syscall " + n)
		}
		out = append(out, e.Family...)
	}
	return out
}

// genNoCritical are the rules every allow-by-default preset starts with:
// the critical tier fails with EPERM, and so does clone asked to create a
// namespace (unshare and setns are in the tier; clone would be the way
// around them). clone3 keeps its flags in memory, out of the filter's
// sight, so it answers ENOSYS and libc falls back to clone.
func genNoCritical(cat *catalog.Catalog) []*Rule {
	rules := []*Rule{genRule(genTier(cat, catalog.Critical), ActErrno, errEPERM,
		"critical tier: can compromise the kernel or the host, or escape a container")}
	for _, f := range []struct {
		bit  uint64
		name string
	}{
		{cloneNewNS, "CLONE_NEWNS"}, {cloneNewCgroup, "CLONE_NEWCGROUP"}, {cloneNewUTS, "CLONE_NEWUTS"},
		{cloneNewIPC, "CLONE_NEWIPC"}, {cloneNewUser, "CLONE_NEWUSER"}, {cloneNewPID, "CLONE_NEWPID"},
		{cloneNewNet, "CLONE_NEWNET"},
	} {
		rules = append(rules, genRule([]string{"clone"}, ActErrno, errEPERM,
			"no new namespace through clone: "+f.name,
			&Arg{Index: 0, Value: f.bit, ValueTwo: f.bit, Op: OpMaskedEqual}))
	}
	rules = append(rules, genRule([]string{"clone3"}, ActErrno, errENOSYS,
		"clone3's flags are out of the filter's reach: ENOSYS makes libc use clone"))
	return rules
}

func genDenyCritical(cat *catalog.Catalog) *Profile {
	p := &Profile{DefaultAction: ActAllow, ArchMap: genArchMap(), Syscalls: genNoCritical(cat)}
	return genDescribe(p, "Allows everything except the critical tier, which fails with EPERM: "+
		"loading kernel modules, kexec, bpf, the mount API, creating or entering namespaces, "+
		"keyrings, userfaultfd, io_uring, ptrace, open_by_handle_at, process_vm_writev, "+
		"perf_event_open, reboot, swap and raw port I/O. clone with a CLONE_NEW* flag fails too, "+
		"so namespaces cannot be made that way; clone3 answers ENOSYS (a filter cannot read its flags) "+
		"and libc falls back to clone. A quick hardening for a workload nobody has profiled yet.")
}

func genNoExec(cat *catalog.Catalog) *Profile {
	rules := genNoCritical(cat)
	rules = append(rules, genRule(genFamilies(cat, "execve"), ActErrno, errEPERM,
		"no program may be started after the first"))
	p := &Profile{DefaultAction: ActAllow, ArchMap: genArchMap(), Syscalls: rules}
	return genDescribe(p, "Like deny-critical, and execve and execveat fail with EPERM: the program "+
		"that was started keeps running but cannot run any other program (no shell-outs, no "+
		"downloaded payloads). A filter cannot tell the first exec from later ones; under the "+
		"workbench's run (watch mode) the shim's own exec of the target is exempt, so the target "+
		"starts. A runtime that installs the filter before it execs the entrypoint (runc, Docker, "+
		"enforce mode here) cannot start anything with it: use it where the filter is applied "+
		"after the program has started, or through the workbench.")
}

func genReadOnly(cat *catalog.Catalog) *Profile {
	rules := genNoCritical(cat)
	writes := genFamilies(cat, "mkdir", "mknod", "unlink", "rename", "link", "symlink",
		"chmod", "chown", "utime", "setxattr", "removexattr")
	writes = append(writes, "truncate", "truncate64", "file_setattr", "creat", "acct")
	rules = append(rules,
		genRule(writes, ActErrno, errEROFS,
			"creating, removing, renaming, linking, and changing the mode, owner, times or attributes of files"),
		genRule([]string{"openat2"}, ActErrno, errENOSYS,
			"openat2's flags are out of the filter's reach: ENOSYS makes callers use openat"))
	openFlags := []struct {
		mask, value uint64
		what        string
	}{
		{oAccmode, oWronly, "O_WRONLY"}, {oAccmode, oRdwr, "O_RDWR"},
		{oCreat, oCreat, "O_CREAT"}, {oTrunc, oTrunc, "O_TRUNC"},
	}
	for _, call := range []struct {
		name string
		arg  uint
	}{{"open", 1}, {"openat", 2}} {
		for _, f := range openFlags {
			rules = append(rules, genRule([]string{call.name}, ActErrno, errEROFS,
				fmt.Sprintf("%s with %s", call.name, f.what),
				&Arg{Index: call.arg, Value: f.mask, ValueTwo: f.value, Op: OpMaskedEqual}))
		}
	}
	// The request is an unsigned int: only its low 32 bits count, so
	// the comparison masks them instead of comparing all 64.
	for _, req := range []struct {
		value uint64
		what  string
	}{{fsIocSetflags, "FS_IOC_SETFLAGS"}, {fsIocSetflags32, "FS_IOC32_SETFLAGS"}, {fsIocFssetxattr, "FS_IOC_FSSETXATTR"}} {
		rules = append(rules, genRule([]string{"ioctl"}, ActErrno, errEROFS,
			"ioctl "+req.what+": changes inode flags through a read-only descriptor",
			&Arg{Index: 1, Value: 0xffffffff, ValueTwo: req.value, Op: OpMaskedEqual}))
	}
	p := &Profile{DefaultAction: ActAllow, ArchMap: genArchMap(), Syscalls: rules}
	return genDescribe(p, "Makes every filesystem read-only for the workload: creating, removing, "+
		"renaming or linking files, and changing their mode, owner, timestamps, extended attributes "+
		"or inode flags fail with EROFS, and so do open and openat asking for write access, O_CREAT "+
		"or O_TRUNC. Reading, and writing to descriptors that are already open (stdout, pipes, "+
		"sockets, files opened before the filter), still work, and so do ftruncate and fallocate, "+
		"which need such a descriptor (memfd buffers rely on them). openat2 answers ENOSYS, because a "+
		"filter cannot read the flags it keeps in memory, so callers fall back to openat. Includes "+
		"deny-critical, which also stops io_uring (its opens would bypass the filter) and the "+
		"mount API (a remount could make a filesystem writable again). Binding a Unix socket to a "+
		"path still creates the socket file.")
}

// genNoNetwork edits Docker's default profile with the Editor: socket
// only for AF_UNIX, and no socketcall (x86's multiplexer hides the
// family from the filter).
func genNoNetwork() (*Profile, error) {
	base, err := Open(PresetPrefix + "docker-default")
	if err != nil {
		return nil, err
	}
	ed := NewEditor(base)
	steps := []func() error{
		func() error { return ed.SetSyscall("socket", ActErrno, errEPERM) },
		func() error { return ed.AddCondition("socket", Arg{Index: 0, Value: afUnix, Op: OpEqualTo}) },
		func() error { return ed.SetSyscall("socketcall", ActErrno, errEPERM) },
	}
	for _, s := range steps {
		if err := s(); err != nil {
			return nil, err
		}
	}
	p := ed.Profile().Clone()
	return genDescribe(p, "Docker's default profile without networking: socket works only for "+
		"AF_UNIX, so local tools and Unix-socket services still run, while IPv4, IPv6, netlink, "+
		"packet, vsock and every other family fail with EPERM. x86's socketcall multiplexer is "+
		"denied too, since the filter cannot see which family it asks for; 32-bit x86 programs "+
		"that still use it lose Unix sockets as well. Sockets inherited from the parent keep "+
		"working, and io_uring stays denied as in Docker's profile (it can open sockets without "+
		"the socket call)."), nil
}

// genStrict allows what ordinary dynamically linked programs use: the low
// tier (self-contained calls) without the obsolete, tracing and foreign
// arch-specific ones, plus a curated handful of medium-tier calls for
// running programs and managing one's own files.
func genStrict(cat *catalog.Catalog) *Profile {
	archSpecific := map[string]bool{
		// x86 and x86_64 thread areas, arm's TLS and cache calls.
		"arch_prctl": true, "get_thread_area": true, "set_thread_area": true,
		"set_tls": true, "get_tls": true, "cacheflush": true, "breakpoint": true,
	}
	var allow []string
	for _, e := range cat.All() {
		if e.Risk != catalog.Low || e.Category == "obsolete" || e.Category == "tracing" {
			continue
		}
		if e.Category == "arch-specific" && !archSpecific[e.Name] {
			continue
		}
		allow = append(allow, e.Name)
	}
	allow = append(allow, genFamilies(cat, "execve", "rename", "unlink", "link", "symlink", "chmod")...)
	allow = append(allow, "fork", "vfork", "kill", "tgkill", "tkill", "ioctl", "prctl",
		"connect", "bind", "listen", "accept", "accept4", "setsockopt")
	rules := []*Rule{
		genRule(allow, ActAllow, 0, "what ordinary programs need"),
		genRule([]string{"clone"}, ActAllow, 0, "threads and processes, but no new namespaces",
			&Arg{Index: 0, Value: cloneNewAny, ValueTwo: 0, Op: OpMaskedEqual}),
		genRule([]string{"clone3"}, ActErrno, errENOSYS,
			"clone3's flags are out of the filter's reach: ENOSYS makes libc use clone"),
		genRule([]string{"socket"}, ActAllow, 0, "AF_UNIX sockets only",
			&Arg{Index: 0, Value: afUnix, Op: OpEqualTo}),
		genRule([]string{"prlimit64"}, ActAllow, 0, "resource limits of the calling process (libc's getrlimit and setrlimit)",
			&Arg{Index: 0, Value: 0, Op: OpEqualTo}),
	}
	p := &Profile{DefaultAction: ActErrno, DefaultErrnoRet: uintp(errEPERM), ArchMap: genArchMap(), Syscalls: rules}
	return genDescribe(p, "A deny-by-default allow-list (EPERM) that still runs ordinary dynamically "+
		"linked programs such as shells, coreutils and Python. It covers x86_64 (with its x86 and x32 "+
		"ABIs) and aarch64 (with arm) and allows memory, files and directories, pipes, signals, "+
		"timers, threads, fork and exec. Network sockets (only AF_UNIX can be created), new "+
		"namespaces, ownership changes, device nodes, credentials, tracing and the high and "+
		"critical tiers stay denied; the one exception is prlimit64 on the calling process, which "+
		"libc uses for getrlimit. clone3, and any call newer than the profile, answer ENOSYS so "+
		"libc falls back to older calls. A starting point to tighten further for one program.")
}
