package export

import (
	"fmt"
	"sort"
	"strings"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// exportLocalhost writes the file a kubelet Localhost profile points at
// (under /var/lib/kubelet/seccomp/). The two CRI runtimes read that file
// differently:
//
//   - containerd (internal/cri/sputil, contrib/seccomp WithProfile)
//     unmarshals it straight into the runtime-spec LinuxSeccomp struct:
//     plain OCI. archMap, includes, excludes and the singular name are
//     dropped without a word, so a rule meant only for CAP_SYS_ADMIN, or
//     only for arm64, applies to every container on every node.
//   - CRI-O (internal/config/seccomp, through containers/common's
//     LoadProfileFromBytes) resolves it as Podman does: archMap for the
//     node's arch, includes/excludes arches and capabilities against the
//     container's bounding set, but no minKernel at all; a file with both
//     architectures and archMap is an error.
//
// So the file is the effective profile with nothing left to resolve: the
// ABIs listed in architectures, no archMap, includes, excludes or
// minKernel, errnos explicit. Both runtimes then load the same filter,
// the one resolved here, for the host, capabilities and kernel given.
func exportLocalhost(e *profile.Effective) ([]byte, []string, error) {
	b, err := profile.Marshal(effectiveProfile(e))
	if err != nil {
		return nil, nil, err
	}
	notes := []string{fmt.Sprintf("containerd and CRI-O load this file as written, resolved for %s: place it only on nodes of that arch (export again with --platform for others)", e.Env)}
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
