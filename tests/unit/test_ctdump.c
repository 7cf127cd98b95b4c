/*
 * test_ctdump.c: ctdump's filter (parsing, the kernel's share, the match), the
 * streaming aggregates (exact and past their capacity), the health evaluation
 * and the conntrack -L text form.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_conntrack_tcp.h>

#include "../../cmd/ctdump/ctdump.h"
#include "parse.h"
#include "tap.h"

static void
mk(struct pp_ct_entry *ct, const char *src, const char *dst, uint8_t proto, uint16_t sport,
   uint16_t dport, const char *rsrc, const char *rdst, uint32_t status)
{
	memset(ct, 0, sizeof(*ct));
	ct->family = AF_INET;
	ct->have = PP_CT_HAVE_ORIG | PP_CT_HAVE_REPLY | PP_CT_HAVE_STATUS | PP_CT_HAVE_TIMEOUT |
		   PP_CT_HAVE_MARK | PP_CT_HAVE_USE;
	pp_parse_addr(src, AF_INET, &ct->orig.src);
	pp_parse_addr(dst, AF_INET, &ct->orig.dst);
	pp_parse_addr(rsrc, AF_INET, &ct->reply.src);
	pp_parse_addr(rdst, AF_INET, &ct->reply.dst);
	ct->orig.have = ct->reply.have = PP_CT_T_SRC | PP_CT_T_DST | PP_CT_T_PROTO | PP_CT_T_SPORT |
					 PP_CT_T_DPORT;
	ct->orig.proto = ct->reply.proto = proto;
	ct->orig.sport = sport;
	ct->orig.dport = dport;
	ct->reply.sport = dport;
	ct->reply.dport = sport;
	ct->status = status;
	ct->timeout = 30;
	ct->use = 1;
	if (proto == IPPROTO_TCP) {
		ct->have |= PP_CT_HAVE_TCP_STATE;
		ct->tcp_state = status & IPS_SEEN_REPLY ? TCP_CONNTRACK_ESTABLISHED : TCP_CONNTRACK_SYN_SENT;
	}
}

static void
test_parse_values(void)
{
	uint8_t u8;
	uint16_t lo, hi;
	uint32_t mask, set = 0, clear = 0;
	double d;

	CHECK_EQ_INT(ctd_parse_family("ipv6", &u8), 0);
	CHECK_EQ_INT(u8, AF_INET6);
	CHECK_EQ_INT(ctd_parse_family("ipx", &u8), -EINVAL);
	CHECK_EQ_INT(ctd_parse_proto("udp", &u8), 0);
	CHECK_EQ_INT(u8, IPPROTO_UDP);
	CHECK_EQ_INT(ctd_parse_proto("132", &u8), 0);
	CHECK_EQ_INT(u8, 132);
	CHECK_EQ_INT(ctd_parse_proto("256", &u8), -EINVAL);
	CHECK_EQ_INT(ctd_parse_ports("80-90", &lo, &hi), 0);
	CHECK(lo == 80 && hi == 90);
	CHECK_EQ_INT(ctd_parse_ports("90-80", &lo, &hi), -EINVAL);
	CHECK_EQ_INT(ctd_parse_ports("65536", &lo, &hi), -EINVAL);
	CHECK_EQ_INT(ctd_parse_ports("x", &lo, &hi), -EINVAL);
	CHECK_EQ_INT(ctd_parse_states("established,time_wait", &mask), 0);
	CHECK_EQ_INT(mask, (1u << TCP_CONNTRACK_ESTABLISHED) | (1u << TCP_CONNTRACK_TIME_WAIT));
	CHECK_EQ_INT(ctd_parse_states("LISTEN", &mask), -EINVAL);
	CHECK_EQ_INT(ctd_parse_status("ASSURED,UNREPLIED", &set, &clear), 0);
	CHECK_EQ_INT(set, IPS_ASSURED);
	CHECK_EQ_INT(clear, IPS_SEEN_REPLY);
	set = clear = 0;
	CHECK_EQ_INT(ctd_parse_status("!ASSURED,SNAT", &set, &clear), 0);
	CHECK_EQ_INT(set, IPS_SRC_NAT);
	CHECK_EQ_INT(clear, IPS_ASSURED);
	set = clear = 0;
	CHECK_EQ_INT(ctd_parse_status("SEEN_REPLY,UNREPLIED", &set, &clear), -EINVAL);
	CHECK_EQ_INT(ctd_parse_status("BOGUS", &set, &clear), -EINVAL);
	CHECK_EQ_INT(ctd_parse_duration("10m", &d), 0);
	CHECK(d == 600);
	CHECK_EQ_INT(ctd_parse_duration("1.5h", &d), 0);
	CHECK(d == 5400);
	CHECK_EQ_INT(ctd_parse_duration("abc", &d), -EINVAL);
	CHECK_EQ_INT(ctd_parse_duration("", &d), -EINVAL);
}

static void
test_kernel_split(void)
{
	struct ctd_filter f = { 0 };
	struct pp_ct_kfilter kf;
	const char *k[16], *u[16];
	size_t nk, nu;

	/* Exact addresses, protocol and single ports go into CTA_FILTER; prefixes and ranges do not. */
	f.family = AF_INET;
	f.dst.set = true;
	pp_parse_prefix("203.0.113.2", &f.dst.a, &f.dst.plen);
	f.src.set = true;
	pp_parse_prefix("198.51.100.0/24", &f.src.a, &f.src.plen);
	f.has_proto = true;
	f.proto = IPPROTO_TCP;
	f.has_dport = true;
	f.dport_lo = f.dport_hi = 8080;
	f.has_sport = true;
	f.sport_lo = 1000;
	f.sport_hi = 2000;
	f.has_mark = true;
	f.mark = 0x1;
	f.mark_mask = 0xff;
	f.status_clear = IPS_SEEN_REPLY;
	f.has_zone = true;
	f.zone = 0;
	f.state_mask = 1u << TCP_CONNTRACK_SYN_SENT;
	ctd_filter_kernel(&f, &kf, k, &nk, u, &nu, 16);
	CHECK_EQ_INT(kf.family, AF_INET);
	CHECK_EQ_INT(kf.orig_flags, PP_CTA_FILTER_IP_DST | PP_CTA_FILTER_PROTO_NUM | PP_CTA_FILTER_DST_PORT);
	CHECK_EQ_INT(kf.orig.dport, 8080);
	CHECK(kf.mark && kf.mark_val == 1 && kf.mark_mask == 0xff);
	CHECK(kf.status && kf.status_val == 0 && kf.status_mask == IPS_SEEN_REPLY);
	CHECK_EQ_INT(kf.zone, 0);	/* zone 0 cannot be asked of the kernel */
	CHECK_EQ_INT(nk, 6);		/* family mark status protocol dport dst */
	CHECK_EQ_INT(nu, 4);		/* zone 0, src prefix, sport range, state */

	/* IPv6 addresses never go to the kernel (its IPv6 compare is inverted); protocol and ports do. */
	memset(&f, 0, sizeof(f));
	f.family = AF_INET6;
	f.src.set = f.dst.set = f.rsrc.set = f.rdst.set = true;
	pp_parse_prefix("2001:db8:1::2", &f.src.a, &f.src.plen);
	pp_parse_prefix("2001:db8:2::2", &f.dst.a, &f.dst.plen);
	f.rsrc = f.dst;
	f.rdst = f.src;
	f.has_proto = true;
	f.proto = IPPROTO_TCP;
	f.has_dport = true;
	f.dport_lo = f.dport_hi = 8080;
	ctd_filter_kernel(&f, &kf, k, &nk, u, &nu, 16);
	CHECK_EQ_INT(kf.family, AF_INET6);
	CHECK_EQ_INT(kf.orig_flags, PP_CTA_FILTER_PROTO_NUM | PP_CTA_FILTER_DST_PORT);
	CHECK_EQ_INT(kf.reply_flags, 0);
	CHECK_EQ_INT(nk, 3);		/* family protocol dport */
	CHECK_EQ_INT(nu, 4);		/* src dst reply-src reply-dst */
	CHECK_STR(u[0], "src");
	CHECK_STR(u[3], "reply-dst");

	/* No family: nothing of CTA_FILTER. */
	memset(&f, 0, sizeof(f));
	f.has_proto = true;
	f.proto = IPPROTO_UDP;
	ctd_filter_kernel(&f, &kf, k, &nk, u, &nu, 16);
	CHECK_EQ_INT(kf.orig_flags, 0);
	CHECK_EQ_INT(nk, 0);
	CHECK_EQ_INT(nu, 1);
	CHECK_STR(u[0], "protocol");
}

