package profile

import "testing"

// Every row of the action table parses back from both its names, and its
// return value decodes to itself, data included where the action has data.
func TestActionTable(t *testing.T) {
	seen := map[uint32]bool{}
	for _, in := range Actions() {
		if seen[in.Ret] {
			t.Errorf("%s: return value %#x used twice", in.Short, in.Ret)
		}
		seen[in.Ret] = true
		for _, name := range []string{string(in.Action), in.Short} {
			if a, err := ParseAction(name); err != nil || a != in.Action {
				t.Errorf("ParseAction(%q) = %q, %v", name, a, err)
			}
		}
		d := Decision{Action: in.Action, Errno: 13}
		back := FromRet(RetValue(d))
		if !back.Same(d) || back.Action != in.Action {
			t.Errorf("%s: RetValue %#x decodes to %s", in.Short, RetValue(d), back)
		}
		if (back.Errno == 13) != in.TakesErrno {
			t.Errorf("%s: errno %d after the round trip", in.Short, back.Errno)
		}
		if in.LetsThrough && in.Denies {
			t.Errorf("%s both lets through and denies", in.Short)
		}
		if _, err := in.Action.Lib(13); err != nil {
			t.Errorf("%s: no libseccomp action: %v", in.Short, err)
		}
	}
	if len(seen) != 8 {
		t.Errorf("%d actions, want the kernel's 8", len(seen))
	}
	// SCMP_ACT_KILL is kill_thread; "kill" alone means kill_process.
	if ActKill.Canon() != ActKillThread || ActKill.Short() != "kill_thread" || !ActKill.Known() {
		t.Error("SCMP_ACT_KILL is not kill_thread")
	}
	if a, _ := ParseAction("kill"); a != ActKillProcess {
		t.Errorf("kill = %s", a)
	}
	if Action("SCMP_ACT_BOGUS").Known() {
		t.Error("an unknown action is known")
	}
	// The kernel acts on an unknown return value as on kill_process.
	if d := FromRet(0x12340000); d.Action != ActKillProcess {
		t.Errorf("unknown return value: %s", d)
	}
	for _, c := range []struct {
		a               Action
		through, denies bool
	}{{ActAllow, true, false}, {ActLog, true, false}, {ActNotify, false, false}, {ActTrace, false, false},
		{ActErrno, false, true}, {ActTrap, false, true}, {ActKillThread, false, true}, {ActKillProcess, false, true}} {
		if c.a.LetsThrough() != c.through || c.a.Denies() != c.denies {
			t.Errorf("%s: lets through %v, denies %v", c.a.Short(), c.a.LetsThrough(), c.a.Denies())
		}
	}
}
