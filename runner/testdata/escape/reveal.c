/*
 * reveal: uncover what the target's own /proc hides. In a PID and mount
 * namespace of its own, the target's /proc is mounted over the host's;
 * unmounting it (allowed to whoever has CAP_SYS_ADMIN over the mount
 * namespace, as the root of a user namespace does) would show the host's
 * processes again, the workbench among them.
 *
 *   reveal WORKBENCH CEILING HOST_MNT_NS
 *
 * HOST_MNT_NS is the test's own /proc/self/ns/mnt link ("mnt:[N]"). The
 * unmount is only tried where it cannot reach the host: in a mount
 * namespace other than the host's, on a /proc that is not a shared mount
 * (an unmount of a shared mount propagates to its peers). Either of those
 * conditions missing is itself reported as a breach of the isolation.
 *
 * When the unmount is refused, the target tries again from a user and
 * mount namespace of its own (allowed to any user unless the profile
 * denies it): it has every capability there, but the mounts it copied
 * came as one locked unit, which the kernel keeps from being taken apart.
 *
 * Prints a RESULT line, then the TARGETS find_targets sees afterwards.
 * Exit status: 0 when blocked, 1 otherwise.
 */
#include "escape.h"
#include <sched.h>
#include <sys/mount.h>

/* proc_is_shared: the topmost mount on /proc carries a shared:N tag in
 * the optional fields of /proc/self/mountinfo. */
static int proc_is_shared(void) {
	FILE *f = fopen("/proc/self/mountinfo", "r");
	if (!f)
		return -1;
	char line[1024];
	int shared = -1;
	while (fgets(line, sizeof line, f)) {
		char mnt[512];
		if (sscanf(line, "%*d %*d %*s %*s %511s", mnt) == 1 && !strcmp(mnt, "/proc")) {
			char *sep = strstr(line, " - ");
			char *tag = strstr(line, " shared:");
			shared = tag && sep && tag < sep;
		}
	}
	fclose(f);
	return shared;
}

int main(int argc, char **argv) {
	usage_if(argc != 4, "reveal WORKBENCH CEILING HOST_MNT_NS");
	int self = getpid(), breach = 1;
	char ns[128] = "";
	ssize_t n = readlink("/proc/self/ns/mnt", ns, sizeof ns - 1);
	if (n > 0)
		ns[n] = 0;
	int shared = proc_is_shared();
	if (!strcmp(ns, argv[3]))
		printf("RESULT reveal pid=%d (self): BREACH shares the host's mount namespace %s (unmount not tried)\n", self, ns);
	else if (shared != 0)
		printf("RESULT reveal pid=%d (self): BREACH /proc is %s (unmount not tried)\n", self,
		       shared > 0 ? "a shared mount: mount events propagate to the host" : "not in /proc/self/mountinfo");
	else if (umount2("/proc", MNT_DETACH) == 0)
		printf("RESULT reveal pid=%d (self): BREACH unmounted its /proc\n", self);
	else {
		int first = errno;
		if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0) {
			breach = 0;
			printf("RESULT reveal pid=%d (self): BLOCKED umount2(/proc)=%s; unshare(user, mount)=%s\n", self, errname(first), errname(errno));
		} else if (umount2("/proc", MNT_DETACH) == 0) {
			printf("RESULT reveal pid=%d (self): BREACH unmounted its /proc from a user namespace of its own\n", self);
		} else {
			breach = 0;
			printf("RESULT reveal pid=%d (self): BLOCKED umount2(/proc)=%s; from a user namespace of its own=%s\n", self, errname(first), errname(errno));
		}
	}
	fflush(stdout);
	struct target t[MAX_TARGETS];
	find_targets(argv[1], atoi(argv[2]), t);
	return breach;
}