static void
test_match(void)
{
	struct ctd_filter f = { 0 };
	struct pp_ct_entry a, b, c;

	mk(&a, "198.51.100.2", "203.0.113.2", IPPROTO_TCP, 40000, 80, "203.0.113.2", "203.0.113.50", IPS_CONFIRMED);
	mk(&b, "198.51.100.2", "203.0.113.2", IPPROTO_TCP, 40001, 80, "203.0.113.2", "198.51.100.2",
	   IPS_CONFIRMED | IPS_SEEN_REPLY | IPS_ASSURED);
	mk(&c, "198.51.100.3", "203.0.113.9", IPPROTO_UDP, 5353, 53, "203.0.113.9", "198.51.100.3",
	   IPS_CONFIRMED | IPS_SEEN_REPLY);
	c.mark = 0x105;
	c.zone = 4;
	CHECK(ctd_filter_match(&f, &a, 0) && ctd_filter_match(&f, &c, 0));

	f.status_clear = IPS_SEEN_REPLY;	/* UNREPLIED */
	CHECK(ctd_filter_match(&f, &a, 0));
	CHECK(!ctd_filter_match(&f, &b, 0));
	memset(&f, 0, sizeof(f));

	f.src.set = true;
	pp_parse_prefix("198.51.100.0/31", &f.src.a, &f.src.plen);
	CHECK(!ctd_filter_match(&f, &a, 0));	/* .2 lies outside .0/31 */
	pp_parse_prefix("198.51.100.2/31", &f.src.a, &f.src.plen);
	CHECK(ctd_filter_match(&f, &a, 0));
	CHECK(ctd_filter_match(&f, &c, 0));	/* .3 */
	pp_parse_prefix("198.51.100.2/32", &f.src.a, &f.src.plen);
	CHECK(!ctd_filter_match(&f, &c, 0));
	memset(&f, 0, sizeof(f));

	f.rdst.set = true;	/* the SNAT address replies go to */
	pp_parse_prefix("203.0.113.50", &f.rdst.a, &f.rdst.plen);
	CHECK(ctd_filter_match(&f, &a, 0));
	CHECK(!ctd_filter_match(&f, &b, 0));
	memset(&f, 0, sizeof(f));

	f.has_dport = true;
	f.dport_lo = 50;
	f.dport_hi = 60;
	CHECK(!ctd_filter_match(&f, &a, 0));
	CHECK(ctd_filter_match(&f, &c, 0));
	memset(&f, 0, sizeof(f));

	f.state_mask = 1u << TCP_CONNTRACK_ESTABLISHED;
	CHECK(!ctd_filter_match(&f, &a, 0));
	CHECK(ctd_filter_match(&f, &b, 0));
	CHECK(!ctd_filter_match(&f, &c, 0));	/* no TCP state */
	memset(&f, 0, sizeof(f));

	f.has_mark = true;
	f.mark = 0x5;
	f.mark_mask = 0xf;
	CHECK(ctd_filter_match(&f, &c, 0));
	CHECK(!ctd_filter_match(&f, &a, 0));
	memset(&f, 0, sizeof(f));

	f.has_zone = true;
	f.zone = 4;
	CHECK(ctd_filter_match(&f, &c, 0));
	f.zone = 0;
	CHECK(ctd_filter_match(&f, &a, 0) && !ctd_filter_match(&f, &c, 0));
	memset(&f, 0, sizeof(f));

	f.family = AF_INET6;
	CHECK(!ctd_filter_match(&f, &a, 0));
	memset(&f, 0, sizeof(f));

	/* --older-than: only entries with a timestamp can be aged. */
	f.has_older = true;
	f.older_than = 60;
	CHECK(!ctd_filter_match(&f, &a, 100000000000ull));
	a.have |= PP_CT_HAVE_TSTAMP_START;
	a.tstamp_start = 10000000000ull;
	CHECK(ctd_filter_match(&f, &a, 100000000000ull));	/* 90 s old */
	CHECK(!ctd_filter_match(&f, &a, 50000000000ull));	/* 40 s old */
}

