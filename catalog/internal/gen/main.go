// Command gen regenerates the catalog's machine-made data files from the
// installed libseccomp and systemd:
//
//	data/numbers.json  syscall numbers per ABI, from libseccomp's tables,
//	                   plus data/overlay.tsv for calls libseccomp lacks
//	data/systemd.json  systemd's syscall groups, from systemd-analyze
//
// Run it with `go generate ./catalog` (needs libseccomp-dev), which then
// runs internal/gentables to carry the new files into tables_gen.go.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	seccomp "github.com/seccomp/libseccomp-golang"
)

// abi pairs a catalog arch name with libseccomp's and the number ranges to
// scan. arm keeps its private calls (breakpoint, cacheflush, set_tls ...)
// at __ARM_NR_BASE = 0x0f0000; x32 numbers carry bit 30; MIPS numbers
// start at 4000 (o32), 5000 (n64) and 6000 (n32). The first base is the
// one the overlay's "common" numbers are added to.
type abi struct {
	name, native string
	bases        []int32
}

var abis = []abi{
	{"x86_64", "amd64", []int32{0}},
	{"x86", "x86", []int32{0}},
	{"x32", "x32", []int32{0x40000000}},
	{"aarch64", "arm64", []int32{0}},
	{"arm", "arm", []int32{0, 0x0f0000}},
	{"riscv64", "riscv64", []int32{0}},
	{"s390x", "s390x", []int32{0}},
	{"ppc64le", "ppc64le", []int32{0}},
	{"mips", "mips", []int32{4000}},
	{"mipsel", "mipsel", []int32{4000}},
	{"mips64", "mips64", []int32{5000}},
	{"mipsel64", "mipsel64", []int32{5000}},
	{"mips64n32", "mips64n32", []int32{6000}},
	{"mipsel64n32", "mipsel64n32", []int32{6000}},
	{"ppc", "ppc", []int32{0}},
	{"ppc64", "ppc64", []int32{0}},
	{"s390", "s390", []int32{0}},
	{"parisc", "parisc", []int32{0}},
	{"parisc64", "parisc64", []int32{0}},
}

// scanLimit is above the highest number any supported ABI uses above its
// base (x32's legacy range ends at 547).
const scanLimit = 1100

type entry struct {
	Libseccomp bool             `json:"libseccomp"`
	Numbers    map[string]int64 `json:"numbers"`
}

type numbersFile struct {
	Libseccomp string            `json:"libseccomp_version"`
	Syscalls   map[string]*entry `json:"syscalls"`
}

type group struct {
	Description string   `json:"description"`
	Members     []string `json:"members"`
}

func main() {
	dir := "data"
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	if err := genNumbers(dir); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	if err := genSystemd(dir); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func genNumbers(dir string) error {
	out := numbersFile{Syscalls: map[string]*entry{}}
	maj, min, mic := seccomp.GetLibraryVersion()
	out.Libseccomp = fmt.Sprintf("%d.%d.%d", maj, min, mic)
	for _, a := range abis {
		arch, err := seccomp.GetArchFromString(a.native)
		if err != nil {
			return fmt.Errorf("libseccomp does not know arch %s: %w", a.native, err)
		}
		for _, base := range a.bases {
			for n := int32(0); n < scanLimit; n++ {
				name, err := seccomp.ScmpSyscall(base + n).GetNameByArch(arch)
				if err != nil || name == "" {
					continue
				}
				e := out.Syscalls[name]
				if e == nil {
					e = &entry{Libseccomp: true, Numbers: map[string]int64{}}
					out.Syscalls[name] = e
				}
				e.Numbers[a.name] = int64(base + n)
			}
		}
	}
	if err := applyOverlay(filepath.Join(dir, "overlay.tsv"), out.Syscalls); err != nil {
		return err
	}
	return writeJSON(filepath.Join(dir, "numbers.json"), out)
}

func applyOverlay(path string, into map[string]*entry) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		t := strings.TrimSpace(sc.Text())
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		fields := strings.Fields(t)
		if len(fields) != 2 {
			return fmt.Errorf("%s:%d: want NAME NUMBERS", path, line)
		}
		name := fields[0]
		if _, known := into[name]; known {
			continue // a newer libseccomp knows it: its table wins
		}
		e := &entry{Numbers: map[string]int64{}}
		for _, kv := range strings.Split(fields[1], ",") {
			k, v, ok := strings.Cut(kv, "=")
			n, err := strconv.ParseInt(v, 10, 64)
			if !ok || err != nil {
				return fmt.Errorf("%s:%d: bad ARCH=NUMBER %q", path, line, kv)
			}
			if k == "common" {
				for _, a := range abis {
					e.Numbers[a.name] = n + int64(a.bases[0])
				}
				continue
			}
			e.Numbers[k] = n
		}
		into[name] = e
	}
	return sc.Err()
}

// genSystemd parses `systemd-analyze syscall-filter`: a group name at the
// start of a line, then indented "# description" and member lines. Members
// may be other groups (@basic-io inside @system-service). @known (every
// syscall systemd knows) is left out: it says nothing about a call.
func genSystemd(dir string) error {
	raw, err := exec.Command("systemd-analyze", "syscall-filter", "--no-pager").Output()
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen: systemd-analyze not usable, keeping systemd.json:", err)
		return nil
	}
	groups := map[string]*group{}
	var cur *group
	for _, l := range strings.Split(string(raw), "\n") {
		switch {
		case strings.HasPrefix(l, "@"):
			name := strings.TrimSpace(l)
			if name == "@known" {
				cur = nil
				continue
			}
			cur = &group{}
			groups[name] = cur
		case cur == nil:
		case strings.HasPrefix(strings.TrimSpace(l), "#"):
			if cur.Description == "" {
				cur.Description = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "#"))
			}
		case strings.TrimSpace(l) != "":
			cur.Members = append(cur.Members, strings.TrimSpace(l))
		default:
			cur = nil
		}
	}
	for _, g := range groups {
		sort.Strings(g.Members)
	}
	ver, _ := exec.Command("systemd-analyze", "--version").Output()
	first, _, _ := strings.Cut(string(ver), "\n")
	return writeJSON(filepath.Join(dir, "systemd.json"), map[string]any{
		"systemd": first,
		"groups":  groups,
	})
}

func writeJSON(path string, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
