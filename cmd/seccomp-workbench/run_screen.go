package main

import (
	"bytes"
	"io"
	"strings"
	"sync"
)

// screen is the user's terminal while the target has a pty of its own:
// the target's output (copied from the pty) and the workbench's own lines
// meet here, one write at a time.
//
// While the terminal is raw its driver no longer turns "\n" into "\r\n",
// so a line of the workbench's ends with "\r\n", and starts on a line of
// its own when the target left the cursor mid-line (a prompt). While the
// target shows the alternate screen (vi, top, less) a line would be drawn
// over its picture and erased by its next redraw, so lines are held until
// it leaves that screen, or the run ends.
type screen struct {
	mu    sync.Mutex
	out   io.Writer // the terminal: the target's output
	raw   bool
	alt   bool   // the target is on the alternate screen
	midLn bool   // the cursor is not at the start of a line
	tail  []byte // the end of the last output, for a sequence split in two
	held  []heldLine
}

// heldLine is a line of the workbench's kept back, for the writer it was
// meant for.
type heldLine struct {
	w    io.Writer
	text string
}

// The private modes that switch to the alternate screen (xterm's 1049 and
// the older 1047 and 47); 'h' enters it, 'l' leaves it.
var altModes = []string{"\x1b[?1049", "\x1b[?1047", "\x1b[?47"}

// altTail is the longest sequence above with its final byte.
const altTail = len("\x1b[?1049h") - 1

// Write copies the target's output to the terminal.
func (s *screen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, err := s.out.Write(p)
	s.track(p[:n])
	if !s.alt {
		s.flushLocked()
	}
	return n, err
}

// track follows the alternate screen and the cursor's column through p.
func (s *screen) track(p []byte) {
	if len(p) == 0 {
		return
	}
	s.midLn = p[len(p)-1] != '\n'
	buf := append(s.tail, p...)
	last, on := -1, s.alt
	for _, m := range altModes {
		for _, f := range []byte{'h', 'l'} {
			if i := bytes.LastIndex(buf, []byte(m+string(f))); i > last {
				last, on = i, f == 'h'
			}
		}
	}
	s.alt = on
	if len(buf) > altTail {
		buf = buf[len(buf)-altTail:]
	}
	s.tail = append(s.tail[:0], buf...)
}

// line writes one of the workbench's own lines (text ends with "\n") to w,
// which shows on this screen: now, or once the target leaves the
// alternate screen.
func (s *screen) line(w io.Writer, text string) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.alt {
		s.held = append(s.held, heldLine{w, text})
		return len(text), nil
	}
	return len(text), s.writeLocked(w, text)
}

func (s *screen) writeLocked(w io.Writer, text string) error {
	if s.midLn {
		text = "\n" + text
	}
	s.midLn = false
	if s.raw {
		text = strings.ReplaceAll(text, "\n", "\r\n")
	}
	_, err := io.WriteString(w, text)
	return err
}

func (s *screen) flushLocked() {
	for _, h := range s.held {
		s.writeLocked(h.w, h.text)
	}
	s.held = nil
}

// setRaw records whether the terminal is raw; the caller switches it.
func (s *screen) setRaw(on bool) {
	s.mu.Lock()
	s.raw = on
	s.mu.Unlock()
}

// end is called once the target has ended and its output is copied, with
// the terminal back in its own mode: a target killed on the alternate
// screen leaves it (else the user's shell would stay on that screen), and
// the lines held back are written.
func (s *screen) end() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.alt {
		io.WriteString(s.out, "\x1b[?1049l")
		s.alt = false
	}
	s.flushLocked()
}
