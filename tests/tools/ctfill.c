/*
 * ctfill: a test fixture for conntrack at scale, in the namespace it runs in.
 *
 *   ctfill fill N      insert N entries through batched IPCTNL_MSG_CT_NEW (256 per
 *                      sendmsg); stops early, without failing, when the table is
 *                      full (ENOMEM). Prints the number inserted.
 *   ctfill count       a bare IPCTNL_MSG_CT_GET dump that only counts the entries
 *                      (32 KiB reads, no decoding): the floor a dumper is held to.
 *   ctfill rss CMD...  run CMD (stdout to /dev/null) and print its peak resident
 *                      set in KiB (ru_maxrss of the child, from wait4).
 *
 * Entries: 198.51.100.0/24 -> 203.0.113.0/24, three TCP ESTABLISHED for each UDP,
 * status CONFIRMED|SEEN_REPLY|ASSURED (CONFIRMED or the kernel answers EBUSY;
 * ASSURED so early drop cannot evict them), timeout 1200 s.
 *
 * Build: cc -O2 -o ctfill tests/tools/ctfill.c -lmnl
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_conntrack_tcp.h>

#define BATCH 256

static void
put_tuple(struct nlmsghdr *nlh, int type, uint32_t src, uint32_t dst, uint8_t proto,
	  uint16_t sport, uint16_t dport)
{
	struct nlattr *t, *n;

	t = mnl_attr_nest_start(nlh, type);
	n = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
	mnl_attr_put_u32(nlh, CTA_IP_V4_SRC, src);
	mnl_attr_put_u32(nlh, CTA_IP_V4_DST, dst);
	mnl_attr_nest_end(nlh, n);
	n = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
	mnl_attr_put_u8(nlh, CTA_PROTO_NUM, proto);
	mnl_attr_put_u16(nlh, CTA_PROTO_SRC_PORT, htons(sport));
	mnl_attr_put_u16(nlh, CTA_PROTO_DST_PORT, htons(dport));
	mnl_attr_nest_end(nlh, n);
	mnl_attr_nest_end(nlh, t);
}

static void
put_entry(char *p, uint32_t seq, uint64_t i)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(p);
	struct nfgenmsg *nfg;
	uint16_t sport = (uint16_t)(1024 + i % 60000);
	uint64_t rest = i / 60000;
	uint32_t src = htonl(0xc6336400u | (uint32_t)(1 + rest % 250));		/* 198.51.100.x */
	uint32_t dst = htonl(0xcb007100u | (uint32_t)(1 + (rest / 250) % 250));	/* 203.0.113.y */
	uint8_t proto = i % 4 == 3 ? IPPROTO_UDP : IPPROTO_TCP;
	uint16_t dport = proto == IPPROTO_TCP ? 443 : 53;
	struct nlattr *n, *m;

	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL;
	nlh->nlmsg_seq = seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_INET;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;
	put_tuple(nlh, CTA_TUPLE_ORIG, src, dst, proto, sport, dport);
	put_tuple(nlh, CTA_TUPLE_REPLY, dst, src, proto, dport, sport);
	mnl_attr_put_u32(nlh, CTA_STATUS, htonl(IPS_CONFIRMED | IPS_SEEN_REPLY | IPS_ASSURED));
	mnl_attr_put_u32(nlh, CTA_TIMEOUT, htonl(1200));
	if (proto == IPPROTO_TCP) {
		n = mnl_attr_nest_start(nlh, CTA_PROTOINFO);
		m = mnl_attr_nest_start(nlh, CTA_PROTOINFO_TCP);
		mnl_attr_put_u8(nlh, CTA_PROTOINFO_TCP_STATE, TCP_CONNTRACK_ESTABLISHED);
		mnl_attr_nest_end(nlh, m);
		mnl_attr_nest_end(nlh, n);
	}
}

