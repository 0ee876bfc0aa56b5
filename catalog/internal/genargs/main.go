// Command genargs regenerates data/args.json, the declared C type and name
// of every syscall's arguments, from the running kernel's syscall
// tracepoints (tracefs events/syscalls/sys_enter_*/format), which the
// kernel builds from its own SYSCALL_DEFINE declarations. The
// multiplexers, which an x86_64 kernel does not have, are added from
// net/socket.c and ipc/syscall.c.
//
//	go run ./catalog/internal/genargs [-tracefs DIR] [-o catalog/data/args.json]
//
// tracefs is usually mounted at /sys/kernel/tracing (mount -t tracefs
// nodev DIR as root otherwise).
//
// Then `go generate -run gentables ./catalog` carries the new file into
// catalog/tables_gen.go.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
)

type param struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// extra are calls the tracepoints of an x86_64 kernel lack.
var extra = map[string][]param{
	"socketcall": {{"call", "int"}, {"args", "unsigned long *"}},
	"ipc": {{"call", "unsigned int"}, {"first", "int"}, {"second", "unsigned long"},
		{"third", "unsigned long"}, {"ptr", "void *"}, {"fifth", "long"}},
}

// functionNames maps tracepoints named after a kernel function that
// differs from the syscall table's name to the names it serves: sys_umount
// is umount2 (umount is sys_oldumount), sys_sendfile64 is x86_64's
// sendfile.
var functionNames = map[string][]string{
	"umount":     {"umount2"},
	"sendfile64": {"sendfile64", "sendfile"},
}

// An argument field: "field:int family;	offset:16;	size:8;	signed:0;".
var fieldRE = regexp.MustCompile(`^\s*field:(.+) ([A-Za-z_0-9]+);\s*offset:(\d+);`)

func main() {
	dir := flag.String("tracefs", "/sys/kernel/tracing", "where tracefs is mounted")
	out := flag.String("o", "catalog/data/args.json", "file to write")
	flag.Parse()
	cat := catalog.MustDefault()
	formats, err := filepath.Glob(filepath.Join(*dir, "events/syscalls/sys_enter_*/format"))
	if err != nil || len(formats) == 0 {
		fmt.Fprintf(os.Stderr, "genargs: no syscall tracepoints under %s: mount tracefs there, or give -tracefs\n", *dir)
		os.Exit(1)
	}
	sigs := map[string][]param{}
	for _, f := range formats {
		fn := strings.TrimPrefix(filepath.Base(filepath.Dir(f)), "sys_enter_")
		served, ok := functionNames[fn]
		if !ok {
			served = []string{fn}
			// The kernel's name for the newer form of an old call
			// (newuname, newstat ...) is the catalog's plain name.
			if _, known := cat.Lookup(fn); !known {
				served = []string{strings.TrimPrefix(fn, "new")}
			}
		}
		ps, err := read(f)
		if err != nil {
			fmt.Fprintf(os.Stderr, "genargs: %s: %v\n", f, err)
			os.Exit(1)
		}
		for _, name := range served {
			if _, ok := cat.Lookup(name); ok {
				sigs[name] = ps
			}
		}
	}
	for n, ps := range extra {
		sigs[n] = ps
	}
	var u unix.Utsname
	_ = unix.Uname(&u)
	names := make([]string, 0, len(sigs))
	for n := range sigs {
		names = append(names, n)
	}
	sort.Strings(names)
	// One line per call: "name": "type arg, type arg".
	var b strings.Builder
	src, _ := json.Marshal(fmt.Sprintf("syscall tracepoints of Linux %s (%s)", unix.ByteSliceToString(u.Release[:]), unix.ByteSliceToString(u.Machine[:])))
	fmt.Fprintf(&b, "{\n\t\"source\": %s,\n\t\"syscalls\": {\n", src)
	for i, n := range names {
		parts := make([]string, len(sigs[n]))
		for j, p := range sigs[n] {
			parts[j] = p.Type + " " + p.Name
		}
		k, _ := json.Marshal(n)
		v, _ := json.Marshal(strings.Join(parts, ", "))
		sep := ","
		if i == len(names)-1 {
			sep = ""
		}
		fmt.Fprintf(&b, "\t\t%s: %s%s\n", k, v, sep)
	}
	b.WriteString("\t}\n}\n")
	if err := os.WriteFile(*out, []byte(b.String()), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "genargs:", err)
		os.Exit(1)
	}
	fmt.Printf("genargs: %d syscalls written to %s\n", len(names), *out)
}

// read takes the fields past the common header and __syscall_nr: the
// arguments, in order.
func read(path string) ([]param, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var ps []param
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		m := fieldRE.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		if off, _ := strconv.Atoi(m[3]); off < 16 {
			continue // common_* and __syscall_nr
		}
		ps = append(ps, param{Name: m[2], Type: strings.TrimSpace(m[1])})
	}
	return ps, sc.Err()
}
