/* test_pmtuprobe_search: the probe-size search and the TTL search, driven by simulated paths. */
#include <stdlib.h>
#include <arpa/inet.h>

#include "../../cmd/pmtuprobe/pmtuprobe.h"
#include "tap.h"

/* A simulated path: what a probe of a given size gets back. */
struct path {
	unsigned pmtu;		/* largest size that gets through */
	enum pm_answer over;	/* what a larger probe gets: PM_A_PTB or PM_A_SILENT */
	uint32_t ptb_mtu;	/* the MTU a PTB reports */
	unsigned local_mtu;	/* this host's device MTU: larger probes get a local EMSGSIZE; 0: none */
	bool dead;		/* nothing answers at all */
};

/* Run the search over p; the sizes probed go to seq (n of them). Returns the path MTU found. */
static unsigned
run(struct pm_search *s, const struct path *p, unsigned min, unsigned max, unsigned *seq, int *n)
{
	unsigned size;

	pm_search_init(s, min, max);
	*n = 0;
	while ((size = pm_search_next(s)) != 0) {
		if (*n < 64)
			seq[(*n)++] = size;
		if (*n >= 64)
			break;
		if (p->dead)
			pm_search_answer(s, size, PM_A_SILENT, 0);
		else if (p->local_mtu && size > p->local_mtu)
			pm_search_answer(s, size, PM_A_LOCAL_MSGSIZE, p->local_mtu);
		else if (size <= p->pmtu)
			pm_search_answer(s, size, PM_A_REACHED, 0);
		else
			pm_search_answer(s, size, p->over, p->ptb_mtu);
	}
	return s->lo;
}

static bool
seq_is(const unsigned *seq, int n, const unsigned *want, int wn)
{
	if (n != wn) {
		printf("#   got %d probes:", n);
		for (int i = 0; i < n; i++)
			printf(" %u", seq[i]);
		printf("\n");
		return false;
	}
	for (int i = 0; i < n; i++)
		if (seq[i] != want[i]) {
			printf("#   probe %d is %u, expected %u\n", i, seq[i], want[i]);
			return false;
		}
	return true;
}

static void
clean_path_two_probes(void)
{
	struct path p = { .pmtu = 1500, .over = PM_A_SILENT };
	struct pm_search s;
	unsigned seq[64];
	const unsigned want[] = { 68, 1500 };
	int n;

	CHECK_EQ_INT(run(&s, &p, 68, 1500, seq, &n), 1500);
	CHECK(seq_is(seq, n, want, 2));
	CHECK_EQ_INT(s.hi, 1501);
}

static void
ptb_jumps_to_reported_mtu(void)
{
	struct path p = { .pmtu = 1280, .over = PM_A_PTB, .ptb_mtu = 1280 };
	struct pm_search s;
	unsigned seq[64];
	const unsigned want[] = { 68, 1500, 1280 };
	int n;

	CHECK_EQ_INT(run(&s, &p, 68, 1500, seq, &n), 1280);
	CHECK(seq_is(seq, n, want, 3));
	CHECK_EQ_INT(s.hi, 1281);
	CHECK_EQ_INT(s.hi_why, PM_A_PTB);
	CHECK(!s.bad_ptb);
}

static void
ptb_equal_to_base_ends_at_once(void)
{
	/* IPv6: the base probe is 1280; a PTB saying 1280 needs no further probe. */
	struct path p = { .pmtu = 1280, .over = PM_A_PTB, .ptb_mtu = 1280 };
	struct pm_search s;
	unsigned seq[64];
	const unsigned want[] = { 1280, 1500 };
	int n;

	CHECK_EQ_INT(run(&s, &p, 1280, 1500, seq, &n), 1280);
	CHECK(seq_is(seq, n, want, 2));
}

static void
silence_walks_the_ladder_then_bisects(void)
{
	struct path p = { .pmtu = 1280, .over = PM_A_SILENT };
	struct pm_search s;
	unsigned seq[64];
	const unsigned want[] = { 68, 1500, 1492, 1480, 1460, 1450, 1400, 1280,
				  1340, 1310, 1295, 1287, 1283, 1281 };
	int n;

	CHECK_EQ_INT(run(&s, &p, 68, 1500, seq, &n), 1280);
	CHECK(seq_is(seq, n, want, (int)PP_ARRAY_SIZE(want)));
	CHECK_EQ_INT(s.hi, 1281);
	CHECK_EQ_INT(s.hi_why, PM_A_SILENT);
}

