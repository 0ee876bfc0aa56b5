package runner

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

func TestLearnMode(t *testing.T) {
	needAmd64(t)
	dir := t.TempDir()
	var mu sync.Mutex
	var asked []Question
	cfg := Config{
		Effective: eff(t, denyOne("getpid", "SCMP_ACT_ERRNO", 1)),
		Mode:      ModeLearn,
		Argv:      []string{probe(t), "raw:110", "raw:110", "raw:39", "mkdir:" + dir + "/x"},
		Undecided: func(name string) bool { return name == "getppid" || name == "mkdir" },
		Ask: func(q Question) profile.Decision {
			mu.Lock()
			asked = append(asked, q)
			mu.Unlock()
			if q.Syscall == "getppid" {
				return profile.Decision{Action: profile.ActErrno, Errno: 13}
			}
			return profile.Decision{Action: profile.ActAllow}
		},
	}
	res := runIt(t, cfg)
	for _, want := range []string{"raw 110 = -1 EACCES\nraw 110 = -1 EACCES\n", "raw 39 = -1 EPERM", "mkdir " + dir + "/x = 0"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("stdout %q lacks %q", res.stdout, want)
		}
	}
	if len(asked) != 2 || asked[0].Syscall != "getppid" || asked[1].Syscall != "mkdir" {
		t.Fatalf("asked %+v, want getppid then mkdir, once each", asked)
	}
	if q := asked[1]; q.ArgText != `mkdir("`+dir+`/x", 0755)` || q.Profile.Action != profile.ActAllow || q.Pid != res.run.Pid() {
		t.Errorf("question %+v", q)
	}
	if d, ok := res.denied("getppid"); !ok || d.Count != 2 || d.Outcome.Errno != 13 {
		t.Errorf("getppid row %+v", d)
	}
	if d, ok := res.denied("getpid"); !ok || d.Count != 1 {
		t.Errorf("getpid (decided by the profile) row %+v", d)
	}
	if _, ok := res.denied("mkdir"); ok {
		t.Error("an allowed call was reported")
	}
	if n := res.run.Counts()["getppid/x86_64"]; n != 2 {
		t.Errorf("learn counts getppid %d, want 2", n)
	}
}

func TestLearnStopWhileAsking(t *testing.T) {
	needAmd64(t)
	asking := make(chan struct{})
	cfg := Config{
		Effective: eff(t, allowAll), Mode: ModeLearn, Argv: []string{probe(t), "raw:110"},
		Undecided: func(name string) bool { return name == "getppid" },
		Ask: func(q Question) profile.Decision {
			close(asking)
			<-q.Cancel // a user who never answers
			return profile.Decision{Action: profile.ActAllow}
		},
	}
	r, err := Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for range r.Events() {
		}
	}()
	select {
	case <-asking:
	case <-time.After(10 * time.Second):
		t.Fatal("never asked")
	}
	done := make(chan struct{})
	go func() { r.Stop(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Stop hung while Ask was waiting")
	}
	if v := r.Wait(); !v.Stopped {
		t.Errorf("verdict %+v", v)
	}
}