static void
test_agg(void)
{
	unsigned want[CTD_K_N] = { 0 };
	struct ctd_agg a;
	struct pp_ct_entry e;
	const struct ctd_top_item *best[4];
	char kb[64];
	size_t n;

	want[CTD_K_DST] = 2;
	want[CTD_K_STATE] = 3;
	want[CTD_K_UNREPLIED] = 5;
	CHECK_EQ_INT(ctd_agg_init(&a, want, 64), 0);
	for (int i = 0; i < 5; i++) {
		mk(&e, "198.51.100.2", "203.0.113.2", IPPROTO_TCP, (uint16_t)(40000 + i), 80,
		   "203.0.113.2", "203.0.113.50", IPS_CONFIRMED);
		ctd_agg_add(&a, &e, 0);
	}
	for (int i = 0; i < 3; i++) {
		mk(&e, "198.51.100.2", "203.0.113.7", IPPROTO_TCP, (uint16_t)(40000 + i), 443,
		   "203.0.113.7", "198.51.100.2", IPS_CONFIRMED | IPS_SEEN_REPLY | IPS_ASSURED);
		ctd_agg_add(&a, &e, 0);
	}
	mk(&e, "198.51.100.2", "203.0.113.9", IPPROTO_UDP, 5353, 53, "203.0.113.9", "198.51.100.2",
	   IPS_CONFIRMED);
	ctd_agg_add(&a, &e, 0);

	CHECK_EQ_INT(a.matched, 9);
	CHECK_EQ_INT(a.unreplied, 6);
	CHECK_EQ_INT(a.assured, 3);
	CHECK_EQ_INT(a.by_state[TCP_CONNTRACK_SYN_SENT], 5);
	CHECK_EQ_INT(a.by_state[TCP_CONNTRACK_ESTABLISHED], 3);
	CHECK_EQ_INT(a.by_state[CTD_STATE_NONE], 1);
	CHECK_EQ_INT(a.by_proto[IPPROTO_TCP], 8);
	CHECK_EQ_INT(a.no_tstamp, 9);

	n = ctd_top_best(&a.top[CTD_K_DST], best, 2);
	CHECK_EQ_INT(n, 2);
	CHECK_STR(ctd_key_str(CTD_K_DST, best[0]->key, kb, sizeof(kb)), "203.0.113.2");
	CHECK_EQ_INT(best[0]->count, 5);
	CHECK_STR(ctd_key_str(CTD_K_DST, best[1]->key, kb, sizeof(kb)), "203.0.113.7");

	/* The SNAT signature: unanswered flows to .2 whose replies were due at .50. */
	n = ctd_top_best(&a.top[CTD_K_UNREPLIED], best, 4);
	CHECK_EQ_INT(n, 2);
	CHECK_STR(ctd_key_str(CTD_K_UNREPLIED, best[0]->key, kb, sizeof(kb)), "203.0.113.2");
	CHECK_EQ_INT(best[0]->count, 5);
	CHECK_EQ_INT(best[0]->key[17], AF_INET);
	CHECK_EQ_INT(best[0]->key[17 + 1 + 3], 50);

	n = ctd_top_best(&a.top[CTD_K_STATE], best, 3);
	CHECK_EQ_INT(n, 3);
	CHECK_STR(ctd_key_str(CTD_K_STATE, best[0]->key, kb, sizeof(kb)), "SYN_SENT");
	CHECK_STR(ctd_key_str(CTD_K_STATE, best[2]->key, kb, sizeof(kb)), "none");
	ctd_agg_free(&a);
}

