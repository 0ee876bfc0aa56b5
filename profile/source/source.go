// Package source resolves a PROFILE argument: preset:NAME, or a file in
// any format the workbench reads, detected by its content — Docker's
// seccomp JSON (the same object as the OCI runtime-spec linux.seccomp),
// an OCI runtime config.json, a security-profiles-operator SeccompProfile
// (YAML or JSON, one document or several, or a List), a systemd unit or
// drop-in, Firecracker's seccompiler JSON, and — decompiled by
// profile/decompile — a raw seccomp BPF program or pid:PID, a live
// process's filters. FILE#NAME picks one
// SeccompProfile by metadata.name or one Firecracker thread; a file whose
// name really is FILE#NAME wins over the selector.
//
// An import says what it could not carry over (Opened.Warnings): nothing
// is dropped silently. Each format is read by its own file (spo.go,
// oci.go, systemd.go, firecracker.go).
package source

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"unicode"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/decompile"
)

// Format is what a PROFILE argument turned out to be.
type Format string

// The formats Open reads.
const (
	FormatPreset      Format = "preset"
	FormatDocker      Format = "docker"
	FormatOCIConfig   Format = "oci-config"
	FormatSPO         Format = "seccompprofile"
	FormatSystemd     Format = "systemd"
	FormatFirecracker Format = "firecracker"
	FormatBPF         Format = "bpf"
	FormatPID         Format = "pid"
)

var formatTitles = map[Format]string{
	FormatPreset:      "preset",
	FormatDocker:      "Docker seccomp JSON",
	FormatOCIConfig:   "OCI runtime config.json",
	FormatSPO:         "SeccompProfile (security-profiles-operator)",
	FormatSystemd:     "systemd unit",
	FormatFirecracker: "Firecracker seccompiler JSON",
	FormatBPF:         "raw seccomp BPF program",
	FormatPID:         "live process",
}

// Title names the format in messages ("systemd unit").
func (f Format) Title() string { return formatTitles[f] }

// Native reports whether a profile of this format is saved back in the
// same format: only Docker's JSON (and presets, which have no file).
func (f Format) Native() bool { return f == FormatDocker || f == FormatPreset }

// accepted is the list every "not a profile" error ends with.
const accepted = "the workbench reads Docker/OCI seccomp JSON, an OCI runtime config.json, a SeccompProfile (YAML or JSON), a systemd unit or drop-in, Firecracker seccompiler JSON, a raw seccomp BPF program, and pid:PID (a live process's filters)"

// Opened is a resolved PROFILE argument.
type Opened struct {
	Profile *profile.Profile
	Format  Format
	// Path is the file read (without a #selector); "" for a preset.
	Path string
	// Name is the SeccompProfile or Firecracker thread chosen, when the
	// format holds several.
	Name string
	// Warnings say what the import could not carry over, or what the
	// file does that the profile now does differently. One line each.
	Warnings []string
}

// Open resolves a PROFILE argument: preset:NAME, FILE or FILE#NAME.
func Open(arg string) (*Opened, error) {
	if strings.HasPrefix(arg, decompile.PIDPrefix) {
		// pid:PID: the filters a live process runs under, decompiled.
		p, warnings, _, err := decompile.Open(arg)
		if err != nil {
			return nil, err
		}
		for i, w := range warnings {
			warnings[i] = arg + ": " + w
		}
		// Path names the process: an editor saving the import puts it
		// in a new file "pid:PID.json" of its own directory.
		return &Opened{Profile: p, Format: FormatPID, Path: arg, Warnings: warnings}, nil
	}
	if strings.HasPrefix(arg, profile.PresetPrefix) {
		p, err := profile.Open(arg)
		if err != nil {
			return nil, err
		}
		return &Opened{Profile: p, Format: FormatPreset}, nil
	}
	path, sel := Split(arg)
	data, err := os.ReadFile(path)
	if err != nil {
		// Load words the errors (no such file, permission) the same way
		// for every format.
		_, lerr := profile.Load(path)
		if lerr == nil {
			lerr = err
		}
		return nil, lerr
	}
	return Parse(path, sel, data)
}

// Split separates FILE#NAME. A file that exists under the whole name wins
// (a file may have '#' in its name); otherwise the text after the last
// '#' is the selector when the part before it is an existing file.
func Split(arg string) (path, sel string) {
	if _, err := os.Stat(arg); err == nil {
		return arg, ""
	}
	i := strings.LastIndexByte(arg, '#')
	if i <= 0 {
		return arg, ""
	}
	if _, err := os.Stat(arg[:i]); err != nil {
		return arg, ""
	}
	return arg[:i], arg[i+1:]
}