static void
silence_between_ladder_steps(void)
{
	/* A 1420-byte tunnel: 1450 silent, 1400 passes, then bisect 1400..1450. */
	struct path p = { .pmtu = 1420, .over = PM_A_SILENT };
	struct pm_search s;
	unsigned seq[64];
	const unsigned want[] = { 68, 1500, 1492, 1480, 1460, 1450, 1400, 1425, 1412, 1418, 1421, 1419, 1420 };
	int n;

	CHECK_EQ_INT(run(&s, &p, 68, 1500, seq, &n), 1420);
	CHECK(seq_is(seq, n, want, (int)PP_ARRAY_SIZE(want)));
}

static void
bad_suggestion_flagged_search_goes_on(void)
{
	/* A hop answers 1500 with a PTB claiming 1600 (not below the probe); the real limit is 1400. */
	struct pm_search s;
	unsigned size, seq[64];
	int n = 0;

	pm_search_init(&s, 68, 1500);
	while ((size = pm_search_next(&s)) != 0 && n < 64) {
		seq[n++] = size;
		if (size <= 1400)
			pm_search_answer(&s, size, PM_A_REACHED, 0);
		else
			pm_search_answer(&s, size, PM_A_PTB, 1600);
	}
	CHECK(s.bad_ptb);
	CHECK_EQ_INT(s.lo, 1400);
	CHECK_EQ_INT(s.hi, 1401);
	CHECK_EQ_INT(seq[1], 1500);
	CHECK_EQ_INT(seq[2], 1492);	/* the suggestion is not followed */
}

static void
ptb_below_min_not_followed(void)
{
	struct pm_search s;

	pm_search_init(&s, 1280, 1500);
	CHECK_EQ_INT(pm_search_next(&s), 1280);
	pm_search_answer(&s, 1280, PM_A_REACHED, 0);
	CHECK_EQ_INT(pm_search_next(&s), 1500);
	pm_search_answer(&s, 1500, PM_A_PTB, 576);	/* below IPv6's minimum: not a bound */
	CHECK_EQ_INT(s.ptb_next, 0);
	CHECK_EQ_INT(s.hi, 1500);
	CHECK_EQ_INT(pm_search_next(&s), 1492);
}

static void
local_device_mtu_caps_max(void)
{
	struct path p = { .pmtu = 9000, .over = PM_A_SILENT, .local_mtu = 1500 };
	struct pm_search s;
	unsigned seq[64];
	const unsigned want[] = { 68, 9000, 1500 };
	int n;

	CHECK_EQ_INT(run(&s, &p, 68, 9000, seq, &n), 1500);
	CHECK(seq_is(seq, n, want, 3));
	CHECK_EQ_INT(s.hi_why, PM_A_LOCAL_MSGSIZE);
}

static void
dead_destination_one_probe(void)
{
	struct path p = { .dead = true };
	struct pm_search s;
	unsigned seq[64];
	const unsigned want[] = { 68 };
	int n;

	CHECK_EQ_INT(run(&s, &p, 68, 1500, seq, &n), 0);
	CHECK(seq_is(seq, n, want, 1));
	CHECK(s.base_done);
}

static void
min_equals_max(void)
{
	struct path p = { .pmtu = 1500, .over = PM_A_SILENT };
	struct pm_search s;
	unsigned seq[64];
	const unsigned want[] = { 1400 };
	int n;

	CHECK_EQ_INT(run(&s, &p, 1400, 1400, seq, &n), 1400);
	CHECK(seq_is(seq, n, want, 1));
}

static void
loss_then_larger_pass_resets_bound(void)
{
	struct pm_search s;

	pm_search_init(&s, 68, 1500);
	pm_search_answer(&s, 68, PM_A_REACHED, 0);
	pm_search_answer(&s, 1400, PM_A_SILENT, 0);
	CHECK_EQ_INT(s.hi, 1400);
	pm_search_answer(&s, 1450, PM_A_REACHED, 0);	/* the 1400 silence was loss */
	CHECK_EQ_INT(s.lo, 1450);
	CHECK_EQ_INT(s.hi, 1501);
}

static void
addr4(struct pp_addr *a, const char *s)
{
	struct in_addr in;

	inet_pton(AF_INET, s, &in);
	pp_addr_set(a, AF_INET, &in, 4);
}

