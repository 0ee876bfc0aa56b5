package source

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// The security-profiles-operator's SeccompProfile, as its API types
// (api/seccompprofile/v1, v1beta1, v1alpha1) define it: spec carries
// Docker's fields (defaultAction, architectures, flags, listenerPath,
// listenerMetadata, syscalls of {names, action, errnoRet, args of
// {index, value, valueTwo, op}}), plus baseProfileName (another
// SeccompProfile, or an oci:// artifact, whose syscalls the operator
// unions into this one) and disabled. errnoRet is an integer in v1 and
// v1beta1, where 0 means unset (EPERM), and a string in v1alpha1.
const spoGroup = "security-profiles-operator.x-k8s.io"

var spoVersions = []string{"v1", "v1beta1", "v1alpha1"}

// spoDoc is one SeccompProfile found in the file.
type spoDoc struct {
	name, api string
	node      *yaml.Node // the object
}

func parseSPO(name, sel string, data []byte) (*Opened, error) {
	docs, err := yamlDocs(name, data)
	if err != nil {
		return nil, err
	}
	var sps []spoDoc
	var kinds []string
	var add func(n *yaml.Node) error
	add = func(n *yaml.Node) error {
		if n.Kind != yaml.MappingNode {
			return nodeErr(name, n, "a document that is not a mapping: a SeccompProfile has apiVersion, kind, metadata and spec")
		}
		kind := get(n, "kind")
		if kind == nil {
			return nodeErr(name, n, "a document without 'kind': a SeccompProfile has apiVersion, kind, metadata and spec")
		}
		switch kind.Value {
		case "List", "SeccompProfileList":
			list := get(n, "items")
			if list == nil {
				return nodeErr(name, kind, "a %s without 'items'", kind.Value)
			}
			its, err := items(name, list, "items")
			if err != nil {
				return err
			}
			for _, it := range its {
				if err := add(it); err != nil {
					return err
				}
			}
			return nil
		case "SeccompProfile":
		default:
			kinds = append(kinds, kind.Value)
			return nil
		}
		d := spoDoc{node: n}
		av := get(n, "apiVersion")
		if av == nil {
			return nodeErr(name, kind, "a SeccompProfile without apiVersion: add apiVersion: %s/v1", spoGroup)
		}
		group, ver, _ := strings.Cut(av.Value, "/")
		if group != spoGroup || !slices.Contains(spoVersions, ver) {
			return nodeErr(name, av, "apiVersion %q is not the security-profiles-operator's: use %s/ and one of %s", av.Value, spoGroup, strings.Join(spoVersions, ", "))
		}
		d.api = ver
		if nm := get(get(n, "metadata"), "name"); nm != nil {
			d.name = nm.Value
		}
		sps = append(sps, d)
		return nil
	}
	for _, doc := range docs {
		if err := add(doc); err != nil {
			return nil, err
		}
	}
	names := make([]string, len(sps))
	for i, d := range sps {
		names[i] = d.name
	}
	if len(sps) == 0 {
		if len(kinds) > 0 {
			return nil, fmt.Errorf("%s: no SeccompProfile in the file (it has %s): give a SeccompProfile, or a profile in another format", name, strings.Join(kinds, ", "))
		}
		return nil, fmt.Errorf("%s: no SeccompProfile in the file: %s", name, accepted)
	}
	var d spoDoc
	switch {
	case sel != "":
		i := slices.Index(names, sel)
		if i < 0 {
			return nil, errNoSuch(name, sel, "SeccompProfile", names)
		}
		if slices.Index(names[i+1:], sel) >= 0 {
			return nil, fmt.Errorf("%s#%s: the file has two SeccompProfiles named %s (the API server would keep one): rename one", name, sel, sel)
		}
		d = sps[i]
	case len(sps) > 1:
		return nil, errNoChoice(name, "SeccompProfile", names)
	default:
		d = sps[0]
	}
	o := &Opened{Name: d.name}
	p, spec, err := spoProfile(name, d, o)
	if err != nil {
		return nil, err
	}
	if base := spoBase(spec); base != "" {
		if i := slices.Index(names, base); i >= 0 && base != d.name {
			bo := &Opened{}
			bp, _, err := spoProfile(name, sps[i], bo)
			if err != nil {
				return nil, err
			}
			o.Warnings = append(o.Warnings, bo.Warnings...)
			unionBase(p, bp, base, o)
		} else {
			o.warnf("spec.baseProfileName %s: the operator unions that profile's syscalls into this one, and it is not in this file, so what is opened is %s's own rules alone, which allow less than what the operator installs: put the base profile in the same file (as another document) to have it merged", base, d.name)
		}
	}
	o.Profile = p
	return o, validate(name, p, func(path []any) string {
		if n := nodeAt(spec, path); n != nil {
			return pos(name, n)
		}
		return pos(name, spec)
	})
}

func spoBase(spec *yaml.Node) string {
	if b := get(spec, "baseProfileName"); b != nil && b.Kind == yaml.ScalarNode {
		return b.Value
	}
	return ""
}

// unionBase merges the base profile's rules into p as the operator does:
// its rules are added after p's own, so a syscall both name keeps p's
// action, which the warning says when the two differ.
func unionBase(p, base *profile.Profile, baseName string, o *Opened) {
	own := map[string]profile.Action{}
	for _, r := range p.Syscalls {
		for _, n := range r.Names {
			own[n] = r.Action
		}
	}
	for _, r := range base.Syscalls {
		for _, n := range r.Names {
			if a, ok := own[n]; ok && a != r.Action {
				o.warnf("%s: %s in this profile and %s in its base %s: this profile's rule comes first and decides", n, a.Short(), r.Action.Short(), baseName)
			}
		}
		p.Syscalls = append(p.Syscalls, r)
	}
	if len(p.Architectures) == 0 {
		p.Architectures = base.Architectures
	}
}

