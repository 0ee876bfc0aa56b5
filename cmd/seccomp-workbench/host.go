package main

// The host a profile is resolved for: Docker resolves includes/excludes
// and archMap against the machine's arch, its kernel and the container's
// capabilities, so check, explain, export and diff let the user name
// that machine instead of this one.

import (
	"fmt"

	"github.com/spf13/pflag"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

type hostFlags struct {
	platform, caps, kernel string
}

func (h *hostFlags) register(f *pflag.FlagSet) {
	f.StringVar(&h.platform, "platform", "", "resolve for a host of this arch ("+archList()+"; default: this one, or the --arch's own when this host cannot run it)")
	f.StringVar(&h.caps, "caps", "docker", "resolve for these capabilities: docker (Docker's default set), all, none or a list such as CAP_SYS_ADMIN,CAP_NET_ADMIN")
	f.StringVar(&h.kernel, "kernel", "", "resolve for this kernel version X.Y (default: the running kernel)")
}

// env is the host to resolve for. Without --platform, an ABI in arches
// that this machine cannot run means the profile is meant for that ABI's
// own machine: it resolves as there.
func (h *hostFlags) env(arches []catalog.Arch) (profile.Env, error) {
	env := profile.HostEnv()
	if h.platform != "" {
		a, err := catalog.ParseArch(h.platform)
		if err != nil {
			return env, usageError{fmt.Errorf("--platform: %w", err)}
		}
		env.Host = a
	} else if len(arches) > 0 && !profile.CanRun(env.Host, arches[0]) {
		env.Host = arches[0]
	}
	caps, err := profile.ParseCaps(h.caps)
	if err != nil {
		return env, usageError{err}
	}
	env.Caps = caps
	if h.kernel != "" {
		k, err := profile.ParseKernel(h.kernel)
		if err != nil {
			return env, usageError{fmt.Errorf("--kernel: %w", err)}
		}
		env.Kernel = k
	}
	return env, nil
}
