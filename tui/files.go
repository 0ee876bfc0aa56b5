package tui

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/diff"
	"github.com/seccomp-workbench/seccomp-workbench/profile/export"
	"github.com/seccomp-workbench/seccomp-workbench/profile/source"
	"github.com/seccomp-workbench/seccomp-workbench/tui/common"
	"github.com/seccomp-workbench/seccomp-workbench/tui/dialogs"
)

// save writes the profile to its file, or asks where (save as, or a
// profile that has no file yet).
func (m Model) save(asNew bool) (Model, tea.Cmd) {
	if asNew || m.path == "" {
		def := m.path
		if def == "" {
			def = m.baseName() + ".json"
		}
		m.push(saveAsDialog(m.c, def, ""))
		return m, nil
	}
	return m.saveTo(m.path)
}

func (m Model) saveTo(path string) (Model, tea.Cmd) {
	if path == "" {
		m.setError(errors.New("save: no file name given: type a path, e.g. ./profile.json"))
		m.quitting = false
		return m, nil
	}
	path = expandHome(path)
	gen, p, abs := m.ed.Generation(), m.ed.Profile(), m.abs(path)
	if m.imported != "" && abs == m.imported {
		// The file is another format: Docker JSON would replace it.
		m.setError(fmt.Errorf("save: %s is not Docker JSON: saving would replace it with the workbench's format: give a new .json path (export writes the other formats)", path))
		m.quitting = false
		m.push(saveAsDialog(m.c, m.saveStem+".json", m.status))
		return m, nil
	}
	m.setStatus("saving to %s…", path)
	return m, func() tea.Msg {
		err := checkParent(path)
		if err == nil {
			err = profile.Save(path, p)
		}
		return savedMsg{gen: gen, path: abs, typed: path, err: err}
	}
}

// checkParent says, before a write, that the file's directory is missing
// (the atomic write would only say it cannot create its temporary file).
func checkParent(path string) error {
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	switch {
	case os.IsNotExist(err):
		return fmt.Errorf("%s: the directory %s does not exist: create it first, or write somewhere else", path, dir)
	case err != nil:
		return fmt.Errorf("%s: %w", path, err)
	case !fi.IsDir():
		return fmt.Errorf("%s: %s is not a directory", path, dir)
	}
	return nil
}

// abs makes path absolute from the working directory the workbench
// started in (as filepath.Abs would, without asking the system again).
func (m Model) abs(path string) string {
	if filepath.IsAbs(path) || m.cwd == "" {
		return filepath.Clean(path)
	}
	return filepath.Join(m.cwd, path)
}

func (m Model) handleSaved(msg savedMsg) (Model, tea.Cmd) {
	if msg.err != nil {
		m.setError(fmt.Errorf("save failed: %w", msg.err))
		m.quitting = false
		// Ask again with what was typed, and why it failed.
		m.push(saveAsDialog(m.c, msg.typed, m.status))
		return m, nil
	}
	clearOld := m.clearRecoveryCmd()
	if msg.gen == m.ed.Generation() {
		m.ed.MarkSaved()
		m.forcedDirty = false
	}
	m.path, m.source = msg.path, msg.path
	m.setStatus("saved to %s", msg.path)
	cmds := []tea.Cmd{clearOld}
	if m.dirty() {
		cmds = append(cmds, m.recoveryCmd())
	} else {
		cmds = append(cmds, m.clearRecoveryCmd())
	}
	if m.quitting {
		m2, q := m.quit()
		return m2, tea.Sequence(tea.Batch(cmds...), q)
	}
	return m, tea.Batch(cmds...)
}

func openCmd(arg string) tea.Cmd {
	arg = strings.TrimSpace(arg)
	return func() tea.Msg {
		if arg == "" {
			return openedMsg{err: errors.New("open: no profile given: type a file path or preset:NAME")}
		}
		typed := arg
		if !strings.HasPrefix(arg, profile.PresetPrefix) {
			arg = expandHome(arg)
		}
		o, err := source.Open(arg)
		msg := openedMsg{source: arg, typed: typed, err: err}
		if err != nil {
			return msg
		}
		msg.prof, msg.imported = o.Profile, o
		if o.Format != source.FormatPreset {
			if abs, err := filepath.Abs(arg); err == nil {
				msg.source = abs
			}
		}
		if o.Format == source.FormatDocker {
			msg.path, msg.imported = msg.source, nil
		}
		return msg
	}
}

