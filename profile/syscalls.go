package profile

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
)

// ResolveSyscall turns a syscall name, or a number in decimal or 0x-hex,
// into the number seccomp_data carries on arch. The error names what is
// wrong and what to use instead.
func ResolveSyscall(arch catalog.Arch, s string) (int64, error) {
	if _, ok := arch.Info(); !ok {
		return 0, fmt.Errorf("unknown architecture %q: use one of %s", arch, JoinArches(catalog.Arches()))
	}
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, fmt.Errorf("empty syscall name: give a name such as openat or a number")
	}
	if t[0] >= '0' && t[0] <= '9' {
		n, err := ParseNumber(t)
		if err != nil || n > 0x7fffffff {
			return 0, fmt.Errorf("syscall number %q: use a name or a number 0..0x7fffffff in decimal or 0x-hex", s)
		}
		if arch == catalog.X32 {
			n |= catalog.X32SyscallBit
		}
		return int64(n), nil
	}
	cat := catalog.MustDefault()
	ent, ok := cat.Lookup(t)
	if !ok {
		hint := "search the names with 'seccomp-workbench catalog'"
		if near := NearestName(cat, t); near != "" {
			hint = "did you mean " + near + "?"
		}
		return 0, fmt.Errorf("unknown syscall %q: %s", s, hint)
	}
	nr, ok := ent.Number(arch)
	if !ok {
		if alt := alternatives(cat, ent, arch); len(alt) > 0 {
			return 0, fmt.Errorf("%s does not exist on %s: use %s", t, arch, strings.Join(alt, " or "))
		}
		return 0, fmt.Errorf("%s does not exist on %s", t, arch)
	}
	return nr, nil
}

// alternatives suggests family members that exist on arch, the *at forms
// of the same name first (open → openat, mkdir → mkdirat).
func alternatives(cat *catalog.Catalog, ent *catalog.Entry, arch catalog.Arch) []string {
	base := strings.TrimRight(ent.Name, "0123456789")
	var first, rest []string
	for _, n := range ent.Family {
		if n == ent.Name {
			continue
		}
		e, ok := cat.Lookup(n)
		if !ok {
			continue
		}
		if _, ok := e.Number(arch); !ok {
			continue
		}
		if strings.Contains(n, base) && (strings.HasSuffix(n, "at") || strings.HasSuffix(n, "at2")) {
			first = append(first, n)
		} else {
			rest = append(rest, n)
		}
	}
	out := append(first, rest...)
	if len(out) > 2 {
		out = out[:2]
	}
	return out
}

// NearestName is the catalog name closest to s, ignoring case, when it
// is near enough to be a likely typo: one edit away for names of up to
// four letters, two for longer ones. Lint and explain both suggest it.
func NearestName(cat *catalog.Catalog, s string) string {
	s = strings.ToLower(s)
	best, bestD := "", 3
	if len(s) <= 4 {
		bestD = 2
	}
	for _, e := range cat.All() {
		if d := editDistance(s, e.Name); d < bestD {
			best, bestD = e.Name, d
		}
	}
	return best
}

// editDistance counts the insertions, deletions, substitutions and swaps
// of adjacent letters that turn a into b (optimal string alignment): a
// swap is the commonest typo.
func editDistance(a, b string) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// ParseNumber reads an unsigned number in decimal or 0x-hex. (A leading
// zero does not mean octal: "010" is ten.)
func ParseNumber(s string) (uint64, error) {
	t := strings.TrimSpace(s)
	if h, ok := strings.CutPrefix(strings.ToLower(t), "0x"); ok {
		return strconv.ParseUint(h, 16, 64)
	}
	return strconv.ParseUint(t, 10, 64)
}

// ParseArg reads a syscall argument for arch: decimal, 0x-hex or a
// negative decimal, which becomes the two's complement of the ABI's word
// (-1 is 0xffffffff on x86, 0xffffffffffffffff on x86_64).
func ParseArg(arch catalog.Arch, s string) (uint64, error) {
	t := strings.TrimSpace(s)
	bits := 64
	if arch.Is32Bit() {
		bits = 32
	}
	if strings.HasPrefix(t, "-") {
		n, err := strconv.ParseInt(t, 10, bits)
		if err != nil {
			return 0, fmt.Errorf("%q is not a %d-bit number: use decimal or 0x-hex", s, bits)
		}
		if bits == 32 {
			return uint64(uint32(n)), nil
		}
		return uint64(n), nil
	}
	n, err := ParseNumber(t)
	if err != nil || (bits == 32 && n>>32 != 0) {
		return 0, fmt.Errorf("%q is not a %d-bit number: use decimal or 0x-hex", s, bits)
	}
	return n, nil
}

// FormatArgs prints the non-zero prefix of args in hex.
func FormatArgs(a [6]uint64) string {
	n := 6
	for n > 0 && a[n-1] == 0 {
		n--
	}
	parts := make([]string, n)
	for i := 0; i < n; i++ {
		parts[i] = fmt.Sprintf("%#x", a[i])
	}
	return "(" + strings.Join(parts, ", ") + ")"
}
