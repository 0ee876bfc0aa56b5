package source

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// A systemd unit or drop-in, read as systemd's own parser reads the
// seccomp directives (config_parse_syscall_filter and
// seccomp_parse_syscall_filter in systemd's sources):
//
//   - SystemCallFilter= lines combine into one set. The first line after
//     the start (or after an empty assignment, which resets everything)
//     decides the mode: without '~' an allow-list, which also allows the
//     @default group; with '~' a deny-list. A later line of the same kind
//     adds its entries, a line of the other kind removes them — except
//     that '~name:errno' in an allow-list makes that call fail with errno.
//     ':errno' on an allowed entry is refused. ':kill' kills.
//   - SystemCallErrorNumber= is what a call outside an allow-list (or a
//     deny-listed call without ':errno') gets; without it, or "kill", the
//     process is killed.
//   - SystemCallLog= is a second set combined the same way, without
//     @default; its filter is stacked on the first, so a call both allowed
//     and logged is logged, and a denial stays a denial.
//   - SystemCallArchitectures= lists the ABIs a call may come from; the
//     native one is always kept, and "native" names it. Without it systemd
//     filters every ABI this machine's kernel runs.
//
// Names and group members the linked libseccomp does not know are
// skipped by systemd, and so here, with a warning for names written out.

// sdExecSections are the sections whose directives configure a process.
var sdExecSections = map[string]bool{"Service": true, "Socket": true, "Mount": true, "Swap": true}

// sdArgDirectives are the directives whose filters the import carries
// into the profile as argument rules (systemd_args.go in profile/export
// says what each fails).
var sdArgDirectives = map[string]bool{
	"RestrictAddressFamilies": true, "RestrictNamespaces": true, "LockPersonality": true, "MemoryDenyWriteExecute": true,
}

// sdOther are the other seccomp-based directives, which the profile does
// not carry: each installs a filter of its own next to SystemCallFilter=.
var sdOther = map[string]string{
	"RestrictRealtime":      "realtime scheduling",
	"RestrictSUIDSGID":      "set-user-ID and set-group-ID files",
	"ProtectClock":          "clock changes",
	"ProtectKernelModules":  "module loading",
	"ProtectKernelLogs":     "the kernel log",
	"ProtectKernelTunables": "/proc/sys writes",
	"ProtectHostname":       "hostname changes",
	"PrivateDevices":        "raw I/O",
}

// sdLine is one directive's value and where it starts.
type sdLine struct {
	key, val  string
	line, col int
}

var sdSectionRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\[([A-Za-z][A-Za-z0-9_-]*)\]$`) })

// looksSystemd names what makes data look like a unit file ("" if
// nothing): a [Section] line or a SystemCall*= directive.
func looksSystemd(data []byte) string {
	for _, l := range strings.Split(string(data), "\n") {
		l = strings.TrimSpace(l)
		if m := sdSectionRE().FindStringSubmatch(l); m != nil {
			return "[" + m[1] + "]"
		}
		if k, _, ok := strings.Cut(l, "="); ok && strings.HasPrefix(k, "SystemCall") {
			return k + "="
		}
	}
	return ""
}

var yamlKeyRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(apiVersion|kind|metadata|spec):`) })

// looksYAML names what makes data look like a Kubernetes YAML document.
func looksYAML(data []byte) string {
	for _, l := range strings.Split(string(data), "\n") {
		if m := yamlKeyRE().FindStringSubmatch(l); m != nil {
			return m[1] + ":"
		}
	}
	return ""
}

// sdDirectives reads the unit's lines: comments, sections, continuation
// lines ending in '\'.
func sdDirectives(name string, data []byte) ([]sdLine, []string, error) {
	var out []sdLine
	var ignored []string
	section := ""
	lines := strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		start := i
		raw := lines[i]
		for strings.HasSuffix(raw, "\\") && i+1 < len(lines) {
			i++
			raw = strings.TrimSuffix(raw, "\\") + " " + lines[i]
		}
		l := strings.TrimSpace(raw)
		if l == "" || l[0] == '#' || l[0] == ';' {
			continue
		}
		if m := sdSectionRE().FindStringSubmatch(l); m != nil {
			section = m[1]
			continue
		}
		k, v, ok := strings.Cut(l, "=")
		if !ok {
			return nil, nil, fmt.Errorf("%s:%d:1: %q is neither a [Section] nor a Key=value line", name, start+1, l)
		}
		k = strings.TrimSpace(k)
		col := strings.Index(raw, "=") + 2
		for col-1 < len(raw) && (raw[col-1] == ' ' || raw[col-1] == '\t') {
			col++
		}
		if section != "" && !sdExecSections[section] {
			continue
		}
		if strings.HasPrefix(k, "SystemCall") || sdArgDirectives[k] {
			out = append(out, sdLine{k, strings.TrimSpace(v), start + 1, col})
			continue
		}
		if what, ok := sdOther[k]; ok && sdEnables(strings.TrimSpace(v)) {
			ignored = append(ignored, fmt.Sprintf("%s:%d: %s=%s restricts %s with a filter of its own, which the profile does not include", name, start+1, k, strings.TrimSpace(v), what))
		}
	}
	return out, ignored, nil
}

