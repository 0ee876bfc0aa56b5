package profile

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	mobyseccomp "github.com/moby/profiles/seccomp"
)

// PresetPrefix marks a preset where a PROFILE argument is expected.
const PresetPrefix = "preset:"

//go:embed presets/*.json
var presetFS embed.FS

// Preset is an embedded starting profile.
type Preset struct {
	Name        string
	Description string
	load        func() ([]byte, error)
	// model, when set, is what Parse makes of load's bytes, built
	// without them.
	model func() *Profile
}

// Presets lists the embedded presets by name. docker-default comes from
// the moby module compiled into this binary; the curated ones are files in
// presets/ whose top-level "description" field says what they are for.
func Presets() []Preset {
	out := []Preset{dockerDefaultPreset()}
	entries, _ := presetFS.ReadDir("presets")
	for _, e := range entries {
		name := strings.TrimSuffix(e.Name(), ".json")
		data, err := presetFS.ReadFile(presetPath(name))
		if err != nil {
			continue
		}
		var meta struct {
			Description string `json:"description"`
		}
		_ = json.Unmarshal(data, &meta)
		p := filePreset(name)
		p.Description = meta.Description
		out = append(out, p)
	}
	sort.SliceStable(out[1:], func(i, j int) bool { return out[1+i].Name < out[1+j].Name })
	return out
}

func dockerDefaultPreset() Preset {
	return Preset{
		Name:        "docker-default",
		Description: "Docker's default profile, taken from the moby module built into this binary",
		load: func() ([]byte, error) {
			return json.MarshalIndent(mobyseccomp.DefaultProfile(), "", "\t")
		},
		model: func() *Profile { return fromMoby(mobyseccomp.DefaultProfile()) },
	}
}

func presetPath(name string) string { return "presets/" + name + ".json" }

func filePreset(name string) Preset {
	return Preset{Name: name, load: func() ([]byte, error) { return presetFS.ReadFile(presetPath(name)) }}
}

// findPreset is the preset called name, found without reading the others
// (Presets reads every file for its description; Open, on every run,
// needs one).
func findPreset(name string) (Preset, bool) {
	if name == "docker-default" {
		return dockerDefaultPreset(), true
	}
	if strings.ContainsRune(name, '/') || !fs.ValidPath(presetPath(name)) {
		return Preset{}, false
	}
	if _, err := fs.Stat(presetFS, presetPath(name)); err != nil {
		return Preset{}, false
	}
	return filePreset(name), true
}

// Bytes returns the preset's JSON.
func (p Preset) Bytes() ([]byte, error) { return p.load() }

// Open resolves a PROFILE argument: preset:NAME or a file path.
func Open(arg string) (*Profile, error) {
	name, ok := strings.CutPrefix(arg, PresetPrefix)
	if !ok {
		return Load(arg)
	}
	if p, ok := findPreset(name); ok {
		if p.model != nil {
			// Every run opens docker-default: no JSON written and read
			// back. A profile that fails validation is refused by Parse
			// below, with the line and column of its JSON.
			if m := p.model(); m.validate() == nil {
				return m, nil
			}
		}
		data, err := p.Bytes()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", arg, err)
		}
		return Parse(arg, data)
	}
	var names []string
	for _, p := range Presets() {
		names = append(names, p.Name)
	}
	return nil, fmt.Errorf("%s: no such preset: use one of %s", arg, strings.Join(names, ", "))
}
