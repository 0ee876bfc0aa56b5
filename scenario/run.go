package scenario

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/runner"
)

// Run runs one scenario under one target in a fresh scratch directory
// (removed afterwards) and judges it. It never returns a zero Result:
// a run that could not be made is a failed Result with Err set.
func Run(ctx context.Context, f *File, s *Scenario, t Target, o Options) Result {
	res := Result{Scenario: s, Profile: t.Name}
	fail := func(err error) Result {
		res.Err = err
		res.Failures = append(res.Failures, err.Error())
		res.Passed = false
		return res
	}
	if err := ctx.Err(); err != nil {
		return fail(errors.New("skipped: " + err.Error()))
	}
	st, err := newStage(ctx, f, s)
	if err != nil {
		return fail(err)
	}
	defer st.close()
	cfg := st.config(t.Effective, s.Mode, o)
	r, err := runner.Start(ctx, cfg)
	if err != nil {
		return fail(err)
	}
	for ev := range r.Events() {
		switch ev := ev.(type) {
		case runner.Denied:
			res.Denials = upsert(res.Denials, ev.Denial)
		case runner.WouldDeny:
			// Audit mode: the rows Judge matches denied/not_denied
			// against (each has Audit set).
			res.Denials = upsert(res.Denials, ev.Denial)
		case runner.Logged:
		}
	}
	res.Verdict = r.Wait()
	res.Stdout = string(r.Output(runner.Stdout))
	res.Stderr = string(r.Output(runner.Stderr))
	res.Duration = res.Verdict.Duration
	st.close()
	if res.Verdict.Stopped && ctx.Err() != nil {
		return fail(errors.New("skipped: stopped (" + ctx.Err().Error() + ")"))
	}
	res.Failures = Judge(s.Expect, Observation{Verdict: res.Verdict, Denials: res.Denials,
		Stdout: res.Stdout, Stderr: res.Stderr, Duration: res.Duration})
	if res.Verdict.Result == runner.ResultError && res.Verdict.ExitCode == 125 {
		res.Err = errors.New(res.Verdict.Outcome)
		res.Failures = append(res.Failures, "run: "+res.Verdict.Outcome)
	}
	res.Passed = len(res.Failures) == 0
	return res
}

// upsert keeps one entry per denial row (updates replace the row).
func upsert(ds []runner.Denial, d runner.Denial) []runner.Denial {
	for i := range ds {
		if ds[i].ID == d.ID {
			ds[i] = d
			return ds
		}
	}
	return append(ds, d)
}

// stage is what surrounds one run of a scenario: a scratch directory of
// its own, the environment with the $SCENARIO_* variables, and setup done
// outside the filter. close runs teardown (once), kills the process
// groups setup and teardown left and removes the scratch directory.
type stage struct {
	s       *Scenario
	scratch string
	dir     string
	env     []string
	groups  []int
	closed  bool
}

// newStage prepares a run of s; when setup fails it has cleaned up and
// says "setup failed: exit N: <setup's last stderr line>".
func newStage(ctx context.Context, f *File, s *Scenario) (*stage, error) {
	scratch, err := os.MkdirTemp("", "scenario-")
	if err != nil {
		return nil, fmt.Errorf("scratch directory: %w", err)
	}
	st := &stage{s: s, scratch: scratch, dir: scratch}
	port, err := freePort()
	if err != nil {
		st.close()
		return nil, fmt.Errorf("no free loopback port: %w", err)
	}
	if s.Cwd != "" {
		st.dir = s.Cwd
	}
	st.env = append(os.Environ(), s.Env...)
	st.env = append(st.env, "SCENARIO_DIR="+f.Dir, "SCENARIO_SCRATCH="+scratch, "SCENARIO_PORT="+strconv.Itoa(port))
	if s.Setup == "" {
		return st, nil
	}
	pgid, code, last, err := shell(ctx, s.Setup, st.dir, st.env, s.Timeout)
	st.groups = append(st.groups, pgid)
	if err != nil || code != 0 {
		msg := fmt.Sprintf("setup failed: exit %d", code)
		if err != nil {
			msg = "setup failed: " + err.Error()
		}
		if last != "" {
			msg += ": " + last
		}
		st.close()
		return nil, errors.New(msg)
	}
	return st, nil
}

// config is the runner's configuration for the scenario's command.
func (st *stage) config(eff *profile.Effective, mode runner.Mode, o Options) runner.Config {
	cfg := runner.Config{
		Effective: eff, Mode: mode, Argv: st.s.Argv, Dir: st.dir, Env: st.env,
		Timeout: st.s.Timeout, Caps: o.Caps, Isolate: o.Isolate, AllowUnknown: o.AllowUnknown,
		RecordNamesOnly: o.NamesOnly,
		Programs:        o.Programs,
	}
	if st.s.Stdin != "" {
		cfg.Stdin = strings.NewReader(st.s.Stdin)
	}
	if mode == runner.ModeRecord {
		cfg.Engine = o.Engine
	}
	return cfg
}

