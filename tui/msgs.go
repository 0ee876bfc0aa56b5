package tui

import (
	"time"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/cbpf"
	"github.com/seccomp-workbench/seccomp-workbench/profile/compile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/diff"
	"github.com/seccomp-workbench/seccomp-workbench/profile/export"
	"github.com/seccomp-workbench/seccomp-workbench/profile/lint"
	"github.com/seccomp-workbench/seccomp-workbench/profile/source"
)

// Messages that commands send back to Update. Each carries what it needs
// to be recognised as stale: a profile generation, a run id.

// compiledMsg: the profile of generation gen was compiled and verified
// (or failed to).
type compiledMsg struct {
	gen      int
	prog     *compile.Program
	asm      []cbpf.AsmLine
	err      error
	findings []lint.Finding
}

// openedMsg: a profile was loaded for the workbench to edit.
type openedMsg struct {
	source string // what the user asked for: a path or preset:NAME
	path   string // the file saves go to; "" for presets
	typed  string // what the user typed
	prof   *profile.Profile
	// imported is how a file in another format than Docker JSON was
	// read; nil for Docker files and presets.
	imported *source.Opened
	err      error
}

// savedMsg: the profile of generation gen was written to path (made
// absolute).
type savedMsg struct {
	gen   int
	path  string
	typed string // the path as the user gave it
	err   error
}

// exportedMsg: an export was written.
type exportedMsg struct {
	format    export.Format
	path      string
	typed     string           // the path as the user gave it
	recording *profile.Profile // a recording was being saved (not an export)
	warnings  []string
	err       error
}

// recoveryFoundMsg: a recovery file from an earlier session exists.
type recoveryFoundMsg struct {
	file  string
	saved time.Time
	prof  *profile.Profile
}

// recoveryDoneMsg: a recovery write or removal finished.
type recoveryDoneMsg struct{ err error }

// diffMsg: a diff was computed against another profile.
type diffMsg struct {
	against string
	changes []diff.Change
	err     error
}
