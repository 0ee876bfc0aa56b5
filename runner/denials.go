package runner

import (
	"time"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// Denial rows: repeats of one call are counted, not sent one by one.

type rowKey struct {
	pid     int
	arch    catalog.Arch
	syscall string
	argKey  string
	action  profile.Action
	errno   uint
	logged  bool
}

type row struct {
	d        Denial
	logged   bool
	sent     bool
	dirty    bool
	lastSent time.Time
}

func (w *row) event() Event {
	if w.logged {
		return Logged{Denial: w.d, Update: w.sent}
	}
	if w.d.Audit {
		return WouldDeny{Denial: w.d, Update: w.sent}
	}
	return Denied{Denial: w.d, Update: w.sent}
}

// noteDenial counts one call in its row and returns the row; isNew is
// true the first time the row is seen. argKey is the call's decoded
// arguments without pointer values (calls that differ only in where
// their buffers are share a row, which shows the first one's). Past
// maxRows distinct rows, new ones fold into one row per syscall and
// outcome (pid 0, arguments elided) so memory stays bounded.
func (r *Run) noteDenial(d Denial, argKey string, logged bool) (got Denial, isNew bool, at int) {
	key := rowKey{d.Pid, d.Arch, d.Syscall, argKey, d.Outcome.Action, d.Outcome.Errno, logged}
	r.mu.Lock()
	i, ok := r.rowIndex[key]
	if !ok && len(r.rows) >= maxRows {
		key.pid, key.argKey = 0, d.Syscall+"(…)"
		d.Pid, d.Tid, d.ArgText, d.Args = 0, 0, key.argKey, [6]uint64{}
		i, ok = r.rowIndex[key]
	}
	if !ok {
		isNew = true
		d.ID, d.Count = len(r.rows)+1, 0
		r.rows = append(r.rows, &row{d: d, logged: logged})
		i = len(r.rows) - 1
		r.rowIndex[key] = i
	}
	got = r.countRow(i)
	return got, isNew, i
}

// countRow counts one more call in row i (rows are never removed, so an
// index stays valid for the run) and unlocks r.mu, which the caller
// holds; the pump is woken when the row was not already waiting for it.
func (r *Run) countRow(i int) Denial {
	w := r.rows[i]
	w.d.Count++
	w.d.Last = time.Now()
	if w.d.Count == 1 {
		w.d.First = w.d.Last
	}
	wake := !w.dirty
	if wake {
		w.dirty = true
		r.dirtyRows++
	}
	got := w.d
	r.mu.Unlock()
	// A row already waiting for the pump needs no second wake-up: its
	// update goes out with the next batch anyway.
	if wake {
		r.kick()
	}
	return got
}
