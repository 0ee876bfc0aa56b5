package tui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/export"
	"github.com/seccomp-workbench/seccomp-workbench/runner"
	"github.com/seccomp-workbench/seccomp-workbench/tui/common"
	"github.com/seccomp-workbench/seccomp-workbench/tui/dialogs"
	"github.com/seccomp-workbench/seccomp-workbench/tui/runpane"
)

// maxBatch bounds how many run events one message carries: a command
// flooding output costs one Update per batch, not one per chunk.
const maxBatch = 512

// session is the run in progress.
type session struct {
	id     int
	mode   runner.Mode // watch, enforce, record or learn
	line   string
	run    *runner.Run
	ctx    context.Context
	cancel context.CancelFunc
	asks   chan askMsg // learn mode's questions
	// eff is the profile the run started under; calls are its denials
	// by row ID, for the impact preview.
	eff   *profile.Effective
	calls map[int]call
}

// tracker knows every run this workbench started, so that Run can stop
// one still going when the program ends, whatever the way it ends.
type tracker struct {
	mu   sync.Mutex
	runs []*runner.Run
}

func (t *tracker) add(r *runner.Run) {
	t.mu.Lock()
	defer t.mu.Unlock()
	live := t.runs[:0]
	for _, x := range t.runs {
		select {
		case <-x.Done(): // over: nothing to stop
		default:
			live = append(live, x)
		}
	}
	t.runs = append(live, r)
}

func (t *tracker) stopAll() {
	t.mu.Lock()
	runs := t.runs
	t.runs = nil
	t.mu.Unlock()
	for _, r := range runs {
		r.Stop()
	}
}

type runStartedMsg struct {
	id  int
	run *runner.Run
	err error
}

type runEventsMsg struct {
	id     int
	events []runner.Event
	closed bool
}

type runStoppedMsg struct{ id int }

// askMsg is learn mode's question: the command is paused until reply
// gets an answer.
type askMsg struct {
	id    int
	q     runner.Question
	reply chan profile.Decision
}

func (m Model) rerun() (Model, tea.Cmd) {
	if strings.TrimSpace(m.cmdline) == "" {
		m.push(commandDialog(m, runner.ModeWatch, ""))
		return m, nil
	}
	return m.startCommand(m.cmdline, m.mode)
}

// startCommand starts line under the live profile.
func (m Model) startCommand(line string, mode runner.Mode) (Model, tea.Cmd) {
	argv, err := runner.SplitCommand(line)
	if err != nil || len(argv) == 0 {
		if err == nil {
			err = fmt.Errorf("no command given: type a command, e.g. ls /")
		}
		m.push(commandDialog(m, mode, err.Error()))
		return m, nil
	}
	if m.ses != nil {
		m.setStatus("a command is still running: esc stops it first")
		return m, nil
	}
	m.cmdline = line
	if len(m.history) == 0 || m.history[len(m.history)-1] != line {
		m.history = append(m.history, line)
	}
	m.runID++
	ctx, cancel := context.WithCancel(context.Background())
	ses := &session{id: m.runID, mode: mode, line: line, ctx: ctx, cancel: cancel, eff: m.eff}
	m.ses = ses
	m.run.Reset()
	m.run.SetAudit(mode == runner.ModeAudit)
	m.run.SetBanner(runpane.Banner{Kind: runpane.Running, Text: fmt.Sprintf("▶ RUNNING  %s  (%s)", line, modeWords(mode))})
	m.run.SetNote(m.modeNote())
	m.setStatus("running %s in %s mode…", line, mode)
	if m.layout.Mode == Tabbed {
		m.setFocus(paneRun)
	}

	cfg := runner.Config{
		Effective: m.eff,
		Mode:      mode,
		Argv:      argv,
		Timeout:   m.timeout,
		Shim:      m.shim,
	}
	if mode == runner.ModeRecord {
		// A recording starts from nothing: the result is the minimal
		// profile the command needs (the README's record: a minimal
		// deny-by-default profile of what the command used).
		cfg.Effective = nil
	}
	var cmds []tea.Cmd
	if mode == runner.ModeLearn {
		ses.asks = make(chan askMsg)
		cfg.Ask, cfg.Undecided = learnHooks(ses, m.eff)
		cmds = append(cmds, waitAsk(ses))
	}
	runs := m.runs
	cmds = append(cmds, func() tea.Msg {
		r, err := runner.Start(ctx, cfg)
		if err == nil {
			runs.add(r)
		}
		return runStartedMsg{id: ses.id, run: r, err: err}
	})
	return m, tea.Batch(cmds...)
}

