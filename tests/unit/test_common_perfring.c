/*
 * test_common_perfring.c: perf records (PERF_RECORD_SAMPLE with TID | TIME | CPU
 * | RAW, PERF_RECORD_LOST) decoded one by one and walked in a ring that wraps,
 * records cut or lying about their size, and the online-CPU list (perfring.c).
 * No root, no perf_event_open: the ring is a buffer built here.
 */
#include <errno.h>
#include <stdlib.h>
#include <linux/perf_event.h>

#include "perfring.h"
#include "tap.h"

static void
test_sample(void)
{
	uint8_t rec[128], raw[40] = { 0 };
	struct perf_event_header h;
	struct pp_perf_sample s;
	uint32_t u;
	uint64_t t = 1241961585000ull, skb = 0xffff8881638e0400ull, loc = 0xffffffff81fbd9b8ull;
	uint16_t type = 2310, proto = 0x0800;
	uint32_t reason = 12, rawlen = 44;
	size_t len;

	/* the raw tracepoint data as the kernel lays it out (40 bytes + 4 of padding) */
	memcpy(raw, &type, 2);
	memcpy(raw + 8, &skb, 8);
	memcpy(raw + 16, &loc, 8);
	memcpy(raw + 32, &proto, 2);
	memcpy(raw + 36, &reason, 4);

	memset(rec, 0, sizeof(rec));
	h.type = PERF_RECORD_SAMPLE;
	h.misc = 0;
	len = sizeof(h) + 28 + rawlen;
	h.size = (uint16_t)len;
	memcpy(rec, &h, sizeof(h));
	u = 14260;
	memcpy(rec + 8, &u, 4);
	u = 14261;
	memcpy(rec + 12, &u, 4);
	memcpy(rec + 16, &t, 8);
	u = 1;
	memcpy(rec + 24, &u, 4);
	memcpy(rec + 32, &rawlen, 4);
	memcpy(rec + 36, raw, sizeof(raw));

	CHECK_EQ_INT(pp_perf_decode_sample(rec, len, &s), 0);
	CHECK_EQ_INT(s.pid, 14260);
	CHECK_EQ_INT(s.tid, 14261);
	CHECK(s.time == t);
	CHECK_EQ_INT(s.cpu, 1);
	CHECK_EQ_INT(s.raw_len, 44);
	CHECK(s.raw == rec + 36);

	/* short records */
	CHECK_EQ_INT(pp_perf_decode_sample(rec, 7, &s), -EBADMSG);
	CHECK_EQ_INT(pp_perf_decode_sample(rec, len - 1, &s), -EBADMSG);	/* size > len */
	h.size = sizeof(h) + 20;
	memcpy(rec, &h, sizeof(h));
	CHECK_EQ_INT(pp_perf_decode_sample(rec, len, &s), -EBADMSG);	/* no room for RAW */
	h.size = (uint16_t)(sizeof(h) + 28 + 8);
	memcpy(rec, &h, sizeof(h));
	CHECK_EQ_INT(pp_perf_decode_sample(rec, len, &s), -EBADMSG);	/* raw size > record */
	h.size = 4;
	memcpy(rec, &h, sizeof(h));
	CHECK_EQ_INT(pp_perf_decode_sample(rec, len, &s), -EBADMSG);
	h.type = PERF_RECORD_LOST;
	h.size = 24;
	memcpy(rec, &h, sizeof(h));
	CHECK_EQ_INT(pp_perf_decode_sample(rec, len, &s), -ENOMSG);
}


/* A sample record of rawlen bytes of raw data, pid and cpu as given, into buf; its size. */
static size_t
make_sample(uint8_t *buf, uint32_t pid, uint32_t cpu, uint32_t rawlen)
{
	struct perf_event_header h = { .type = PERF_RECORD_SAMPLE, .misc = 0 };
	uint64_t t = 1000 + pid;
	size_t len = sizeof(h) + 28 + rawlen;

	len = (len + 7) & ~(size_t)7;
	h.size = (uint16_t)len;
	memset(buf, 0, len);
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + 8, &pid, 4);
	memcpy(buf + 12, &pid, 4);
	memcpy(buf + 16, &t, 8);
	memcpy(buf + 24, &cpu, 4);
	memcpy(buf + 32, &rawlen, 4);
	for (uint32_t i = 0; i < rawlen; i++)
		buf[36 + i] = (uint8_t)(pid + i);
	return len;
}

