package profile

import (
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
)

// Kernel is a kernel version as Docker's minKernel compares it: major and
// minor only.
type Kernel struct{ Major, Minor int }

func (k Kernel) String() string { return fmt.Sprintf("%d.%d", k.Major, k.Minor) }

// Less orders versions.
func (k Kernel) Less(o Kernel) bool {
	return k.Major < o.Major || (k.Major == o.Major && k.Minor < o.Minor)
}

// ParseKernel reads "X.Y" or a full release string such as "6.18.4-foo".
func ParseKernel(s string) (Kernel, error) {
	parts := strings.SplitN(s, ".", 3)
	if len(parts) < 2 {
		return Kernel{}, fmt.Errorf("kernel version %q: want X.Y", s)
	}
	minor := parts[1]
	if i := strings.IndexFunc(minor, func(r rune) bool { return r < '0' || r > '9' }); i >= 0 {
		minor = minor[:i] // "18-foo" in "6.18-foo"
	}
	maj, err1 := strconv.Atoi(parts[0])
	mnr, err2 := strconv.Atoi(minor)
	if err1 != nil || err2 != nil {
		return Kernel{}, fmt.Errorf("kernel version %q: want X.Y", s)
	}
	return Kernel{maj, mnr}, nil
}

// Env is what includes/excludes are resolved against: the host's native
// arch, its kernel version and the container's bounding capabilities.
type Env struct {
	Host   catalog.Arch
	Kernel Kernel
	Caps   []string
}

// DockerDefaultCaps is the capability set Docker gives a container by
// default; the effective profile uses it unless told otherwise.
func DockerDefaultCaps() []string {
	return []string{
		"CAP_AUDIT_WRITE", "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID",
		"CAP_KILL", "CAP_MKNOD", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW", "CAP_SETFCAP",
		"CAP_SETGID", "CAP_SETPCAP", "CAP_SETUID", "CAP_SYS_CHROOT",
	}
}

// NativeArch is the workbench's own ABI.
func NativeArch() catalog.Arch {
	// The catalog accepts Go's GOARCH spellings (amd64, 386, arm64 ...).
	if a, err := catalog.ParseArch(runtime.GOARCH); err == nil {
		return a
	}
	return catalog.Arch(runtime.GOARCH)
}

// HostEnv describes this machine: native arch, running kernel, Docker's
// default capabilities.
func HostEnv() Env {
	env := Env{Host: NativeArch(), Caps: DockerDefaultCaps()}
	var u unix.Utsname
	if unix.Uname(&u) == nil {
		if k, err := ParseKernel(unix.ByteSliceToString(u.Release[:])); err == nil {
			env.Kernel = k
		}
	}
	return env
}

// Effective is a profile resolved for one Env: the rules that apply, with
// errno defaults filled in, and the ABIs to compile for.
type Effective struct {
	Source        *Profile
	Env           Env
	DefaultAction Action
	DefaultErrno  uint
	// Arches are the supported ABIs to filter, the host's first.
	Arches []catalog.Arch
	// Unsupported lists profile arches the workbench cannot compile
	// (mips, ...); they are reported by lint.
	Unsupported []string
	Rules       []EffRule

	// maxNr caches MaxNumber per ABI (maxNumbers, when the Effective is
	// made; Decide falls back to computing it for ABIs added later).
	maxNr map[catalog.Arch]maxNr
}

type maxNr struct {
	nr int64
	ok bool
}

// EffRule is one applicable rule.
type EffRule struct {
	// Index is the rule's position in Source.Syscalls.
	Index   int
	Names   []string
	Action  Action
	Errno   uint // for errno (and trace) actions
	Args    []*Arg
	Comment string
	// ORed: the rule's conditions test one argument index twice, so it
	// was split into one rule per condition, this being one (orGroups).
	ORed bool

	// mux are the multiplexer rules libseccomp makes of this one on the
	// ABIs that multiplex (muxViews).
	mux []muxView
}

