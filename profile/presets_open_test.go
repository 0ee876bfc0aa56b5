package profile

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	mobyseccomp "github.com/moby/profiles/seccomp"
	"github.com/opencontainers/runtime-spec/specs-go"
)

// Open finds each listed preset by its name alone, with the same
// contents Presets gives, and nothing that is not listed.
func TestOpenPresetByName(t *testing.T) {
	for _, p := range Presets() {
		want, _ := parsedPreset(t, p)
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

// The docker-default preset Open builds from moby's structure is exactly
// what Parse makes of its JSON: every value, nil and empty list, and no
// Extra.
func TestDockerDefaultFromMoby(t *testing.T) {
	p, ok := findPreset("docker-default")
	if !ok || p.model == nil {
		t.Fatal("docker-default has no model")
	}
	want, data := parsedPreset(t, p)
	got := p.model()
	if err := got.validate(); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatal("fromMoby differs from Parse of the preset's JSON")
	}
	// And it writes back the preset's bytes.
	b, err := Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != string(data) {
		t.Error("fromMoby's profile does not marshal to the preset's JSON")
	}
}

// fromMoby keeps json's nil and empty lists on the corners moby's own
// profile does not reach.
func TestFromMobyCorners(t *testing.T) {
	errno := uint(38)
	for i, s := range []*mobyseccomp.Seccomp{
		{
			LinuxSeccomp: specs.LinuxSeccomp{DefaultAction: "SCMP_ACT_ERRNO", DefaultErrnoRet: &errno, Flags: []specs.LinuxSeccompFlag{},
				ListenerPath: "/run/l.sock", ListenerMetadata: "m"},
			ArchMap: []mobyseccomp.Architecture{
				{Arch: "SCMP_ARCH_X86_64", SubArches: nil},
				{Arch: "SCMP_ARCH_AARCH64", SubArches: []specs.Arch{}},
				{Arch: "SCMP_ARCH_S390X", SubArches: []specs.Arch{"SCMP_ARCH_S390"}},
			},
			Syscalls: []*mobyseccomp.Syscall{
				{LinuxSyscall: specs.LinuxSyscall{Names: []string{}, Action: "SCMP_ACT_ALLOW", Args: []specs.LinuxSeccompArg{}}, Name: "read",
					Includes: &mobyseccomp.Filter{Caps: []string{}, MinKernel: &mobyseccomp.KernelVersion{}}, Excludes: &mobyseccomp.Filter{}},
				{LinuxSyscall: specs.LinuxSyscall{Names: []string{"write"}, Action: "SCMP_ACT_ERRNO", ErrnoRet: &errno,
					Args: []specs.LinuxSeccompArg{{Index: 1, Value: 2, ValueTwo: 3, Op: "SCMP_CMP_MASKED_EQ"}}},
					Excludes: &mobyseccomp.Filter{Arches: []string{"amd64"}, MinKernel: &mobyseccomp.KernelVersion{Kernel: 5, Major: 8}}},
			},
		},
		{LinuxSeccomp: specs.LinuxSeccomp{DefaultAction: "SCMP_ACT_ALLOW", Architectures: []specs.Arch{"SCMP_ARCH_X86"}}, Syscalls: nil},
		{LinuxSeccomp: specs.LinuxSeccomp{DefaultAction: "SCMP_ACT_ALLOW", Architectures: []specs.Arch{}}, Syscalls: []*mobyseccomp.Syscall{}},
	} {
		data, err := json.MarshalIndent(s, "", "\t")
		if err != nil {
			t.Fatal(err)
		}
		want, err := Parse("corner", data)
		if err != nil {
			t.Fatalf("%d: %v", i, err)
		}
		if got := fromMoby(s); !reflect.DeepEqual(got, want) {
			t.Errorf("%d: fromMoby = %#v\nParse = %#v", i, got, want)
		}
	}
}

// BenchmarkOpenEffectiveDockerDefault is what every run of the default
// preset costs before compiling: open it and resolve it for the host.
func BenchmarkOpenEffectiveDockerDefault(b *testing.B) {
	env := HostEnv()
	b.ReportAllocs()
	for b.Loop() {
		p, err := Open("preset:docker-default")
		if err != nil {
			b.Fatal(err)
		}
		_ = p.Effective(env)
	}
}

// parsedPreset is p's JSON as Parse reads it, and the JSON.
func parsedPreset(t *testing.T, p Preset) (*Profile, []byte) {
	t.Helper()
	data, err := p.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	want, err := Parse(PresetPrefix+p.Name, data)
	if err != nil {
		t.Fatal(err)
	}
	return want, data
}