// learnHooks builds learn mode's callbacks. Undecided: a call no rule of
// the profile names (as the run started) is undecided. Ask runs on the
// runner's goroutine: it hands the question to the UI and waits; answers
// are remembered for the rest of the run, so each call is asked once.
func learnHooks(ses *session, eff *profile.Effective) (func(runner.Question) profile.Decision, func(string) bool) {
	named := map[string]bool{}
	for _, r := range eff.Rules {
		for _, n := range r.Names {
			named[n] = true
		}
	}
	var mu sync.Mutex
	answers := map[string]profile.Decision{}
	deny := learnDeny()
	ask := func(q runner.Question) profile.Decision {
		mu.Lock()
		d, ok := answers[q.Syscall]
		mu.Unlock()
		if ok {
			return d
		}
		reply := make(chan profile.Decision, 1)
		select {
		case ses.asks <- askMsg{id: ses.id, q: q, reply: reply}:
		case <-ses.ctx.Done():
			return deny
		case <-q.Cancel:
			return deny
		}
		select {
		case d = <-reply:
		case <-ses.ctx.Done():
			return deny
		case <-q.Cancel:
			return deny
		}
		mu.Lock()
		answers[q.Syscall] = d
		mu.Unlock()
		return d
	}
	return ask, func(name string) bool { return !named[name] }
}

// waitAsk delivers learn mode's next question.
func waitAsk(ses *session) tea.Cmd {
	return func() tea.Msg {
		select {
		case q := <-ses.asks:
			return q
		case <-ses.ctx.Done():
			return nil
		}
	}
}

// waitEvents reads the run's next events: it blocks for one, then takes
// whatever else is already queued, up to maxBatch. During a flood (the
// batch already carries floodBytes of output) it keeps taking events for
// up to floodWait: the program draws once per message, and a draw per
// 64 KiB event would cap the output at what drawing costs.
func waitEvents(id int, r *runner.Run) tea.Cmd {
	if r == nil {
		return nil
	}
	ch := r.Events()
	return func() tea.Msg { return batchEvents(id, ch, floodWait) }
}

// batchEvents is waitEvents' message, waiting up to wait during a flood.
func batchEvents(id int, ch <-chan runner.Event, wait time.Duration) runEventsMsg {
	ev, ok := <-ch
	if !ok {
		return runEventsMsg{id: id, closed: true}
	}
	msg := runEventsMsg{id: id}
	bytes := 0
	// take adds one received event; false when the channel is closed.
	take := func(ev runner.Event, ok bool) bool {
		if !ok {
			msg.closed = true
			return false
		}
		msg.events = append(msg.events, ev)
		bytes += outputBytes(ev)
		return true
	}
	take(ev, true)
	var timeout <-chan time.Time
	for len(msg.events) < maxBatch {
		select {
		case ev, ok := <-ch:
			if !take(ev, ok) {
				return msg
			}
			continue
		default:
		}
		if bytes < floodBytes {
			return msg
		}
		if timeout == nil {
			t := time.NewTimer(wait)
			defer t.Stop()
			timeout = t.C
		}
		select {
		case ev, ok := <-ch:
			if !take(ev, ok) {
				return msg
			}
		case <-timeout:
			return msg
		}
	}
	return msg
}

// A batch with floodBytes of output waits up to floodWait (a 60 Hz frame)
// for more.
const (
	floodBytes = 32 << 10
	floodWait  = 16 * time.Millisecond
)

