package main

import (
	"fmt"
	"io"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/source"
)

// openProfile resolves a PROFILE argument in any format profile/source
// reads (preset:NAME, Docker/OCI JSON, config.json, SeccompProfile,
// systemd unit, Firecracker JSON, FILE#NAME) and says on w, one line
// each, what the import could not carry over.
func openProfile(w io.Writer, arg string) (*profile.Profile, error) {
	o, err := source.Open(arg)
	if err != nil {
		return nil, err
	}
	for _, warn := range o.Warnings {
		fmt.Fprintln(w, "seccomp-workbench: warning:", warn)
	}
	return o.Profile, nil
}
