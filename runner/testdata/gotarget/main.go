// gotarget is a Go program for the runner's tests: it calls getppid N
// times with raw syscalls while other goroutines allocate and spin, so
// the Go runtime's preemption signals land while calls are pending.
package main

import (
	"fmt"
	"os"
	"strconv"
	"syscall"
)

func main() {
	n, _ := strconv.Atoi(os.Args[1])
	stop := make(chan struct{})
	for i := 0; i < 2; i++ {
		go func() {
			var keep [][]byte
			for {
				select {
				case <-stop:
					return
				default:
				}
				keep = append(keep, make([]byte, 64<<10))
				if len(keep) > 64 {
					keep = nil
				}
			}
		}()
	}
	failed := 0
	for i := 0; i < n; i++ {
		// A raw syscall leaves the goroutine "running" to the scheduler,
		// so it is preempted with a signal while the call waits.
		if _, _, e := syscall.RawSyscall(syscall.SYS_GETPPID, 0, 0, 0); e != 0 {
			failed++
		}
	}
	close(stop)
	fmt.Println("calls", n, "failed", failed)
}