static size_t
make_lost(uint8_t *buf, uint64_t n)
{
	struct perf_event_header h = { .type = PERF_RECORD_LOST, .misc = 0, .size = 24 };
	uint64_t id = 5;

	memcpy(buf, &h, sizeof(h));
	memcpy(buf + 8, &id, 8);
	memcpy(buf + 16, &n, 8);
	return 24;
}

struct seen {
	unsigned n;
	uint32_t pid[16];
	bool raw_ok;
	int stop_at;			/* return -ECANCELED at this sample (1-based), 0 never */
};

static int
seen_cb(const struct pp_perf_sample *s, void *arg)
{
	struct seen *sn = arg;

	if (sn->n < 16)
		sn->pid[sn->n] = s->pid;
	sn->n++;
	for (uint32_t i = 0; i < s->raw_len; i++)
		if (s->raw[i] != (uint8_t)(s->pid + i))
			sn->raw_ok = false;
	if (sn->stop_at && (int)sn->n == sn->stop_at)
		return -ECANCELED;
	return 0;
}

/* Copy rec into the ring at free-running position pos (wrapping). */
static void
ring_put(uint8_t *data, uint64_t size, uint64_t pos, const uint8_t *rec, size_t len)
{
	for (size_t i = 0; i < len; i++)
		data[(pos + i) % size] = rec[i];
}

static void
test_ring_walk(void)
{
	uint8_t data[256], rec[128], tmp[65536];
	uint64_t size = sizeof(data), lost = 0, pos, start;
	struct seen sn;
	size_t n;

	/* three samples and a LOST record, starting near the end so the second wraps */
	memset(data, 0xee, sizeof(data));
	start = pos = 1000 * size + 200;	/* free-running positions far past one lap */
	n = make_sample(rec, 1, 0, 4);
	ring_put(data, size, pos, rec, n);
	pos += n;
	n = make_sample(rec, 2, 1, 20);		/* crosses the end of the data area */
	ring_put(data, size, pos, rec, n);
	pos += n;
	n = make_lost(rec, 7);
	ring_put(data, size, pos, rec, n);
	pos += n;
	n = make_sample(rec, 3, 1, 8);
	ring_put(data, size, pos, rec, n);
	pos += n;
	memset(&sn, 0, sizeof(sn));
	sn.raw_ok = true;
	CHECK_EQ_INT(pp_perf_ring_walk(data, size, start, pos, tmp, sizeof(tmp), seen_cb, &sn, &lost), 0);
	CHECK_EQ_INT(sn.n, 3);
	CHECK_EQ_INT(sn.pid[0], 1);
	CHECK_EQ_INT(sn.pid[1], 2);
	CHECK_EQ_INT(sn.pid[2], 3);
	CHECK(sn.raw_ok);
	CHECK(lost == 7);

	/* the callback's error stops the walk and is returned */
	memset(&sn, 0, sizeof(sn));
	sn.raw_ok = true;
	sn.stop_at = 2;
	CHECK_EQ_INT(pp_perf_ring_walk(data, size, start, pos, tmp, sizeof(tmp), seen_cb, &sn, &lost),
		     -ECANCELED);
	CHECK_EQ_INT(sn.n, 2);

	/* head in the middle of the last record: the cut record is not decoded */
	memset(&sn, 0, sizeof(sn));
	lost = 0;
	CHECK_EQ_INT(pp_perf_ring_walk(data, size, start, pos - 4, tmp, sizeof(tmp), seen_cb, &sn, &lost), 0);
	CHECK_EQ_INT(sn.n, 2);
	CHECK(lost == 7);
	/* fewer bytes than a header */
	memset(&sn, 0, sizeof(sn));
	CHECK_EQ_INT(pp_perf_ring_walk(data, size, start, start + 5, tmp, sizeof(tmp), seen_cb, &sn, &lost), 0);
	CHECK_EQ_INT(sn.n, 0);
	/* a wrapping record bigger than tmp is not copied */
	memset(&sn, 0, sizeof(sn));
	CHECK_EQ_INT(pp_perf_ring_walk(data, size, start + 48, pos, tmp, 16, seen_cb, &sn, &lost), 0);
	CHECK_EQ_INT(sn.n, 0);

	/* a header whose size is 0 or less than a header: the walk stops there, no loop */
	{
		struct perf_event_header h = { .type = PERF_RECORD_SAMPLE, .misc = 0, .size = 0 };
		uint8_t d2[64];

		memset(d2, 0, sizeof(d2));
		n = make_sample(d2, 9, 0, 0);
		memcpy(d2 + n, &h, sizeof(h));
		memset(&sn, 0, sizeof(sn));
		CHECK_EQ_INT(pp_perf_ring_walk(d2, sizeof(d2), 0, sizeof(d2), tmp, sizeof(tmp), seen_cb, &sn,
					       &lost), 0);
		CHECK_EQ_INT(sn.n, 1);
		h.size = 4;
		memcpy(d2 + n, &h, sizeof(h));
		memset(&sn, 0, sizeof(sn));
		CHECK_EQ_INT(pp_perf_ring_walk(d2, sizeof(d2), 0, sizeof(d2), tmp, sizeof(tmp), seen_cb, &sn,
					       &lost), 0);
		CHECK_EQ_INT(sn.n, 1);
		/* a size larger than the ring itself */
		h.size = 200;
		memcpy(d2, &h, sizeof(h));
		memset(&sn, 0, sizeof(sn));
		CHECK_EQ_INT(pp_perf_ring_walk(d2, sizeof(d2), 0, 1000, tmp, sizeof(tmp), seen_cb, &sn, &lost), 0);
		CHECK_EQ_INT(sn.n, 0);
		/* a LOST record too short to carry its count adds nothing */
		h.type = PERF_RECORD_LOST;
		h.size = 16;
		memcpy(d2, &h, sizeof(h));
		lost = 0;
		CHECK_EQ_INT(pp_perf_ring_walk(d2, sizeof(d2), 0, 16, tmp, sizeof(tmp), seen_cb, &sn, &lost), 0);
		CHECK(lost == 0);
	}
	/* an empty ring, and a ring of size 0 */
	CHECK_EQ_INT(pp_perf_ring_walk(data, size, pos, pos, tmp, sizeof(tmp), seen_cb, &sn, &lost), 0);
	CHECK_EQ_INT(pp_perf_ring_walk(data, 0, 0, 100, tmp, sizeof(tmp), seen_cb, &sn, &lost), 0);
}

