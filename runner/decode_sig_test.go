package runner

import (
	"sort"
	"strings"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
)

// The decoder's signatures say how to show each argument; the catalog
// holds what the kernel declares. Where both know a call they must agree
// on how many arguments it takes, and a string, an fd or a struct the
// decoder reads must be what the kernel declares it as.
func TestSignaturesAgreeWithTheKernel(t *testing.T) {
	cat := catalog.MustDefault()
	names := map[string][]argKind{}
	for n, k := range signatures() {
		names[n] = k
	}
	for n, k := range extraSignatures() {
		names[n] = k
	}
	sorted := make([]string, 0, len(names))
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	for _, n := range sorted {
		kinds := names[n]
		ps, ok := cat.Params(n)
		if !ok {
			continue
		}
		if len(kinds) != len(ps) {
			t.Errorf("%s: the decoder shows %d arguments, the kernel declares %d (%v)", n, len(kinds), len(ps), ps)
			continue
		}
		for i, k := range kinds {
			ty := ps[i].Type
			switch k {
			case kPath, kSockAddr, kMsgHdr, kClone3Args:
				if !strings.Contains(ty, "*") {
					t.Errorf("%s arg %d: the decoder reads memory there, the kernel declares %q", n, i, ty)
				}
			case kFd, kDirFd:
				// Some fds are declared unsigned long (readv's,
				// mmap's); the kernel uses the low 32 bits.
				if !cat.Narrow(n, i) && ty != "unsigned long" {
					t.Errorf("%s arg %d: the decoder shows an fd, the kernel declares %q", n, i, ty)
				}
			}
		}
	}
}
