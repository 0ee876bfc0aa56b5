package runner

import (
	"fmt"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// clone3 passes its flags in struct clone_args, in the caller's memory,
// and a seccomp filter reads only the registers: no rule can hold clone3
// to the flags a recording saw. Allowing it whole would let
// clone3(CLONE_NEWUSER) past the mask the recording puts on clone, and
// denying it with EPERM breaks glibc, which falls back to clone only when
// clone3 answers ENOSYS (as Docker's default profile answers it without
// CAP_SYS_ADMIN). So a recording with argument rules answers clone3 with
// ENOSYS while it records — the program falls back to clone, whose flags
// are recorded — and the profile it writes answers it the same way. With
// a base that lets clone3 through, the base decides, as for every call.

const clone3Name = "clone3"

// answerENOSYS reports whether the recorder answers this call ENOSYS
// instead of letting it run — clone3 in a recording with argument rules,
// unless the base lets it through — and counts the answers for the note.
func (r *recording) answerENOSYS(arch catalog.Arch, nr int64, args [6]uint64) bool {
	if r.namesOnly {
		return false
	}
	if e, ok := r.cat.ByNumber(arch, nr); !ok || e.Name != clone3Name {
		return false
	}
	if r.base != nil && lets(r.base.decide(arch, nr, args)) {
		return false
	}
	r.clone3Answered++
	return true
}

// clone3Note says why clone3 answered ENOSYS, when the program asked.
func (r *recording) clone3Note() []string {
	if r.clone3Answered == 0 {
		return nil
	}
	return []string{fmt.Sprintf("clone3 answered ENOSYS (%d×), in the recording and in the profile: its flags are in memory, where a filter cannot look; libc falls back to clone, whose flags are checked", r.clone3Answered)}
}

// clone3Rule is the rule that answers clone3 ENOSYS in a recorded profile
// on arches, or nil: when clone3 exists on none of them, when the base
// lets it through or already answers ENOSYS, and in a names-only
// recording, which writes the syscalls seen and nothing else.
func (r *recording) clone3Rule(arches []catalog.Arch, allowed []string) *profile.Rule {
	ent, ok := r.cat.Lookup(clone3Name)
	if !ok || r.namesOnly {
		return nil
	}
	for _, n := range allowed {
		if n == clone3Name {
			return nil
		}
	}
	var need bool
	for _, a := range arches {
		nr, ok := ent.Number(a)
		if !ok {
			continue
		}
		if r.base == nil {
			need = true
			continue
		}
		d := r.base.decide(a, nr, [6]uint64{})
		if lets(d) {
			return nil
		}
		need = need || d.Action != profile.ActErrno || d.Errno != profile.ENOSYS
	}
	if !need {
		return nil
	}
	enosys := uint(profile.ENOSYS)
	return &profile.Rule{Names: []string{clone3Name}, Action: profile.ActErrno, ErrnoRet: &enosys,
		Comment: "recorded by seccomp-workbench: clone3's flags are in memory, where a filter cannot look; ENOSYS makes libc fall back to clone, whose flags are checked"}
}