func (st *stage) close() {
	if st.closed {
		return
	}
	st.closed = true
	if st.s.Teardown != "" {
		pgid, _, _, _ := shell(context.Background(), st.s.Teardown, st.dir, st.env, st.s.Timeout)
		st.groups = append(st.groups, pgid)
	}
	for _, g := range st.groups {
		_ = syscall.Kill(-g, syscall.SIGKILL)
	}
	_ = os.RemoveAll(st.scratch)
}

// shell runs line with /bin/sh -c outside any filter, in a process group
// of its own, and returns that group, the exit status and the last line of
// its stderr. Background processes it starts stay until the group is
// killed.
func shell(ctx context.Context, line, dir string, env []string, timeout time.Duration) (pgid, code int, last string, err error) {
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	cmd := exec.Command("/bin/sh", "-c", line)
	cmd.Dir, cmd.Env = dir, env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// Stderr goes to a file, not a pipe: a daemon that setup leaves behind
	// keeps its copy of the descriptor and Wait would wait for it.
	ef, err := os.CreateTemp("", "scenario-stderr-")
	if err != nil {
		return 0, -1, "", err
	}
	defer os.Remove(ef.Name())
	defer ef.Close()
	stderr := tailFile{ef}
	cmd.Stderr = ef
	if err := cmd.Start(); err != nil {
		return 0, -1, "", err
	}
	pgid = cmd.Process.Pid
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-ctx.Done():
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-done
		return pgid, -1, stderr.last(), fmt.Errorf("%s", ctx.Err())
	}
	code = cmd.ProcessState.ExitCode()
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			return pgid, code, stderr.last(), err
		}
	}
	return pgid, code, stderr.last(), nil
}

// tailFile reads back the last line written to a file.
type tailFile struct{ f *os.File }

func (t tailFile) last() string {
	data, _ := os.ReadFile(t.f.Name())
	if len(data) > 4096 {
		data = data[len(data)-4096:]
	}
	lines := bytes.Split(bytes.TrimRight(data, "\n"), []byte("\n"))
	return strings.TrimSpace(string(lines[len(lines)-1]))
}

// freePort picks a TCP port on 127.0.0.1 that is free now; the kernel
// hands out ephemeral ports in turn, so parallel runs get different ones.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// RunAll runs every scenario of f that o.Filter keeps under every target,
// at most o.Jobs at a time, and returns the results in file order, each
// scenario's targets in the order given. When o.FailFast is set, the
// first failure cancels the runs still going and skips the rest (their
// Results say "skipped").
func RunAll(ctx context.Context, f *File, targets []Target, o Options) []Result {
	type job struct {
		i int
		s *Scenario
		t Target
	}
	var jobs []job
	for _, s := range f.Scenarios {
		if o.Filter != nil && !o.Filter.MatchString(s.Name) {
			continue
		}
		for _, t := range targets {
			jobs = append(jobs, job{len(jobs), s, t})
		}
	}
	results := make([]Result, len(jobs))
	n := o.Jobs
	if n <= 0 {
		n = runtime.NumCPU()
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var mu sync.Mutex // serialises Progress and guards its state
	prog := Progress{Total: len(jobs)}
	running := map[int]string{}
	report := func(last *Result) {
		if o.Progress == nil {
			return
		}
		p := prog
		p.Running = nil
		for i := 0; i < len(jobs); i++ {
			if s, ok := running[i]; ok {
				p.Running = append(p.Running, s)
			}
		}
		p.Last = last
		o.Progress(p)
	}
	queue := make(chan job)
	var wg sync.WaitGroup
	for w := 0; w < n && w < len(jobs); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range queue {
				mu.Lock()
				running[j.i] = j.s.Name + " @ " + j.t.Name
				report(nil)
				mu.Unlock()
				r := Run(ctx, f, j.s, j.t, o)
				mu.Lock()
				results[j.i] = r
				delete(running, j.i)
				prog.Done++
				if !r.Passed {
					prog.Failed++
					if o.FailFast {
						cancel()
					}
				}
				report(&results[j.i])
				mu.Unlock()
			}
		}()
	}
	for _, j := range jobs {
		if ctx.Err() != nil {
			results[j.i] = skipped(j.s, j.t, ctx.Err())
			continue
		}
		select {
		case queue <- j:
		case <-ctx.Done():
			results[j.i] = skipped(j.s, j.t, ctx.Err())
		}
	}
	close(queue)
	wg.Wait()
	return results
}

func skipped(s *Scenario, t Target, err error) Result {
	msg := "skipped: " + err.Error()
	return Result{Scenario: s, Profile: t.Name, Err: errors.New(msg), Failures: []string{msg}}
}
