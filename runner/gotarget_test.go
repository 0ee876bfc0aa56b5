package runner

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// A Go target: its runtime's preemption signal interrupts calls waiting
// for the supervisor. Without SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (as
// before Linux 5.19) the kernel then drops the notification and sends the
// restarted call again under a new id; each call must still count once.
func TestGoTargetCountsEachCallOnce(t *testing.T) {
	needAmd64(t)
	bin := buildBinary(t, "gotarget", "gotarget/main.go")
	const calls = 100
	for _, killable := range []bool{true, false} {
		t.Run(fmt.Sprintf("killable-wait=%v", killable), func(t *testing.T) {
			p, err := prepare(Config{Effective: eff(t, denyOne("getppid", "SCMP_ACT_ERRNO", 1)), Argv: []string{bin, fmt.Sprint(calls)}})
			if err != nil {
				t.Fatal(err)
			}
			p.noKillableWait = !killable
			// A slightly slow reply gives the signals time to arrive. It has
			// to stay short: while the garbage collector waits to scan the
			// goroutine's stack it signals the thread every few
			// microseconds, and without the killable wait every restarted
			// call would be interrupted again (a livelock the flag exists
			// to prevent).
			p.replyDelay = 20 * time.Microsecond
			r, err := p.start(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			res := collect(t, r)
			want := fmt.Sprintf("calls %d failed %d\n", calls, calls)
			if res.stdout != want {
				t.Fatalf("stdout %q, want %q (stderr %s)", res.stdout, want, res.stderr)
			}
			d, ok := res.denied("getppid")
			r.mu.Lock()
			resent := r.resent
			r.mu.Unlock()
			t.Logf("%d calls re-sent after an interruption, counted %d", resent, d.Count)
			if killable {
				if !ok || d.Count != calls || resent != 0 {
					t.Fatalf("getppid counted %d times (%d re-sent), want %d and none", d.Count, resent, calls)
				}
				return
			}
			if resent == 0 {
				t.Fatal("no call was re-sent: the test did not exercise the interruption")
			}
			// Without the killable wait one race cannot be closed: a signal
			// that arrives while the reply is being delivered makes the
			// kernel drop a reply it already accepted, and the restarted call
			// looks like a new one. Everything else is counted once.
			if extra := d.Count - calls; extra < 0 || extra*10 > resent {
				t.Fatalf("getppid counted %d times for %d calls and %d re-sends", d.Count, calls, resent)
			}
		})
	}
}
