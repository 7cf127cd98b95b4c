/* search.c: the probe-size search and the TTL search (pure: no I/O). */
#include <string.h>

#include "pmtuprobe.h"

/* Common link MTUs, largest first: Ethernet, PPPoE, IP-in-IP / GRE / tunnels, IPv6 minimum, X.25, RFC 791. */
static const unsigned ladder[] = { 1500, 1492, 1480, 1460, 1450, 1400, 1280, 1006, 576 };

const char *
pm_answer_name(enum pm_answer a)
{
	switch (a) {
	case PM_A_SILENT: return "silent";
	case PM_A_REACHED: return "reached";
	case PM_A_PTB: return "ptb";
	case PM_A_TTL: return "ttl_exceeded";
	case PM_A_LOCAL_MSGSIZE: return "local_msgsize";
	case PM_A_UNREACH: return "unreachable";
	case PM_A_SEND_ERR: return "send_error";
	}
	return "unknown";
}

void
pm_search_init(struct pm_search *s, unsigned min, unsigned max)
{
	memset(s, 0, sizeof(*s));
	s->min = min;
	s->max = max;
	s->hi = max + 1;
	s->hi_why = PM_A_SILENT;
}

static unsigned
next_size(struct pm_search *s)
{
	unsigned v;
	size_t i;

	if (!s->base_done) {
		/* Is the destination answering at all? Without that, silence means nothing. */
		s->base_done = true;
		return s->min;
	}
	if (s->lo == 0 || s->hi <= s->lo + 1)
		return 0;
	if (s->ptb_next) {
		v = s->ptb_next;
		s->ptb_next = 0;
		if (v > s->lo && v < s->hi)
			return v;
	}
	if (!s->max_done) {
		s->max_done = true;
		if (s->max > s->lo && s->max < s->hi)
			return s->max;
	}
	for (i = 0; i < PP_ARRAY_SIZE(ladder); i++) {
		v = ladder[i];
		if (v > s->lo && v < s->hi && v >= s->min && v <= s->max)
			return v;
	}
	return s->lo + (s->hi - s->lo) / 2;
}

unsigned
pm_search_next(struct pm_search *s)
{
	unsigned v = next_size(s);

	if (v)
		s->steps++;
	return v;
}

static void
fail_at(struct pm_search *s, unsigned size, enum pm_answer a)
{
	if (size < s->hi) {
		s->hi = size;
		s->hi_why = a;
	}
}

void
pm_search_answer(struct pm_search *s, unsigned size, enum pm_answer a, uint32_t mtu)
{
	switch (a) {
	case PM_A_REACHED:
		if (size > s->lo)
			s->lo = size;
		/*
		 * A size above one that failed got through: the failure was loss, not
		 * the path. Forget the bound rather than report a path MTU below what passed.
		 */
		if (s->hi <= s->lo) {
			s->hi = s->max + 1;
			s->hi_why = PM_A_SILENT;
		}
		break;
	case PM_A_PTB:
	case PM_A_LOCAL_MSGSIZE:
		fail_at(s, size, a);
		if (mtu >= size) {
			if (a == PM_A_PTB)
				s->bad_ptb = true;
		} else if (mtu >= s->min) {
			/* Trust the reported MTU as the bound, and try it next unless it already passed. */
			if (mtu > s->lo)
				s->ptb_next = mtu;
			if (mtu + 1 < s->hi) {
				s->hi = mtu + 1;
				s->hi_why = a;
			}
		}
		break;
	default:
		fail_at(s, size, a);
		break;
	}
}

void
pm_ttl_init(struct pm_ttl *t, unsigned max_ttl)
{
	memset(t, 0, sizeof(*t));
	t->ttl = 1;
	t->max_ttl = max_ttl ? max_ttl : 30;
}

unsigned
pm_ttl_next(struct pm_ttl *t, bool *large)
{
	if (t->done)
		return 0;
	if (t->ttl > t->max_ttl) {
		t->done = true;
		return 0;
	}
	*large = !t->small;
	return t->ttl;
}

void
pm_ttl_answer(struct pm_ttl *t, unsigned ttl, bool large, enum pm_answer a,
	      const struct pp_addr *from)
{
	if (t->done || ttl != t->ttl)
		return;
	if (large) {
		switch (a) {
		case PM_A_TTL:
			/* The large packet got as far as this hop. */
			t->last_ttl = ttl;
			if (from)
				t->last_hop = *from;
			t->ttl++;
			break;
		case PM_A_REACHED:
			t->reached = true;
			t->done = true;
			break;
		case PM_A_PTB:
			t->ptb = true;
			if (from)
				t->next_hop = *from;
			t->done = true;
			break;
		default:
			t->small = true;
			break;
		}
		return;
	}
	t->small = false;
	switch (a) {
	case PM_A_TTL:
	case PM_A_REACHED:
	case PM_A_UNREACH:
		/* A small packet reaches this hop, the large one does not. */
		t->found = true;
		t->done = true;
		t->drop_ttl = ttl;
		if (from)
			t->next_hop = *from;
		t->next_is_dst = a == PM_A_REACHED;
		break;
	default:
		/* This hop answers nothing: go on to the next one. */
		t->ttl++;
		break;
	}
}
