package cbpf

import (
	"fmt"
	"strings"

	"golang.org/x/net/bpf"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// AsmLine is one disassembled instruction.
type AsmLine struct {
	PC int
	// Text is the instruction in bpf_asm-like syntax; jump targets are
	// absolute line numbers: "jeq  #257, 16, 13" goes to 16 when A is
	// 257 and to 13 otherwise.
	Text string
	// Comment says what the instruction means for seccomp: the field a
	// load reads, the arch or syscall a comparison tests, the action a
	// return takes.
	Comment string
}

// FormatAsmLines prints lines one per row with aligned comments.
func FormatAsmLines(lines []AsmLine) string {
	var b strings.Builder
	pcw, tw := pcWidth(len(lines)), textWidth(lines)
	for _, l := range lines {
		row := fmt.Sprintf("%*d: %-*s", pcw, l.PC, tw, l.Text)
		if l.Comment != "" {
			row += " ; " + l.Comment
		}
		b.WriteString(strings.TrimRight(row, " "))
		b.WriteByte('\n')
	}
	return b.String()
}

func pcWidth(n int) int { return len(fmt.Sprint(max(n-1, 0))) }

func textWidth(lines []AsmLine) int {
	w := 0
	for _, l := range lines {
		w = max(w, len(l.Text))
	}
	return w
}

// archSet is a set of ABIs, one bit per asmArches entry.
type archSet uint32

// asmArches fixes the bit order of archSet (read only).
var asmArches = catalog.Arches()

func allArches() archSet { return archSet(1)<<len(asmArches) - 1 }

func archBit(a catalog.Arch) archSet {
	for i, x := range asmArches {
		if x == a {
			return 1 << i
		}
	}
	return 0
}

func (s archSet) list() []catalog.Arch {
	out := make([]catalog.Arch, 0, len(asmArches))
	for i, a := range asmArches {
		if s&(1<<i) != 0 {
			out = append(out, a)
		}
	}
	return out
}

// regKind is what register A is known to hold.
type regKind int

const (
	regUnknown regKind = iota
	regNr
	regArch
	regExpr // a described value: an argument word, possibly masked
)

type regA struct {
	kind regKind
	desc string
}

type asmState struct {
	valid  bool
	arches archSet
	a      regA
}

func (s *asmState) merge(o asmState) {
	if !s.valid {
		*s = o
		return
	}
	s.arches |= o.arches
	if s.a != o.a {
		s.a = regA{}
	}
}

// Disassemble renders a program with annotations. It follows every path
// through the program, tracking which ABIs can still be running at each
// instruction (narrowed by the arch checks and, for x86_64 and x32, by
// the x32 bit of the syscall number) and what register A holds, so that
// a comparison of the syscall number is named for the ABI being tested.
func Disassemble(insns []bpf.RawInstruction) []AsmLine {
	cat := catalog.MustDefault()
	states := make([]asmState, len(insns))
	if len(insns) > 0 {
		states[0] = asmState{valid: true, arches: allArches(), a: regA{kind: regUnknown}}
	}
	out := make([]AsmLine, len(insns))
	for pc, in := range insns {
		st := states[pc]
		line := AsmLine{PC: pc, Text: insnText(pc, in)}
		if !st.valid {
			line.Comment = "unreachable"
			out[pc] = line
			continue
		}
		flow := func(target int, s asmState) {
			if target > pc && target < len(insns) {
				states[target].merge(s)
			}
		}
		next := st
		code := in.Op
		switch code & 0x07 {
		case clsLD:
			switch {
			case code == clsLD|modeABS|sizeW:
				next.a = loadMeaning(in.K, st.arches)
				line.Comment = next.a.desc
			case code&0xe0 == modeIMM:
				next.a = regA{}
			case code&0xe0 == modeLEN:
				next.a, line.Comment = regA{}, "size of seccomp_data"
			default:
				next.a = regA{}
			}
		case clsALU:
			next.a = aluMeaning(in, st.a)
			if next.a.kind == regExpr {
				line.Comment = "A = " + next.a.desc
			}
		case clsMISC:
			if code&0xf8 == miscTXA {
				next.a = regA{}
			}
		case clsJMP:
			if code&0xf0 == jmpJA {
				flow(pc+1+int(in.K), next)
				out[pc] = line
				continue
			}
			tState, fState := next, next
			line.Comment = jumpMeaning(cat, in, st, &tState, &fState)
			flow(pc+1+int(in.Jt), tState)
			flow(pc+1+int(in.Jf), fState)
			out[pc] = line
			continue
		case clsRET:
			line.Comment = retMeaning(in)
			out[pc] = line
			continue
		}
		flow(pc+1, next)
		out[pc] = line
	}
	return out
}

// The operation tables are arrays by the operation's nibble (code&0xf0 >>
// 4), "" for none: static data, where maps would be built by an init in
// every run of the workbench, which disassembles nothing.
var aluNames = [16]string{
	aluADD >> 4: "add", aluSUB >> 4: "sub", aluMUL >> 4: "mul", aluDIV >> 4: "div", aluOR >> 4: "or",
	aluAND >> 4: "and", aluLSH >> 4: "lsh", aluRSH >> 4: "rsh", aluNEG >> 4: "neg", aluXOR >> 4: "xor", 0x90 >> 4: "mod",
}

var jumpNames = [16]string{jmpJEQ >> 4: "jeq", jmpJGT >> 4: "jgt", jmpJGE >> 4: "jge", jmpJSET >> 4: "jset"}

// insnText renders one instruction.
func insnText(pc int, in bpf.RawInstruction) string {
	op := func(m, args string) string {
		if args == "" {
			return m
		}
		return fmt.Sprintf("%-5s%s", m, args)
	}
	code := in.Op
	src := fmt.Sprintf("#%s", konst(in.K))
	if code&srcX != 0 {
		src = "x"
	}
	switch code & 0x07 {
	case clsLD, clsLDX:
		m := "ld"
		if code&0x07 == clsLDX {
			m = "ldx"
		}
		if code&0x18 != sizeW {
			break
		}
		switch code & 0xe0 {
		case modeIMM:
			return op(m, fmt.Sprintf("#%s", konst(in.K)))
		case modeABS:
			return op(m, fmt.Sprintf("[%d]", in.K))
		case modeMEM:
			return op(m, fmt.Sprintf("M[%d]", in.K))
		case modeLEN:
			return op(m, "#len")
		}
	case clsST:
		return op("st", fmt.Sprintf("M[%d]", in.K))
	case clsSTX:
		return op("stx", fmt.Sprintf("M[%d]", in.K))
	case clsALU:
		name := aluNames[code&0xf0>>4]
		if name == "" {
			break
		}
		if code&0xf0 == aluNEG {
			return "neg"
		}
		if code&srcX == 0 {
			src = "#" + hexK(in.K)
		}
		return op(name, src)
	case clsJMP:
		if code&0xf0 == jmpJA {
			return op("ja", fmt.Sprint(pc+1+int(in.K)))
		}
		name := jumpNames[code&0xf0>>4]
		if name == "" {
			break
		}
		if code&0xf0 == jmpJSET && code&srcX == 0 {
			src = "#" + hexK(in.K)
		}
		return op(name, fmt.Sprintf("%s, %d, %d", src, pc+1+int(in.Jt), pc+1+int(in.Jf)))
	case clsRET:
		if code&^0x07 == retA {
			return op("ret", "a")
		}
		return op("ret", "#"+hexK(in.K))
	case clsMISC:
		if code&0xf8 == miscTXA {
			return "txa"
		}
		if code&0xf8 == 0 {
			return "tax"
		}
	}
	return fmt.Sprintf(".insn %#04x, %d, %d, %#x", in.Op, in.Jt, in.Jf, in.K)
}

// konst prints small values (syscall numbers, offsets) in decimal and
// large ones (arch values, masks) in hex.
func konst(k uint32) string {
	if k < 0x10000 {
		return fmt.Sprint(k)
	}
	return hexK(k)
}

func hexK(k uint32) string { return fmt.Sprintf("%#x", k) }

// loadMeaning names the seccomp_data word at off for the ABIs in set.
func loadMeaning(off uint32, set archSet) regA {
	switch off {
	case OffNr:
		return regA{regNr, "nr"}
	case OffArch:
		return regA{regArch, "arch"}
	}
	name := ""
	for _, a := range set.list() {
		n := fieldName(a, off)
		if name != "" && n != name {
			// ABIs of both byte orders are possible here: assume the
			// little-endian layout every supported ABI but s390x has.
			return regA{regExpr, fieldName(catalog.X86_64, off)}
		}
		name = n
	}
	if name == "" {
		name = fieldName(catalog.X86_64, off)
	}
	return regA{regExpr, name}
}

// fieldName names the 32-bit word at off in seccomp_data on arch.
func fieldName(arch catalog.Arch, off uint32) string {
	half := func(lo uint32) string {
		if off == lo {
			return "low"
		}
		return "high"
	}
	if off == 8 || off == 12 {
		lo := uint32(8)
		if BigEndian(arch) {
			lo = 12
		}
		return "instruction_pointer " + half(lo)
	}
	if off >= OffArgs && off < seccompDataLen {
		i := int(off-OffArgs) / 8
		lo, _ := ArgWordOffsets(arch, i)
		return fmt.Sprintf("args[%d] %s", i, half(lo))
	}
	return fmt.Sprintf("seccomp_data[%d]", off)
}

var aluSymbols = [16]string{
	aluADD >> 4: "+", aluSUB >> 4: "-", aluMUL >> 4: "*", aluDIV >> 4: "/", aluOR >> 4: "|",
	aluAND >> 4: "&", aluLSH >> 4: "<<", aluRSH >> 4: ">>", aluXOR >> 4: "^",
}

func aluMeaning(in bpf.RawInstruction, a regA) regA {
	sym := aluSymbols[in.Op&0xf0>>4]
	if sym == "" || in.Op&srcX != 0 || a.kind == regUnknown {
		return regA{}
	}
	return regA{regExpr, fmt.Sprintf("%s %s %s", a.desc, sym, hexK(in.K))}
}

var condSymbols = [16][2]string{
	jmpJEQ >> 4: {"==", "!="}, jmpJGT >> 4: {">", "<="}, jmpJGE >> 4: {">=", "<"}, jmpJSET >> 4: {"&", ""},
}

// jumpMeaning describes a conditional jump and narrows the ABI sets of
// its two branches.
func jumpMeaning(cat *catalog.Catalog, in bpf.RawInstruction, st asmState, t, f *asmState) string {
	op := in.Op & 0xf0
	if in.Op&srcX != 0 {
		return ""
	}
	k := in.K
	x86s := archBit(catalog.X86_64) | archBit(catalog.X32)
	switch st.a.kind {
	case regArch:
		if op != jmpJEQ {
			return fmt.Sprintf("arch %s %s", condSymbols[op>>4][0], hexK(k))
		}
		var match archSet
		for _, a := range st.arches.list() {
			if ai, _ := a.Info(); ai.Audit == k {
				match |= archBit(a)
			}
		}
		t.arches, f.arches = st.arches&match, st.arches&^match
		if a, ok := catalog.ArchFromAudit(k, 0); ok {
			return "arch == " + string(a)
		}
		return "arch == unknown " + hexK(k)
	case regNr:
		// x86_64 and x32 share an AUDIT_ARCH: a number with the x32 bit
		// is an x32 call, one without it an x86_64 call.
		if st.arches&x86s != 0 {
			x32Only, x64Only := st.arches&^archBit(catalog.X86_64), st.arches&^archBit(catalog.X32)
			switch op {
			case jmpJSET:
				if k == catalog.X32SyscallBit {
					t.arches, f.arches = x32Only, x64Only
					return "nr has the x32 bit (x32 ABI)"
				}
			case jmpJEQ:
				if k&catalog.X32SyscallBit != 0 {
					t.arches = x32Only
				} else {
					t.arches = x64Only
				}
			case jmpJGE:
				if k >= catalog.X32SyscallBit {
					t.arches = x32Only
				}
				if k <= catalog.X32SyscallBit {
					f.arches = x64Only
				}
			case jmpJGT:
				if k >= catalog.X32SyscallBit-1 {
					t.arches = x32Only
				}
				if k < catalog.X32SyscallBit {
					f.arches = x64Only
				}
			}
		}
		switch op {
		case jmpJEQ:
			name, onlyX32 := nrName(cat, t.arches, int64(k))
			if name == "" {
				return "nr == " + konst(k)
			}
			if onlyX32 {
				name += " (x32)"
			}
			return "nr == " + name
		case jmpJSET:
			return fmt.Sprintf("nr & %s", hexK(k))
		case jmpJGE:
			// A search on nr: name the first call of the upper half.
			if name, onlyX32 := nrName(cat, t.arches, int64(k)); name != "" {
				if onlyX32 {
					name += ", x32"
				}
				return fmt.Sprintf("nr >= %s (%s)", konst(k), name)
			}
		}
		return fmt.Sprintf("nr %s %s", condSymbols[op>>4][0], konst(k))
	case regExpr:
		if op == jmpJSET {
			return fmt.Sprintf("%s & %s", st.a.desc, hexK(k))
		}
		return fmt.Sprintf("%s %s %s", st.a.desc, condSymbols[op>>4][0], konst(k))
	}
	return ""
}

// nrName names syscall nr for the ABIs in set: "" when they disagree or
// none knows the number. onlyX32 is true when x32 alone has it.
func nrName(cat *catalog.Catalog, set archSet, nr int64) (name string, onlyX32 bool) {
	var found archSet
	for _, a := range set.list() {
		e, ok := cat.ByNumber(a, nr)
		if !ok {
			continue
		}
		if name != "" && e.Name != name {
			return "", false
		}
		name, found = e.Name, found|archBit(a)
	}
	return name, found == archBit(catalog.X32)
}

func retMeaning(in bpf.RawInstruction) string {
	if in.Op&^0x07 == retA {
		return "return the action in A"
	}
	return strings.ToUpper(profile.FromRet(in.K).String())
}

// FormatTrace prints the executed steps with their annotations from asm
// (Disassemble of the same program) and what each did: the value loaded,
// the branch taken.
func FormatTrace(asm []AsmLine, steps []Step) string {
	var shown []Step
	tw, cw := 0, 0
	for _, s := range steps {
		if s.PC < len(asm) {
			shown = append(shown, s)
			tw, cw = max(tw, len(asm[s.PC].Text)), max(cw, len(asm[s.PC].Comment))
		}
	}
	pcw := pcWidth(len(asm))
	var b strings.Builder
	for _, s := range shown {
		l := asm[s.PC]
		row := fmt.Sprintf("%*d: %-*s ; %-*s  %s", pcw, s.PC, tw, l.Text, cw, l.Comment, StepEffect(s))
		b.WriteString(strings.TrimRight(row, " "))
		b.WriteByte('\n')
	}
	return b.String()
}

// StepEffect says what one executed instruction did: "A = 257",
// "true → 16", "→ 842", "return".
func StepEffect(s Step) string {
	switch s.Insn.Op & 0x07 {
	case clsLD, clsALU, clsMISC:
		return "A = " + konst(s.A)
	case clsLDX:
		return "X = " + konst(s.X)
	case clsJMP:
		if s.Insn.Op&0xf0 == jmpJA {
			return fmt.Sprintf("→ %d", s.Next)
		}
		if s.Jumped {
			return fmt.Sprintf("true → %d", s.Next)
		}
		return fmt.Sprintf("false → %d", s.Next)
	case clsRET:
		return "return"
	}
	return ""
}
