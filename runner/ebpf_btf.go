package runner

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
)

// structMembers reads, from the kernel's BTF (the format of
// include/uapi/linux/btf.h), the byte offsets of the named members of the
// named structs: want maps a struct name to its member names. It walks
// the type section once and decodes nothing else — a few milliseconds
// where decoding all of vmlinux's types (btf.LoadKernelSpec) takes tens,
// most of the eBPF engine's fixed cost. A struct named twice (vmlinux
// has one of each) gives its first definition.
func structMembers(path string, want map[string][]string) (map[string]map[string]int32, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	bo := binary.ByteOrder(binary.LittleEndian)
	if len(data) < 24 {
		return nil, errors.New("BTF: short header")
	}
	switch {
	case data[0] == 0x9f && data[1] == 0xeb:
	case data[0] == 0xeb && data[1] == 0x9f:
		bo = binary.BigEndian
	default:
		return nil, errors.New("BTF: bad magic")
	}
	hdrLen := bo.Uint32(data[4:])
	typeOff, typeLen := bo.Uint32(data[8:]), bo.Uint32(data[12:])
	strOff, strLen := bo.Uint32(data[16:]), bo.Uint32(data[20:])
	if uint64(hdrLen)+uint64(typeOff)+uint64(typeLen) > uint64(len(data)) || uint64(hdrLen)+uint64(strOff)+uint64(strLen) > uint64(len(data)) {
		return nil, errors.New("BTF: sections beyond the file")
	}
	types := data[hdrLen+typeOff : hdrLen+typeOff+typeLen]
	strs := data[hdrLen+strOff : hdrLen+strOff+strLen]
	name := func(off uint32) string {
		if int(off) >= len(strs) {
			return ""
		}
		s := strs[off:]
		if i := bytes.IndexByte(s, 0); i >= 0 {
			s = s[:i]
		}
		return string(s)
	}
	out := map[string]map[string]int32{}
	for p := 0; p+12 <= len(types); {
		nameOff, info := bo.Uint32(types[p:]), bo.Uint32(types[p+4:])
		kind, vlen, kindFlag := (info>>24)&0x1f, int(info&0xffff), info>>31
		p += 12
		var extra int
		switch kind {
		case 1, 14, 17: // INT, VAR, DECL_TAG: one u32
			extra = 4
		case 3: // ARRAY
			extra = 12
		case 4, 5: // STRUCT, UNION: vlen members {name_off, type, offset}
			extra = 12 * vlen
			members, isWanted := want[name(nameOff)]
			if kind == 4 && isWanted && out[name(nameOff)] == nil && p+extra <= len(types) {
				got := map[string]int32{}
				for i := range vlen {
					m := types[p+12*i:]
					bits := bo.Uint32(m[8:])
					if kindFlag != 0 {
						bits &= 0xffffff // the high byte is a bitfield's size
					}
					got[name(bo.Uint32(m))] = int32(bits / 8)
				}
				res := map[string]int32{}
				for _, mn := range members {
					off, ok := got[mn]
					if !ok {
						return nil, fmt.Errorf("kernel BTF: %s has no %s", name(nameOff), mn)
					}
					res[mn] = off
				}
				out[name(nameOff)] = res
			}
		case 6, 19: // ENUM: {name_off, val}; ENUM64: {name_off, lo, hi}
			extra = 8 * vlen
			if kind == 19 {
				extra = 12 * vlen
			}
		case 13: // FUNC_PROTO: {name_off, type}
			extra = 8 * vlen
		case 15: // DATASEC: {type, offset, size}
			extra = 12 * vlen
		case 2, 7, 8, 9, 10, 11, 12, 16, 18: // PTR, FWD, TYPEDEF, VOLATILE, CONST, RESTRICT, FUNC, FLOAT, TYPE_TAG
		default:
			return nil, fmt.Errorf("BTF: unknown kind %d", kind)
		}
		p += extra
	}
	for s := range want {
		if out[s] == nil {
			return nil, fmt.Errorf("kernel BTF: no struct %s", s)
		}
	}
	return out, nil
}
