package runner

import (
	"fmt"
	"sort"
	"strings"
	"testing"
)

// rowsOf lists the denial rows of syscall name as "pid text ×count",
// the target's own pid written as "main".
func rowsOf(res *result, name string) string {
	var out []string
	for _, d := range res.denials {
		if d.Syscall != name {
			continue
		}
		pid := fmt.Sprint(d.Pid)
		if d.Pid == res.run.Pid() {
			pid = "main"
		}
		out = append(out, fmt.Sprintf("%s %s ×%d", pid, d.ArgText, d.Count))
	}
	sort.Strings(out)
	return strings.Join(out, "; ")
}

// A repeated denial is counted in its row without being decoded again:
// calls that differ in a register, or come from another process, still
// get rows of their own; another thread of the same process shares the
// row.
func TestRepeatedDenialRows(t *testing.T) {
	needAmd64(t)
	prof := eff(t, denyOne("setuid", "SCMP_ACT_ERRNO", 1))
	res := runIt(t, Config{Effective: prof, Argv: []string{probe(t),
		"raw:105:7", "raw:105:7", "raw:105:8", "raw:105:7", "thread", "raw:105:7", "raw:105:8"}})
	if got, want := rowsOf(res, "setuid"), "main setuid(7) ×4; main setuid(8) ×2"; got != want {
		t.Errorf("rows %q, want %q", got, want)
	}
	res = runIt(t, Config{Effective: prof, Argv: []string{probe(t), "raw:105:7", "raw:105:7", "fork", "raw:105:7"}})
	got := rowsOf(res, "setuid")
	if !strings.Contains(got, "main setuid(7) ×2") || strings.Count(got, "setuid(7) ×1") != 1 || strings.Count(got, ";") != 1 {
		t.Errorf("rows %q, want the target's row counting 2 and the child's counting 1", got)
	}
}