/* Past its capacity the table keeps heavy hitters and says it is approximate. */
static void
test_top_overflow(void)
{
	struct ctd_top t;
	uint8_t key[CTD_KEYLEN];
	const struct ctd_top_item *best[3];
	size_t n;

	CHECK_EQ_INT(ctd_top_init(&t, CTD_K_DPORT, 3, 16), 0);
	for (int i = 0; i < 2000; i++) {
		memset(key, 0, sizeof(key));
		if (i % 4 == 0)
			key[1] = 1;			/* heavy: 500 */
		else if (i % 4 == 1)
			key[1] = 2;			/* heavy: 500 */
		else
			key[2] = (uint8_t)(i % 250) + 3;	/* 1000 spread over many keys */
		ctd_top_add(&t, key);
	}
	CHECK(t.overflowed);
	CHECK_EQ_INT(t.total, 2000);
	CHECK_EQ_INT(t.n, 16);
	n = ctd_top_best(&t, best, 3);
	CHECK_EQ_INT(n, 3);
	CHECK((best[0]->key[1] == 1 || best[0]->key[1] == 2) && (best[1]->key[1] == 1 || best[1]->key[1] == 2));
	/* The true count lies in [count - err, count]. */
	CHECK(best[0]->count - best[0]->err <= 500 && best[0]->count >= 500);
	/* Every key still in the table is found through the hash after all the evictions. */
	for (uint32_t i = 0; i < t.n; i++) {
		uint64_t before = t.items[i].count;

		memcpy(key, t.items[i].key, CTD_KEYLEN);
		ctd_top_add(&t, key);
		CHECK(t.n == 16);
		(void)before;
	}
	CHECK_EQ_INT(t.total, 2016);
	ctd_top_free(&t);
}

