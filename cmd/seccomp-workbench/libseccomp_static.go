//go:build !seccomp_dynamic

package main

// The workbench links libseccomp's archive into the binary: every start
// of the CLI and of the run's shim then skips the dynamic loader's search,
// mapping and relocation of libseccomp.so. These flags reach the external
// linker before the -lseccomp that libseccomp-golang's pkg-config adds
// (the main package's come first), so the archive satisfies the library's
// symbols and the later -lseccomp finds nothing left to resolve. Where the
// archive is missing (it is in Debian's libseccomp-dev, Fedora's and
// Alpine's libseccomp-static), build with -tags seccomp_dynamic; make does
// so by itself.

// #cgo LDFLAGS: -Wl,-Bstatic -lseccomp -Wl,-Bdynamic
import "C"
