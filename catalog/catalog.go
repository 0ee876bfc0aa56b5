// Package catalog is the workbench's embedded knowledge of Linux syscalls:
// numbers on every supported ABI, what each call does, how risky it is to
// allow in a sandbox, which calls do the same job, systemd's groups and
// Docker's default verdict.
//
// # Risk rubric
//
// Every call has exactly one tier, judged as "what can a process do with
// this call alone if the filter allows it":
//
//   - critical: by itself can compromise the kernel or the host, or escape a
//     container: loading modules, kexec, bpf, the mount API, entering or
//     creating namespaces, keyrings, userfaultfd, io_uring (its submitted
//     operations never pass through seccomp), open_by_handle_at, ptrace,
//     process_vm_writev, perf_event_open.
//   - high: host-wide or privileged side effects, or a common exploitation
//     aid: setting the clock or hostname, syslog, chroot, personality,
//     reading another process's memory, credential changes.
//   - medium: a real capability that a sandbox often wants to deny: network
//     sockets, creating processes, exec, changing permissions or ownership,
//     signalling other processes, creating links and device nodes.
//   - low: self-contained, with no effect outside the calling process.
//
// # Sources
//
// data/numbers.json is generated (go generate) from the installed
// libseccomp's tables plus data/overlay.tsv, which holds the calls Linux
// added after that table; data/systemd.json from systemd-analyze. The
// data files are the source of truth; internal/gentables turns them into
// tables_gen.go, from which the catalog is built without parsing JSON. The
// descriptions, rationales, categories and tiers in data/syscalls, and the
// risky arguments of data/riskyargs.json (which argument of socket, clone,
// ioctl ... decides what the call can do, and the names of its values,
// which are Linux's uapi constants), are the project's own writing. Docker's verdict is computed at load time from
// github.com/moby/profiles/seccomp, never copied.
package catalog

//go:generate go run ./internal/gen data
//go:generate go run ./internal/gentables/main.go

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Risk is a risk tier.
type Risk string

const (
	Critical Risk = "critical"
	High     Risk = "high"
	Medium   Risk = "medium"
	Low      Risk = "low"
)

// Risks lists the tiers from most to least dangerous.
func Risks() []Risk { return []Risk{Critical, High, Medium, Low} }

// Rank orders tiers: critical is 0, low is 3, unknown is 4.
func (r Risk) Rank() int {
	for i, x := range Risks() {
		if x == r {
			return i
		}
	}
	return len(Risks())
}

// ParseRisk accepts a tier name.
func ParseRisk(s string) (Risk, error) {
	r := Risk(strings.ToLower(strings.TrimSpace(s)))
	if r.Rank() < len(Risks()) {
		return r, nil
	}
	return "", fmt.Errorf("unknown risk %q: use one of critical, high, medium, low", s)
}

// Category is the kind of work a call does.
type Category string

var categories = []Category{
	"file", "directory", "metadata", "process", "thread", "memory", "signal",
	"time", "network", "ipc", "credentials", "scheduling", "system",
	"modules-boot", "namespaces-mounts", "tracing", "keys", "async-io",
	"obsolete", "arch-specific",
}

// Categories lists every category in display order.
func Categories() []Category { return append([]Category(nil), categories...) }

// ParseCategory accepts a category name or a unique prefix of one.
func ParseCategory(s string) (Category, error) {
	l := strings.ToLower(strings.TrimSpace(s))
	var hits []Category
	for _, c := range categories {
		if string(c) == l {
			return c, nil
		}
		if l != "" && strings.HasPrefix(string(c), l) {
			hits = append(hits, c)
		}
	}
	if len(hits) == 1 {
		return hits[0], nil
	}
	names := make([]string, len(categories))
	for i, c := range categories {
		names[i] = string(c)
	}
	return "", fmt.Errorf("unknown category %q: use one of %s", s, strings.Join(names, ", "))
}

// DockerVerdict is what Docker's default profile does with a call.
type DockerVerdict string

const (
	DockerAllow       DockerVerdict = "allow"
	DockerDeny        DockerVerdict = "deny"
	DockerConditional DockerVerdict = "conditional"
)

