package profile

import (
	"embed"
	"encoding/json"
	"fmt"
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
}

// Presets lists the embedded presets by name. docker-default comes from
// the moby module compiled into this binary; the curated ones are files in
// presets/ whose top-level "description" field says what they are for.
func Presets() []Preset {
	out := []Preset{{
		Name:        "docker-default",
		Description: "Docker's default profile, taken from the moby module built into this binary",
		load: func() ([]byte, error) {
			return json.MarshalIndent(mobyseccomp.DefaultProfile(), "", "\t")
		},
	}}
	entries, _ := presetFS.ReadDir("presets")
	for _, e := range entries {
		name := strings.TrimSuffix(e.Name(), ".json")
		path := "presets/" + e.Name()
		data, err := presetFS.ReadFile(path)
		if err != nil {
			continue
		}
		var meta struct {
			Description string `json:"description"`
		}
		_ = json.Unmarshal(data, &meta)
		out = append(out, Preset{Name: name, Description: meta.Description, load: func() ([]byte, error) {
			return presetFS.ReadFile(path)
		}})
	}
	sort.SliceStable(out[1:], func(i, j int) bool { return out[1+i].Name < out[1+j].Name })
	return out
}

// Bytes returns the preset's JSON.
func (p Preset) Bytes() ([]byte, error) { return p.load() }

// Open resolves a PROFILE argument: preset:NAME or a file path.
func Open(arg string) (*Profile, error) {
	name, ok := strings.CutPrefix(arg, PresetPrefix)
	if !ok {
		return Load(arg)
	}
	var names []string
	for _, p := range Presets() {
		if p.Name == name {
			data, err := p.Bytes()
			if err != nil {
				return nil, fmt.Errorf("%s: %w", arg, err)
			}
			return Parse(arg, data)
		}
		names = append(names, p.Name)
	}
	return nil, fmt.Errorf("%s: no such preset: use one of %s", arg, strings.Join(names, ", "))
}