// spoProfile builds the profile of one SeccompProfile's spec.
func spoProfile(name string, d spoDoc, o *Opened) (*profile.Profile, *yaml.Node, error) {
	spec := get(d.node, "spec")
	if spec == nil {
		return nil, nil, nodeErr(name, d.node, "SeccompProfile %s has no spec: add spec.defaultAction at least", d.name)
	}
	kv, err := pairs(name, spec, "spec")
	if err != nil {
		return nil, nil, err
	}
	p := &profile.Profile{Syscalls: []*profile.Rule{}}
	for _, e := range kv {
		k, v := e[0], e[1]
		switch k.Value {
		case "defaultAction":
			s, err := str(name, v, "spec.defaultAction")
			if err != nil {
				return nil, nil, err
			}
			p.DefaultAction = profile.Action(s)
		case "architectures":
			if p.Architectures, err = strs(name, v, "spec.architectures"); err != nil {
				return nil, nil, err
			}
			for i, a := range p.Architectures {
				if a == "SCMP_ARCH_NATIVE" {
					p.Architectures[i] = profile.NativeArch().Docker()
					o.warnf("spec.architectures: SCMP_ARCH_NATIVE is the architecture of the node that installs the profile: read as %s, this machine's", p.Architectures[i])
				}
			}
		case "flags":
			if p.Flags, err = strs(name, v, "spec.flags"); err != nil {
				return nil, nil, err
			}
		case "listenerPath":
			if p.ListenerPath, err = str(name, v, "spec.listenerPath"); err != nil {
				return nil, nil, err
			}
		case "listenerMetadata":
			if p.ListenerMetadata, err = str(name, v, "spec.listenerMetadata"); err != nil {
				return nil, nil, err
			}
		case "syscalls":
			its, err := items(name, v, "spec.syscalls")
			if err != nil {
				return nil, nil, err
			}
			for i, it := range its {
				r, err := spoRule(name, d.api, it, i, o)
				if err != nil {
					return nil, nil, err
				}
				p.Syscalls = append(p.Syscalls, r)
			}
		case "baseProfileName":
			if _, err := str(name, v, "spec.baseProfileName"); err != nil {
				return nil, nil, err
			}
		case "disabled":
			if v.Value == "true" {
				o.warnf("%s: spec.disabled is true: the operator does not install this profile; it is opened anyway", pos(name, v))
			}
		default:
			o.warnf("%s: spec.%s is not a SeccompProfile field (the API server prunes it): ignored", pos(name, k), k.Value)
		}
	}
	return p, spec, nil
}

func spoRule(name, api string, n *yaml.Node, i int, o *Opened) (*profile.Rule, error) {
	kv, err := pairs(name, n, fmt.Sprintf("spec.syscalls[%d]", i))
	if err != nil {
		return nil, err
	}
	r := &profile.Rule{}
	for _, e := range kv {
		k, v := e[0], e[1]
		what := fmt.Sprintf("spec.syscalls[%d].%s", i, k.Value)
		switch k.Value {
		case "names":
			if r.Names, err = strs(name, v, what); err != nil {
				return nil, err
			}
		case "action":
			s, err := str(name, v, what)
			if err != nil {
				return nil, err
			}
			r.Action = profile.Action(s)
		case "errnoRet":
			// v1alpha1 types it as a string; accept either spelling in
			// every version.
			n, err := uintOf(name, v, what, true)
			if err != nil {
				return nil, err
			}
			if v.Tag == "!!str" && api != "v1alpha1" {
				o.warnf("%s: %s is a string, which only v1alpha1 accepts: read as %d", pos(name, v), what, n)
			}
			if n > 0 {
				e := uint(n)
				r.ErrnoRet = &e
			}
		case "args":
			its, err := items(name, v, what)
			if err != nil {
				return nil, err
			}
			for j, it := range its {
				a, err := spoArg(name, it, fmt.Sprintf("%s[%d]", what, j), o)
				if err != nil {
					return nil, err
				}
				r.Args = append(r.Args, a)
			}
		default:
			o.warnf("%s: %s is not a SeccompProfile field (the API server prunes it): ignored", pos(name, k), what)
		}
	}
	return r, nil
}

func spoArg(name string, n *yaml.Node, what string, o *Opened) (*profile.Arg, error) {
	kv, err := pairs(name, n, what)
	if err != nil {
		return nil, err
	}
	a := &profile.Arg{}
	hasIndex := false
	for _, e := range kv {
		k, v := e[0], e[1]
		w := what + "." + k.Value
		switch k.Value {
		case "index":
			x, err := uintOf(name, v, w, false)
			if err != nil {
				return nil, err
			}
			if x > 5 {
				return nil, nodeErr(name, v, "%s is %d: a syscall has arguments 0 to 5", w, x)
			}
			a.Index, hasIndex = uint(x), true
		case "value":
			if a.Value, err = uintOf(name, v, w, false); err != nil {
				return nil, err
			}
		case "valueTwo":
			if a.ValueTwo, err = uintOf(name, v, w, false); err != nil {
				return nil, err
			}
		case "op":
			s, err := str(name, v, w)
			if err != nil {
				return nil, err
			}
			a.Op = profile.Operator(s)
		default:
			o.warnf("%s: %s is not a SeccompProfile field (the API server prunes it): ignored", pos(name, k), w)
		}
	}
	if !hasIndex {
		return nil, nodeErr(name, n, "%s has no index: say which argument (0 to 5) it compares", what)
	}
	return a, nil
}
