/*
 * leaderexit: the main thread ends with exit(2) (not exit_group) while a
 * second thread goes on, then calls sched_yield and ends the process.
 */
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

static void *later(void *p) {
	(void)p;
	usleep(100000);
	syscall(SYS_sched_yield);
	syscall(SYS_exit_group, 0);
	return NULL;
}

int main(void) {
	pthread_t t;
	pthread_create(&t, NULL, later, NULL);
	syscall(SYS_exit, 0);
	return 1;
}
