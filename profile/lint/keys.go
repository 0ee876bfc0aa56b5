package lint

import (
	"fmt"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// keyEffects says what ignoring a misspelt key does, by the key it most
// likely stands for.
var keyEffects = map[string]string{
	"args":            "the rule has no conditions, so it applies whatever the arguments",
	"names":           "the rule names no syscall",
	"action":          "the rule has no action",
	"errnoRet":        "the rule's errno is EPERM",
	"defaultErrnoRet": "the default errno is EPERM",
	"defaultAction":   "the profile has no default action",
	"includes":        "the rule applies on every host",
	"excludes":        "the rule applies on every host",
	"architectures":   "the filter covers the host's ABI only",
	"index":           "the condition tests argument 0",
	"value":           "the condition compares with 0",
	"valueTwo":        "the condition's second value is 0",
	"op":              "the condition has no operator",
}

// unknownKeys reports every key of the file that the workbench, Docker,
// runc and Podman do not read, at any level: a misspelt "args" silently
// makes a conditional rule unconditional. The key stays in the file.
func (l *linter) unknownKeys() {
	for _, u := range l.e.Source.UnknownKeys() {
		// The finding's subject is the rule (or the profile); say where
		// inside it.
		in := ""
		if rest := u.Path[min(len(u.Path), 2):]; u.Rule >= 0 && len(rest) > 0 {
			in = " in " + profile.UnknownKey{Path: rest}.Where()
		} else if u.Rule < 0 && len(u.Path) > 0 {
			in = " in " + u.Where()
		}
		msg := fmt.Sprintf("key %q%s is read by neither Docker, runc nor Podman", u.Key, in)
		hint := fmt.Sprintf("remove %q, or move what it says into a \"comment\"", u.Key)
		if u.Guess != "" {
			if eff, ok := keyEffects[u.Guess]; ok && l.lacks(u, u.Guess) {
				msg += ": " + eff
			}
			hint = fmt.Sprintf("did you mean %q?", u.Guess)
		}
		l.add(SevWarning, "unknown-key", u.Rule, "", msg, hint)
	}
}

// errnoNames: Podman's containers-common prefers its own "defaultErrno"
// and "errno" (names or numbers) to defaultErrnoRet and errnoRet, which
// are all Docker and runc read. Where only the name is given, or the two
// disagree, the same file answers differently under Podman and Docker.
// The workbench reads it as Podman does.
func (l *linter) errnoNames() {
	p := l.e.Source
	check := func(rule int, where, name string, ret *uint, retKey string) {
		n, ok := profile.PodmanErrno(name)
		if !ok {
			return
		}
		docker := uint(1)
		if ret != nil {
			docker = *ret
		}
		if ret != nil && docker == n {
			return
		}
		how := fmt.Sprintf("there is no %s, which is all Docker and runc read", retKey)
		if ret != nil {
			how = fmt.Sprintf("%s is %d, which is what Docker and runc read", retKey, docker)
		}
		l.add(SevWarning, "errno-name", rule, "",
			fmt.Sprintf("%s is %q, and %s: Podman answers %s, Docker and runc %s", where, name, how, profile.ErrnoName(n), profile.ErrnoName(docker)),
			fmt.Sprintf(`set "%s": %d so that every runtime answers %s`, retKey, n, profile.ErrnoName(n)))
	}
	check(-1, "defaultErrno", p.DefaultErrnoName, p.DefaultErrnoRet, "defaultErrnoRet")
	for i, r := range p.Syscalls {
		if r != nil {
			check(i, "errno", r.ErrnoName, r.ErrnoRet, "errnoRet")
		}
	}
}

// lacks reports whether the object holding u has no value for key, so
// that ignoring u leaves key's default in force. Keys whose absence
// cannot be told from a zero value count as absent.
func (l *linter) lacks(u profile.UnknownKey, key string) bool {
	p := l.e.Source
	if u.Rule < 0 {
		switch key {
		case "defaultErrnoRet":
			return p.DefaultErrnoRet == nil && p.DefaultErrnoName == ""
		case "architectures":
			return len(p.Architectures) == 0 && len(p.ArchMap) == 0
		}
		return true
	}
	r := p.Syscalls[u.Rule]
	if len(u.Path) > 2 {
		return true // inside args or includes/excludes
	}
	switch key {
	case "args":
		return len(r.Args) == 0
	case "errnoRet":
		return r.ErrnoRet == nil && r.ErrnoName == ""
	case "includes":
		return r.Includes.Empty()
	case "excludes":
		return r.Excludes.Empty()
	case "names":
		return len(r.AllNames()) == 0
	}
	return true
}
