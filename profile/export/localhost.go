package export

import (
	"fmt"
	"sort"
	"strings"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// exportLocalhost writes the file a kubelet Localhost profile points at
// (under /var/lib/kubelet/seccomp/); the runtime reads it as a Docker
// profile, so it is the effective profile in that format.
func exportLocalhost(e *profile.Effective) ([]byte, []string, error) {
	b, err := profile.Marshal(effectiveProfile(e))
	if err != nil {
		return nil, nil, err
	}
	var notes []string
	if len(e.Source.Extra) > 0 {
		keys := make([]string, 0, len(e.Source.Extra))
		for k := range e.Source.Extra {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		notes = append(notes, fmt.Sprintf("top-level fields %s are not part of the seccomp format: left out", strings.Join(keys, ", ")))
	}
	return append(b, '\n'), notes, nil
}