func (m Model) handleOpened(msg openedMsg) (Model, tea.Cmd) {
	if msg.err != nil {
		m.setError(msg.err)
		if !strings.HasPrefix(msg.typed, profile.PresetPrefix) {
			// The path stays, so that a typo is fixed, not retyped.
			m.push(dialog{box: pathBox(m.c, "Open a profile", []string{"A file path, or preset:NAME."}, msg.typed, msg.err.Error()), on: openPath})
		}
		return m, nil
	}
	m.setProfile(msg.prof, msg.source, msg.path)
	m.setStatus("opened %s", msg.source)
	m.setImport(msg.imported)
	m.compiling = true
	return m, tea.Batch(m.compileCmd(), m.checkRecoveryCmd())
}

// openDerived opens p, made from the open profile (minimized, recorded),
// unsaved and with no file of its own: save-as suggests the original's
// name with -how (profile-minimized.json), not one made from source.
func (m *Model) openDerived(p *profile.Profile, source, how string) {
	stem := m.baseName() + "-" + how
	m.setProfile(p, source, "")
	m.saveStem = stem
	m.forcedDirty = true
	m.compiling = true
}

// setImport notes a profile read from a file in another format: saves go
// to a new Docker JSON file next to it (never over it), and what the
// import could not carry over is listed.
func (m *Model) setImport(o *source.Opened) {
	m.imported, m.saveStem = "", ""
	if o == nil || o.Format.Native() {
		return
	}
	m.imported = m.abs(o.Path)
	stem := strings.TrimSuffix(m.imported, filepath.Ext(m.imported))
	if o.Format == source.FormatPID {
		// pid:PID names no file: save next to where the workbench runs.
		m.imported = ""
		stem = m.abs("pid-" + strings.TrimPrefix(o.Path, "pid:"))
	}
	if o.Name != "" {
		stem += "-" + o.Name
	}
	if stem+".json" == m.imported {
		stem += ".profile"
	}
	m.saveStem = stem
	what := o.Format.Title()
	if o.Name != "" {
		what += " " + o.Name
	}
	m.setStatus("opened %s (%s): s saves it as Docker JSON to a new file, never over the original", o.Path, what)
	if len(o.Warnings) > 0 {
		m.status += fmt.Sprintf(" · %s", common.Count(len(o.Warnings), "warning", "warnings"))
		m.push(viewerDialog(m.c, "What the import of "+filepath.Base(o.Path)+" could not carry over", o.Warnings, 0))
	}
}

// exportCmd exports the profile and writes the file atomically.
func (m Model) exportCmd(f export.Format, path string) tea.Cmd {
	p, env, src := m.ed.Profile(), m.c.Env, m.source
	path = expandHome(path)
	abs := m.abs(path)
	return func() tea.Msg {
		if path == "" {
			return exportedMsg{format: f, err: errors.New("export: no file name given: type a path")}
		}
		data, warnings, err := export.Export(p, env, f, export.ExportOptions{Source: src})
		if err == nil {
			err = checkParent(path)
		}
		if err == nil {
			err = profile.WriteFileAtomic(path, data, 0o644)
		}
		return exportedMsg{format: f, path: abs, typed: path, warnings: warnings, err: err}
	}
}

func (m Model) handleExported(msg exportedMsg) (Model, tea.Cmd) {
	if msg.err != nil {
		m.setError(fmt.Errorf("export %s failed: %w", msg.format, msg.err))
		if msg.recording != nil {
			m.push(saveRecordingDialog(m.c, msg.recording, msg.typed, m.status))
		} else {
			m.push(exportPathDialog(m.c, msg.format, msg.typed, m.status))
		}
		return m, nil
	}
	m.setStatus("exported %s to %s", msg.format, msg.path)
	if len(msg.warnings) > 0 {
		m.status += fmt.Sprintf(" (%s: %s)", common.Count(len(msg.warnings), "warning", "warnings"), msg.warnings[0])
	}
	return m, nil
}

// diffCmd compares the edited profile with the loaded one ("") or a
// preset.
func (m Model) diffCmd(against string) tea.Cmd {
	cur, loaded, env := m.ed.Profile(), m.loaded, m.c.Env
	name := against
	if name == "" {
		name = m.source + " as loaded"
	}
	return func() tea.Msg {
		ref := loaded
		if against != "" {
			o, err := source.Open(against)
			if err != nil {
				return diffMsg{against: name, err: err}
			}
			ref = o.Profile
			if len(o.Warnings) > 0 {
				// What the import could not carry is part of what A is.
				name += fmt.Sprintf(" (%s: %s)", common.Count(len(o.Warnings), "import warning", "import warnings"), strings.Join(o.Warnings, "; "))
			}
		}
		return diffMsg{against: name, changes: diff.Diff(ref.Effective(env), cur.Effective(env))}
	}
}

