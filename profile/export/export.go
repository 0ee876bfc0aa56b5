// Package export writes a profile for the tools that consume seccomp
// filters: Docker's JSON as is, the OCI runtime-spec object, the
// Kubernetes security-profiles-operator SeccompProfile and localhost
// file, a systemd SystemCallFilter= drop-in, Firecracker's seccompiler
// JSON, a minijail policy, and the verified BPF program (raw, as
// annotated assembly, as libseccomp's PFC). Every format is described
// once in formatInfo; each is written by its own file (oci.go,
// localhost.go, k8s.go, systemd.go, firecracker.go, minijail.go, bpf.go
// for the three program formats), docker being the profile file itself.
package export

import (
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// Format is an export target.
type Format string

// The export formats.
const (
	// FormatDocker is the profile file itself (Docker, Podman, containerd).
	FormatDocker Format = "docker"
	// FormatOCI is the runtime-spec linux.seccomp object for a config.json.
	FormatOCI Format = "oci"
	// FormatK8s is a security-profiles-operator SeccompProfile resource.
	FormatK8s Format = "k8s"
	// FormatK8sLocalhost is the JSON file the kubelet reads for a
	// Localhost seccomp profile.
	FormatK8sLocalhost Format = "k8s-localhost"
	// FormatSystemd is a unit drop-in with SystemCallFilter= and friends.
	FormatSystemd Format = "systemd"
	// FormatBPF is the raw struct sock_filter array (bubblewrap --seccomp).
	FormatBPF Format = "bpf"
	// FormatPFC is libseccomp's pseudo filter code.
	FormatPFC Format = "pfc"
	// FormatAsm is the annotated disassembly of the compiled filter.
	FormatAsm Format = "asm"
	// FormatFirecracker is Firecracker's seccompiler JSON, one thread.
	FormatFirecracker Format = "firecracker"
	// FormatMinijail is a minijail seccomp policy file.
	FormatMinijail Format = "minijail"
)

// Formats lists the export formats in the order help text shows them.
func Formats() []Format {
	return []Format{FormatDocker, FormatOCI, FormatK8s, FormatK8sLocalhost, FormatSystemd, FormatBPF, FormatPFC, FormatAsm, FormatFirecracker, FormatMinijail}
}

// formatInfo is what each format's output is, who reads it, and the file
// name extension an export suggests.
var formatInfo = map[Format]struct{ title, purpose, ext string }{
	FormatDocker:       {"Docker seccomp profile", "the profile file (Docker, Podman, containerd)", ".json"},
	FormatOCI:          {"OCI linux.seccomp object", "runtime-spec linux.seccomp", ".oci.json"},
	FormatK8s:          {"SeccompProfile resource", "SeccompProfile resource (security-profiles-operator)", ".yaml"},
	FormatK8sLocalhost: {"kubelet localhost profile", "kubelet Localhost profile file", ".localhost.json"},
	FormatSystemd:      {"systemd drop-in", "unit drop-in: SystemCallFilter=", ".conf"},
	FormatBPF:          {"BPF program", "raw BPF (bubblewrap --seccomp)", ".bpf"},
	FormatPFC:          {"pseudo filter code", "libseccomp pseudo filter code", ".pfc"},
	FormatAsm:          {"disassembly", "annotated disassembly", ".asm"},
	FormatFirecracker:  {"seccompiler filter", "Firecracker seccompiler JSON (one thread)", ".firecracker.json"},
	FormatMinijail:     {"minijail policy", "minijail seccomp policy (minijail0 -S)", ".policy"},
}

// Title names the format's output ("systemd drop-in").
func (f Format) Title() string { return formatInfo[f].title }

// Purpose says what the output is for, for pickers.
func (f Format) Purpose() string { return formatInfo[f].purpose }

// Ext is the file name extension an export in f suggests.
func (f Format) Ext() string {
	if e := formatInfo[f].ext; e != "" {
		return e
	}
	return ".json"
}

// ParseFormat accepts a format name, case-insensitively.
func ParseFormat(s string) (Format, error) {
	l := Format(strings.ToLower(strings.TrimSpace(s)))
	names := make([]string, 0, len(Formats()))
	for _, f := range Formats() {
		if f == l {
			return f, nil
		}
		names = append(names, string(f))
	}
	return "", fmt.Errorf("unknown export format %q: use one of %s", s, strings.Join(names, ", "))
}

// Binary reports whether the format's output is not text.
func (f Format) Binary() bool { return f == FormatBPF }

// ExportOptions tune Export.
type ExportOptions struct {
	// Name is metadata.name of the Kubernetes resource (default
	// "seccomp-profile"); it must be a DNS subdomain name.
	Name string
	// Source names the profile in generated comments (a path or
	// preset:NAME).
	Source string
	// Arches, when set, replaces the ABIs the profile resolves to.
	Arches []catalog.Arch
	// Wrap puts the OCI object inside {"linux":{"seccomp":...}}, ready to
	// merge into a config.json.
	Wrap bool
	// K8sAPI is the SeccompProfile API version (v1 when empty).
	K8sAPI string
	// Thread names the Firecracker filter (DefaultFirecrackerThread when
	// empty).
	Thread string
}

// DefaultK8sName is metadata.name when ExportOptions.Name is empty.
const DefaultK8sName = "seccomp-profile"

// Compiled on first use: the shim and every command link this package.
var dnsSubdomainRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
})

