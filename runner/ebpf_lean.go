//go:build lean

package runner

import (
	"errors"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// The lean build does not link cilium/ebpf: linked, its packages' inits
// and size cost about 0.3 ms of every start of the workbench (a program
// that only starts and exits, with and without them, alternating). Its
// record hands itself to the full build where EBPFWhyNot finds nothing
// against the eBPF recorder, so the engine is never chosen here; where
// something is, auto records with notify for that reason and ebpf is
// refused with it, as in the full build.

var errNoEBPF = errors.New("the eBPF recorder is not in the lean build (seccomp-workbench-full has it)")

// ebpfRecorder stands for the full build's; chooseEngine never starts
// one here, since ebpfMapRefused always refuses.
type ebpfRecorder struct{ err error }

func ebpfMapRefused() string { return errNoEBPF.Error() }

func startEBPFRecorder(*profile.Effective, bool) *ebpfRecorder {
	return &ebpfRecorder{err: errNoEBPF}
}

func (r *ebpfRecorder) track(int) error        { return errNoEBPF }
func (r *ebpfRecorder) drain(*recording) error { return errNoEBPF }
func (r *ebpfRecorder) incomplete() error      { return errNoEBPF }
func (r *ebpfRecorder) close()                 {}