// handleDiff lists the changes: enter jumps to the syscall, r puts back
// what the other profile does (when that is one decision, not argument
// rules).
func (m Model) handleDiff(msg diffMsg) (Model, tea.Cmd) {
	if msg.err != nil {
		m.setError(msg.err)
		return m, nil
	}
	s := m.c.Styles
	header := []string{s.Dim.Render("A = " + msg.against + ", B = the profile being edited"), ""}
	if len(msg.changes) == 0 {
		header = append(header, s.OK.Render("No difference: both do the same with every syscall."))
	}
	var entries []dialogs.Entry
	for i, c := range msg.changes {
		st, kind := s.Text, ""
		switch {
		case c.Loosens && !c.Tightens:
			st, kind = s.Warn, "looser"
		case c.Tightens && !c.Loosens:
			st, kind = s.OK, "tighter"
		}
		e := dialogs.Entry{Head: st.Render(c.String()), Body: kind, Value: strconv.Itoa(i)}
		if revertible(c) {
			e.Actions = []string{"revert"}
		}
		entries = append(entries, e)
	}
	l := dialogs.NewList(m.c, "", "Diff · "+common.Count(len(msg.changes), "change", "changes"), header, entries, "jump to the syscall",
		dialogs.ListAction{Name: "revert", Binding: key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "revert to A"))})
	changes := msg.changes
	m.push(dialog{box: l, on: ok(func(r dialogs.Result) action {
		return do(func(m Model) (Model, tea.Cmd) { return diffChoice(m, r, changes) })
	})})
	return m, nil
}

// revertible: the change can be undone by one edit (A's outcome is one
// decision for the syscall or the default, not a set of argument rules).
func revertible(c diff.Change) bool {
	switch c.Scope {
	case diff.ScopeDefault:
		return true
	case diff.ScopeSyscall:
		return c.Syscall != "" && c.ADesc == c.A.String()
	}
	return false
}

// diffChoice jumps to a change's syscall or reverts it.
func diffChoice(m Model, r dialogs.Result, changes []diff.Change) (Model, tea.Cmd) {
	i, err := strconv.Atoi(r.Value)
	if err != nil || i < 0 || i >= len(changes) {
		return m, nil
	}
	c := changes[i]
	if r.Action == "revert" {
		if c.Scope == diff.ScopeDefault {
			return m.setDefault(c.A.Action, c.A.Errno)
		}
		return m.applyTo(c.Syscall, ScopeSyscall, c.A.Action, c.A.Errno)
	}
	if c.Syscall != "" && m.catalog.Select(c.Syscall) {
		m.setFocus(paneCatalog)
		m.syncSelection()
	}
	return m, nil
}

func expandHome(p string) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		if h, err := os.UserHomeDir(); err == nil {
			return filepath.Join(h, strings.TrimPrefix(p, "~"))
		}
	}
	return p
}

// Recovery: after every edit the profile goes to a file under the user's
// state directory, named after the profile's source, so that a crash or
// a kill loses nothing; a clean exit, a save or discarding removes it.

// defaultStateDir is $XDG_STATE_HOME/seccomp-workbench, falling back to
// ~/.local/state/seccomp-workbench as the XDG base directory spec says.
func defaultStateDir() string {
	if d := os.Getenv("XDG_STATE_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "seccomp-workbench")
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".local", "state", "seccomp-workbench")
	}
	return ""
}

// recoveryFile is the recovery file for a profile source.
func recoveryFile(dir, source string) string {
	if dir == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(source))
	return filepath.Join(dir, "recovery-"+hex.EncodeToString(sum[:8])+".json")
}

type recoveryDoc struct {
	Source  string          `json:"source"`
	Path    string          `json:"path,omitempty"`
	Saved   time.Time       `json:"saved"`
	Profile json.RawMessage `json:"profile"`
}

// recoveryStore serialises the recovery files' writes and removals, which
// run in commands that may finish out of order: each carries a sequence
// number taken in Update, and one older than the last applied to the same
// file is dropped, so a slow write can never bring back a file that a
// later removal deleted.
type recoveryStore struct {
	mu   sync.Mutex
	last map[string]uint64
}

func (s *recoveryStore) apply(seq uint64, file string, data []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if file == "" || seq <= s.last[file] {
		return nil
	}
	if s.last == nil {
		s.last = map[string]uint64{}
	}
	s.last[file] = seq
	if data == nil {
		err := os.Remove(file)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return err
	}
	return profile.WriteFileAtomic(file, data, 0o600)
}