func outputBytes(ev runner.Event) int {
	if o, ok := ev.(runner.Output); ok {
		return len(o.Data)
	}
	return 0
}

func (m Model) handleRunStarted(msg runStartedMsg) (Model, tea.Cmd) {
	if m.ses == nil || msg.id != m.ses.id {
		if msg.run != nil {
			return m, func() tea.Msg { msg.run.Stop(); return nil }
		}
		return m, nil
	}
	if msg.err != nil {
		m.ses.cancel()
		m.ses = nil
		m.run.SetBanner(runpane.Banner{Kind: runpane.Fail, Text: "✘ ERROR  " + msg.err.Error()})
		m.run.SetNote(m.modeNote())
		m.setError(msg.err)
		return m, nil
	}
	m.ses.run = msg.run
	if e, why := msg.run.RecordEngine(); e != "" {
		m.setStatus("recording %s with the %s engine (%s)…", m.ses.line, e, why)
	}
	return m, waitEvents(msg.id, msg.run)
}

func (m Model) handleRunEvents(msg runEventsMsg) (Model, tea.Cmd) {
	if m.ses == nil || msg.id != m.ses.id {
		return m, nil // a run we no longer show
	}
	// An output chunk that MaxLines newlines of output follow in the same
	// batch would have all its lines pushed out of the pane by them before
	// the batch is drawn: it is only counted (a flood of short lines costs
	// the lines one screen keeps per batch, not per chunk).
	after := make([]int, len(msg.events))
	for i, n := len(msg.events)-1, 0; i >= 0; i-- {
		after[i] = n
		if o, ok := msg.events[i].(runner.Output); ok && n < runpane.MaxLines {
			n += strings.Count(o.Data, "\n")
		}
	}
	for i, ev := range msg.events {
		if o, ok := ev.(runner.Output); ok && after[i] >= runpane.MaxLines {
			m.applyOutput(o, true)
			continue
		}
		m.applyEvent(ev)
	}
	if msg.closed {
		return m.runEnded()
	}
	return m, waitEvents(msg.id, m.ses.run)
}

// applyOutput shows one output chunk, or with skip only counts its lines
// (runpane.Skip).
func (m *Model) applyOutput(e runner.Output, skip bool) {
	s := runpane.Stdout
	if e.Stream == runner.Stderr {
		s = runpane.Stderr
	}
	if e.Dropped > 0 {
		m.run.NoteDropped(e.Dropped)
		m.run.Note(fmt.Sprintf("%d bytes of %s dropped: the command writes faster than the screen can show", e.Dropped, e.Stream))
	}
	if skip {
		m.run.Skip(s, e.Data)
	} else {
		m.run.Write(s, e.Data)
	}
}

// applyEvent shows one run event.
func (m *Model) applyEvent(ev runner.Event) {
	switch e := ev.(type) {
	case runner.Started:
		note := fmt.Sprintf("started %s (pid %d)", m.ses.line, e.Pid)
		if e.Isolation != "" {
			note += " · isolation: " + e.Isolation
		}
		m.run.Note(note)
	case runner.Output:
		m.applyOutput(e, false)
	case runner.Denied:
		m.ses.noteCall(e.Denial)
		m.run.AddDenial(paneDenial(e.Denial, false))
	case runner.Logged:
		m.ses.noteCall(e.Denial)
		m.run.AddDenial(paneDenial(e.Denial, true))
	case runner.WouldDeny:
		m.ses.noteCall(e.Denial)
		m.run.AddDenial(paneDenial(e.Denial, false))
	case runner.Exited:
		m.run.Flush()
	case runner.Verdict:
		m.run.Flush()
		m.run.SetBanner(banner(e, m.ses.line))
		for _, n := range e.Notes {
			m.run.Note("note: " + n)
		}
	}
}