// Effective resolves includes and excludes the way Docker does: a rule
// applies when every includes condition holds (host arch listed, all caps
// present, kernel at least minKernel) and no excludes condition does (host
// arch listed, any cap present, kernel at least minKernel).
func (p *Profile) Effective(env Env) *Effective {
	e := &Effective{Source: p, Env: env, DefaultAction: p.DefaultAction, DefaultErrno: p.DefaultErrno()}
	e.Arches, e.Unsupported = p.Arches(env.Host)
	for i, r := range p.Syscalls {
		if !env.applies(r) {
			continue
		}
		groups := orGroups(r.Args)
		for _, args := range groups {
			er := EffRule{Index: i, Names: r.AllNames(), Action: r.Action, Args: args, Comment: r.Comment, ORed: len(groups) > 1}
			if r.Action == ActErrno || r.Action == ActTrace {
				er.Errno = p.Errno(r)
			}
			er.mux = muxViews(er.Names, args)
			e.Rules = append(e.Rules, er)
		}
	}
	e.maxNr = e.maxNumbers()
	return e
}

func (env Env) applies(r *Rule) bool {
	native := env.Host.Native()
	if f := r.Excludes; !f.Empty() {
		if slices.Contains(f.Arches, native) {
			return false
		}
		for _, c := range f.Caps {
			if slices.Contains(env.Caps, c) {
				return false
			}
		}
		if f.MinKernel != "" {
			if k, err := ParseKernel(f.MinKernel); err == nil && !env.Kernel.Less(k) {
				return false
			}
		}
	}
	if f := r.Includes; !f.Empty() {
		if len(f.Arches) > 0 && !slices.Contains(f.Arches, native) {
			return false
		}
		for _, c := range f.Caps {
			if !slices.Contains(env.Caps, c) {
				return false
			}
		}
		if f.MinKernel != "" {
			if k, err := ParseKernel(f.MinKernel); err == nil && env.Kernel.Less(k) {
				return false
			}
		}
	}
	return true
}

// Arches picks the ABIs as Docker does: "architectures" when given, else
// the archMap entry of the host arch with its sub-arches, else the host
// arch alone.
func (p *Profile) Arches(host catalog.Arch) (out []catalog.Arch, unsupported []string) {
	var names []string
	switch {
	case len(p.Architectures) > 0:
		names = p.Architectures
	case len(p.ArchMap) > 0:
		for _, m := range p.ArchMap {
			if m.Arch == host.Docker() {
				names = append([]string{m.Arch}, m.SubArches...)
				break
			}
		}
	}
	if len(names) == 0 {
		return []catalog.Arch{host}, nil
	}
	for _, n := range names {
		a, ok := catalog.ArchFromDocker(n)
		if !ok {
			unsupported = append(unsupported, n)
			continue
		}
		out = append(out, a)
	}
	return HostFirst(out, host), unsupported
}

// HostFirst drops repeated ABIs and moves the host's own to the front: it
// is the one the runner's shim uses.
func HostFirst(as []catalog.Arch, host catalog.Arch) []catalog.Arch {
	var out []catalog.Arch
	for _, a := range as {
		out = appendOnce(out, a)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i] == host && out[j] != host })
	return out
}

func appendOnce[T comparable](s []T, v T) []T {
	if slices.Contains(s, v) {
		return s
	}
	return append(s, v)
}

// CanRun reports whether a kernel of host's arch runs programs of ABI a
// (an x86_64 kernel runs i386 and x32 programs too).
func CanRun(host, a catalog.Arch) bool { return slices.Contains(host.WithCompanions(), a) }

// String says what the Env is, the way outputs name what a profile was
// resolved for: "host x86_64, kernel 6.18, Docker's default capabilities".
func (env Env) String() string {
	k := "kernel " + env.Kernel.String()
	if env.Kernel == (Kernel{}) {
		k = "unknown kernel"
	}
	return fmt.Sprintf("host %s, %s, %s", env.Host, k, CapsText(env.Caps))
}

// CapsText names a capability set: Docker's default, all, none, or the
// list.
func CapsText(caps []string) string {
	sorted := slices.Sorted(slices.Values(caps))
	switch {
	case slices.Equal(sorted, slices.Sorted(slices.Values(DockerDefaultCaps()))):
		return "Docker's default capabilities"
	case slices.Equal(sorted, slices.Sorted(slices.Values(AllCaps()))):
		return "all capabilities"
	case len(caps) == 0:
		return "no capabilities"
	}
	return "capabilities " + strings.Join(sorted, ",")
}
