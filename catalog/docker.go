package catalog

import (
	"slices"
	"sort"
	"strings"

	mobyseccomp "github.com/moby/profiles/seccomp"
	"github.com/opencontainers/runtime-spec/specs-go"
)

// applyDocker fills each entry's Docker verdict from moby's default profile
// as compiled into this binary. A call is "allow" when some rule allows it
// unconditionally, "conditional" when it is only allowed under a
// capability, an arch, a minimum kernel or an argument match, and "deny"
// otherwise (the profile's default errno).
func (c *Catalog) applyDocker() {
	type acc struct {
		named bool // some allow rule names the call
		allow bool
		conds []string
		caps  []string
	}
	// seen is by entry: a name the catalog lacks has no verdict to fill.
	seen := make([]acc, len(c.entries))
	for _, r := range mobyseccomp.DefaultProfile().Syscalls {
		if r.Action != specs.ActAllow {
			continue
		}
		names := r.Names
		if r.Name != "" {
			names = append(slices.Clip(names), r.Name)
		}
		cond, caps := describeFilter(r)
		for _, n := range names {
			i, ok := c.index(n)
			if !ok {
				continue
			}
			a := &seen[i]
			a.named = true
			if cond == "" {
				a.allow = true
				continue
			}
			if !slices.Contains(a.conds, cond) {
				a.conds = append(a.conds, cond)
			}
			for _, cp := range caps {
				if !slices.Contains(a.caps, cp) {
					a.caps = append(a.caps, cp)
				}
			}
		}
	}
	for i, e := range c.entries {
		a := &seen[i]
		switch {
		case !a.named:
			e.Docker = DockerDeny
		case a.allow:
			e.Docker = DockerAllow
		default:
			e.Docker = DockerConditional
			e.DockerWhy = "allowed " + strings.Join(a.conds, "; or ")
			sort.Strings(a.caps)
			e.Capability = strings.Join(a.caps, ",")
		}
	}
}

// describeFilter renders the conditions of an allow rule in words; "" means
// the rule applies everywhere.
func describeFilter(r *mobyseccomp.Syscall) (string, []string) {
	var parts, caps []string
	if f := r.Includes; f != nil {
		if len(f.Caps) > 0 {
			parts = append(parts, "with "+strings.Join(f.Caps, "+"))
			caps = append(caps, f.Caps...)
		}
		if len(f.Arches) > 0 {
			parts = append(parts, "on "+strings.Join(f.Arches, ","))
		}
		if f.MinKernel != nil {
			parts = append(parts, "from kernel "+f.MinKernel.String())
		}
	}
	if f := r.Excludes; f != nil {
		if len(f.Caps) > 0 {
			parts = append(parts, "without "+strings.Join(f.Caps, ","))
		}
		if len(f.Arches) > 0 {
			parts = append(parts, "except on "+strings.Join(f.Arches, ","))
		}
		if f.MinKernel != nil {
			parts = append(parts, "before kernel "+f.MinKernel.String())
		}
	}
	if len(r.Args) > 0 {
		parts = append(parts, "for some argument values")
	}
	return strings.Join(parts, " "), caps
}
