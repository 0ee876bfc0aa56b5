package source

import (
	"encoding/json"
	"fmt"
	"slices"

	"go.yaml.in/yaml/v3"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// Firecracker's seccompiler JSON (rust-vmm seccompiler's JSON frontend):
// an object of thread names, each a filter {mismatch_action (alias
// default_action), match_action (alias filter_action), filter: [{syscall,
// args: [{index, type: dword|qword, op, val, comment}], comment}]}. The
// rules of one syscall are ORed, the conditions of a rule ANDed; a rule
// without args matches every call, but only when the syscall has no rule
// with args (seccompiler keeps the conditional ones). Actions are
// "allow", "kill_thread", "kill_process", "log", "trap", {"errno": N} and
// {"trace": N}; ops eq, ne, lt, le, gt, ge and {"masked_eq": MASK}. A
// dword condition compares the low 32 bits of the argument. The file has
// no architecture: seccompiler-bin is told one (--target-arch).

// firecrackerShaped: some value of the top object is a filter object.
func firecrackerShaped(top map[string]json.RawMessage) bool {
	for _, v := range top {
		var f map[string]json.RawMessage
		if json.Unmarshal(v, &f) != nil {
			continue
		}
		_, hasFilter := f["filter"]
		_, d1 := f["default_action"]
		_, d2 := f["mismatch_action"]
		if hasFilter && (d1 || d2) {
			return true
		}
	}
	return false
}

var fcActions = map[string]profile.Action{
	"allow": profile.ActAllow, "kill_thread": profile.ActKillThread, "kill_process": profile.ActKillProcess,
	"log": profile.ActLog, "trap": profile.ActTrap,
}

var fcOps = map[string]profile.Operator{
	"eq": profile.OpEqualTo, "ne": profile.OpNotEqual, "lt": profile.OpLessThan, "le": profile.OpLessEqual,
	"gt": profile.OpGreaterThan, "ge": profile.OpGreaterEqual,
}

func parseFirecracker(name, sel string, data []byte) (*Opened, error) {
	docs, err := yamlDocs(name, data)
	if err != nil {
		return nil, err
	}
	if len(docs) != 1 {
		return nil, fmt.Errorf("%s: a Firecracker filter file is one JSON object", name)
	}
	threads, err := pairs(name, docs[0], "the file")
	if err != nil {
		return nil, err
	}
	names := make([]string, len(threads))
	for i, t := range threads {
		names[i] = t[0].Value
	}
	var th [2]*yaml.Node
	switch {
	case sel != "":
		i := slices.Index(names, sel)
		if i < 0 {
			return nil, errNoSuch(name, sel, "thread", names)
		}
		th = threads[i]
	case len(threads) == 1:
		th = threads[0]
	case len(threads) == 0:
		return nil, fmt.Errorf("%s: a Firecracker filter file without threads", name)
	default:
		return nil, errNoChoice(name, "thread", names)
	}
	o := &Opened{Name: th[0].Value}
	p, err := fcFilter(name, th[0].Value, th[1], o)
	if err != nil {
		return nil, err
	}
	o.Profile = p
	return o, validate(name, p, nil)
}

func fcFilter(name, thread string, n *yaml.Node, o *Opened) (*profile.Profile, error) {
	kv, err := pairs(name, n, "thread "+thread)
	if err != nil {
		return nil, err
	}
	host := profile.NativeArch()
	o.warnf("%s: a Firecracker filter names no architecture (seccompiler-bin is given --target-arch): read for %s, this machine's", name, host)
	p := &profile.Profile{Architectures: catalog.DockerNames([]catalog.Arch{host}), Syscalls: []*profile.Rule{}}
	var match profile.Action
	var matchErrno *uint
	var filter *yaml.Node
	var haveMismatch, haveMatch bool
	for _, e := range kv {
		k, v := e[0], e[1]
		switch k.Value {
		case "default_action", "mismatch_action":
			a, en, err := fcAction(name, v, k.Value)
			if err != nil {
				return nil, err
			}
			p.DefaultAction, p.DefaultErrnoRet, haveMismatch = a, en, true
		case "filter_action", "match_action":
			if match, matchErrno, err = fcAction(name, v, k.Value); err != nil {
				return nil, err
			}
			haveMatch = true
		case "filter":
			filter = v
		default:
			return nil, nodeErr(name, k, "%q is not a field of a seccompiler filter: use mismatch_action (or default_action), match_action (or filter_action) and filter", k.Value)
		}
	}
	switch {
	case !haveMismatch:
		return nil, nodeErr(name, n, "thread %s has no default_action (mismatch_action)", thread)
	case !haveMatch:
		return nil, nodeErr(name, n, "thread %s has no filter_action (match_action)", thread)
	case filter == nil:
		return nil, nodeErr(name, n, "thread %s has no filter list", thread)
	}
	if match == p.DefaultAction && ptrEq(matchErrno, p.DefaultErrnoRet) {
		return nil, nodeErr(name, n, "thread %s: match and mismatch actions are the same, which seccompiler refuses", thread)
	}
	rules, err := items(name, filter, "filter")
	if err != nil {
		return nil, err
	}
	// Per syscall in file order: its conditional rules, or nil for an
	// unconditional one.
	var order []string
	conds := map[string][]*profile.Rule{}
	plain := map[string]*yaml.Node{}
	comments := map[string]string{}
	cat := catalog.MustDefault()
	for i, rn := range rules {
		r, sc, err := fcRule(name, rn, i, host, o)
		if err != nil {
			return nil, err
		}
		if _, ok := cat.Lookup(sc); !ok {
			return nil, nodeErr(name, get(rn, "syscall"), "unknown syscall %q, which seccompiler refuses", sc)
		}
		if !slices.Contains(order, sc) {
			order = append(order, sc)
		}
		if r == nil {
			plain[sc] = rn
			if c := get(rn, "comment"); c != nil && comments[sc] == "" {
				comments[sc] = c.Value
			}
			continue
		}
		r.Action, r.ErrnoRet = match, matchErrno
		conds[sc] = append(conds[sc], r)
	}
	var unconditional []string
	for _, sc := range order {
		if len(conds[sc]) == 0 {
			unconditional = append(unconditional, sc)
			continue
		}
		if pn, ok := plain[sc]; ok {
			o.warnf("%s: %s has rules with args too, and seccompiler then keeps only those: the rule without args does not allow every call", pos(name, pn), sc)
		}
		p.Syscalls = append(p.Syscalls, conds[sc]...)
	}
	if len(unconditional) > 0 {
		r := &profile.Rule{Names: unconditional, Action: match, ErrnoRet: matchErrno}
		p.Syscalls = append([]*profile.Rule{r}, p.Syscalls...)
	}
	return p, nil
}

func ptrEq(a, b *uint) bool {
	return (a == nil) == (b == nil) && (a == nil || *a == *b)
}

// fcAction reads "allow" or {"errno": N}.
func fcAction(name string, n *yaml.Node, what string) (profile.Action, *uint, error) {
	if n.Kind == yaml.ScalarNode {
		if a, ok := fcActions[n.Value]; ok {
			return a, nil, nil
		}
		return "", nil, nodeErr(name, n, "%s %q: use allow, kill_thread, kill_process, log, trap, {\"errno\": N} or {\"trace\": N}", what, n.Value)
	}
	kv, err := pairs(name, n, what)
	if err != nil || len(kv) != 1 {
		return "", nil, nodeErr(name, n, "%s: use allow, kill_thread, kill_process, log, trap, {\"errno\": N} or {\"trace\": N}", what)
	}
	k, v := kv[0][0], kv[0][1]
	x, err := uintOf(name, v, what+"."+k.Value, false)
	if err != nil {
		return "", nil, err
	}
	switch k.Value {
	case "errno":
		if x == 0 || x > 4095 {
			return "", nil, nodeErr(name, v, "errno %d: a profile's errno is 1..4095 (errno 0 would make the call return 0 without running it)", x)
		}
	case "trace":
		if x > 0xffff {
			return "", nil, nodeErr(name, v, "trace data %d: the kernel keeps 16 bits", x)
		}
	default:
		return "", nil, nodeErr(name, k, "%s: unknown action %q: use errno or trace with a number", what, k.Value)
	}
	e := uint(x)
	if k.Value == "errno" {
		return profile.ActErrno, &e, nil
	}
	return profile.ActTrace, &e, nil
}

// fcRule reads one rule: its syscall, and its conditions as a profile rule
// (nil when it has none).
func fcRule(name string, n *yaml.Node, i int, host catalog.Arch, o *Opened) (*profile.Rule, string, error) {
	what := fmt.Sprintf("filter[%d]", i)
	kv, err := pairs(name, n, what)
	if err != nil {
		return nil, "", err
	}
	var sc string
	var args *yaml.Node
	r := &profile.Rule{}
	for _, e := range kv {
		k, v := e[0], e[1]
		switch k.Value {
		case "syscall":
			if sc, err = str(name, v, what+".syscall"); err != nil {
				return nil, "", err
			}
			r.Names = []string{sc}
		case "args":
			args = v
		case "comment":
			if r.Comment, err = str(name, v, what+".comment"); err != nil {
				return nil, "", err
			}
		default:
			return nil, "", nodeErr(name, k, "%q is not a field of a seccompiler rule: use syscall, args and comment", k.Value)
		}
	}
	if sc == "" {
		return nil, "", nodeErr(name, n, "%s has no syscall", what)
	}
	if args == nil {
		return nil, sc, nil
	}
	conds, err := items(name, args, what+".args")
	if err != nil {
		return nil, "", err
	}
	if len(conds) == 0 {
		return nil, "", nodeErr(name, args, "%s.args is empty, which seccompiler refuses: drop it to match every call", what)
	}
	for j, c := range conds {
		a, err := fcCond(name, c, fmt.Sprintf("%s.args[%d]", what, j), host, o)
		if err != nil {
			return nil, "", err
		}
		r.Args = append(r.Args, a)
	}
	return r, sc, nil
}

func fcCond(name string, n *yaml.Node, what string, host catalog.Arch, o *Opened) (*profile.Arg, error) {
	kv, err := pairs(name, n, what)
	if err != nil {
		return nil, err
	}
	a := &profile.Arg{}
	var typ string
	var opNode, valNode, idxNode *yaml.Node
	for _, e := range kv {
		k, v := e[0], e[1]
		switch k.Value {
		case "index":
			idxNode = v
			x, err := uintOf(name, v, what+".index", false)
			if err != nil {
				return nil, err
			}
			if x > 5 {
				return nil, nodeErr(name, v, "%s.index is %d: a syscall has arguments 0 to 5", what, x)
			}
			a.Index = uint(x)
		case "type":
			if typ, err = str(name, v, what+".type"); err != nil {
				return nil, err
			}
			if typ != "dword" && typ != "qword" {
				return nil, nodeErr(name, v, "%s.type %q: use dword (the low 32 bits) or qword", what, typ)
			}
		case "op":
			opNode = v
		case "val":
			valNode = v
			if a.Value, err = uintOf(name, v, what+".val", false); err != nil {
				return nil, err
			}
		case "comment":
		default:
			return nil, nodeErr(name, k, "%q is not a field of a seccompiler condition: use index, type, op, val and comment", k.Value)
		}
	}
	for _, m := range []struct {
		n    *yaml.Node
		what string
	}{{idxNode, "index"}, {opNode, "op"}, {valNode, "val"}} {
		if m.n == nil {
			return nil, nodeErr(name, n, "%s has no %s", what, m.what)
		}
	}
	if typ == "" {
		return nil, nodeErr(name, n, "%s has no type: say dword or qword", what)
	}
	var mask uint64
	switch {
	case opNode.Kind == yaml.ScalarNode:
		op, ok := fcOps[opNode.Value]
		if !ok {
			return nil, nodeErr(name, opNode, "%s.op %q: use eq, ne, lt, le, gt, ge or {\"masked_eq\": MASK}", what, opNode.Value)
		}
		a.Op = op
	default:
		kv, err := pairs(name, opNode, what+".op")
		if err != nil || len(kv) != 1 || kv[0][0].Value != "masked_eq" {
			return nil, nodeErr(name, opNode, "%s.op: use eq, ne, lt, le, gt, ge or {\"masked_eq\": MASK}", what)
		}
		if mask, err = uintOf(name, kv[0][1], what+".op.masked_eq", false); err != nil {
			return nil, err
		}
		a.Op = profile.OpMaskedEqual
	}
	if typ == "dword" {
		if a.Value > 0xffffffff {
			return nil, nodeErr(name, valNode, "%s.val %#x does not fit the dword (32 bits) it is compared with", what, a.Value)
		}
		mask &= 0xffffffff
		if a.Op == profile.OpEqualTo {
			// The low 32 bits equal val: exactly a masked comparison.
			a.Op, mask = profile.OpMaskedEqual, 0xffffffff
		} else if a.Op != profile.OpMaskedEqual && !host.Is32Bit() {
			o.warnf("%s: %s compares the low 32 bits (dword) with %s, which a profile cannot say on %s: read as a 64-bit comparison, which also tests the upper half", pos(name, n), what, opNode.Value, host)
		}
	}
	if a.Op == profile.OpMaskedEqual {
		// Docker's MASKED_EQ is value = mask, valueTwo = datum.
		a.Value, a.ValueTwo = mask, a.Value
	}
	return a, nil
}
