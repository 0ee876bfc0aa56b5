package decompile

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/diff"
	"github.com/seccomp-workbench/seccomp-workbench/profile/export"
	"github.com/seccomp-workbench/seccomp-workbench/profile/internal/proftest"
)

// export --format bpf, then FromRaw: the same meaning.
func TestRawRoundTrip(t *testing.T) {
	env := profile.HostEnv()
	for _, name := range []string{"preset:docker-default", "preset:no-network", "../../testdata/export/denylist.json"} {
		t.Run(name, func(t *testing.T) {
			p := proftest.MustOpen(t, name)
			raw, _, err := export.Export(p, env, export.FormatBPF, export.ExportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if !LooksLikeBPF(raw) {
				t.Fatal("an exported program does not look like BPF")
			}
			got, warnings, err := FromRaw(raw)
			if err != nil {
				t.Fatal(err)
			}
			if cs := diff.Diff(p.Effective(env), got.Effective(env)); len(cs) > 0 {
				t.Errorf("%d differences, first: %s", len(cs), cs[0])
			}
			if len(warnings) > 0 {
				t.Errorf("warnings %q", warnings)
			}
		})
	}
}

func insn(code uint16, jt, jf uint8, k uint32) []byte {
	b := make([]byte, 8)
	binary.NativeEndian.PutUint16(b, code)
	b[2], b[3] = jt, jf
	binary.NativeEndian.PutUint32(b[4:], k)
	return b
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// What is not a seccomp program is refused with what is wrong, and text
// is never taken for one.
func TestRawRefused(t *testing.T) {
	ldArch := insn(0x20, 0, 0, 4)
	retAllow := insn(0x06, 0, 0, profile.RetAllow)
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "empty"},
		{"not whole", []byte("{\"defaultAction\":1}"), "not a whole number"},
		{"packet load", cat(insn(0x28, 0, 0, 12), retAllow), "not a load"},
		{"outside seccomp_data", cat(insn(0x20, 0, 0, 64), retAllow), "outside struct seccomp_data"},
		{"jump out", cat(ldArch, insn(0x15, 5, 0, 1), retAllow), "jump outside"},
		{"no return last", cat(ldArch, ldArch), "not a return"},
		{"modulo", cat(ldArch, insn(0x94, 0, 0, 3), retAllow), "ALU operation"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseRaw(c.data)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want an error saying %q", err, c.want)
			}
			if LooksLikeBPF(c.data) {
				t.Error("LooksLikeBPF accepts it")
			}
		})
	}
	// Valid instructions but a first one that reads no seccomp field:
	// parsed, yet not taken for a seccomp program by content.
	odd := cat(insn(0x00, 0, 0, 7), retAllow)
	if _, err := ParseRaw(odd); err != nil {
		t.Fatal(err)
	}
	if LooksLikeBPF(odd) {
		t.Error("LooksLikeBPF accepts a program that starts without reading arch or nr")
	}
	if LooksLikeBPF([]byte("{\"defaultAction\": \"SCMP_ACT_ALLOW\"}\n\n\n\n\n")) {
		t.Error("LooksLikeBPF accepts JSON")
	}
}

// Programs for other hosts (their ABIs, their multiplexers) decompile to
// what they were exported from, resolved for that host.
func TestRawOtherHosts(t *testing.T) {
	for _, host := range []catalog.Arch{catalog.AArch64, catalog.PPC64LE, catalog.MIPSEL64, catalog.X86} {
		for _, name := range []string{"preset:docker-default", "../../testdata/export/denylist.json"} {
			t.Run(string(host)+"/"+name, func(t *testing.T) {
				env := proftest.Env(host)
				p := proftest.MustOpen(t, name)
				raw, _, err := export.Export(p, env, export.FormatBPF, export.ExportOptions{})
				if err != nil {
					t.Fatal(err)
				}
				got, _, err := FromRaw(raw)
				if err != nil {
					t.Fatal(err)
				}
				if cs := diff.Diff(p.Effective(env), got.Effective(env)); len(cs) > 0 {
					t.Errorf("%d differences, first: %s", len(cs), cs[0])
				}
			})
		}
	}
}