// Entry is everything the catalog knows about one syscall name. Its JSON
// form is part of the CLI contract (catalog --json).
type Entry struct {
	Name          string        `json:"name"`
	Risk          Risk          `json:"risk"`
	Category      Category      `json:"category"`
	Description   string        `json:"description"`
	Rationale     string        `json:"rationale"`
	Family        []string      `json:"family"`
	Numbers       Numbers       `json:"numbers"`
	Since         string        `json:"since"`
	SystemdGroups []string      `json:"systemd_groups"`
	Docker        DockerVerdict `json:"docker"`
	// DockerWhy says what the condition is when Docker is "conditional".
	DockerWhy  string `json:"docker_condition,omitempty"`
	Capability string `json:"capability"`
	Man        string `json:"man"`
	Libseccomp bool   `json:"libseccomp"`
	// FamilyID names the family ("open", "stat" ...); "" when alone.
	FamilyID string `json:"family_id,omitempty"`
	// Args are the arguments as the kernel declares them (Params); nil
	// when the catalog has no signature for the call, empty for a call
	// declared without arguments.
	Args []Param `json:"args,omitempty"`
	// RiskyArgs are the arguments that decide how much the call can do
	// (data/riskyargs.json); nil for most calls.
	RiskyArgs []RiskyArg `json:"risky_args,omitempty"`
}

// Number returns the call's number on arch; ok is false where the arch
// lacks the call.
func (e *Entry) Number(a Arch) (int64, bool) { return e.Numbers.Get(a) }

// SystemdGroup is one of systemd's named syscall sets.
type SystemdGroup struct {
	Name        string
	Description string
	// Members are direct members: syscall names and nested @groups.
	Members []string
}

// Catalog is the loaded, immutable knowledge base.
type Catalog struct {
	entries []*Entry // sorted by name, as tablesSyscalls
	// names are the entries' names, in the same order: Lookup searches
	// them, and so does fuzzy search.
	names    []string
	families map[string][]string
	groups   map[string]*SystemdGroup
	// LibseccompVersion is the libseccomp whose tables made numbers.json.
	LibseccompVersion string
	// SystemdVersion is the systemd whose groups made systemd.json.
	SystemdVersion string
}

var loadOnce = sync.OnceValues(func() (*Catalog, error) { return load() })

// Default returns the embedded catalog, built once. It never changes.
func Default() (*Catalog, error) { return loadOnce() }

// MustDefault is Default for callers that cannot continue without the
// catalog; the embedded data is validated by the package tests.
func MustDefault() *Catalog {
	c, err := Default()
	if err != nil {
		panic("catalog: embedded data is broken: " + err.Error())
	}
	return c
}

type knowledge struct {
	Name        string   `json:"name"`
	Category    Category `json:"category"`
	Risk        Risk     `json:"risk"`
	Since       string   `json:"since"`
	Man         string   `json:"man"`
	Description string   `json:"description"`
	Rationale   string   `json:"rationale"`
}

// noGroups is the SystemdGroups of the calls in none (an empty list in
// JSON, not null).
var noGroups = []string{}

func load() (*Catalog, error) {
	rows := tablesSyscalls
	c := &Catalog{
		entries:           make([]*Entry, len(rows)),
		names:             make([]string, len(rows)),
		families:          make(map[string][]string, len(tablesFamilies)),
		groups:            make(map[string]*SystemdGroup, len(tablesGroups)),
		LibseccompVersion: tablesLibseccomp,
		SystemdVersion:    tablesSystemd,
	}
	var err error
	entries := make([]Entry, len(rows))
	for i := range rows {
		r := &rows[i]
		k := &r.k
		if i > 0 && rows[i-1].k.Name >= k.Name {
			return nil, fmt.Errorf("catalog: tables_gen.go is out of order at %q: run go generate ./catalog", k.Name)
		}
		e := &entries[i]
		*e = Entry{
			Name: k.Name, Risk: k.Risk, Category: k.Category,
			Description: k.Description, Rationale: k.Rationale,
			Since: k.Since, Man: k.Man, Libseccomp: r.libseccomp,
			Numbers: Numbers{&r.numbers}, SystemdGroups: noGroups,
		}
		if r.params >= 0 {
			if e.Args, err = items(tablesParams, tableSet{k.Name, "", r.params, r.nparams}); err != nil {
				return nil, err
			}
			if e.Args == nil {
				e.Args = []Param{}
			}
		}
		c.entries[i] = e
		c.names[i] = k.Name
	}
	for _, f := range tablesFamilies {
		ms, err := items(tablesMembers, f)
		if err != nil {
			return nil, err
		}
		c.families[f.name] = ms
		for _, m := range ms {
			e, ok := c.Lookup(m)
			if !ok {
				return nil, fmt.Errorf("catalog: family %q lists unknown syscall %q: run go generate ./catalog", f.name, m)
			}
			e.FamilyID = f.name
			e.Family = ms
		}
	}
	for i, e := range c.entries {
		if e.Family == nil {
			e.Family = c.names[i : i+1 : i+1]
		}
	}
	if err := c.applyGroups(); err != nil {
		return nil, err
	}
	risky, err := loadRisky()
	if err != nil {
		return nil, err
	}
	for _, e := range c.entries {
		for _, a := range risky.byNam[e.Name] {
			if a.Index < len(e.Args) {
				a.Narrow = narrowType(e.Args[a.Index].Type)
			}
			e.RiskyArgs = append(e.RiskyArgs, a)
		}
	}
	c.applyDocker()
	return c, nil
}

