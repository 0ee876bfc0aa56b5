// Package profile is the workbench's model of a seccomp profile: Docker's
// seccomp JSON (the format Podman, containerd, CRI-O and the kubelet read
// too), its validation and lossless codec, atomic save, presets, editing
// with undo, the effective form for one host and its meaning (Decide,
// Treatments), and the table of actions every other package reads.
// Compiling to BPF is profile/compile, the BPF interpreter and
// disassembler profile/cbpf, lint profile/lint, the export formats
// profile/export, the semantic diff of two profiles profile/diff.
package profile

import (
	"encoding/json"
	"slices"
)

// Action is a seccomp action as spelled in profiles (SCMP_ACT_ALLOW ...).
type Action string

// The actions a profile may use. SCMP_ACT_KILL is the historical name of
// kill_thread.
const (
	ActKill        Action = "SCMP_ACT_KILL"
	ActKillProcess Action = "SCMP_ACT_KILL_PROCESS"
	ActKillThread  Action = "SCMP_ACT_KILL_THREAD"
	ActTrap        Action = "SCMP_ACT_TRAP"
	ActErrno       Action = "SCMP_ACT_ERRNO"
	ActTrace       Action = "SCMP_ACT_TRACE"
	ActAllow       Action = "SCMP_ACT_ALLOW"
	ActLog         Action = "SCMP_ACT_LOG"
	ActNotify      Action = "SCMP_ACT_NOTIFY"
)

// Operator is an argument comparison (SCMP_CMP_EQ ...).
type Operator string

const (
	OpNotEqual     Operator = "SCMP_CMP_NE"
	OpLessThan     Operator = "SCMP_CMP_LT"
	OpLessEqual    Operator = "SCMP_CMP_LE"
	OpEqualTo      Operator = "SCMP_CMP_EQ"
	OpGreaterEqual Operator = "SCMP_CMP_GE"
	OpGreaterThan  Operator = "SCMP_CMP_GT"
	OpMaskedEqual  Operator = "SCMP_CMP_MASKED_EQ"
)

// Profile is a whole profile file. Field order matches Docker's own types
// so that a profile in canonical form (json.MarshalIndent with tabs, as
// moby's default.json is written) saves back to the same bytes. Fields the
// workbench does not know are kept in Extra and written back.
type Profile struct {
	DefaultAction   Action `json:"defaultAction"`
	DefaultErrnoRet *uint  `json:"defaultErrnoRet,omitempty"`
	// DefaultErrnoName is Podman's "defaultErrno" (containers-common): a
	// name ("ENOSYS") or a decimal number, which Podman prefers to
	// defaultErrnoRet. Docker and runc do not read it.
	DefaultErrnoName string         `json:"defaultErrno,omitempty"`
	Architectures    []string       `json:"architectures,omitempty"`
	Flags            []string       `json:"flags,omitempty"`
	ListenerPath     string         `json:"listenerPath,omitempty"`
	ListenerMetadata string         `json:"listenerMetadata,omitempty"`
	ArchMap          []Architecture `json:"archMap,omitempty"`
	Syscalls         []*Rule        `json:"syscalls"`

	Extra map[string]json.RawMessage `json:"-"`
}

// Architecture is an archMap entry: a host arch and the ABIs that come
// with it.
type Architecture struct {
	Arch      string   `json:"architecture"`
	SubArches []string `json:"subArchitectures"`

	Extra map[string]json.RawMessage `json:"-"`
}

// Rule is one entry of "syscalls": the names it applies to, the action,
// argument conditions and Docker's includes/excludes filters.
type Rule struct {
	// Names is omitted only from a legacy single-name rule, which keeps
	// its form (validation requires one of the two).
	Names    []string `json:"names,omitempty"`
	Action   Action   `json:"action"`
	ErrnoRet *uint    `json:"errnoRet,omitempty"`
	Args     []*Arg   `json:"args,omitempty"`
	// Name is the legacy single-name form, kept as loaded.
	Name     string  `json:"name,omitempty"`
	Comment  string  `json:"comment,omitempty"`
	Includes *Filter `json:"includes,omitempty"`
	Excludes *Filter `json:"excludes,omitempty"`
	// ErrnoName is Podman's "errno": a name or a decimal number,
	// preferred to errnoRet there (see Profile.DefaultErrnoName).
	ErrnoName string `json:"errno,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
}

// Arg is an argument condition.
type Arg struct {
	Index    uint     `json:"index"`
	Value    uint64   `json:"value"`
	ValueTwo uint64   `json:"valueTwo,omitempty"`
	Op       Operator `json:"op"`

	Extra map[string]json.RawMessage `json:"-"`
}

// Filter is Docker's includes/excludes: capabilities, host arches
// (libseccomp names: amd64, arm64 ...) and a minimum kernel "X.Y".
type Filter struct {
	Caps      []string `json:"caps,omitempty"`
	Arches    []string `json:"arches,omitempty"`
	MinKernel string   `json:"minKernel,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
}

