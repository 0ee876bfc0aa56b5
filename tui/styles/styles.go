// Package styles holds the workbench's one Styles struct. Fields are named
// for what they mean (an allowed syscall, stderr, the focused pane), not for
// how they look, so panes never pick colours themselves.
//
// Colours come in a dark and a light variant (chosen from the terminal's
// background once Bubble Tea reports it). Bubble Tea downsamples them to
// what the terminal supports and drops them under NO_COLOR, so everything
// that carries meaning is also said in text (the badge reads "allow" or
// "errno(EPERM)") or with reverse video, which survives without colour.
package styles

import (
	"image/color"

	"charm.land/bubbles/v2/help"
	"charm.land/lipgloss/v2"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// Styles is every style the workbench draws with.
type Styles struct {
	IsDark bool

	// Frame and chrome.
	Border        lipgloss.Style // the frame of an unfocused pane
	BorderFocused lipgloss.Style
	Title         lipgloss.Style // a pane's title in its top border
	TitleFocused  lipgloss.Style
	Tab           lipgloss.Style
	TabActive     lipgloss.Style

	// Header line.
	ProfileRef lipgloss.Style // the profile's name or path
	Dirty      lipgloss.Style // the unsaved-edits mark
	OK         lipgloss.Style // "compiled & verified"
	Busy       lipgloss.Style // "compiling…"
	Error      lipgloss.Style
	Warn       lipgloss.Style
	Status     lipgloss.Style // the one-line status message

	// Text.
	Text     lipgloss.Style
	Dim      lipgloss.Style
	Label    lipgloss.Style
	Heading  lipgloss.Style
	Match    lipgloss.Style // matched characters in search results
	Selected lipgloss.Style // the cursor row of the focused list
	Cursor   lipgloss.Style // the cursor row of an unfocused list

	// Risk tiers.
	Critical lipgloss.Style
	High     lipgloss.Style
	Medium   lipgloss.Style
	Low      lipgloss.Style

	// Action badges.
	Allow  lipgloss.Style
	Errno  lipgloss.Style
	Kill   lipgloss.Style
	Log    lipgloss.Style
	Trap   lipgloss.Style
	Notify lipgloss.Style
	Mark   lipgloss.Style // argument-condition and split-family marks

	// Run pane.
	Stdout        lipgloss.Style
	Stderr        lipgloss.Style
	Info          lipgloss.Style // the runner's own lines ("started pid 12")
	BannerIdle    lipgloss.Style
	BannerRunning lipgloss.Style
	BannerPass    lipgloss.Style
	BannerWarn    lipgloss.Style // passed, but calls were denied
	BannerFail    lipgloss.Style

	// Program tab.
	AsmPC  lipgloss.Style
	AsmHit lipgloss.Style // an instruction the selected syscall executes

	Help help.Styles
}

// New builds the styles for a dark or a light background.
func New(isDark bool) *Styles {
	ld := lipgloss.LightDark(isDark)
	c := func(light, dark string) color.Color { return ld(lipgloss.Color(light), lipgloss.Color(dark)) }

	fg := c("#1f2328", "#d8dee9")
	dim := c("#6e7781", "#7b8494")
	accent := c("#0550ae", "#79c0ff")
	red := c("#b3261e", "#ff7b72")
	green := c("#1a7f37", "#56d364")
	yellow := c("#8a6100", "#e3b341")
	orange := c("#bc4c00", "#ffa657")
	magenta := c("#8250df", "#d2a8ff")
	cyan := c("#0a7a8a", "#76e3ea")
	border := c("#afb8c1", "#3b4252")

	s := &Styles{IsDark: isDark}
	base := lipgloss.NewStyle()
	s.Border = base.Foreground(border)
	s.BorderFocused = base.Foreground(accent)
	s.Title = base.Foreground(dim)
	s.TitleFocused = base.Foreground(accent).Bold(true)
	s.Tab = base.Foreground(dim)
	s.TabActive = base.Foreground(accent).Bold(true).Underline(true)

	s.ProfileRef = base.Foreground(accent).Bold(true)
	s.Dirty = base.Foreground(orange).Bold(true)
	s.OK = base.Foreground(green)
	s.Busy = base.Foreground(yellow)
	s.Error = base.Foreground(red).Bold(true)
	s.Warn = base.Foreground(yellow)
	s.Status = base.Foreground(cyan)

	s.Text = base.Foreground(fg)
	s.Dim = base.Foreground(dim)
	s.Label = base.Foreground(dim)
	s.Heading = base.Foreground(accent).Bold(true)
	s.Match = base.Foreground(orange).Underline(true)
	s.Selected = base.Reverse(true)
	s.Cursor = base.Underline(true)

	s.Critical = base.Foreground(red).Bold(true)
	s.High = base.Foreground(orange)
	s.Medium = base.Foreground(yellow)
	s.Low = base.Foreground(green)

	s.Allow = base.Foreground(green)
	s.Errno = base.Foreground(orange)
	s.Kill = base.Foreground(red).Bold(true)
	s.Log = base.Foreground(cyan)
	s.Trap = base.Foreground(magenta)
	s.Notify = base.Foreground(accent)
	s.Mark = base.Foreground(magenta)

	s.Stdout = base.Foreground(fg)
	s.Stderr = base.Foreground(red)
	s.Info = base.Foreground(dim).Italic(true)
	s.BannerIdle = base.Foreground(dim)
	s.BannerRunning = base.Foreground(yellow).Bold(true)
	s.BannerPass = base.Foreground(green).Bold(true)
	s.BannerWarn = base.Foreground(yellow).Bold(true)
	s.BannerFail = base.Foreground(red).Bold(true)

	s.AsmPC = base.Foreground(dim)
	s.AsmHit = base.Foreground(accent).Bold(true)

	s.Help = help.DefaultStyles(isDark)
	return s
}

// Risk is the style of a risk tier.
func (s *Styles) Risk(r catalog.Risk) lipgloss.Style {
	switch r {
	case catalog.Critical:
		return s.Critical
	case catalog.High:
		return s.High
	case catalog.Medium:
		return s.Medium
	}
	return s.Low
}

// Action is the badge style of an action.
func (s *Styles) Action(a profile.Action) lipgloss.Style {
	switch a {
	case profile.ActAllow:
		return s.Allow
	case profile.ActErrno:
		return s.Errno
	case profile.ActKill, profile.ActKillProcess, profile.ActKillThread:
		return s.Kill
	case profile.ActLog:
		return s.Log
	case profile.ActTrap:
		return s.Trap
	}
	return s.Notify
}