static void
ttl_finds_router(void)
{
	struct pm_ttl t;
	struct pp_addr rtr, dst;
	bool large;
	char b[64];

	addr4(&rtr, "198.51.100.1");
	addr4(&dst, "203.0.113.2");
	pm_ttl_init(&t, 30);
	CHECK_EQ_INT(pm_ttl_next(&t, &large), 1);
	CHECK(large);
	pm_ttl_answer(&t, 1, true, PM_A_TTL, &rtr);
	CHECK_EQ_INT(pm_ttl_next(&t, &large), 2);
	CHECK(large);
	pm_ttl_answer(&t, 2, true, PM_A_SILENT, NULL);
	CHECK_EQ_INT(pm_ttl_next(&t, &large), 2);
	CHECK(!large);
	pm_ttl_answer(&t, 2, false, PM_A_REACHED, &dst);
	CHECK_EQ_INT(pm_ttl_next(&t, &large), 0);
	CHECK(t.found);
	CHECK_EQ_INT(t.last_ttl, 1);
	CHECK_STR(pp_addr_str(&t.last_hop, b, sizeof(b)), "198.51.100.1");
	CHECK_EQ_INT(t.drop_ttl, 2);
	CHECK(t.next_is_dst);
}

static void
ttl_skips_silent_hop(void)
{
	/* Hop 2 answers nothing at all; hop 3 answers small probes only. */
	struct pm_ttl t;
	struct pp_addr h1, h3;
	bool large;

	addr4(&h1, "198.51.100.1");
	addr4(&h3, "203.0.113.1");
	pm_ttl_init(&t, 30);
	pm_ttl_next(&t, &large);
	pm_ttl_answer(&t, 1, true, PM_A_TTL, &h1);
	pm_ttl_next(&t, &large);
	pm_ttl_answer(&t, 2, true, PM_A_SILENT, NULL);
	pm_ttl_next(&t, &large);
	CHECK(!large);
	pm_ttl_answer(&t, 2, false, PM_A_SILENT, NULL);
	CHECK_EQ_INT(pm_ttl_next(&t, &large), 3);
	CHECK(large);
	pm_ttl_answer(&t, 3, true, PM_A_SILENT, NULL);
	pm_ttl_next(&t, &large);
	pm_ttl_answer(&t, 3, false, PM_A_TTL, &h3);
	CHECK(t.found);
	CHECK_EQ_INT(t.last_ttl, 1);
	CHECK_EQ_INT(t.drop_ttl, 3);
	CHECK(!t.next_is_dst);
}

static void
ttl_large_reaches_gives_up(void)
{
	struct pm_ttl t;
	struct pp_addr dst;
	bool large;

	addr4(&dst, "203.0.113.2");
	pm_ttl_init(&t, 30);
	pm_ttl_next(&t, &large);
	pm_ttl_answer(&t, 1, true, PM_A_REACHED, &dst);
	CHECK_EQ_INT(pm_ttl_next(&t, &large), 0);
	CHECK(t.reached);
	CHECK(!t.found);
}

static void
ttl_bounded_by_max_ttl(void)
{
	struct pm_ttl t;
	bool large;
	unsigned ttl, probes = 0;

	pm_ttl_init(&t, 4);
	while ((ttl = pm_ttl_next(&t, &large)) != 0 && probes < 100) {
		probes++;
		pm_ttl_answer(&t, ttl, large, PM_A_SILENT, NULL);
	}
	CHECK_EQ_INT(probes, 8);	/* a large and a small probe per TTL */
	CHECK(!t.found);
	CHECK(t.done);
}

static void
ttl_stale_answer_ignored(void)
{
	struct pm_ttl t;
	struct pp_addr h;
	bool large;

	addr4(&h, "198.51.100.1");
	pm_ttl_init(&t, 30);
	pm_ttl_next(&t, &large);
	pm_ttl_answer(&t, 5, true, PM_A_TTL, &h);	/* not the TTL in flight */
	CHECK_EQ_INT(t.ttl, 1);
	CHECK_EQ_INT(t.last_ttl, 0);
}

int
main(void)
{
	RUN(clean_path_two_probes);
	RUN(ptb_jumps_to_reported_mtu);
	RUN(ptb_equal_to_base_ends_at_once);
	RUN(silence_walks_the_ladder_then_bisects);
	RUN(silence_between_ladder_steps);
	RUN(bad_suggestion_flagged_search_goes_on);
	RUN(ptb_below_min_not_followed);
	RUN(local_device_mtu_caps_max);
	RUN(dead_destination_one_probe);
	RUN(min_equals_max);
	RUN(loss_then_larger_pass_resets_bound);
	RUN(ttl_finds_router);
	RUN(ttl_skips_silent_hop);
	RUN(ttl_large_reaches_gives_up);
	RUN(ttl_bounded_by_max_ttl);
	RUN(ttl_stale_answer_ignored);
	return tap_done();
}