/* Read the errors the kernel queued for the last batch. Returns how many, or -1. */
static int
drain(struct mnl_socket *nl, char *buf, size_t len, int *enomem, int *other)
{
	int count = 0;

	for (;;) {
		ssize_t n = recv(mnl_socket_get_fd(nl), buf, len, MSG_DONTWAIT);
		const struct nlmsghdr *nlh = (const void *)buf;
		int rem = (int)n;

		if (n < 0)
			return errno == EAGAIN ? count : -1;
		while (mnl_nlmsg_ok(nlh, rem)) {
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

				if (e->error == -ENOMEM)
					(*enomem)++;
				else if (e->error)
					(*other)++;
				count++;
			}
			nlh = mnl_nlmsg_next(nlh, &rem);
		}
	}
}

static int
fill(uint64_t want)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	static char batch[BATCH * 512], rbuf[1 << 16];
	uint64_t i = 0, inserted = 0;
	int one = 1, big = 8 << 20, other_total = 0;

	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("ctfill: netlink");
		return 1;
	}
	mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one));
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big));
	while (i < want) {
		size_t off = 0;
		int k, enomem = 0, other = 0;

		for (k = 0; k < BATCH && i < want; k++, i++) {
			put_entry(batch + off, (uint32_t)i + 1, i);
			off += ((struct nlmsghdr *)(batch + off))->nlmsg_len;
		}
		if (mnl_socket_sendto(nl, batch, off) < 0) {
			perror("ctfill: sendmsg");
			return 1;
		}
		if (drain(nl, rbuf, sizeof(rbuf), &enomem, &other) < 0) {
			perror("ctfill: recv");
			return 1;
		}
		inserted += (uint64_t)(k - enomem - other);
		other_total += other;
		if (enomem)
			break;	/* the table is full */
	}
	if (other_total)
		fprintf(stderr, "ctfill: %d inserts refused (not ENOMEM)\n", other_total);
	printf("%llu\n", (unsigned long long)inserted);
	mnl_socket_close(nl);
	return 0;
}

static int
count(void)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	static char buf[32768];
	char req[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;
	uint64_t n = 0;

	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("ctfill: netlink");
		return 1;
	}
	nlh = mnl_nlmsg_put_header(req);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = 1;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_UNSPEC;
	nfg->version = NFNETLINK_V0;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		perror("ctfill: sendmsg");
		return 1;
	}
	for (;;) {
		ssize_t r = recv(mnl_socket_get_fd(nl), buf, sizeof(buf), 0);
		const struct nlmsghdr *h = (const void *)buf;
		int rem = (int)r;

		if (r < 0) {
			perror("ctfill: recv");
			return 1;
		}
		while (mnl_nlmsg_ok(h, rem)) {
			if (h->nlmsg_type == NLMSG_DONE)
				goto done;
			if (h->nlmsg_type == NLMSG_ERROR) {
				fprintf(stderr, "ctfill: dump failed\n");
				return 1;
			}
			n++;
			h = mnl_nlmsg_next(h, &rem);
		}
	}
done:
	printf("%llu\n", (unsigned long long)n);
	mnl_socket_close(nl);
	return 0;
}

static int
rss(char *argv[])
{
	struct rusage ru;
	pid_t pid = fork();
	int st = 0, fd;

	if (pid < 0) {
		perror("ctfill: fork");
		return 1;
	}
	if (pid == 0) {
		if ((fd = open("/dev/null", O_WRONLY)) >= 0)
			dup2(fd, 1);
		execvp(argv[0], argv);
		perror("ctfill: exec");
		_exit(127);
	}
	if (wait4(pid, &st, 0, &ru) < 0) {
		perror("ctfill: wait4");
		return 1;
	}
	printf("%ld\n", ru.ru_maxrss);
	return WIFEXITED(st) && WEXITSTATUS(st) <= 1 ? 0 : 1;
}

int
main(int argc, char *argv[])
{
	if (argc >= 3 && strcmp(argv[1], "rss") == 0)
		return rss(argv + 2);
	if (argc == 3 && strcmp(argv[1], "fill") == 0)
		return fill(strtoull(argv[2], NULL, 10));
	if (argc == 2 && strcmp(argv[1], "count") == 0)
		return count();
	fprintf(stderr, "usage: ctfill fill N | ctfill count | ctfill rss CMD...\n");
	return 2;
}