// applyGroups fills the groups and each entry's SystemdGroups: the groups
// are in name order, so each entry's list comes out sorted. The lists
// share one array, each capped at its end.
func (c *Catalog) applyGroups() error {
	// at[i] is the entry of member i of tablesMembers, -1 for a nested
	// @group or a name the catalog lacks.
	at := make([]int, len(tablesMembers))
	count := make([]int, len(c.entries))
	total := 0
	for _, g := range tablesGroups {
		ms, err := items(tablesMembers, g)
		if err != nil {
			return err
		}
		c.groups[g.name] = &SystemdGroup{Name: g.name, Description: g.description, Members: ms}
		for j, m := range ms {
			i, ok := c.index(m)
			if !ok {
				i = -1
			} else {
				count[i]++
				total++
			}
			at[g.first+j] = i
		}
	}
	all := make([]string, 0, total)
	for i, n := range count {
		if n > 0 {
			c.entries[i].SystemdGroups = all[len(all) : len(all) : len(all)+n]
			all = all[:len(all)+n]
		}
	}
	for _, g := range tablesGroups {
		for _, i := range at[g.first : g.first+g.n] {
			if i >= 0 {
				e := c.entries[i]
				e.SystemdGroups = append(e.SystemdGroups, g.name)
			}
		}
	}
	return nil
}

// index is the position of the call named name in entries.
func (c *Catalog) index(name string) (int, bool) {
	i := tablesIndex(name)
	return i, i >= 0
}

// All returns every entry sorted by name. The slice is a copy; the entries
// are shared and must not be modified.
func (c *Catalog) All() []*Entry { return append([]*Entry(nil), c.entries...) }

// Len is the number of syscall names.
func (c *Catalog) Len() int { return len(c.entries) }

// Lookup finds an entry by exact name.
func (c *Catalog) Lookup(name string) (*Entry, bool) {
	if i, ok := c.index(name); ok {
		return c.entries[i], true
	}
	return nil, false
}

// ByNumber finds the call with number nr on arch (for x32, nr includes
// the x32 bit, as in seccomp_data).
func (c *Catalog) ByNumber(a Arch, nr int64) (*Entry, bool) {
	col := tablesColumn(a)
	if col < 0 {
		return nil, false
	}
	if i, ok := tablesNumbered[col].find(nr); ok {
		return c.entries[i], true
	}
	return nil, false
}

// Name returns the name of nr on arch, or "syscall_<nr>" when unknown.
func (c *Catalog) Name(a Arch, nr int64) string { return CallName(a, nr) }

// CallName is Catalog.Name without the catalog: read from the generated
// tables.
func CallName(a Arch, nr int64) string {
	if n, ok := NameOf(a, nr); ok {
		return n
	}
	return "syscall_" + strconv.FormatInt(nr, 10)
}

// Families returns the family ids and their members.
func (c *Catalog) Families() map[string][]string {
	out := make(map[string][]string, len(c.families))
	for k, v := range c.families {
		out[k] = append([]string(nil), v...)
	}
	return out
}

// SystemdGroups returns systemd's groups by name ("@file-system").
func (c *Catalog) SystemdGroups() map[string]*SystemdGroup {
	out := make(map[string]*SystemdGroup, len(c.groups))
	for k, v := range c.groups {
		out[k] = v
	}
	return out
}

// ExpandSystemdGroup returns the syscall names of a group with nested
// groups resolved.
func (c *Catalog) ExpandSystemdGroup(name string) []string {
	seen := map[string]bool{}
	var out []string
	var walk func(string)
	walk = func(g string) {
		if seen[g] {
			return
		}
		seen[g] = true
		grp, ok := c.groups[g]
		if !ok {
			return
		}
		for _, m := range grp.Members {
			if strings.HasPrefix(m, "@") {
				walk(m)
			} else if !seen[m] {
				seen[m] = true
				out = append(out, m)
			}
		}
	}
	walk(name)
	sort.Strings(out)
	return out
}
