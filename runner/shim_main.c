// The shim's entry: reading the spec, the working directory and the PATH
// lookup. Every failure here, before the filter exists, is an
// "E<code> <message>" record on the status pipe and the exit code: 125
// (the workbench failed), 126 (cannot execute) or 127 (not found).

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "shim.h"

// The same list Docker gives containers, for an environment without PATH.
static const char default_path[] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// shim_errstr names err for the workbench, which writes it in Go's words
// (SHIM_ERRNO_MARK). It is used once per message.
const char *shim_errstr(int err)
{
	static char buf[32];
	snprintf(buf, sizeof buf, SHIM_ERRNO_MARK "%d" SHIM_ERRNO_MARK, err);
	return buf;
}

void shim_fail(int code, const char *fmt, ...)
{
	char msg[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	dprintf(SHIM_STATUS_FD, "E%d %s", code, msg);
	_exit(code);
}

static void spec_fail(const char *why)
{
	shim_fail(125, "shim: reading the launch spec: %s", why);
}

// A cursor over the spec: every read is checked against the end.
struct cursor {
	const unsigned char *p, *end;
};

// take copies the next n bytes of the spec to v, or fails the spec.
static void take(struct cursor *c, void *v, size_t n)
{
	if ((size_t)(c->end - c->p) < n)
		spec_fail("truncated");
	memcpy(v, c->p, n);
	c->p += n;
}

static uint32_t get_u32(struct cursor *c)
{
	uint32_t v;
	take(c, &v, sizeof v);
	return v;
}

static uint64_t get_u64(struct cursor *c)
{
	uint64_t v;
	take(c, &v, sizeof v);
	return v;
}

// get_field returns a copy of the next field with a NUL after it; *len
// is its length. nul_ok allows NUL bytes inside (the filter).
static char *get_field(struct cursor *c, size_t *len, int nul_ok)
{
	uint32_t n = get_u32(c);
	if ((size_t)(c->end - c->p) < n)
		spec_fail("truncated");
	char *s = malloc((size_t)n + 1);
	if (s == NULL)
		spec_fail("out of memory");
	memcpy(s, c->p, n);
	s[n] = 0;
	c->p += n;
	if (!nul_ok && memchr(s, 0, n) != NULL)
		return NULL;
	*len = n;
	return s;
}

static char **get_strings(struct cursor *c, uint32_t count, const char *what)
{
	// Each field takes at least its length word: a count beyond that is
	// malformed, and bounds the allocation.
	if (count > (size_t)(c->end - c->p) / 4)
		spec_fail("truncated");
	char **v = calloc((size_t)count + 1, sizeof *v);
	if (v == NULL)
		spec_fail("out of memory");
	for (uint32_t i = 0; i < count; i++) {
		size_t n;
		if ((v[i] = get_field(c, &n, 0)) == NULL)
			shim_fail(126, "%s: invalid argument", what);
	}
	return v;
}

static void read_spec(struct shim_spec *s)
{
	// The spec comes down a pipe, written once the workbench has compiled
	// and verified the filter while this process started; its end of file
	// ends the spec. A workbench that gave up closes the pipe early.
	size_t size = 0, cap = 64 << 10;
	unsigned char *buf = malloc(cap);
	if (buf == NULL)
		spec_fail("out of memory");
	for (;;) {
		if (size == cap) {
			cap = cap > SHIM_SPEC_MAX / 2 ? (size_t)SHIM_SPEC_MAX + 1 : 2 * cap;
			unsigned char *b = realloc(buf, cap);
			if (b == NULL)
				spec_fail("out of memory");
			buf = b;
		}
		ssize_t n = read(SHIM_SPEC_FD, buf + size, cap - size);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			spec_fail(shim_errstr(errno));
		if (n == 0)
			break;
		size += (size_t)n;
		if (size > SHIM_SPEC_MAX)
			spec_fail("bad size");
	}
	close(SHIM_SPEC_FD);
	if (size < SHIM_SPEC_HEADER)
		spec_fail("bad size");
	struct cursor c = {buf, buf + size};
	if (get_u32(&c) != SHIM_SPEC_MAGIC)
		spec_fail("not a spec of this workbench");
	s->options = get_u32(&c);
	s->flags = get_u64(&c);
	for (int i = 0; i < 3; i++)
		s->secret[i] = get_u64(&c);
	s->cap_mask = get_u64(&c);
	uint32_t argc = get_u32(&c), envc = get_u32(&c);
	size_t n;
	if ((s->dir = get_field(&c, &n, 0)) == NULL)
		shim_fail(126, "working directory: invalid argument");
	s->prog = get_field(&c, &n, 1);
	// struct sock_filter is 8 bytes; the kernel takes at most 4096.
	if (n == 0 || n % 8 != 0 || n / 8 > 4096 || argc == 0)
		spec_fail("incomplete spec");
	s->prog_len = (uint16_t)(n / 8);
	s->argv = get_strings(&c, argc, "arguments");
	s->envp = get_strings(&c, envc, "environment");
	if (c.p != c.end)
		spec_fail("trailing bytes");
	free(buf);
}

// check_exec returns 0 for an executable regular file, else an errno
// (with *why set for the cases that have no errno of their own).
static int check_exec(const char *p, const char **why)
{
	struct stat st;
	*why = NULL;
	if (stat(p, &st) != 0)
		return errno;
	if (S_ISDIR(st.st_mode))
		*why = "is a directory";
	else if (!S_ISREG(st.st_mode))
		*why = "not a regular file";
	else if (access(p, X_OK) != 0 || (st.st_mode & 0111) == 0)
		*why = "permission denied (not executable)";
	return *why != NULL ? EACCES : 0;
}

// clean_path writes the shortest lexical equivalent of in to out (Go's
// path.Clean, which the lookup's messages have always shown).
static void clean_path(char *out, const char *in)
{
	int rooted = in[0] == '/';
	size_t w = 0, dotdot = 0; // ".." cannot remove what is before dotdot
	if (rooted)
		out[w++] = '/', dotdot = 1;
	for (const char *p = in; *p;) {
		if (*p == '/') {
			p++;
			continue;
		}
		const char *e = strchrnul(p, '/');
		size_t n = (size_t)(e - p);
		if (n == 1 && p[0] == '.') {
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			if (w > dotdot) {
				w--;
				while (w > dotdot && out[w] != '/')
					w--;
			} else if (!rooted) {
				if (w > 0)
					out[w++] = '/';
				out[w++] = '.', out[w++] = '.';
				dotdot = w;
			}
		} else {
			if (w != (size_t)rooted)
				out[w++] = '/';
			memcpy(out + w, p, n);
			w += n;
		}
		p = e;
	}
	if (w == 0)
		out[w++] = '.';
	out[w] = 0;
}

// look_path resolves name as execvp does, with the target's PATH: a name
// with a slash is used as is; otherwise the first executable regular file
// in PATH wins. A failure ends the shim: 127 not found, 126 found but not
// executable.
static char *look_path(const char *name, char **envp)
{
	const char *why;
	if (name[0] == 0)
		shim_fail(127, "empty command name");
	if (strchr(name, '/') != NULL) {
		int err = check_exec(name, &why);
		if (err == ENOENT)
			shim_fail(127, "%s: not found", name);
		if (err != 0)
			shim_fail(126, "%s: %s", name, why ? why : shim_errstr(err));
		return (char *)name;
	}
	const char *path = default_path;
	for (char **e = envp; *e; e++)
		if (strncmp(*e, "PATH=", 5) == 0)
			path = *e + 5; // the last one wins
	char denied[4096] = "";
	size_t name_len = strlen(name);
	// An empty PATH is no list at all; an empty entry is ".".
	for (const char *d = path; *path && d;) {
		const char *end = strchrnul(d, ':');
		size_t n = (size_t)(end - d);
		char *joined = malloc(n + name_len + 3), *p = malloc(n + name_len + 5);
		if (joined == NULL || p == NULL)
			shim_fail(125, "shim: out of memory");
		snprintf(joined, n + name_len + 3, "%.*s/%s", n ? (int)n : 1, n ? d : ".", name);
		// Room before the cleaned path for "./" if it lost every slash.
		clean_path(p + 2, joined);
		if (strchr(p + 2, '/') == NULL)
			p[0] = '.', p[1] = '/';
		else
			memmove(p, p + 2, strlen(p + 2) + 1);
		int err = check_exec(p, &why);
		if (err == 0)
			return p;
		if (err != ENOENT && denied[0] == 0)
			snprintf(denied, sizeof denied, "%s: %s", p, why ? why : shim_errstr(err));
		free(joined);
		free(p);
		d = *end ? end + 1 : NULL;
	}
	if (denied[0])
		shim_fail(126, "%s", denied);
	shim_fail(127, "%s: not found in PATH", name);
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

// parse_cpus reads SHIM_CPUS_ARG's value into set: 0, or -1 when it is
// not a mask of at least one CPU in that form.
static int parse_cpus(const char *hex, cpu_set_t *set)
{
	size_t n = strlen(hex);
	unsigned char *b = (unsigned char *)set;
	memset(set, 0, sizeof *set);
	if (n == 0 || n % 2 != 0 || n / 2 > sizeof *set)
		return -1;
	for (size_t i = 0; i < n; i += 2) {
		int hi = hex_digit(hex[i]), lo = hex_digit(hex[i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		b[i / 2] = (unsigned char)(hi << 4 | lo);
	}
	return CPU_COUNT(set) > 0 ? 0 : -1;
}

// leave_held_cpu moves the shim to the CPUs of all that it was not
// started on: it inherited the single CPU the workbench keeps to while it
// builds the filter, and a task whose mask widens is not moved until the
// scheduler next places it, so the two would share that CPU while the
// others idle. Being a placement only, a failure is not an error.
static void leave_held_cpu(const cpu_set_t *all)
{
	cpu_set_t cur, away;
	if (sched_getaffinity(0, sizeof cur, &cur) != 0)
		return;
	CPU_ZERO(&away);
	for (int i = 0; i < CPU_SETSIZE; i++)
		if (CPU_ISSET(i, all) && !CPU_ISSET(i, &cur))
			CPU_SET(i, &away);
	if (CPU_COUNT(&away) > 0)
		sched_setaffinity(0, sizeof away, &away);
}

// shim_run is the shim for a process started with argv; for any other
// argv it returns and the program starts as usual.
void shim_run(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], SHIM_ARG) != 0)
		return;
	// Not dumpable before anything else: the target runs as the same user
	// and must not be able to ptrace its unfiltered parent.
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	// os/exec passes on every fd the workbench inherited without
	// close-on-exec (its caller's leaks): none may reach the target.
	syscall(SYS_close_range, 8, ~0U, 0);
	// The CPU mask the target must have (SHIM_CPUS_ARG): the one the
	// shim inherited is the workbench's single CPU.
	cpu_set_t cpus;
	int restore_cpus = argc > 2;
	if (restore_cpus) {
		if (strncmp(argv[2], SHIM_CPUS_ARG, strlen(SHIM_CPUS_ARG)) != 0 ||
		    parse_cpus(argv[2] + strlen(SHIM_CPUS_ARG), &cpus) != 0)
			shim_fail(125, "shim: argument %.64s is not " SHIM_CPUS_ARG "MASK", argv[2]);
		leave_held_cpu(&cpus);
	}
	// PID 1 means the workbench gave the shim new PID and mount namespaces
	// (they always come together). They are set up before the spec is
	// read: the workbench compiles and verifies the filter meanwhile.
	int pid1 = getpid() == 1;
	if (pid1)
		shim_isolate();
	struct shim_spec s;
	memset(&s, 0, sizeof s);
	read_spec(&s);
	// Inherited by the init's fork, so the target's and every process
	// it starts.
	if (restore_cpus && sched_setaffinity(0, sizeof cpus, &cpus) != 0)
		shim_fail(125, "shim: restoring the CPU affinity the workbench was started with: %s", shim_errstr(errno));
	fcntl(SHIM_STATUS_FD, F_SETFD, FD_CLOEXEC);
	fcntl(SHIM_HANDOFF_FD, F_SETFD, FD_CLOEXEC);
	if (s.dir[0] && chdir(s.dir) != 0)
		shim_fail(126, "working directory %s: %s", s.dir, shim_errstr(errno));
	shim_init(&s, look_path(s.argv[0], s.envp), pid1);
}

#ifndef SHIM_STANDALONE
// In the workbench binary the shim runs before main and before the Go
// runtime: glibc passes a constructor the process's argc, argv and envp.
// The static program (shimexe) calls shim_run from its main instead: musl
// passes a constructor nothing.
__attribute__((constructor)) static void shim_entry(int argc, char **argv, char **envp)
{
	(void)envp;
	shim_run(argc, argv);
}
#endif
