/*
 * daemon: leave the run behind. The target double-forks a setsid daemon
 * (the way daemon(3) does: new session, no controlling terminal, stdio
 * on /dev/null, reparented when its parent exits), which makes a call the
 * profile denies, mkdir(DIR/made), tells the target so, and keeps running
 * (up to 30 s) calling mkdir again now and then. The target exits 0 once
 * the daemon's first denied call is made, so the run can report it.
 * The last argument changes the plan:
 *   hop          the daemon then moves on every 2 ms for 5 s: it forks a
 *                copy of itself and exits, so a cleanup that kills the
 *                processes it listed a moment ago always finds a new one
 *                (and so would a test that looks for it in /proc);
 *   kill-parent  the target then sends SIGKILL to its own parent (the
 *                run's init, unless that is PID 1 of its namespace, which
 *                such a signal cannot kill) before it exits;
 *   stay         the target does not exit but sleeps (up to 30 s), for a
 *                test that kills the workbench itself.
 *
 *   daemon DIR TOKEN [hop|kill-parent|stay]
 *
 * DIR/alive is a FIFO the test holds the read end of: the daemon keeps
 * the write end open in every copy, so the test sees end-of-file exactly
 * when the last one is gone. TOKEN only marks the daemon's command line.
 * DIR/notes gets "pid N", then one line per mkdir result that differs
 * from the one before ("mkdir = -1 EPERM"; a daemon that outlives the
 * run sees ENOSYS there once the supervisor is gone).
 */
#include "escape.h"
#include <poll.h>
#include <sys/syscall.h>
#include <signal.h>
#include <sys/wait.h>

static void note(int fd, const char *line) {
	write(fd, line, strlen(line));
}

/* hop forks a copy of the process and exits, over and over: each copy is
 * orphaned and reparented at once. The last copy goes on as the daemon. */
static void hop(void) {
	for (int i = 0; i < 2500; i++) {
		pid_t p = fork();
		if (p > 0)
			_exit(0);
		usleep(2000);
	}
}

static void daemon_main(int ready, const char *dir, int hopping) {
	char path[4096], made[4096];
	snprintf(path, sizeof path, "%s/alive", dir);
	int alive = open(path, O_WRONLY | O_NONBLOCK);
	snprintf(path, sizeof path, "%s/notes", dir);
	int out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
	snprintf(made, sizeof made, "%s/made", dir);
	int null = open("/dev/null", O_RDWR);
	dup2(null, 0), dup2(null, 1), dup2(null, 2);
	char line[128], last[128] = "";
	snprintf(line, sizeof line, "pid %d%s\n", getpid(), alive < 0 ? " (could not open alive)" : "");
	note(out, line);
	for (int i = 0; i < 300; i++) {
		long r = syscall(SYS_mkdir, made, 0755);
		snprintf(line, sizeof line, "mkdir = %ld%s%s\n", r, r < 0 ? " " : "", r < 0 ? errname(errno) : "");
		if (strcmp(line, last)) {
			note(out, line);
			strcpy(last, line);
		}
		if (i == 0) {
			note(ready, "D");
			close(ready);
			if (hopping) {
				hop();
				snprintf(line, sizeof line, "pid %d (after hopping)\n", getpid());
				note(out, line);
			}
		}
		usleep(100000);
	}
	_exit(0);
}

int main(int argc, char **argv) {
	const char *plan = argc == 4 ? argv[3] : "";
	usage_if((argc != 3 && argc != 4) || (argc == 4 && strcmp(plan, "hop") && strcmp(plan, "kill-parent") && strcmp(plan, "stay")),
		 "daemon DIR TOKEN [hop|kill-parent|stay]");
	int p[2];
	if (pipe(p) < 0)
		return 3;
	pid_t child = fork();
	if (child == 0) {
		close(p[0]);
		setsid();
		if (fork() == 0)
			daemon_main(p[1], argv[1], !strcmp(plan, "hop"));
		_exit(0);
	}
	close(p[1]);
	int st;
	waitpid(child, &st, 0);
	struct pollfd pfd = {p[0], POLLIN, 0};
	char c;
	if (poll(&pfd, 1, 5000) != 1 || read(p[0], &c, 1) != 1) {
		printf("DAEMON did not report its first call within 5s\n");
		return 3;
	}
	printf("DAEMON made its denied call\n");
	fflush(stdout);
	if (!strcmp(plan, "kill-parent")) {
		int ppid = getppid(), r = kill(ppid, SIGKILL), e = errno;
		printf("DAEMON kill(%d, SIGKILL) = %d%s%s\n", ppid, r, r < 0 ? " " : "", r < 0 ? errname(e) : "");
		fflush(stdout);
		usleep(100000);
	}
	if (!strcmp(plan, "stay"))
		sleep(30);
	return 0;
}