func paneDenial(d runner.Denial, logged bool) runpane.Denial {
	return runpane.Denial{
		ID:      d.ID,
		Syscall: d.Syscall,
		Args:    d.ArgText,
		Action:  d.Outcome.Action,
		Outcome: d.Outcome.String(),
		Pid:     d.Pid,
		Count:   d.Count,
		Logged:  logged,
		Audit:   d.Audit,
	}
}

// banner words a verdict: PASS, FAIL (why), KILLED by SIGSYS in <call>,
// TIMEOUT, with the exit status and how long it ran.
func banner(v runner.Verdict, line string) runpane.Banner {
	tail := fmt.Sprintf(" · %s · %s", v.Duration.Round(time.Millisecond), line)
	if v.Mode == runner.ModeAudit {
		return auditBanner(v, tail)
	}
	switch v.Result {
	case runner.ResultPass:
		return runpane.Banner{Kind: runpane.Pass, Text: fmt.Sprintf("✔ PASS  exit status %d%s", v.ExitCode, tail)}
	case runner.ResultKilled:
		what := "KILLED"
		if v.Signal != "" {
			what += " by " + v.Signal
		}
		if v.KilledIn != "" {
			what += " in " + v.KilledIn
		}
		if v.Stopped {
			what += " (stopped)"
		}
		return runpane.Banner{Kind: runpane.Fail, Text: fmt.Sprintf("✘ %s · exit status %d%s", what, v.ExitCode, tail)}
	case runner.ResultTimeout:
		return runpane.Banner{Kind: runpane.Fail, Text: "✘ TIMEOUT (" + v.Outcome + ")" + tail}
	case runner.ResultError:
		return runpane.Banner{Kind: runpane.Fail, Text: fmt.Sprintf("✘ ERROR (%s) · exit status %d%s", v.Outcome, v.ExitCode, tail)}
	}
	if v.ExitCode == 0 && v.Signal == "" && len(v.Denied) > 0 {
		// The verdict's result stays "fail" (run --json and
		// --fail-on-denial depend on it); the banner tells the user the
		// command itself succeeded.
		return runpane.Banner{Kind: runpane.PassDenied, Text: fmt.Sprintf("✔ PASSED WITH DENIALS  exit status 0 · denied: %s%s",
			strings.Join(v.Denied, ", "), tail)}
	}
	why := v.Reason
	if why == "" {
		why = v.Outcome
	}
	return runpane.Banner{Kind: runpane.Fail, Text: fmt.Sprintf("✘ FAIL (%s)%s", why, tail)}
}

// auditBanner words an audit-mode verdict: the command's own result, and
// plainly that nothing was denied and what would have been.
func auditBanner(v runner.Verdict, tail string) runpane.Banner {
	would := "the profile would deny nothing"
	if len(v.WouldDeny) > 0 {
		would = "would deny " + v.WouldDenyText()
	}
	b := runpane.Banner{Kind: runpane.Pass, Text: "✔ AUDIT PASS  "}
	switch {
	case v.Result != runner.ResultPass:
		b = runpane.Banner{Kind: runpane.Fail, Text: "✘ AUDIT " + strings.ToUpper(v.Result) + "  "}
	case len(v.WouldDeny) > 0:
		b.Kind = runpane.PassDenied
	}
	b.Text += v.Outcome + " · audit: nothing is denied; " + would + tail
	return b
}

// modeWords names a run mode, saying what audit means.
func modeWords(mode runner.Mode) string {
	if mode == runner.ModeAudit {
		return "audit: nothing is denied"
	}
	return string(mode)
}