// recoveryKey names the profile for its recovery file: the absolute path
// of a file, or the preset or recording it came from.
func (m Model) recoveryKey() string {
	if m.path != "" {
		return m.abs(m.path)
	}
	return m.source
}

// recoveryCmd writes the current profile to the recovery file.
func (m *Model) recoveryCmd() tea.Cmd {
	m.recSeq++
	seq, store, file := m.recSeq, m.rec, recoveryFile(m.stateDir, m.recoveryKey())
	p, doc := m.ed.Profile(), recoveryDoc{Source: m.source, Path: m.path}
	return func() tea.Msg {
		raw, err := profile.Marshal(p)
		if err != nil {
			return recoveryDoneMsg{err}
		}
		doc.Profile, doc.Saved = raw, time.Now()
		data, err := json.MarshalIndent(doc, "", "\t")
		if err != nil {
			return recoveryDoneMsg{err}
		}
		return recoveryDoneMsg{store.apply(seq, file, data)}
	}
}

// clearRecoveryCmd removes the recovery file.
func (m *Model) clearRecoveryCmd() tea.Cmd {
	m.recSeq++
	seq, store, file := m.recSeq, m.rec, recoveryFile(m.stateDir, m.recoveryKey())
	return func() tea.Msg { return recoveryDoneMsg{store.apply(seq, file, nil)} }
}

func (m Model) handleRecoveryDone(msg recoveryDoneMsg) (Model, tea.Cmd) {
	if msg.err != nil && !m.statusErr {
		m.setError(fmt.Errorf("recovery file: %w (edits are not protected against a crash; check %s)", msg.err, m.stateDir))
	}
	return m, nil
}

// checkRecoveryCmd looks for a recovery file of the current source.
func (m Model) checkRecoveryCmd() tea.Cmd {
	file := recoveryFile(m.stateDir, m.recoveryKey())
	return func() tea.Msg {
		if file == "" {
			return nil
		}
		data, err := os.ReadFile(file)
		if err != nil {
			return nil
		}
		var doc recoveryDoc
		if err := json.Unmarshal(data, &doc); err != nil {
			return recoveryDoneMsg{fmt.Errorf("%s: %v", file, err)}
		}
		p, err := profile.Parse(file, doc.Profile)
		if err != nil {
			return recoveryDoneMsg{err}
		}
		return recoveryFoundMsg{file: file, saved: doc.Saved, prof: p}
	}
}

func (m Model) handleRecoveryFound(msg recoveryFoundMsg) (Model, tea.Cmd) {
	if m.stack.open() {
		return m, nil // busy with something else; the file stays for next time
	}
	when := msg.saved.Local().Format("2006-01-02 15:04:05")
	mn := menuBox(m.c, "Recover unsaved edits?", []string{
		"The workbench did not exit cleanly last time. Edits to " + m.source + " from " + when + " were kept.",
	}, []dialogs.Item{
		{Key: "r", Label: "restore them", Value: "restore"},
		{Key: "d", Label: "discard them", Value: "discard"},
	}, false)
	rec := &msg
	m.push(dialog{box: mn, on: func(r dialogs.Result) action {
		if !r.OK {
			return statusAction("the recovered edits were kept in " + rec.file)
		}
		return do(func(m Model) (Model, tea.Cmd) { return recoveryChoice(m, r.Value, rec) })
	}})
	return m, nil
}

// saveAsDialog asks where to save the profile (again, with why, when a
// save failed).
func saveAsDialog(c *common.Common, path, errText string) dialog {
	return dialog{box: pathBox(c, "Save as", []string{"Write the profile (Docker's JSON) to:"}, path, errText),
		on: ok(func(r dialogs.Result) action {
			path := strings.TrimSpace(r.Value)
			return do(func(m Model) (Model, tea.Cmd) { return m.saveTo(path) })
		})}
}

func recoveryChoice(m Model, v string, rec *recoveryFoundMsg) (Model, tea.Cmd) {
	if v != "restore" {
		m.setStatus("discarded the recovered edits")
		return m, m.clearRecoveryCmd()
	}
	loaded := m.loaded
	m.setProfile(rec.prof, m.source, m.path)
	m.loaded = loaded
	m.catalog.SetBaseline(common.States(loaded.Effective(m.c.Env), m.c.Catalog))
	m.forcedDirty = true
	m.setStatus("restored unsaved edits from %s", rec.file)
	m.compiling = true
	return m, m.compileCmd()
}