// Parse reads data (the file name) in whatever format it is; sel is the
// #NAME selector ("" for none).
func Parse(name, sel string, data []byte) (*Opened, error) {
	if strings.ContainsFunc(sel, unicode.IsControl) {
		return nil, fmt.Errorf("%s: the #NAME %q has a control character: name a SeccompProfile or a thread", name, sel)
	}
	f, err := Detect(name, data)
	if err != nil {
		return nil, err
	}
	if sel != "" && f != FormatSPO && f != FormatFirecracker {
		return nil, fmt.Errorf("%s#%s: a %s holds one profile: #NAME picks a SeccompProfile document or a Firecracker thread; drop '#%s'", name, sel, f.Title(), sel)
	}
	var o *Opened
	switch f {
	case FormatDocker:
		var p *profile.Profile
		if p, err = profile.Parse(name, data); err == nil {
			o = &Opened{Profile: p}
		}
	case FormatOCIConfig:
		o, err = parseOCIConfig(name, data)
	case FormatSPO:
		o, err = parseSPO(name, sel, data)
	case FormatSystemd:
		o, err = parseSystemd(name, data)
	case FormatFirecracker:
		o, err = parseFirecracker(name, sel, data)
	case FormatBPF:
		var p *profile.Profile
		var warnings []string
		if p, warnings, err = decompile.FromRaw(data); err == nil {
			o = &Opened{Profile: p, Warnings: warnings}
		} else {
			err = fmt.Errorf("%s: %w", name, err)
		}
	}
	if err != nil {
		return nil, err
	}
	o.Format, o.Path = f, name
	for i, w := range o.Warnings {
		if !strings.HasPrefix(w, name) {
			o.Warnings[i] = name + ": " + w
		}
	}
	return o, nil
}

// Detect says which format data is in, from its content alone, with a
// one-line error when it is none of them or looks like two.
func Detect(name string, data []byte) (Format, error) {
	trim := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\ufeff")), " \t\r\n")
	if len(trim) == 0 {
		return "", fmt.Errorf("%s: the file is empty: give a seccomp profile (%s)", name, accepted)
	}
	if decompile.LooksLikeBPF(data) {
		// A raw struct sock_filter array (export --format bpf,
		// bubblewrap, Flatpak): decompiled.
		return FormatBPF, nil
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return "", fmt.Errorf("%s: binary data, not a profile: %s", name, accepted)
	}
	firstLine, _, _ := strings.Cut(string(trim), "\n")
	switch {
	case trim[0] == '{':
		return detectJSON(name, data)
	case trim[0] == '[' && !sdSectionRE().MatchString(strings.TrimSpace(firstLine)):
		return "", fmt.Errorf("%s: a JSON array, not a profile (a profile is a JSON object): %s", name, accepted)
	}
	unit, yml := looksSystemd(data), looksYAML(data)
	switch {
	case unit != "" && yml != "":
		return "", fmt.Errorf("%s: looks like both a systemd unit (%s) and YAML (%s): keep one, or split the file", name, unit, yml)
	case unit != "":
		return FormatSystemd, nil
	case yml != "":
		return FormatSPO, nil
	}
	first, _, _ := strings.Cut(strings.TrimSpace(string(trim)), "\n")
	if len(first) > 40 {
		first = first[:40] + "…"
	}
	return "", fmt.Errorf("%s: text that is no profile format (it starts %q): %s", name, first, accepted)
}

// The top-level keys that mark each JSON format.
var jsonMarks = []struct {
	f    Format
	keys []string
}{
	{FormatDocker, []string{"defaultAction", "syscalls", "architectures", "archMap", "defaultErrnoRet"}},
	{FormatOCIConfig, []string{"ociVersion", "linux", "process", "root"}},
	{FormatSPO, []string{"apiVersion", "kind"}},
}

func detectJSON(name string, data []byte) (Format, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		// Not valid JSON: Docker's reader words the error with line:col.
		return FormatDocker, nil
	}
	var found []Format
	var why []string
	for _, m := range jsonMarks {
		for _, k := range m.keys {
			if _, ok := top[k]; ok {
				found = append(found, m.f)
				why = append(why, fmt.Sprintf("a %s (%q)", m.f.Title(), k))
				break
			}
		}
	}
	if firecrackerShaped(top) {
		found = append(found, FormatFirecracker)
		why = append(why, "Firecracker seccompiler JSON (threads with \"filter\")")
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		if len(top) == 0 {
			return FormatDocker, nil // Docker's reader says defaultAction is missing
		}
		keys := make([]string, 0, len(top))
		for k := range top {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if len(keys) > 5 {
			keys = append(keys[:5], "…")
		}
		return "", fmt.Errorf("%s: a JSON object with keys %s is no profile format: %s", name, strings.Join(keys, ", "), accepted)
	}
	return "", fmt.Errorf("%s: ambiguous: it looks like %s: keep the keys of one format", name, strings.Join(why, " and "))
}

// warnf appends a warning.
func (o *Opened) warnf(format string, a ...any) {
	o.Warnings = append(o.Warnings, fmt.Sprintf(format, a...))
}

// validate checks a profile an import built, as Parse would check the
// same profile written as JSON; at turns a field's JSON path into the
// place in the file ("" when unknown).
func validate(name string, p *profile.Profile, at func(path []any) string) error {
	err := p.Validate()
	if err == nil {
		return nil
	}
	where := name
	if at != nil {
		if pos := at(profile.ErrorPath(err)); pos != "" {
			where = pos
		}
	}
	return fmt.Errorf("%s: %w", where, err)
}

// errNoChoice is the error for a file of several profiles without #NAME.
func errNoChoice(name, what string, names []string) error {
	return fmt.Errorf("%s holds %d %ss (%s): pick one with %s#NAME", name, len(names), what, strings.Join(names, ", "), name)
}

// errNoSuch is the error for a #NAME that is not in the file.
func errNoSuch(name, sel, what string, names []string) error {
	if len(names) == 0 {
		return fmt.Errorf("%s#%s: the file holds no %s", name, sel, what)
	}
	return fmt.Errorf("%s#%s: no %s named %q: the file has %s", name, sel, what, sel, strings.Join(names, ", "))
}