// runEnded tidies up after the run's events stop; a recording is offered.
func (m Model) runEnded() (Model, tea.Cmd) {
	ses := m.ses
	m.ses = nil
	ses.cancel()
	m.run.Flush()
	m.run.SetNote(m.modeNote())
	m.last = lastRunOf(ses)
	m.run.SetImpact("")
	if m.run.Banner().Kind == runpane.Running {
		m.run.SetBanner(runpane.Banner{Kind: runpane.Fail, Text: "✘ ended without a verdict · " + ses.line})
	}
	m.setStatus("%s", firstLine(m.run.Banner().Text))
	if ses.mode == runner.ModeRecord && ses.run != nil {
		engine, why := ses.run.RecordEngine()
		if err := ses.run.RecordError(); err != nil {
			// The recorder lost observations: a profile of what it saw
			// could fail the command where the recording did not.
			m.run.SetBanner(runpane.Banner{Kind: runpane.Fail, Text: "✘ RECORDING INCOMPLETE  " + err.Error()})
			m.setError(fmt.Errorf("the %s engine's recording is incomplete, so no profile is offered: %v", engine, err))
			return m, nil
		}
		if p := ses.run.Recorded(); p != nil {
			m.push(askDialog(m.c, "Recording finished", []string{
				fmt.Sprintf("The recorded profile allows the %d syscalls %s made; any other call fails (%s).",
					countNames(p), ses.line, profile.Decision{Action: p.DefaultAction, Errno: p.DefaultErrno()}),
				fmt.Sprintf("Recorded by the %s engine (%s).", engine, why),
			}, []dialogs.Item{
				{Key: "o", Label: "open it in the workbench", Value: "open"},
				{Key: "s", Label: "save it as…", Value: "save"},
				{Key: "c", Label: "keep the current profile", Value: "keep"},
			}, func(v string) action { return recordedAction{choice: v, prof: p} }))
		}
	}
	return m, nil
}