static void
test_health(void)
{
	struct ctd_health h;
	struct pp_ct_cpu_stats cpu[2];

	memset(&h, 0, sizeof(h));
	memset(cpu, 0, sizeof(cpu));
	h.have_global = true;
	h.g.have_entries = h.g.have_max = true;
	h.g.entries = 100;
	h.g.max = 262144;
	h.have_cpu = true;
	h.cpu = cpu;
	h.ncpu = 2;
	ctd_health_eval(&h, 90);
	CHECK_EQ_INT(h.status, PP_ST_OK);
	CHECK_EQ_INT(h.nfindings, 0);

	h.g.entries = 262144;
	cpu[1].v[PP_CT_STAT_DROP] = 3;
	cpu[0].v[PP_CT_STAT_DROP] = 2;
	ctd_health_eval(&h, 90);
	CHECK_EQ_INT(h.status, PP_ST_FAIL);
	CHECK_EQ_INT(h.nfindings, 2);
	CHECK_EQ_INT(h.total[PP_CT_STAT_DROP], 5);
	CHECK(strstr(h.findings[0], "100.0%") != NULL);
	CHECK(strstr(h.findings[1], "drop=5") != NULL);

	h.have_cpu = false;
	h.g.entries = 1;
	ctd_health_eval(&h, 90);
	CHECK_EQ_INT(h.status, PP_ST_UNKNOWN);
}