static void
test_cpulist(void)
{
	int *v = NULL;
	unsigned n = 0;

	CHECK_EQ_INT(pp_perf_parse_cpulist("0-3,5,7-8\n", &v, &n), 0);
	CHECK_EQ_INT(n, 7);
	if (n == 7) {
		CHECK_EQ_INT(v[0], 0);
		CHECK_EQ_INT(v[3], 3);
		CHECK_EQ_INT(v[4], 5);
		CHECK_EQ_INT(v[6], 8);
	}
	free(v);
	CHECK_EQ_INT(pp_perf_parse_cpulist("0\n", &v, &n), 0);
	CHECK_EQ_INT(n, 1);
	free(v);
	CHECK_EQ_INT(pp_perf_parse_cpulist("", &v, &n), -ENOENT);
	CHECK_EQ_INT(pp_perf_parse_cpulist("\n", &v, &n), -ENOENT);
	CHECK_EQ_INT(pp_perf_parse_cpulist("3-1\n", &v, &n), -EINVAL);
	CHECK_EQ_INT(pp_perf_parse_cpulist("x\n", &v, &n), -EINVAL);
	CHECK_EQ_INT(pp_perf_parse_cpulist("1-\n", &v, &n), -EINVAL);
	CHECK_EQ_INT(pp_perf_parse_cpulist("1;2\n", &v, &n), -EINVAL);
	CHECK_EQ_INT(pp_perf_parse_cpulist("-1\n", &v, &n), -EINVAL);
	CHECK_EQ_INT(pp_perf_parse_cpulist("0-99999999\n", &v, &n), -EINVAL);
}

