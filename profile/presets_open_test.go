package profile

import (
	"reflect"
	"strings"
	"testing"
)

// Open finds each listed preset by its name alone, with the same
// contents Presets gives, and nothing that is not listed.
func TestOpenPresetByName(t *testing.T) {
	for _, p := range Presets() {
		data, err := p.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		want, err := Parse(PresetPrefix+p.Name, data)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Open(PresetPrefix + p.Name)
		if err != nil {
			t.Fatalf("%s: %v", p.Name, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Open(preset:%s) differs from the listed preset", p.Name)
		}
	}
	for _, bad := range []string{"nope", "../presets/no-network", "presets/no-network", "no-network.json", "", "."} {
		_, err := Open(PresetPrefix + bad)
		if err == nil || !strings.Contains(err.Error(), "no such preset: use one of docker-default, ") {
			t.Errorf("Open(preset:%s) = %v, want no such preset with the list", bad, err)
		}
	}
}
