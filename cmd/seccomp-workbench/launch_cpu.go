package main

// `run` keeps the workbench on the CPU it starts on while it launches
// (runner/launch_cpu.go says why and how the target gets the caller's
// mask back). The mask must be narrowed before the Go runtime starts its
// first thread, so that every thread inherits it: a constructor, which
// glibc calls with the process's argc and argv. Only `run` asks: the
// runner gives the mask back to the only program `run` starts, the shim,
// and to its own threads when a run has more to do than wait.

// #include <string.h>
// void swb_hold_cpu(void);
// __attribute__((constructor)) static void hold_cpu_for_run(int argc, char **argv)
// {
// 	if (argc > 1 && strcmp(argv[1], "run") == 0)
// 		swb_hold_cpu();
// }
import "C"
