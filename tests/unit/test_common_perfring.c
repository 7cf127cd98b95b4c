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

int
main(void)
{
	RUN(test_sample);
	RUN(test_ring_walk);
	RUN(test_cpulist);
	return tap_done();
}
