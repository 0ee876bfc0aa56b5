/*
 * procsys: reach the kernel's own knobs. A root process needs no
 * capability to write most of /proc/sys (the files are root's, mode
 * 0644), and some of them make the kernel run a program as full root
 * outside any namespace or filter: kernel.core_pattern ("|/path" runs on
 * every crash), kernel.modprobe (runs for an unknown binary format), the
 * uevent helper in /sys. /proc/sysrq-trigger reboots the machine. A
 * container runtime mounts these read-only or masks them; a root target
 * must find them the same.
 *
 *   procsys WORKBENCH CEILING
 *
 * (WORKBENCH and CEILING, which every escape program takes, are unused.)
 * Each file is only opened for writing, never written: the open is where
 * the kernel checks the permission, and a write here would change the
 * host. Exit status: 0 when every open was refused, 1 otherwise.
 */
#include "escape.h"

int main(int argc, char **argv) {
	(void)argv;
	usage_if(argc != 3, "procsys WORKBENCH CEILING");
	static const char *knobs[] = {
		"/proc/sys/kernel/core_pattern",
		"/proc/sys/kernel/modprobe",
		"/proc/sys/kernel/hostname",
		"/proc/sysrq-trigger",
		"/sys/kernel/uevent_helper",
	};
	int breaches = 0;
	for (size_t i = 0; i < sizeof knobs / sizeof knobs[0]; i++) {
		int fd = open(knobs[i], O_WRONLY | O_CLOEXEC);
		if (fd >= 0) {
			breaches++;
			printf("RESULT procsys %s: BREACH opened for writing\n", knobs[i]);
			close(fd);
		} else if (errno == ENOENT) {
			printf("RESULT procsys %s: BLOCKED not on this kernel\n", knobs[i]);
		} else {
			printf("RESULT procsys %s: BLOCKED open O_WRONLY=%s\n", knobs[i], errname(errno));
		}
	}
	printf("TARGETS 0:\n");
	return breaches ? 1 : 0;
}
