package source

import (
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/profile/export"
)

// A raw program (export --format bpf, what bubblewrap and Flatpak load)
// opens as a PROFILE through the decompiler, and means what was exported.
func TestBPFRoundTrip(t *testing.T) {
	for name, arg := range roundTripProfiles {
		t.Run(name, func(t *testing.T) {
			p := mustOpen(t, arg)
			path, _ := exportTo(t, p, export.FormatBPF, export.ExportOptions{})
			o := mustImport(t, path)
			if o.Format != FormatBPF {
				t.Fatalf("detected as %s", o.Format)
			}
			sameMeaning(t, p, o.Profile)
		})
	}
}

// Binary data that is no seccomp program is still refused as binary, and
// a bad pid:PID is one line naming the form.
func TestBPFRefused(t *testing.T) {
	_, err := Open(writeFile(t, "junk.bin", "\x00\x01\x02\x03\x04\x05\x06\x07"))
	wantErr(t, err, "binary data, not a profile", "raw seccomp BPF program")
	_, err = Open("pid:abc")
	wantErr(t, err, "pid:PID")
}