// countNames counts the syscalls the allow rules name, each once: a
// recording allows a call in one rule per combination of the arguments
// seen.
func countNames(p *profile.Profile) int {
	names := map[string]bool{}
	for _, r := range p.Syscalls {
		if r.Action == profile.ActAllow {
			for _, n := range r.AllNames() {
				names[n] = true
			}
		}
	}
	return len(names)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// recordedAction is the choice made about a finished recording.
type recordedAction struct {
	choice string // open, save, keep
	prof   *profile.Profile
}

func (a recordedAction) apply(m Model) (Model, tea.Cmd) {
	p := a.prof
	switch a.choice {
	case "open":
		return guardDirty(m, func(m Model) (Model, tea.Cmd) {
			m.openDerived(p, "recording of "+m.cmdline, "recorded")
			m.setStatus("opened the recorded profile: s saves it")
			return m, m.compileCmd()
		})
	case "save":
		m.push(saveRecordingDialog(m.c, p, m.baseName()+"-recorded.json", ""))
	}
	return m, nil
}

// saveRecordingDialog asks where a recording goes (again, with why, when
// writing it failed).
func saveRecordingDialog(c *common.Common, p *profile.Profile, path, errText string) dialog {
	return dialog{box: pathBox(c, "Save the recording", []string{"Write the recorded profile to:"}, path, errText),
		on: ok(func(r dialogs.Result) action {
			path := strings.TrimSpace(r.Value)
			return do(func(m Model) (Model, tea.Cmd) { return m.saveRecordedTo(path, p) })
		})}
}

func (m Model) saveRecordedTo(path string, p *profile.Profile) (Model, tea.Cmd) {
	path = expandHome(path)
	return m, func() tea.Msg {
		err := checkParent(path)
		if err == nil {
			err = profile.Save(path, p)
		}
		return exportedMsg{format: export.FormatDocker, path: path, typed: path, recording: p, err: err}
	}
}

// stopRun stops the run in progress; Stop blocks until the process group
// is gone, so it runs in a command.
func (m Model) stopRun() tea.Cmd {
	ses := m.ses
	if ses == nil {
		return nil
	}
	ses.cancel()
	if ses.run == nil {
		return nil
	}
	r := ses.run
	return func() tea.Msg {
		r.Stop()
		return runStoppedMsg{id: ses.id}
	}
}

func (m Model) handleRunStopped(msg runStoppedMsg) (Model, tea.Cmd) {
	if m.ses != nil && m.ses.id == msg.id {
		m.setStatus("stopped")
	}
	return m, nil
}

// handleAsk shows learn mode's question.
func (m Model) handleAsk(msg askMsg) (Model, tea.Cmd) {
	if m.ses == nil || msg.id != m.ses.id {
		return m, func() tea.Msg {
			msg.reply <- learnDeny()
			return nil
		}
	}
	q := msg.q
	call := q.ArgText // the runner words the whole call: mkdir("/x", 0777)
	if !strings.HasPrefix(call, q.Syscall) {
		call = q.Syscall + call
	}
	about, needed := "", ""
	if e, ok := m.c.Catalog.Lookup(q.Syscall); ok {
		about = fmt.Sprintf("%s risk: %s", e.Risk, e.Description)
		if slices.Contains(e.SystemdGroups, "@default") {
			// systemd's @default is the set it never filters: calls
			// every program makes (brk, mmap, rt_sigreturn ...).
			needed = "⚠ every program needs " + q.Syscall + " (systemd's @default): denying it will most likely crash the command"
		}
	}
	text := []string{"The command is paused on a syscall the profile does not decide yet:", call, about}
	if needed != "" {
		text = append(text, needed)
	}
	mn := menuBox(m.c, "Learn · pid "+fmt.Sprint(q.Pid), text, []dialogs.Item{
		{Key: "a", Label: "allow " + q.Syscall, Value: "allow"},
		{Key: "d", Label: "deny it: errno(EPERM)", Value: "deny"},
		{Key: "n", Label: "deny it: errno(ENOSYS), as if absent", Value: "enosys"},
		{Key: "k", Label: "kill the process when it calls " + q.Syscall, Value: "kill"},
	}, false)
	mn.SetCancelHelp("stop the command (ctrl+c too) · q quit")
	ask := &msg
	m.push(dialog{box: mn,
		on: func(r dialogs.Result) action {
			if !r.OK {
				return do(Model.leaveLearn)
			}
			return answerAction{ask: ask, choice: r.Value}
		},
		// ctrl+c leaves learn mode as esc does, q asks first; neither is
		// an answer the command gets to see.
		keys: func(m Model, kp tea.KeyPressMsg) (Model, tea.Cmd, bool) {
			switch {
			case key.Matches(kp, m.keys.Interrupt):
				m.stack = m.stack.pop()
				m2, cmd := m.leaveLearn()
				return m2, cmd, true
			case key.Matches(kp, m.keys.Quit):
				// Over the question: going back shows it again.
				m.push(askDialog(m.c, "Quit the workbench?", []string{"The command is paused on a learn-mode question; quitting stops it."}, []dialogs.Item{
					{Key: "q", Label: "stop the command and quit", Value: "quit"},
					{Key: "c", Label: "back to the question", Value: "back"},
				}, func(v string) action {
					if v == "quit" {
						return do(Model.requestQuit)
					}
					return nil
				}))
				return m, nil, true
			}
			return m, nil, false
		}})
	m.catalog.Select(q.Syscall)
	m.syncSelection()
	return m, nil
}

// leaveLearn ends learn mode: the paused call is refused and the command
// stopped (the whole process group), rather than asked about again and
// again with answers it may not survive.
func (m Model) leaveLearn() (Model, tea.Cmd) {
	m.setStatus("left learn mode: the command is stopped")
	return m, m.stopRun()
}

// learnDeny is learn mode's answer when the user says deny, cancels the
// question, or the run is gone: fail the call with EPERM.
func learnDeny() profile.Decision { return profile.Decision{Action: profile.ActErrno, Errno: 1} }

// answer sends a learn-mode answer and waits for the next question.
func (m Model) answer(a *askMsg, d profile.Decision) tea.Cmd {
	if a == nil {
		return nil
	}
	cmds := []tea.Cmd{func() tea.Msg { a.reply <- d; return nil }}
	if m.ses != nil && m.ses.id == a.id && m.ses.asks != nil {
		cmds = append(cmds, waitAsk(m.ses))
	}
	return tea.Batch(cmds...)
}
