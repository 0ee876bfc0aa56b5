/*
 * daemon: leave the run behind. The target double-forks a setsid daemon
 * (the way daemon(3) does: new session, no controlling terminal, stdio
 * on /dev/null, reparented when its parent exits), which makes a call the
 * profile denies, mkdir(MKDIR), tells the target so, and keeps running
 * (up to 30 s) calling mkdir again now and then. The target exits 0 once
 * the daemon's first denied call is made, so the run can report it.
 *
 *   daemon PIDFILE MKDIR TOKEN
 *
 * TOKEN only marks the daemon's command line, so the test can find it in
 * /proc. PIDFILE gets "pid N", then one line per mkdir result that differs
 * from the one before ("mkdir = -1 EPERM"; after the run, a daemon that
 * still lives would see ENOSYS there).
 */
#include "escape.h"
#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static void note(int fd, const char *line) {
	write(fd, line, strlen(line));
}

static void daemon_main(int ready, const char *pidfile, const char *path) {
	int null = open("/dev/null", O_RDWR);
	dup2(null, 0), dup2(null, 1), dup2(null, 2);
	int out = open(pidfile, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
	char line[128], last[128] = "";
	snprintf(line, sizeof line, "pid %d\n", getpid());
	note(out, line);
	for (int i = 0; i < 300; i++) {
		long r = syscall(SYS_mkdir, path, 0755);
		snprintf(line, sizeof line, "mkdir = %ld%s%s\n", r, r < 0 ? " " : "", r < 0 ? errname(errno) : "");
		if (strcmp(line, last)) {
			note(out, line);
			strcpy(last, line);
		}
		if (i == 0) {
			note(ready, "D");
			close(ready);
		}
		usleep(100000);
	}
	_exit(0);
}

int main(int argc, char **argv) {
	usage_if(argc != 4, "daemon PIDFILE MKDIR TOKEN");
	int p[2];
	if (pipe(p) < 0)
		return 3;
	pid_t child = fork();
	if (child == 0) {
		close(p[0]);
		setsid();
		if (fork() == 0)
			daemon_main(p[1], argv[1], argv[2]);
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
	printf("DAEMON made its denied call; the target exits now\n");
	return 0;
}
