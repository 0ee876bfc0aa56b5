// The floor of a Go command linked as the workbench is: cgo, so the
// dynamic loader, libc and libseccomp are loaded and the runtime starts
// its threads through pthreads. The call is never made; it keeps
// libseccomp among the libraries loaded at start. make bench times it
// next to the launch.
package main

// #cgo pkg-config: libseccomp
// #include <seccomp.h>
import "C"

import "os"

func main() {
	if len(os.Args) > 99 {
		C.seccomp_version()
	}
}