/* A PERF_RECORD_NAMESPACES with nr namespaces (net first) and, with trailer, a sample_id of TID | TIME | CPU. */
static size_t
make_ns(uint8_t *buf, uint32_t tid, uint64_t net_ino, uint64_t nr, bool trailer, uint64_t t)
{
	struct perf_event_header h = { .type = PERF_RECORD_NAMESPACES, .misc = 0 };
	size_t len = 8 + 16 + 16 * nr + (trailer ? 24 : 0);

	memset(buf, 0, len);
	h.size = (uint16_t)len;
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + 8, &tid, 4);
	memcpy(buf + 12, &tid, 4);
	memcpy(buf + 16, &nr, 8);
	for (uint64_t i = 0; i < nr; i++) {
		uint64_t dev = 4, ino = i == 0 ? net_ino : 4026531000ull + i;

		memcpy(buf + 24 + 16 * i, &dev, 8);
		memcpy(buf + 32 + 16 * i, &ino, 8);
	}
	if (trailer)
		memcpy(buf + 24 + 16 * nr + 8, &t, 8);
	return len;
}

static int
ns_cb(const struct pp_perf_ns *ns, void *arg)
{
	struct pp_perf_ns *last = arg;

	*last = *ns;
	return 0;
}

static void
test_namespaces(void)
{
	uint8_t rec[256], data[512], tmp[65536];
	struct pp_perf_ns ns, last;
	struct seen sn;
	uint64_t lost = 0;
	size_t n, m;

	n = make_ns(rec, 77, 4026532509ull, 7, true, 123456);
	CHECK_EQ_INT(pp_perf_decode_namespaces(rec, n, &ns), 0);
	CHECK_EQ_INT(ns.tid, 77);
	CHECK(ns.net_ino == 4026532509ull);
	CHECK(ns.time == 123456);
	n = make_ns(rec, 78, 4026532510ull, 7, false, 0);		/* no sample_id_all */
	CHECK_EQ_INT(pp_perf_decode_namespaces(rec, n, &ns), 0);
	CHECK(ns.time == 0);
	CHECK_EQ_INT(pp_perf_decode_namespaces(rec, n - 1, &ns), -EBADMSG);	/* size > len */
	n = make_ns(rec, 79, 1, 0, false, 0);				/* no namespaces in it */
	CHECK_EQ_INT(pp_perf_decode_namespaces(rec, n, &ns), -EBADMSG);
	n = make_ns(rec, 79, 1, 7, false, 0);
	((struct perf_event_header *)rec)->size = 20;			/* cut before nr */
	CHECK_EQ_INT(pp_perf_decode_namespaces(rec, n, &ns), -EBADMSG);
	n = make_sample(rec, 1, 0, 4);
	CHECK_EQ_INT(pp_perf_decode_namespaces(rec, n, &ns), -ENOMSG);
	CHECK_EQ_INT(pp_perf_decode_namespaces(rec, 4, &ns), -EBADMSG);

	/* a ring holding a sample and a namespaces record: each callback sees its own kind */
	m = make_sample(data, 5, 0, 4);
	m += make_ns(data + m, 5, 4026532509ull, 7, true, 99);
	memset(&sn, 0, sizeof(sn));
	sn.raw_ok = true;
	memset(&last, 0, sizeof(last));
	CHECK_EQ_INT(pp_perf_ring_walk_ns(data, sizeof(data), 0, m, tmp, sizeof(tmp), seen_cb, ns_cb, &sn, &lost), 0);
	/* arg is shared: seen_cb wrote into sn, ns_cb too; run them apart to check each */
	memset(&sn, 0, sizeof(sn));
	CHECK_EQ_INT(pp_perf_ring_walk_ns(data, sizeof(data), 0, m, tmp, sizeof(tmp), seen_cb, NULL, &sn, &lost), 0);
	CHECK_EQ_INT(sn.n, 1);
	CHECK_EQ_INT(pp_perf_ring_walk_ns(data, sizeof(data), 0, m, tmp, sizeof(tmp), NULL, ns_cb, &last, &lost), 0);
	CHECK_EQ_INT(last.tid, 5);
	CHECK(last.net_ino == 4026532509ull);
}

int
main(void)
{
	RUN(test_sample);
	RUN(test_ring_walk);
	RUN(test_cpulist);
	RUN(test_namespaces);
	return tap_done();
}