// sdEnables: the value turns the protection on (a boolean yes, or a list).
func sdEnables(v string) bool {
	switch strings.ToLower(v) {
	case "", "no", "false", "off", "0":
		return false
	}
	return true
}

// sdSet is one SystemCallFilter= or SystemCallLog= set as systemd builds
// it: mode and name → errno (-1 none, -2 kill).
type sdSet struct {
	used, allow bool
	m           map[string]int
}

const (
	sdNoErrno = -1
	sdKill    = -2
)

func (s *sdSet) apply(name string, l sdLine, withDefault bool, o *Opened) error {
	if l.val == "" {
		*s = sdSet{}
		return nil
	}
	invert := strings.HasPrefix(l.val, "~")
	val := strings.TrimPrefix(l.val, "~")
	if !s.used {
		s.used, s.allow, s.m = true, !invert, map[string]int{}
		if s.allow && withDefault {
			for _, n := range expandKnown("@default") {
				s.m[n] = sdNoErrno
			}
		}
	}
	cat := catalog.MustDefault()
	col := l.col
	if invert {
		col++
	}
	for _, word := range strings.Fields(val) {
		at := fmt.Sprintf("%s:%d:%d", name, l.line, col+strings.Index(val, word))
		word = strings.Trim(word, `"'`)
		call, errS, hasErrno := strings.Cut(word, ":")
		errno := sdNoErrno
		if hasErrno {
			if !withDefault {
				return fmt.Errorf("%s: %s: SystemCallLog= takes no errno", at, word)
			}
			if errS == "kill" {
				errno = sdKill
			} else {
				n, err := profile.ParseErrno(errS)
				if err != nil {
					return fmt.Errorf("%s: %s: %v", at, word, err)
				}
				errno = int(n)
			}
			if !invert {
				return fmt.Errorf("%s: %s: an errno on an allowed call means nothing, and systemd refuses the line: drop ':%s' or write it in a '~' line", at, word, errS)
			}
		}
		var names []string
		if strings.HasPrefix(call, "@") {
			if _, ok := cat.SystemdGroups()[call]; !ok {
				return fmt.Errorf("%s: unknown system call group %s: see 'systemd-analyze syscall-filter' for the groups", at, call)
			}
			names = expandKnown(call)
		} else {
			ent, ok := cat.Lookup(call)
			switch {
			case !ok:
				o.warnf("%s: unknown system call %s: systemd ignores it", at, call)
				continue
			case !ent.Libseccomp:
				o.warnf("%s: libseccomp %s does not know %s, so systemd ignores it", at, cat.LibseccompVersion, call)
				continue
			}
			names = []string{call}
		}
		for _, n := range names {
			if invert == !s.allow || (invert && s.allow && errno != sdNoErrno) {
				s.m[n] = errno
			} else {
				delete(s.m, n)
			}
		}
	}
	return nil
}

// expandKnown is a group's members that the linked libseccomp knows (the
// others systemd skips without a word).
func expandKnown(group string) []string {
	cat := catalog.MustDefault()
	var out []string
	for _, n := range cat.ExpandSystemdGroup(group) {
		if ent, ok := cat.Lookup(n); ok && ent.Libseccomp {
			out = append(out, n)
		}
	}
	return out
}

