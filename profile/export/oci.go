package export

import (
	"encoding/json"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// exportOCI writes the runtime-spec linux.seccomp object for e.
func exportOCI(e *profile.Effective, o ExportOptions) ([]byte, []string, error) {
	s := specs.LinuxSeccomp{
		DefaultAction:    specs.LinuxSeccompAction(e.DefaultAction),
		DefaultErrnoRet:  defaultErrno(e),
		ListenerPath:     e.Source.ListenerPath,
		ListenerMetadata: e.Source.ListenerMetadata,
	}
	for _, a := range catalog.DockerNames(e.Arches) {
		s.Architectures = append(s.Architectures, specs.Arch(a))
	}
	for _, fl := range e.Source.Flags {
		s.Flags = append(s.Flags, specs.LinuxSeccompFlag(fl))
	}
	for _, r := range e.Rules {
		sc := specs.LinuxSyscall{
			Names:    append([]string(nil), r.Names...),
			Action:   specs.LinuxSeccompAction(r.Action),
			ErrnoRet: ruleErrno(e, r),
		}
		for _, a := range r.Args {
			sc.Args = append(sc.Args, specs.LinuxSeccompArg{
				Index: a.Index, Value: a.Value, ValueTwo: a.ValueTwo, Op: specs.LinuxSeccompOperator(a.Op),
			})
		}
		s.Syscalls = append(s.Syscalls, sc)
	}
	var v any = s
	if o.Wrap {
		v = map[string]any{"linux": map[string]any{"seccomp": s}}
	}
	b, err := json.MarshalIndent(v, "", "\t")
	if err != nil {
		return nil, nil, err
	}
	return append(b, '\n'), nil, nil
}

// effectiveProfile is e as a plain Docker-format profile: includes and
// excludes resolved away, the ABIs listed explicitly, errnos explicit.
func effectiveProfile(e *profile.Effective) *profile.Profile {
	p := &profile.Profile{
		DefaultAction:    e.DefaultAction,
		DefaultErrnoRet:  defaultErrno(e),
		Architectures:    catalog.DockerNames(e.Arches),
		Flags:            append([]string(nil), e.Source.Flags...),
		ListenerPath:     e.Source.ListenerPath,
		ListenerMetadata: e.Source.ListenerMetadata,
		Syscalls:         []*profile.Rule{},
	}
	for _, r := range e.Rules {
		p.Syscalls = append(p.Syscalls, &profile.Rule{
			Names:    append([]string(nil), r.Names...),
			Action:   r.Action,
			ErrnoRet: ruleErrno(e, r),
			Args:     r.Args,
			Comment:  r.Comment,
		})
	}
	return p
}
