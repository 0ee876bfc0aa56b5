package main

import (
	"bytes"
	"syscall"
	"testing"
	"time"
)

// The workbench's lines on a raw terminal: "\r\n", on a line of their own,
// held while the target is on the alternate screen.
func TestScreenLines(t *testing.T) {
	type op struct {
		out  string // the target's output, or
		line string // a line of the workbench's
	}
	cases := []struct {
		name string
		raw  bool
		ops  []op
		end  bool
		want string
	}{
		{"raw", true, []op{{out: "a\r\n"}, {line: "denied\n"}, {out: "b"}}, false, "a\r\ndenied\r\nb"},
		{"cooked", false, []op{{out: "a\n"}, {line: "denied\n"}}, false, "a\ndenied\n"},
		{"mid-line", true, []op{{out: "$ "}, {line: "denied\n"}, {out: "x"}}, false, "$ \r\ndenied\r\nx"},
		{"at the start", true, []op{{line: "one\n"}, {line: "two\n"}}, false, "one\r\ntwo\r\n"},
		{"alternate screen", true, []op{{out: "\x1b[?1049hvi"}, {line: "denied\n"}, {out: "more"}, {out: "\x1b[?1049l"}},
			false, "\x1b[?1049hvimore\x1b[?1049l\r\ndenied\r\n"},
		{"old alternate screen", true, []op{{out: "\x1b[?47h"}, {line: "denied\n"}, {out: "\x1b[?47l$ "}},
			false, "\x1b[?47h\x1b[?47l$ \r\ndenied\r\n"},
		{"sequence split in two", true, []op{{out: "x\x1b[?10"}, {out: "49h"}, {line: "held\n"}, {out: "\x1b[?10"}, {out: "49l\r\n"}},
			false, "x\x1b[?1049h\x1b[?1049l\r\nheld\r\n"},
		{"leave and enter in one write", true, []op{{out: "\x1b[?1049h"}, {line: "held\n"}, {out: "\x1b[?1049l\x1b[?1049h"}},
			false, "\x1b[?1049h\x1b[?1049l\x1b[?1049h"},
		{"killed on the alternate screen", false, []op{{out: "\x1b[?1049htop"}, {line: "held\n"}},
			true, "\x1b[?1049htop\x1b[?1049l\nheld\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var term bytes.Buffer
			s := &screen{out: &term}
			s.setRaw(c.raw)
			for _, o := range c.ops {
				if o.line != "" {
					s.line(&term, o.line)
				} else {
					s.Write([]byte(o.out))
				}
			}
			if c.end {
				s.end()
			}
			if got := term.String(); got != c.want {
				t.Errorf("terminal got %q, want %q", got, c.want)
			}
		})
	}
}

func TestForwardingDecisions(t *testing.T) {
	t0 := time.Unix(1000, 0)
	type step struct {
		sig  syscall.Signal
		at   time.Duration
		want sigAction
	}
	cases := []struct {
		name  string
		steps []step
	}{
		{"third SIGINT stops", []step{{syscall.SIGINT, 0, sigForward}, {syscall.SIGINT, 0, sigForward}, {syscall.SIGINT, 0, sigStop}, {syscall.SIGINT, 0, sigStop}}},
		{"quick SIGTERMs are forwarded", []step{{syscall.SIGTERM, 0, sigForward}, {syscall.SIGTERM, time.Second, sigForward}, {syscall.SIGTERM, 2 * time.Second, sigForward}}},
		{"SIGTERM after a few seconds stops", []step{{syscall.SIGTERM, 0, sigForward}, {syscall.SIGTERM, termRepeat, sigStop}}},
		{"interrupts and terms count apart", []step{{syscall.SIGINT, 0, sigForward}, {syscall.SIGTERM, 0, sigForward}, {syscall.SIGINT, 0, sigForward}, {syscall.SIGTERM, time.Second, sigForward}}},
		{"others", []step{{syscall.SIGHUP, 0, sigForward}, {syscall.SIGQUIT, 0, sigForward}, {syscall.SIGUSR1, 0, sigForward}, {syscall.SIGTSTP, 0, sigSuspend}, {syscall.SIGWINCH, 0, sigResize}, {syscall.SIGHUP, time.Hour, sigForward}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var f forwarding
			for i, s := range c.steps {
				if got, _ := f.decide(s.sig, t0.Add(s.at)); got != s.want {
					t.Errorf("step %d (%v at +%v): %v, want %v", i, s.sig, s.at, got, s.want)
				}
			}
		})
	}
}
