package source

import (
	"strings"
	"testing"
)

// FuzzParse feeds any bytes to the detection and every reader: no panic,
// and an error is one line naming the file.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{spoTwo, fcFile, importUnitSeed, `{"defaultAction": "SCMP_ACT_LOG", "syscalls": []}`,
		`{"ociVersion": "1.0.2", "linux": {"seccomp": {"defaultAction": "SCMP_ACT_ALLOW"}}}`,
		"[Service]\nSystemCallFilter=~mount\nRestrictAddressFamilies=~AF_INET\nRestrictNamespaces=~user\nLockPersonality=yes\n"} {
		f.Add([]byte(seed), "")
		f.Add([]byte(seed), "web")
	}
	f.Fuzz(func(t *testing.T, data []byte, sel string) {
		o, err := Parse("f", sel, data)
		if err != nil {
			if strings.Contains(err.Error(), "\n") || !strings.HasPrefix(err.Error(), "f") {
				t.Fatalf("error %q", err)
			}
			return
		}
		if o.Profile == nil {
			t.Fatal("no profile and no error")
		}
	})
}

const importUnitSeed = "[Service]\nSystemCallFilter=read write\nSystemCallFilter=~mkdir:EACCES\nSystemCallLog=write\nSystemCallArchitectures=native\n"
