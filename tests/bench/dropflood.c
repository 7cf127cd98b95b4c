/*
 * dropflood.c: send N UDP datagrams at RATE per second to ADDR:9 and print the
 * CPU time this process spent per datagram. With an nftables output rule that
 * drops them, every drop runs in this process's own sendmsg(), so the kernel's
 * per-drop cost of whoever watches skb:kfree_skb shows in this process's time.
 *   dropflood ADDR N RATE
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

static double
now(clockid_t c)
{
	struct timespec t;

	clock_gettime(c, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int
main(int argc, char *argv[])
{
	struct sockaddr_in d = { .sin_family = AF_INET, .sin_port = htons(9) };
	char buf[16] = { 0 };
	long n, sent = 0;
	double rate, t0, c0;
	int s;

	if (argc != 4 || inet_pton(AF_INET, argv[1], &d.sin_addr) != 1)
		return 2;
	n = strtol(argv[2], NULL, 10);
	rate = strtod(argv[3], NULL);
	s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0 || n <= 0 || rate <= 0)
		return 2;
	t0 = now(CLOCK_MONOTONIC);
	c0 = now(CLOCK_PROCESS_CPUTIME_ID);
	while (sent < n) {
		/* as many as are due by now, then a short sleep: RATE on average */
		long due = (long)((now(CLOCK_MONOTONIC) - t0) * rate) + 1;

		for (; sent < due && sent < n; sent++)
			sendto(s, buf, sizeof(buf), 0, (struct sockaddr *)&d, sizeof(d));
		if (sent < due)
			continue;
		nanosleep(&(struct timespec){ 0, 200000 }, NULL);
	}
	printf("sent %ld in %.3f s, cpu %.0f ns per datagram\n", sent, now(CLOCK_MONOTONIC) - t0,
	       (now(CLOCK_PROCESS_CPUTIME_ID) - c0) / (double)sent * 1e9);
	return 0;
}