// Empty reports whether f filters nothing.
func (f *Filter) Empty() bool {
	return f == nil || (len(f.Caps) == 0 && len(f.Arches) == 0 && f.MinKernel == "")
}

// AllNames returns the rule's names including the legacy name.
func (r *Rule) AllNames() []string {
	if r.Name != "" {
		return append([]string{r.Name}, r.Names...)
	}
	return r.Names
}

// Errno returns the errno a rule answers with. Like runc, an errno (or
// trace) rule without errnoRet means EPERM — not defaultErrnoRet, which
// only applies to the default action. Podman's "errno" (a name or a
// number) wins over errnoRet, as containers-common reads it.
func (p *Profile) Errno(r *Rule) uint {
	if r == nil {
		return 1
	}
	if n, ok := PodmanErrno(r.ErrnoName); ok {
		return n
	}
	if r.ErrnoRet != nil {
		return *r.ErrnoRet
	}
	return 1
}

// DefaultErrno is Podman's defaultErrno when set, else defaultErrnoRet,
// else EPERM (1).
func (p *Profile) DefaultErrno() uint {
	if n, ok := PodmanErrno(p.DefaultErrnoName); ok {
		return n
	}
	if p.DefaultErrnoRet != nil {
		return *p.DefaultErrnoRet
	}
	return 1
}

// Clone returns a deep copy.
func (p *Profile) Clone() *Profile {
	q := *p
	q.DefaultErrnoRet = cloneUint(p.DefaultErrnoRet)
	q.Architectures = slices.Clone(p.Architectures)
	q.Flags = slices.Clone(p.Flags)
	q.Extra = cloneExtra(p.Extra)
	if p.ArchMap != nil {
		q.ArchMap = make([]Architecture, len(p.ArchMap))
		for i, a := range p.ArchMap {
			a.SubArches = slices.Clone(a.SubArches)
			a.Extra = cloneExtra(a.Extra)
			q.ArchMap[i] = a
		}
	}
	if p.Syscalls != nil {
		q.Syscalls = make([]*Rule, len(p.Syscalls))
		for i, r := range p.Syscalls {
			q.Syscalls[i] = r.clone()
		}
	}
	return &q
}

func (r *Rule) clone() *Rule {
	if r == nil {
		return nil
	}
	c := *r
	c.Names = slices.Clone(r.Names)
	c.ErrnoRet = cloneUint(r.ErrnoRet)
	c.Includes, c.Excludes = r.Includes.clone(), r.Excludes.clone()
	c.Extra = cloneExtra(r.Extra)
	if r.Args != nil {
		c.Args = make([]*Arg, len(r.Args))
		for i, a := range r.Args {
			if a != nil {
				ac := *a
				ac.Extra = cloneExtra(a.Extra)
				c.Args[i] = &ac
			}
		}
	}
	return &c
}

func (f *Filter) clone() *Filter {
	if f == nil {
		return nil
	}
	c := *f
	c.Caps, c.Arches = slices.Clone(f.Caps), slices.Clone(f.Arches)
	c.Extra = cloneExtra(f.Extra)
	return &c
}

func cloneUint(v *uint) *uint {
	if v == nil {
		return nil
	}
	return uintp(*v)
}

func cloneExtra(m map[string]json.RawMessage) map[string]json.RawMessage {
	if m == nil {
		return nil
	}
	c := make(map[string]json.RawMessage, len(m))
	for k, v := range m {
		c[k] = slices.Clone(v)
	}
	return c
}

func uintp(v uint) *uint { return &v }
