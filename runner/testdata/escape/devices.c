/*
 * devices: reach the host's disks. A root target shares the host's /dev
 * and keeps CAP_MKNOD (it is in Docker's default set); without a /dev of
 * its own and a device cgroup, as a container has, it can open the
 * host's block devices and read or rewrite any file system on them.
 *
 *   devices WORKBENCH CEILING DIR
 *
 * (WORKBENCH and CEILING, which every escape program takes, are unused.)
 * For every block device in /sys/block: open /dev/NAME, then mknod the
 * same device as DIR/NAME and open that. Each is only opened (read-only),
 * never read or written. Exit status: 0 when every open was refused, 1
 * otherwise.
 */
#include "escape.h"
#include <sys/stat.h>
#include <sys/sysmacros.h>

static int try_open(const char *what, const char *path) {
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		printf("RESULT devices %s %s: BREACH opened the host's block device\n", what, path);
		return 1;
	}
	printf("RESULT devices %s %s: BLOCKED open=%s\n", what, path, errname(errno));
	return 0;
}

int main(int argc, char **argv) {
	usage_if(argc != 4, "devices WORKBENCH CEILING DIR");
	int breaches = 0, n = 0;
	DIR *d = opendir("/sys/block");
	struct dirent *e;
	while (d && (e = readdir(d)) && n < 64) {
		if (e->d_name[0] == '.')
			continue;
		char path[512], node[512], line[32];
		unsigned maj, min;
		snprintf(path, sizeof path, "/sys/block/%s/dev", e->d_name);
		int fd = open(path, O_RDONLY);
		ssize_t len = fd < 0 ? -1 : read(fd, line, sizeof line - 1);
		if (fd >= 0)
			close(fd);
		if (len <= 0)
			continue;
		line[len] = 0;
		if (sscanf(line, "%u:%u", &maj, &min) != 2)
			continue;
		n++;
		snprintf(path, sizeof path, "/dev/%s", e->d_name);
		breaches += try_open("host node", path);
		snprintf(node, sizeof node, "%s/%s", argv[3], e->d_name);
		if (mknod(node, S_IFBLK | 0600, makedev(maj, min)) < 0) {
			printf("RESULT devices mknod %s: BLOCKED mknod=%s\n", node, errname(errno));
			continue;
		}
		breaches += try_open("own node", node);
		unlink(node);
	}
	if (d)
		closedir(d);
	printf("TARGETS 0: (%d block devices)\n", n);
	return breaches ? 1 : 0;
}
