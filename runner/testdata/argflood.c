/*
 * argflood N: ioctl(-1, REQUEST) for N distinct requests (each fails with
 * EBADF): as many distinct values of an argument that matters.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>

int main(int argc, char **argv) {
	long n = argc > 1 ? strtol(argv[1], NULL, 0) : 0;
	for (long i = 0; i < n; i++)
		ioctl(-1, (unsigned long)(0x10000 + i), 0);
	printf("argflood %ld\n", n);
	return 0;
}
