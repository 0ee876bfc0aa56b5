package tui

import (
	"bytes"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/teatest/v2"
)

// sgrColour matches an SGR sequence with a parameter that sets a colour
// (30–38, 40–48, 90–97, 100–107).
var sgrColour = regexp.MustCompile(`\x1b\[(?:[0-9:]*;)*(?:3[0-8]|4[0-8]|9[0-7]|10[0-7])(?:[;:][0-9:;]*)?m`)

// The whole program under Bubble Tea (teatest): it starts, compiles,
// takes keys, asks before dropping an edit, and quits.
func TestProgram(t *testing.T) {
	o := testOptions(t)
	m, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 36),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.ANSI256)))
	var seen bytes.Buffer
	wait := func(what string) {
		t.Helper()
		teatest.WaitFor(t, io.TeeReader(tm.Output(), &seen), func(b []byte) bool {
			return bytes.Contains(seen.Bytes(), []byte(what))
		}, teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
	}
	wait("verified")
	tm.Type("/mkdir")
	tm.Send(keyMsg("enter"))
	tm.Type("d")
	wait("unsaved")
	tm.Type("q")
	wait("Unsaved edits")
	tm.Type("d")
	final := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(Model)
	if !final.quitting || final.states["mkdir"].Badge() != "errno(EPERM)" {
		t.Fatalf("final model: quitting %v mkdir %s", final.quitting, final.states["mkdir"].Badge())
	}
	if _, err := os.Stat(recoveryFile(o.StateDir, final.recoveryKey())); !os.IsNotExist(err) {
		t.Fatal("quitting without saving, by choice, removes the recovery file")
	}
	if !sgrColour.Match(seen.Bytes()) {
		t.Fatal("with a 256-colour profile the screen should have colour")
	}
}

// NO_COLOR: any non-empty value, not only the boolean ones.
func TestNoColor(t *testing.T) {
	for _, v := range []string{"1", "yes", "anything"} {
		opts := programOptions(func(k string) string {
			if k == "NO_COLOR" {
				return v
			}
			return ""
		})
		m, err := New(testOptions(t))
		if err != nil {
			t.Fatal(err)
		}
		tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 36), teatest.WithProgramOptions(opts...))
		var seen bytes.Buffer
		teatest.WaitFor(t, io.TeeReader(tm.Output(), &seen), func([]byte) bool {
			return bytes.Contains(seen.Bytes(), []byte("verified"))
		}, teatest.WithDuration(10*time.Second))
		tm.Type("q")
		tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
		if loc := sgrColour.FindIndex(seen.Bytes()); loc != nil {
			t.Fatalf("NO_COLOR=%s: colour in the output: %q", v, seen.Bytes()[max(0, loc[0]-20):min(len(seen.Bytes()), loc[1]+20)])
		}
		if !strings.Contains(seen.String(), "\x1b[7m") && !strings.Contains(seen.String(), ";7m") {
			t.Fatalf("NO_COLOR=%s: the selection should still be shown in reverse video", v)
		}
	}
	if len(programOptions(func(string) string { return "" })) != 0 {
		t.Fatal("without NO_COLOR the terminal's profile is used")
	}
}
