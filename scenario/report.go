package scenario

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/seccomp-workbench/seccomp-workbench/runner"
)

// WriteText writes one line per result ("✔ name @ profile (0.4s)", or ✘
// and the failures indented below it; an audit-mode scenario is marked
// "[audit: nothing denied]") and a summary line.
func WriteText(w io.Writer, rs []Result, color bool) error {
	paint := func(code, s string) string {
		if !color {
			return s
		}
		return "\x1b[" + code + "m" + s + "\x1b[0m"
	}
	passed, failed := 0, 0
	var total time.Duration
	var b strings.Builder
	for _, r := range rs {
		total += r.Duration
		mark := paint("32", "✔")
		if !r.Passed {
			mark = paint("31", "✘")
			failed++
		} else {
			passed++
		}
		audit := ""
		if r.Scenario.Mode == runner.ModeAudit {
			audit = " [audit: nothing denied]"
		}
		fmt.Fprintf(&b, "%s %s @ %s%s (%.1fs)\n", mark, r.Scenario.Name, r.Profile, audit, r.Duration.Seconds())
		for _, f := range r.Failures {
			fmt.Fprintf(&b, "    %s\n", f)
		}
	}
	fmt.Fprintf(&b, "%d passed, %d failed (%.1f s of runs)\n", passed, failed, total.Seconds())
	_, err := io.WriteString(w, b.String())
	return err
}

type denialJSON struct {
	Syscall string `json:"syscall"`
	Args    string `json:"args"`
	Action  string `json:"action"`
	// Audit: the call ran (audit mode); Action is what it would have got.
	Audit bool `json:"audit,omitempty"`
}

type resultJSON struct {
	Scenario   string       `json:"scenario"`
	Profile    string       `json:"profile"`
	Passed     bool         `json:"passed"`
	Failures   []string     `json:"failures"`
	Error      string       `json:"error,omitempty"`
	Result     string       `json:"result"`
	ExitCode   int          `json:"exit_code"`
	Signal     string       `json:"signal"`
	Denied     []string     `json:"denied"`
	Denials    []denialJSON `json:"denials"`
	DurationMS int64        `json:"duration_ms"`
	Stdout     string       `json:"stdout"`
	Stderr     string       `json:"stderr"`
	Mode       string       `json:"mode"`
	// WouldDeny is set in audit mode only (Denied is empty then).
	WouldDeny *[]string `json:"would_deny,omitempty"`
}

// WriteJSON writes one JSON object per result, one per line.
func WriteJSON(w io.Writer, rs []Result) error {
	enc := json.NewEncoder(w)
	for _, r := range rs {
		j := resultJSON{Scenario: r.Scenario.Name, Profile: r.Profile, Passed: r.Passed,
			Failures: r.Failures, Result: r.Verdict.Result, ExitCode: r.Verdict.ExitCode,
			Signal: r.Verdict.Signal, Denied: r.Verdict.Denied, DurationMS: r.Duration.Milliseconds(),
			Denials: []denialJSON{}, Stdout: r.Stdout, Stderr: r.Stderr}
		if j.Failures == nil {
			j.Failures = []string{}
		}
		if j.Denied == nil {
			j.Denied = []string{}
		}
		if r.Err != nil {
			j.Error = r.Err.Error()
		}
		for _, d := range r.Denials {
			j.Denials = append(j.Denials, denialJSON{Syscall: d.Syscall, Args: callText(d), Action: outcomeText(d), Audit: d.Audit})
		}
		if j.Mode = string(r.Scenario.Mode); r.Scenario.Mode == runner.ModeAudit {
			would := append([]string{}, r.Verdict.WouldDeny...)
			j.WouldDeny = &would
		}
		if err := enc.Encode(j); err != nil {
			return err
		}
	}
	return nil
}

// The JUnit XML shape CI servers render.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Error     *junitMessage `xml:"error,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
	SystemErr string        `xml:"system-err,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

// junitTail is how much of each stream a test case carries.
const junitTail = 4096

func tail(s string) string {
	if len(s) > junitTail {
		s = s[len(s)-junitTail:]
	}
	return strings.ToValidUTF8(strings.Map(func(r rune) rune {
		// XML 1.0 cannot carry most control characters, even escaped.
		if r < 0x20 && r != '\n' && r != '\t' && r != '\r' {
			return '?'
		}
		return r
	}, s), "?")
}

// WriteJUnit writes rs as JUnit XML: one testsuite per profile, one
// testcase per scenario, a <failure> per failed expectation.
func WriteJUnit(w io.Writer, rs []Result) error {
	var all junitSuites
	index := map[string]int{}
	var total time.Duration
	for _, r := range rs {
		i, ok := index[r.Profile]
		if !ok {
			i = len(all.Suites)
			index[r.Profile] = i
			all.Suites = append(all.Suites, junitSuite{Name: r.Profile})
		}
		s := &all.Suites[i]
		c := junitCase{Name: r.Scenario.Name, Classname: r.Profile, Time: secs(r.Duration),
			SystemOut: tail(r.Stdout), SystemErr: tail(r.Stderr)}
		s.Tests++
		all.Tests++
		if !r.Passed {
			m := &junitMessage{Message: tail(strings.Join(r.Failures, "; ")), Text: tail(strings.Join(r.Failures, "\n"))}
			if r.Err != nil {
				c.Error = m
				s.Errors++
				all.Errors++
			} else {
				c.Failure = m
				s.Failures++
				all.Failures++
			}
		}
		d, _ := time.ParseDuration(s.Time + "s")
		s.Time = secs(d + r.Duration)
		total += r.Duration
		s.Cases = append(s.Cases, c)
	}
	all.Time = secs(total)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(all); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func secs(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }
