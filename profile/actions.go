package profile

import (
	"fmt"
	"slices"
	"strings"

	seccomp "github.com/seccomp/libseccomp-golang"
)

// ActionInfo is everything the workbench knows about one seccomp action;
// validation, the compiler, the emulator's decoder, lint, diff, the
// supervisor and the UI all read it from the table below.
type ActionInfo struct {
	Action Action
	// Short is the name the workbench prints (allow, errno, kill_process).
	Short string
	// Ret is the SECCOMP_RET_* action the filter returns; errno and trace
	// add their 16-bit data (SECCOMP_RET_DATA).
	Ret uint32
	// Lib is libseccomp's name for the action.
	Lib seccomp.ScmpAction
	// LetsThrough: the call runs (allow, log).
	LetsThrough bool
	// Denies: the call is refused (errno, trap, the kills). Notify and
	// trace hand the decision to another process, so they neither let
	// through nor deny by themselves.
	Denies bool
	// TakesErrno: errnoRet (the return's data) applies: errno, trace.
	TakesErrno bool
}

// SECCOMP_RET_* values (linux/seccomp.h).
const (
	RetKillProcess = 0x80000000
	RetKillThread  = 0x00000000
	RetTrap        = 0x00030000
	RetErrno       = 0x00050000
	RetUserNotif   = 0x7fc00000
	RetTrace       = 0x7ff00000
	RetLog         = 0x7ffc0000
	RetAllow       = 0x7fff0000
	RetActionFull  = 0xffff0000
	RetData        = 0x0000ffff
)

// actionTable lists the actions from the strongest to the weakest, the
// order in which the kernel settles the answers of stacked filters: it
// compares the SECCOMP_RET_ACTION_FULL bits as signed 32-bit numbers and
// the lowest wins, so kill_process (0x80000000) beats all. SCMP_ACT_KILL
// is kill_thread's historical name and is folded into it (see Canon).
// Read only.
var actionTable = [...]ActionInfo{
	{ActKillProcess, "kill_process", RetKillProcess, seccomp.ActKillProcess, false, true, false},
	{ActKillThread, "kill_thread", RetKillThread, seccomp.ActKillThread, false, true, false},
	{ActTrap, "trap", RetTrap, seccomp.ActTrap, false, true, false},
	{ActErrno, "errno", RetErrno, seccomp.ActErrno, false, true, true},
	{ActNotify, "notify", RetUserNotif, seccomp.ActNotify, false, false, false},
	{ActTrace, "trace", RetTrace, seccomp.ActTrace, false, false, true},
	{ActLog, "log", RetLog, seccomp.ActLog, true, false, false},
	{ActAllow, "allow", RetAllow, seccomp.ActAllow, true, false, false},
}

// Actions returns a copy of the table, strongest first.
func Actions() []ActionInfo { return slices.Clone(actionTable[:]) }

// Canon folds SCMP_ACT_KILL into the kill_thread it means.
func (a Action) Canon() Action {
	if a == ActKill {
		return ActKillThread
	}
	return a
}

// Info is a's row of the table; ok is false for an unknown action.
func (a Action) Info() (ActionInfo, bool) {
	c := a.Canon()
	for _, in := range actionTable {
		if in.Action == c {
			return in, true
		}
	}
	return ActionInfo{}, false
}

// Known reports whether a is an action profiles may use.
func (a Action) Known() bool { _, ok := a.Info(); return ok }

// LetsThrough reports whether the action lets the call run.
func (a Action) LetsThrough() bool { in, _ := a.Info(); return in.LetsThrough }

// Denies reports whether the action refuses the call.
func (a Action) Denies() bool { in, _ := a.Info(); return in.Denies }

// TakesErrno reports whether errnoRet applies to the action.
func (a Action) TakesErrno() bool { in, _ := a.Info(); return in.TakesErrno }

// Short is the action's short name (allow, errno, kill_process ...).
func (a Action) Short() string {
	if in, ok := a.Info(); ok {
		return in.Short
	}
	return strings.ToLower(strings.TrimPrefix(string(a), "SCMP_ACT_"))
}

// ParseAction accepts SCMP_ACT_* names and the short names (allow, errno,
// kill, kill_process, kill_thread, trap, trace, log, notify); "kill"
// means kill_process.
func ParseAction(s string) (Action, error) {
	u := Action(strings.ToUpper(strings.TrimSpace(s)))
	if u.Known() {
		return u, nil
	}
	short := strings.ToLower(strings.TrimSpace(s))
	if short == "kill" {
		return ActKillProcess, nil
	}
	for _, in := range actionTable {
		if in.Short == short {
			return in.Action, nil
		}
	}
	return "", fmt.Errorf("unknown action %q: use one of %s", s, knownList(actionKeys()))
}

// actionKeys are the SCMP_ACT_* names profiles may use.
func actionKeys() []string {
	s := []string{string(ActKill)}
	for _, in := range actionTable {
		s = append(s, string(in.Action))
	}
	return s
}

// RetValue is the filter's return value for a decision.
func RetValue(d Decision) uint32 {
	in, ok := d.Action.Info()
	if !ok {
		in, _ = ActAllow.Info()
	}
	if in.TakesErrno {
		return in.Ret | uint32(d.Errno)&RetData
	}
	return in.Ret
}

// FromRet decodes a filter return value.
func FromRet(v uint32) Decision {
	d := Decision{Rule: RuleDefault}
	for _, in := range actionTable {
		if v&RetActionFull == in.Ret {
			d.Action = in.Action
			if in.TakesErrno {
				d.Errno = uint(v & RetData)
			}
			return d
		}
	}
	// The kernel treats unknown actions as kill_process.
	d.Action = ActKillProcess
	return d
}

// Lib is libseccomp's action for a with errno as its data.
func (a Action) Lib(errno uint) (seccomp.ScmpAction, error) {
	in, ok := a.Info()
	if !ok {
		return seccomp.ActInvalid, fmt.Errorf("unknown action %q", a)
	}
	if in.TakesErrno {
		return in.Lib.SetReturnCode(int16(errno)), nil
	}
	return in.Lib, nil
}
