package decompile

import (
	"fmt"

	"golang.org/x/net/bpf"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/cbpf"
	"github.com/seccomp-workbench/seccomp-workbench/profile/compile"
)

// Run is the stacked filters' answer for one call, as the kernel
// settles it.
func Run(progs [][]bpf.RawInstruction, arch catalog.Arch, nr int64, args [6]uint64) (uint32, error) {
	data := cbpf.KernelData(arch, nr, args)
	rets := make([]uint32, len(progs))
	for i, p := range progs {
		r, _, err := cbpf.Trace(p, data)
		if err != nil {
			return 0, fmt.Errorf("filter %d: %w", i, err)
		}
		rets[i] = r
	}
	return Combine(rets), nil
}

// argInputs are the argument vectors worth checking for one number: for
// every path a vector inside it, and around every constant a comparison
// of the path tests, the values on both sides of it in that word, with
// the other word zero, all ones or the path's own.
func argInputs(raw []path, arch catalog.Arch) [][6]uint64 {
	out := [][6]uint64{{}}
	mask := top(arch)
	for _, p := range raw {
		var hi, lo [6][]cond
		for _, c := range p.Conds {
			if c.W.Hi {
				hi[c.W.Arg] = append(hi[c.W.Arg], c)
			} else {
				lo[c.W.Arg] = append(lo[c.W.Arg], c)
			}
		}
		var base [6]uint64
		feasible := true
		for k := range 6 {
			wh, _ := wordOf(hi[k], false)
			wl, _ := wordOf(lo[k], false)
			h, ok1 := wh.sample()
			l, ok2 := wl.sample()
			if !ok1 || !ok2 {
				feasible = false
				break
			}
			base[k] = uint64(h)<<32 | uint64(l)
		}
		if !feasible {
			continue
		}
		out = append(out, base)
		for _, c := range p.Conds {
			var ks []uint32
			for _, d := range []uint32{0, 1, ^uint32(0)} {
				ks = append(ks, c.K+d, c.K&c.Mask+d, c.K|^c.Mask)
			}
			ks = append(ks, ^c.K, c.K^c.Mask, 0, ^uint32(0))
			for _, k := range ks {
				cur := base[c.W.Arg]
				for _, other := range []uint64{0, 0xffffffff, cur >> 32, cur & 0xffffffff} {
					v := other<<32 | uint64(k)
					if c.W.Hi {
						v = uint64(k)<<32 | other
					}
					a := base
					a[c.W.Arg] = v & mask
					out = append(out, a)
				}
			}
		}
	}
	return out
}

// verify compares the original filters with Decide on the recovered
// profile over every examined number of every ABI and the argument
// values around every comparison. Mismatches on ABIs this host's kernel
// cannot run, and on numbers no catalog call has past a deny-by-default
// filter's ENOSYS boundary, are warnings; any other is an error.
func verify(res *Result, progs [][]bpf.RawInstruction, views []*abiView, host catalog.Arch, badRet uint32, b *budget) error {
	eff := res.Profile.Effective(profile.Env{Host: host})
	cat := catalog.MustDefault()
	type warnKey struct {
		arch  catalog.Arch
		class string
	}
	warned := map[warnKey]bool{}
	// The recovered profile's own boundary values (compile.Inputs, what
	// a compiled filter is verified over) are checked too.
	extra := map[catalog.Arch]map[int64][][6]uint64{}
	for _, in := range compile.Inputs(eff, profile.Options{}) {
		if extra[in.Arch] == nil {
			extra[in.Arch] = map[int64][][6]uint64{}
		}
		if in.Args != ([6]uint64{}) {
			extra[in.Arch][in.Nr] = append(extra[in.Arch][in.Nr], in.Args)
		}
	}
	for _, v := range views {
		for _, nr := range v.nrs {
			inputs := [][6]uint64{{}}
			if v.handled {
				inputs = append(argInputs(v.paths[nr], v.arch), extra[v.arch][nr]...)
			}
			if b.inputs += len(inputs); b.inputs > maxInputs {
				return tooComplex()
			}
			for _, args := range inputs {
				ret, err := Run(progs, v.arch, nr, args)
				if err != nil {
					return fmt.Errorf("decompile: verify: %w", err)
				}
				got := decision(ret)
				want := eff.Decide(v.arch, nr, args, profile.Options{})
				res.Checked++
				if want.Same(got) {
					continue
				}
				_, known := cat.ByNumber(v.arch, nr)
				switch {
				case !v.handled && want.Rule == profile.RuleBadArch && ret == badRet &&
					(!got.Action.LetsThrough() || !profile.CanRun(host, v.arch)):
					// Decompile warned: a profile's bad-arch answer is
					// libseccomp's, kill_thread. (One that lets calls of
					// an ABI this host runs through is no such detail:
					// the profile would be stricter than the filters.)
				case !profile.CanRun(host, v.arch):
					if k := (warnKey{v.arch, "abi"}); !warned[k] {
						warned[k] = true
						res.Warnings = append(res.Warnings, fmt.Sprintf("on %s, which this host's kernel does not run, %s gets %s from the filters and %s from the profile", v.arch, want.Syscall, got, want))
					}
				case !known && want.Rule == profile.RuleNewer:
					if k := (warnKey{v.arch, "newer"}); !warned[k] {
						warned[k] = true
						res.Warnings = append(res.Warnings, fmt.Sprintf("on %s the filters answer %s for numbers no known call has (%s); the profile answers ENOSYS there, as Docker's and runc's stub for newer calls does", v.arch, got, want.Syscall))
					}
				case !v.handled && want.Rule == profile.RuleBadArch:
					return fmt.Errorf("decompile: the filters answer %s to calls of the %s ABI, which this host runs, without looking at them; a profile kills the thread of an ABI it does not list and cannot say this", got, v.arch)
				default:
					return fmt.Errorf("decompile: verify: %s on %s with args %s: the filters do %s, the recovered profile means %s; refusing a profile that means something else (report this with the program)",
						want.Syscall, v.arch, profile.FormatArgs(args), got, want)
				}
			}
		}
	}
	return nil
}