func parseSystemd(name string, data []byte) (*Opened, error) {
	lines, ignored, err := sdDirectives(name, data)
	if err != nil {
		return nil, err
	}
	o := &Opened{Warnings: ignored}
	var filter, logSet sdSet
	var extra sdExtra
	var archs []catalog.Arch
	archsSet := false
	errno := sdKill
	for _, l := range lines {
		switch l.key {
		case "SystemCallFilter":
			err = filter.apply(name, l, true, o)
		case "SystemCallLog":
			err = logSet.apply(name, l, false, o)
		case "SystemCallErrorNumber":
			switch l.val {
			case "", "kill":
				errno = sdKill
			default:
				n, perr := profile.ParseErrno(l.val)
				if perr != nil {
					err = fmt.Errorf("%s:%d:%d: SystemCallErrorNumber=%s: %v", name, l.line, l.col, l.val, perr)
				}
				errno = int(n)
			}
		case "SystemCallArchitectures":
			if l.val == "" {
				archs, archsSet = nil, false
				continue
			}
			archsSet = true
			for _, w := range strings.Fields(l.val) {
				a, ok := catalog.ArchFromSystemd(w)
				if w == "native" {
					a, ok = profile.NativeArch(), true
				}
				if !ok {
					return nil, fmt.Errorf("%s:%d:%d: SystemCallArchitectures=: unknown architecture %q: use native or a name such as x86-64, x86, x32, arm64", name, l.line, l.col+strings.Index(l.val, w), w)
				}
				archs = append(archs, a)
			}
		case "RestrictAddressFamilies", "RestrictNamespaces", "LockPersonality", "MemoryDenyWriteExecute":
			err = extra.apply(name, l, o)
		default:
			o.warnf("%s:%d: %s= is not a directive systemd knows: ignored", name, l.line, l.key)
		}
		if err != nil {
			return nil, err
		}
	}
	if !filter.used && !logSet.used {
		return nil, fmt.Errorf("%s: a systemd unit without SystemCallFilter= or SystemCallLog=: it installs no syscall filter, so there is no profile to open", name)
	}
	host := profile.NativeArch()
	if !archsSet {
		archs = host.WithCompanions()
	}
	archs = profile.HostFirst(append([]catalog.Arch{host}, archs...), host)
	p := &profile.Profile{Architectures: catalog.DockerNames(archs), Syscalls: []*profile.Rule{}}
	deny := func(e int) (profile.Action, *uint) {
		if e == sdNoErrno {
			e = errno
		}
		if e == sdKill {
			return profile.ActKillProcess, nil
		}
		u := uint(e)
		return profile.ActErrno, &u
	}
	logged := func(n string) bool {
		if !logSet.used {
			return false
		}
		_, in := logSet.m[n]
		return in == logSet.allow
	}
	// Every name a set mentions, and the default's outcome.
	allowAct := profile.ActAllow
	if logSet.used && !logSet.allow {
		allowAct = profile.ActLog
	}
	rules := map[string]profile.Rule{}
	switch {
	case filter.used && filter.allow:
		a, e := deny(sdNoErrno)
		p.DefaultAction, p.DefaultErrnoRet = a, e
		for n, en := range filter.m {
			switch {
			case en != sdNoErrno:
				a, e := deny(en)
				rules[n] = profile.Rule{Action: a, ErrnoRet: e}
			case logged(n):
				rules[n] = profile.Rule{Action: profile.ActLog}
			default:
				rules[n] = profile.Rule{Action: profile.ActAllow}
			}
		}
	default:
		p.DefaultAction = allowAct
		if filter.used {
			for n, en := range filter.m {
				a, e := deny(en)
				rules[n] = profile.Rule{Action: a, ErrnoRet: e}
			}
		}
		if logSet.used {
			for n := range logSet.m {
				if _, denied := rules[n]; denied {
					continue
				}
				if logSet.allow {
					rules[n] = profile.Rule{Action: profile.ActLog}
				} else {
					rules[n] = profile.Rule{Action: profile.ActAllow}
				}
			}
		}
	}
	def := profile.Decision{Action: p.DefaultAction, Errno: p.DefaultErrno()}
	pre := extra.rules(archs, rules, def, o)
	p.Syscalls = append(pre, groupRules(rules)...)
	o.Profile = p
	return o, validate(name, p, nil)
}

// groupRules turns name → outcome into one rule per outcome, names
// sorted, outcomes in a fixed order.
func groupRules(rules map[string]profile.Rule) []*profile.Rule {
	byKey := map[string]*profile.Rule{}
	for n, r := range rules {
		k := string(r.Action)
		if r.ErrnoRet != nil {
			k += ":" + strconv.FormatUint(uint64(*r.ErrnoRet), 10)
		}
		g, ok := byKey[k]
		if !ok {
			rc := r
			rc.Names = nil
			g = &rc
			byKey[k] = g
		}
		g.Names = append(g.Names, n)
	}
	keys := make([]string, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := []*profile.Rule{}
	for _, k := range keys {
		sort.Strings(byKey[k].Names)
		out = append(out, byKey[k])
	}
	return out
}