// ValidK8sName checks a Kubernetes object name (RFC 1123 subdomain).
func ValidK8sName(n string) error {
	if len(n) > 253 || !dnsSubdomainRE().MatchString(n) {
		return fmt.Errorf("%q is not a valid Kubernetes name: use lower-case letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters", n)
	}
	return nil
}

// K8sName turns a file or preset name into a valid Kubernetes name
// ("My_Profile.json" → "my-profile"); "" when nothing usable is left.
func K8sName(s string) string {
	s = strings.TrimPrefix(s, profile.PresetPrefix)
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		s = s[i+1:]
	}
	s = strings.TrimSuffix(strings.ToLower(s), ".json")
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	var segs []string
	for _, seg := range strings.Split(b.String(), ".") {
		for strings.Contains(seg, "--") {
			seg = strings.ReplaceAll(seg, "--", "-")
		}
		if seg = strings.Trim(seg, "-"); seg != "" {
			segs = append(segs, seg)
		}
	}
	out := strings.Join(segs, ".")
	if len(out) > 253 {
		out = strings.Trim(out[:253], "-.")
	}
	if ValidK8sName(out) != nil {
		return ""
	}
	return out
}

// Export renders p for one consumer. The notes say what the target cannot
// express and what the output does instead; they are empty when the
// export means exactly what the profile means. Every format that carries
// a compiled program (bpf, pfc, asm) compiles with Build, so a filter
// that does not do what the profile says (libseccomp's 64-bit comparison
// bug) is refused, never exported.
func Export(p *profile.Profile, env profile.Env, f Format, o ExportOptions) ([]byte, []string, error) {
	if p == nil {
		return nil, nil, fmt.Errorf("export: no profile")
	}
	if f == FormatDocker {
		b, err := profile.Marshal(p)
		if err != nil {
			return nil, nil, err
		}
		e, _ := exportEffective(p, env, o)
		return append(b, '\n'), runtimeNotes(e), nil
	}
	if _, err := ParseFormat(string(f)); err != nil {
		return nil, nil, err
	}
	e, notes := exportEffective(p, env, o)
	notes = append([]string{"resolved for " + env.String()}, notes...)
	var out []byte
	var more []string
	var err error
	switch f {
	case FormatOCI:
		out, more, err = exportOCI(e, o)
	case FormatK8sLocalhost:
		out, more, err = exportLocalhost(e)
	case FormatK8s:
		out, more, err = exportK8s(e, o)
	case FormatSystemd:
		out, more, err = exportSystemd(e, o, notes)
	case FormatBPF, FormatPFC, FormatAsm:
		out, more, err = exportProgram(e, f, o)
	case FormatFirecracker:
		out, more, err = exportFirecracker(e, o)
	case FormatMinijail:
		out, more, err = exportMinijail(e, o)
	}
	if err != nil {
		return nil, nil, err
	}
	notes = append(notes, more...)
	if f == FormatOCI || f == FormatK8s || f == FormatK8sLocalhost {
		notes = append(notes, runtimeNotes(e)...)
	}
	return out, notes, nil
}

// runtimeNotes says, per name, what a container runtime built on the
// linked libseccomp does differently with the formats it reads (the
// programs the workbench compiles itself, and systemd, are not runc).
func runtimeNotes(e *profile.Effective) []string {
	var out []string
	for _, d := range e.RuntimeDrops() {
		out = append(out, d.Name+": "+d.String())
	}
	return out
}

// exportEffective resolves p for env and applies the arch override.
func exportEffective(p *profile.Profile, env profile.Env, o ExportOptions) (*profile.Effective, []string) {
	e := p.Effective(env)
	var notes []string
	if len(o.Arches) > 0 {
		e.Arches, e.Unsupported = profile.HostFirst(o.Arches, env.Host), nil
	}
	for _, u := range e.Unsupported {
		notes = append(notes, fmt.Sprintf("architecture %s: the workbench has no syscall table for it; left out", u))
	}
	return e, notes
}

// ruleErrno is the errnoRet to write for an effective rule: explicit for
// errno actions (so every consumer returns the same errno whatever its
// own fallback), and kept as loaded for trace.
func ruleErrno(e *profile.Effective, r profile.EffRule) *uint {
	switch r.Action.Canon() {
	case profile.ActErrno:
		return uintp(r.Errno)
	case profile.ActTrace:
		if src := e.Source.Syscalls[r.Index]; src.ErrnoRet != nil {
			return uintp(*src.ErrnoRet)
		}
	}
	return nil
}

func defaultErrno(e *profile.Effective) *uint {
	if e.DefaultAction.Canon() == profile.ActErrno || e.Source.DefaultErrnoRet != nil {
		return uintp(e.DefaultErrno)
	}
	return nil
}

func uintp(v uint) *uint { return &v }