static void
test_text(void)
{
	struct ctd_out o;
	struct pp_ct_entry e;
	FILE *f = tmpfile();
	char line[512] = "";

	mk(&e, "198.51.100.2", "203.0.113.2", IPPROTO_TCP, 40000, 80, "203.0.113.2", "203.0.113.50",
	   IPS_CONFIRMED);
	CHECK(f != NULL);
	if (!f)
		return;
	CHECK_EQ_INT(ctd_out_init(&o, f, 4096, false), 0);
	ctd_text_entry(&o, &e, PP_CT_EV_NONE, 0);
	ctd_json_entry(&o, NULL, &e, PP_CT_EV_NEW, 0);
	ctd_j_end(&o);
	ctd_out_free(&o);
	rewind(f);
	CHECK(fgets(line, sizeof(line), f) != NULL);
	CHECK_STR(line, "tcp      6 30 SYN_SENT src=198.51.100.2 dst=203.0.113.2 sport=40000 dport=80 "
			"[UNREPLIED] src=203.0.113.2 dst=203.0.113.50 sport=80 dport=40000 mark=0 use=1\n");
	CHECK(fgets(line, sizeof(line), f) != NULL);
	CHECK(strncmp(line, "{\"event\":\"new\",\"family\":\"ipv4\",\"proto\":\"tcp\"", 44) == 0);
	CHECK(strstr(line, "\"reply\":{\"src\":\"203.0.113.2\",\"dst\":\"203.0.113.50\"") != NULL);
	CHECK(strstr(line, "\"status\":[\"CONFIRMED\"],\"unreplied\":true") != NULL);
	fclose(f);
}

/* The compact JSON writer and the generic one write the same entry. */
static void
test_json_writers_agree(void)
{
	struct ctd_out o;
	struct pp_ct_entry e;
	FILE *f = tmpfile();
	char a[2048] = "", b[2048] = "";

	mk(&e, "198.51.100.2", "203.0.113.2", IPPROTO_TCP, 40000, 80, "203.0.113.2", "203.0.113.50",
	   IPS_CONFIRMED | IPS_SEEN_REPLY | IPS_ASSURED);
	e.have |= PP_CT_HAVE_ZONE | PP_CT_HAVE_ID | PP_CT_HAVE_COUNTERS_ORIG | PP_CT_HAVE_TSTAMP_START |
		   PP_CT_HAVE_HELPER;
	e.zone = 9;
	e.id = 77;
	e.packets[0] = 5;
	e.bytes[0] = 300;
	e.tstamp_start = 1000000000ull;
	memcpy(e.helper, "ftp", 4);
	if (!f)
		return;
	CHECK_EQ_INT(ctd_out_init(&o, f, 4096, false), 0);
	ctd_json_entry(&o, NULL, &e, PP_CT_EV_DESTROY, 5000000000ull);	/* compact */
	ctd_j_end(&o);
	ctd_j_obj(&o, NULL);
	ctd_json_entry(&o, "e", &e, PP_CT_EV_DESTROY, 5000000000ull);	/* generic */
	ctd_j_obj_end(&o);
	ctd_j_end(&o);
	ctd_out_free(&o);
	rewind(f);
	CHECK(fgets(a, sizeof(a), f) != NULL);
	CHECK(fgets(b, sizeof(b), f) != NULL);
	CHECK(strncmp(b, "{\"e\":", 5) == 0);
	b[strlen(b) - 2] = '\n';	/* drop the outer } */
	b[strlen(b) - 1] = '\0';
	CHECK_STR(b + 5, a);
	CHECK(strstr(a, "\"age_seconds\":4") != NULL);
	fclose(f);
}

/* --label: names from the map or bit numbers, all of them set; the filter is userspace's. */
static void
test_label_filter(void)
{
	struct pp_ct_labelmap m;
	struct ctd_filter f;
	struct pp_ct_entry ct;
	char bad[64];

	pp_ct_labelmap_parse(&m, "1 web\n5 dns\n");
	memset(&f, 0, sizeof(f));
	CHECK_EQ_INT(ctd_parse_labels("web,5", &m, f.label_mask, bad, sizeof(bad)), 0);
	CHECK_EQ_INT((int)f.label_mask[0], (1 << 1) | (1 << 5));
	f.has_label = true;
	CHECK(ctd_filter_any(&f));
	memset(&ct, 0, sizeof(ct));
	ct.labels[0] = 1u << 1;
	CHECK(!ctd_filter_match(&f, &ct, 0));
	ct.labels[0] |= 1u << 5;
	ct.labels[3] = 1u << 2;
	CHECK(ctd_filter_match(&f, &ct, 0));
	CHECK(ctd_parse_labels("web,nosuch", &m, f.label_mask, bad, sizeof(bad)) < 0);
	CHECK_STR(bad, "nosuch");
	CHECK(ctd_parse_labels("web,", &m, f.label_mask, bad, sizeof(bad)) < 0);
	CHECK(ctd_parse_labels(",web", &m, f.label_mask, bad, sizeof(bad)) < 0);
	CHECK(ctd_parse_labels("", &m, f.label_mask, bad, sizeof(bad)) < 0);
	CHECK(ctd_parse_labels("128", &m, f.label_mask, bad, sizeof(bad)) < 0);
	pp_ct_labelmap_free(&m);
}

