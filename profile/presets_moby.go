package profile

import (
	"slices"

	mobyseccomp "github.com/moby/profiles/seccomp"
)

// fromMoby is the Profile that Parse makes of moby's profile written as
// JSON (json.MarshalIndent, what the docker-default preset's Bytes
// returns), built without the JSON: the same values, the same nil and
// empty lists (a key json omits when empty decodes to nil; one it
// writes as [] decodes to an empty list, null to nil), no Extra (moby's
// types have no field the model lacks). TestDockerDefaultFromMoby holds
// it to Parse's result.
func fromMoby(s *mobyseccomp.Seccomp) *Profile {
	p := &Profile{
		DefaultAction:    Action(s.DefaultAction),
		DefaultErrnoRet:  cloneUint(s.DefaultErrnoRet),
		Architectures:    omitEmpty(s.Architectures),
		Flags:            omitEmpty(s.Flags),
		ListenerPath:     s.ListenerPath,
		ListenerMetadata: s.ListenerMetadata,
	}
	if len(s.ArchMap) > 0 {
		p.ArchMap = make([]Architecture, len(s.ArchMap))
		for i, m := range s.ArchMap {
			p.ArchMap[i] = Architecture{Arch: string(m.Arch), SubArches: keepNil(m.SubArches)}
		}
	}
	if s.Syscalls != nil {
		p.Syscalls = make([]*Rule, len(s.Syscalls))
		for i, r := range s.Syscalls {
			if r != nil {
				p.Syscalls[i] = ruleFromMoby(r)
			}
		}
	}
	return p
}

func ruleFromMoby(r *mobyseccomp.Syscall) *Rule {
	out := &Rule{
		Names:    slices.Clone(r.Names), // "names" has no omitempty: nil stays nil, [] stays []
		Action:   Action(r.Action),
		ErrnoRet: cloneUint(r.ErrnoRet),
		Name:     r.Name,
		Comment:  r.Comment,
		Includes: filterFromMoby(r.Includes),
		Excludes: filterFromMoby(r.Excludes),
	}
	if len(r.Args) > 0 {
		out.Args = make([]*Arg, len(r.Args))
		for i, a := range r.Args {
			out.Args[i] = &Arg{Index: a.Index, Value: a.Value, ValueTwo: a.ValueTwo, Op: Operator(a.Op)}
		}
	}
	return out
}

func filterFromMoby(f *mobyseccomp.Filter) *Filter {
	if f == nil {
		return nil
	}
	out := &Filter{Caps: omitEmpty(f.Caps), Arches: omitEmpty(f.Arches)}
	if f.MinKernel != nil {
		out.MinKernel = f.MinKernel.String() // its MarshalJSON writes this string
	}
	return out
}

// omitEmpty converts a list whose key json omits when empty: nil then.
func omitEmpty[S ~[]E, E ~string](s S) []string {
	if len(s) == 0 {
		return nil
	}
	return keepNil(s)
}

// keepNil converts a list json writes even when empty: null stays nil,
// [] an empty list.
func keepNil[S ~[]E, E ~string](s S) []string {
	if s == nil {
		return nil
	}
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = string(v)
	}
	return out
}
