/*
 * The shim: the workbench binary re-executed with "__shim" as argv[1], or
 * the same code linked as a static program of its own (shimexe/main.c).
 * In the workbench binary it runs as a constructor, before main and before
 * the Go runtime starts (no threads, no Go signal handlers, none of the
 * packages' init); the static program calls it first thing in main. It
 * never returns.
 * shim.go includes this header for the numbers both sides share.
 */
#ifndef SECCOMP_WORKBENCH_SHIM_H
#define SECCOMP_WORKBENCH_SHIM_H

#include <stddef.h>
#include <stdint.h>

#define SHIM_ARG "__shim"
/*
 * The argument after SHIM_ARG, when the workbench keeps to one CPU while
 * it launches (runner/launch_cpu.c): SHIM_CPUS_ARG and the CPU mask the
 * workbench was started with, as the bytes of a cpu_set_t (byte 0 holds
 * CPUs 0-7, bit 0 the lowest), two hex digits each, trailing zero bytes
 * left out. The shim sets up on the mask's other CPUs and gives the
 * target the whole mask.
 */
#define SHIM_CPUS_ARG "--cpus="

/* File descriptors the workbench places in the shim. */
#define SHIM_SPEC_FD 3    /* pipe: the binary spec below, then end of file */
#define SHIM_STATUS_FD 4  /* pipe: closes on a successful execve, else says why not */
#define SHIM_HANDOFF_FD 5 /* unix socket: the target's pid, the listener fd */
#define SHIM_EXIT_FD 6    /* pipe to the workbench: the target's wait status */
#define SHIM_CTL_FD 7     /* pipe from the workbench: any byte or EOF = kill everything */

/*
 * The spec, in host byte order: a header of SHIM_SPEC_HEADER bytes
 *   u32 SHIM_SPEC_MAGIC, u32 options (SHIM_OPT_*), u64 seccomp flags,
 *   u64 secret[3], u64 capability mask, u32 argc, u32 envc,
 * then length-prefixed fields (u32 length, bytes): the working directory,
 * the filter (struct sock_filter array), argc arguments, envc variables.
 * Nothing may follow.
 */
#define SHIM_SPEC_MAGIC 0x32535753u /* "SWS2": bumped whenever the spec or its transport changes */
#define SHIM_SPEC_HEADER 56
#define SHIM_SPEC_MAX (64u << 20)
#define SHIM_OPT_TERMINAL 1u     /* own session, stdin as controlling terminal */
#define SHIM_OPT_WAIT_TRACKED 2u /* wait for a byte after the pid message */

/*
 * In a status message ('E'), an errno is written as SHIM_ERRNO_MARK, its
 * number, SHIM_ERRNO_MARK: the workbench words it (decodeStatus), as the
 * libcs the shim is linked with word strerror differently.
 */
#define SHIM_ERRNO_MARK "\x01"

/* Binary status records: 'X', stage, 2 unused, errno (little-endian u32). */
#define SHIM_STAGE_NO_NEW_PRIVS 1
#define SHIM_STAGE_SECCOMP 2
#define SHIM_STAGE_HANDOFF 3
#define SHIM_STAGE_EXEC 4
#define SHIM_STAGE_TERMINAL 5
#define SHIM_STAGE_PID 6
#define SHIM_STAGE_CAPS 7
#define SHIM_RAW_RECORD_LEN 8
#define SHIM_EXIT_RECORD_LEN 5 /* 'W', wait status (little-endian u32) */

struct shim_spec {
	uint32_t options;
	uint64_t flags;
	uint64_t secret[3];
	uint64_t cap_mask;
	char *dir;
	void *prog;
	uint16_t prog_len; /* instructions */
	char **argv;
	char **envp;
};

/* shim_main.c */
void shim_run(int argc, char **argv); /* returns only when argv[1] is not SHIM_ARG */
void shim_fail(int code, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));
const char *shim_errstr(int err);

/* launch_cpu.c (the workbench binary only) */
void swb_hold_cpu(void);
int swb_held_cpus(void *mask, size_t size);

/* shim_mounts.c: 0, or -1 with the reason in msg. */
int shim_mount_namespace(int root, char *msg, size_t size);

/* shim_init.c */
void shim_isolate(void);
void shim_init(const struct shim_spec *s, const char *path, int pid1) __attribute__((noreturn));

/* shim_child.c */
struct shim_child;
struct shim_child *shim_child_prepare(const struct shim_spec *s, const char *path);
void shim_child_run(struct shim_child *c, const void *old_mask) __attribute__((noreturn));

#endif