/* -E: the event time in text ([s.us]<TAB>) and in both JSON writers; labels in text and JSON. */
static void
test_event_ts_and_labels(void)
{
	struct ctd_out o;
	struct pp_ct_entry e;
	FILE *f = tmpfile();
	char a[2048] = "", b[2048] = "", t[2048] = "", l[2048] = "", lj[2048] = "";

	setenv("PKTPATH_CONNLABEL", "/nonexistent/connlabel.conf", 1);	/* no names: bit numbers */
	mk(&e, "198.51.100.2", "203.0.113.2", IPPROTO_UDP, 40000, 53, "203.0.113.2", "198.51.100.2",
	   IPS_CONFIRMED);
	if (!f)
		return;
	CHECK_EQ_INT(ctd_out_init(&o, f, 4096, false), 0);
	o.ev_ts_ns = 1765100000123456789ull;
	ctd_json_entry(&o, NULL, &e, PP_CT_EV_NEW, 0);	/* compact */
	ctd_j_end(&o);
	ctd_j_obj(&o, NULL);
	ctd_json_entry(&o, "e", &e, PP_CT_EV_NEW, 0);	/* generic */
	ctd_j_obj_end(&o);
	ctd_j_end(&o);
	ctd_text_entry(&o, &e, PP_CT_EV_NEW, 0);
	e.have |= PP_CT_HAVE_LABELS;
	e.labels[0] = (1u << 1) | (1u << 5);
	e.labels[3] = 1u << 31;
	o.ev_ts_ns = 0;
	ctd_text_entry(&o, &e, PP_CT_EV_NONE, 0);
	ctd_json_entry(&o, NULL, &e, PP_CT_EV_NONE, 0);
	ctd_j_end(&o);
	ctd_out_free(&o);
	rewind(f);
	CHECK(fgets(a, sizeof(a), f) != NULL);
	CHECK(fgets(b, sizeof(b), f) != NULL);
	CHECK(fgets(t, sizeof(t), f) != NULL);
	CHECK(fgets(l, sizeof(l), f) != NULL);
	CHECK(fgets(lj, sizeof(lj), f) != NULL);
	CHECK(strncmp(a, "{\"event\":\"new\",\"timestamp\":1765100000.123456,", strlen("{\"event\":\"new\",\"timestamp\":1765100000.123456,")) == 0);
	b[strlen(b) - 2] = '\n';
	b[strlen(b) - 1] = '\0';
	CHECK_STR(b + 5, a);
	CHECK(strncmp(t, "[1765100000.123456]\t    [NEW] udp ", strlen("[1765100000.123456]\t    [NEW] udp ")) == 0);
	CHECK(strstr(l, " labels=1,5,127 ") != NULL);
	CHECK(l[0] != '[');
	CHECK(strstr(lj, "\"labels\":[\"1\",\"5\",\"127\"]") != NULL);
	CHECK(strstr(lj, "timestamp") == NULL);
	fclose(f);
}

int
main(void)
{
	RUN(test_event_ts_and_labels);
	RUN(test_label_filter);
	RUN(test_parse_values);
	RUN(test_kernel_split);
	RUN(test_match);
	RUN(test_agg);
	RUN(test_top_overflow);
	RUN(test_health);
	RUN(test_text);
	RUN(test_json_writers_agree);
	return tap_done();
}
