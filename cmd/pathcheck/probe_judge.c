/*
 * probe_judge.c: the probe's outcome, decided from what it recorded and nothing
 * else. A success needs its evidence: a TCP connect is "connected" only when the
 * SYN-ACK was seen on the wire, or when getpeername succeeded on a writable socket
 * whose SO_ERROR was read first (before the error queue, whose draining resets it)
 * and was 0; a UDP or ICMP probe is answered only when our reply was received.
 * Where the wire and the socket disagree, the judgement says so.
 */
#include <errno.h>
#include <time.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "pathcheck.h"
#include "probe_judge.h"

struct pc_obs_ev *
pc_obs_add(struct pc_obs *o, double t, enum pc_obs_kind kind, int rc, int err, unsigned flags)
{
	struct pc_obs_ev *e;

	if (o->n >= PC_OBS_MAX) {
		o->overflow++;
		return NULL;
	}
	e = &o->ev[o->n++];
	memset(e, 0, sizeof(*e));
	e->t = t;
	e->kind = kind;
	e->rc = rc;
	e->err = err;
	e->flags = flags;
	return e;
}

const char *
pc_obs_kind_name(enum pc_obs_kind k)
{
	switch (k) {
	case PC_OBS_CONNECT: return "connect";
	case PC_OBS_SEND: return "send";
	case PC_OBS_POLL: return "poll";
	case PC_OBS_SOERROR: return "so_error";
	case PC_OBS_ERRQ: return "errqueue";
	case PC_OBS_PEERNAME: return "getpeername";
	case PC_OBS_RECV: return "recv";
	case PC_OBS_WIRE_OUT: return "wire_out";
	case PC_OBS_WIRE_IN: return "wire_in";
	case PC_OBS_TIMEOUT: return "timeout";
	case PC_OBS_STOP: return "stopped";
	}
	return "?";
}

/*
 * An error-queue entry that decides. Port unreachable from the destination itself
 * is a refusal; an error the kernel raised itself (a local origin, or an ICMP error
 * our own address sent us: a next hop that never resolved) is a local failure;
 * anything else is a hop's ICMP error.
 */
static void
from_errq(const struct pc_obs *o, const struct pp_icmperr *ie, struct pc_judgement *j)
{
	j->has_icmp = true;
	j->icmp = *ie;
	j->err = (int)ie->ee_errno;
	if (ie->kind == PP_ICMPERR_PORT && (!ie->has_offender || pp_addr_eq(&ie->offender, &o->dst)))
		j->outcome = PC_PR_REFUSED;
	else if (ie->kind == PP_ICMPERR_LOCAL || ie->kind == PP_ICMPERR_LOCAL_MSGSIZE) {
		j->outcome = PC_PR_SENDERR;
		j->local_unreach = ie->ee_errno == EHOSTUNREACH || ie->ee_errno == ENETUNREACH;
	} else if (ie->has_offender && o->src.family && pp_addr_eq(&ie->offender, &o->src) &&
		   ie->kind == PP_ICMPERR_UNREACH) {
		j->outcome = PC_PR_SENDERR;
		j->local_unreach = true;
	} else
		j->outcome = PC_PR_ICMP;
}

/* The first error-queue entry recorded at or after index from, or NULL. */
static const struct pp_icmperr *
errq_from(const struct pc_obs *o, size_t from)
{
	for (size_t k = from; k < o->n; k++)
		if (o->ev[k].kind == PC_OBS_ERRQ)
			return &o->ev[k].icmp;
	return NULL;
}

/* A socket error with no error-queue entry to explain it. */
static void
from_errno(int err, struct pc_judgement *j)
{
	j->err = err;
	if (err == ECONNREFUSED)
		j->outcome = PC_PR_REFUSED;
	else {
		j->outcome = PC_PR_SENDERR;
		j->local_unreach = err == EHOSTUNREACH || err == ENETUNREACH;
	}
}

static void
judge_tcp(const struct pc_obs *o, struct pc_judgement *j)
{
	const struct pp_icmperr *eq = NULL, *eq_match = NULL, *ie;
	bool writable = false, soerr_read = false, peer_ok = false, errq_before_soerr = false;
	bool wire_synack = false, wire_rst = false, wire_icmp = false, timeout = false;
	int soerr = 0, peer_err = 0;
	double t_sock = 0, t_synack = 0;

	for (size_t i = 0; i < o->n; i++) {
		const struct pc_obs_ev *e = &o->ev[i];

		switch (e->kind) {
		case PC_OBS_CONNECT:
			if (e->rc < 0 && e->err != EINPROGRESS) {
				j->rtt = j->t_decided = e->t;
				/* The error queue read after a failed connect explains it. */
				if ((ie = errq_from(o, i + 1))) {
					from_errq(o, ie, j);
					j->err = e->err;
					j->basis = "connect, error queue";
					j->decisive = j->outcome != PC_PR_SENDERR;
					return;
				}
				from_errno(e->err, j);
				j->basis = "connect";
				j->decisive = j->outcome == PC_PR_REFUSED;
				return;
			}
			break;
		case PC_OBS_POLL:
			if (e->flags & (POLLOUT | POLLERR | POLLHUP))
				writable = writable || (e->flags & POLLOUT);
			break;
		case PC_OBS_SOERROR:
			if (!soerr_read && e->rc == 0) {
				soerr_read = true;
				soerr = e->err;
				t_sock = e->t;
			}
			break;
		case PC_OBS_ERRQ:
			if (!soerr_read)
				errq_before_soerr = true;
			eq = &e->icmp;
			if (soerr && (int)e->icmp.ee_errno == soerr && !eq_match)
				eq_match = &e->icmp;
			break;
		case PC_OBS_PEERNAME:
			if (soerr_read && !soerr && writable) {
				peer_ok = e->rc == 0;
				peer_err = e->rc == 0 ? 0 : e->err;
				if (!t_sock)
					t_sock = e->t;
			}
			break;
		case PC_OBS_WIRE_IN:
			if (timeout)
				break;	/* after the socket gave up: too late to be its answer */
			if ((e->flags & PC_WIRE_SYNACK) && !wire_synack) {
				wire_synack = true;
				t_synack = e->t;
			}
			wire_rst |= (e->flags & PC_WIRE_RST) != 0;
			wire_icmp |= (e->flags & PC_WIRE_ICMPERR) != 0;
			break;
		case PC_OBS_TIMEOUT:
		case PC_OBS_STOP:
			timeout = true;
			break;
		default:
			break;
		}
	}
	if (soerr_read && soerr) {
		/* The socket failed: SO_ERROR says how, the queued ICMP (if any) who. */
		j->rtt = j->t_decided = t_sock;
		if (eq_match || eq)
			from_errq(o, eq_match ? eq_match : eq, j);
		else
			from_errno(soerr, j);
		j->err = soerr;
		j->basis = eq ? "SO_ERROR, error queue" : "SO_ERROR";
		j->decisive = j->outcome == PC_PR_REFUSED || j->outcome == PC_PR_ICMP;
		if (wire_synack)
			snprintf(j->disagree, sizeof(j->disagree),
				 "a SYN-ACK was seen arriving on the wire, but the socket failed (%s)", strerror(soerr));
		return;
	}
	if (peer_ok || wire_synack) {
		/* Connected: the handshake's answer seen, on the wire or by the socket itself. */
		j->outcome = PC_PR_CONNECTED;
		j->decisive = true;
		if (peer_ok && wire_synack) {
			j->basis = "wire, getpeername";
			j->rtt = j->t_decided = t_synack < t_sock ? t_synack : t_sock;
		} else if (peer_ok) {
			j->basis = "getpeername";
			j->rtt = j->t_decided = t_sock;
			if (o->wire)
				snprintf(j->disagree, sizeof(j->disagree),
					 "the socket connected, but no SYN-ACK was seen arriving on the wire");
		} else {
			/* The SYN-ACK came; the socket had not seen it yet when the probe ended. */
			j->basis = "wire";
			j->rtt = j->t_decided = t_synack;
			if (soerr_read || timeout)
				snprintf(j->disagree, sizeof(j->disagree),
					 "a SYN-ACK was seen arriving on the wire, but the socket never connected%s",
					 soerr_read && peer_err ? " (getpeername failed)" : "");
			j->outcome = soerr_read || timeout ? PC_PR_SILENCE : PC_PR_CONNECTED;
			j->decisive = j->outcome == PC_PR_CONNECTED;
			if (!j->decisive)
				j->rtt = 0;
		}
		return;
	}
	if (soerr_read && peer_err) {
		/*
		 * Writable, SO_ERROR 0, and not connected: the error was consumed before it
		 * could be read. The queued ICMP says what it was; never "connected".
		 */
		j->rtt = j->t_decided = t_sock;
		if (eq)
			from_errq(o, eq, j);
		else
			from_errno(peer_err, j);
		j->basis = errq_before_soerr ? "error queue (read before SO_ERROR)" : "getpeername";
		j->decisive = j->outcome == PC_PR_REFUSED || j->outcome == PC_PR_ICMP;
		return;
	}
	j->outcome = PC_PR_SILENCE;
	j->basis = timeout ? "timeout" : "no answer recorded";
	if (wire_rst)
		snprintf(j->disagree, sizeof(j->disagree), "a RST was seen arriving on the wire, but the socket never failed");
	else if (wire_icmp)
		snprintf(j->disagree, sizeof(j->disagree),
			 "an ICMP error quoting the probe was seen arriving on the wire, but the socket never reported it");
}

static void
judge_dgram(const struct pc_obs *o, struct pc_judgement *j)
{
	bool wire_answer = false, wire_icmp = false, timeout = false;
	const struct pp_icmperr *ie;

	for (size_t i = 0; i < o->n; i++) {
		const struct pc_obs_ev *e = &o->ev[i];

		switch (e->kind) {
		case PC_OBS_CONNECT:
		case PC_OBS_SEND:
			if (e->rc < 0) {
				j->rtt = j->t_decided = e->t;
				if ((ie = errq_from(o, i + 1))) {
					from_errq(o, ie, j);
					j->err = e->err;
					j->basis = e->kind == PC_OBS_SEND ? "send, error queue" : "connect, error queue";
					j->decisive = j->outcome == PC_PR_REFUSED || j->outcome == PC_PR_ICMP;
					return;
				}
				from_errno(e->err, j);
				j->outcome = j->outcome == PC_PR_REFUSED ? PC_PR_REFUSED : PC_PR_SENDERR;
				j->basis = e->kind == PC_OBS_SEND ? "send" : "connect";
				j->decisive = false;
				return;
			}
			break;
		case PC_OBS_ERRQ:
			j->rtt = j->t_decided = e->t;
			from_errq(o, &e->icmp, j);
			j->basis = "error queue";
			j->decisive = j->outcome == PC_PR_REFUSED || j->outcome == PC_PR_ICMP;
			return;
		case PC_OBS_RECV:
			if (e->rc > 0 && (e->flags & PC_RECV_OURS)) {
				j->outcome = PC_PR_REPLY;
				j->rtt = j->t_decided = e->t;
				j->decisive = true;
				j->basis = wire_answer ? "wire, reply received" : "reply received";
				if (o->wire && !wire_answer) {
					/* The capture may still be behind: look at the rest of the record. */
					for (size_t k = i + 1; k < o->n; k++)
						if (o->ev[k].kind == PC_OBS_WIRE_IN &&
						    (o->ev[k].flags & (PC_WIRE_ECHOREPLY | PC_WIRE_DATA)))
							wire_answer = true;
					if (!wire_answer)
						snprintf(j->disagree, sizeof(j->disagree),
							 "the reply was received, but it was not seen arriving on the wire");
				}
				return;
			}
			if (e->rc < 0 && e->err != EAGAIN && e->err != EWOULDBLOCK) {
				j->rtt = j->t_decided = e->t;
				if ((ie = errq_from(o, 0))) {
					from_errq(o, ie, j);
					j->err = e->err;
					j->basis = "recv, error queue";
					j->decisive = j->outcome == PC_PR_REFUSED || j->outcome == PC_PR_ICMP;
					return;
				}
				from_errno(e->err, j);
				j->basis = "recv";
				j->decisive = j->outcome == PC_PR_REFUSED;
				return;
			}
			break;
		case PC_OBS_WIRE_IN:
			if (timeout)
				break;	/* after the socket gave up: too late to be its answer */
			wire_answer |= (e->flags & (PC_WIRE_ECHOREPLY | PC_WIRE_DATA)) != 0;
			wire_icmp |= (e->flags & PC_WIRE_ICMPERR) != 0;
			break;
		case PC_OBS_TIMEOUT:
		case PC_OBS_STOP:
			timeout = true;
			break;
		default:
			break;
		}
	}
	j->outcome = PC_PR_SILENCE;
	j->basis = timeout ? "timeout" : "no answer recorded";
	if (wire_answer)
		snprintf(j->disagree, sizeof(j->disagree), "the answer was seen arriving on the wire, but never reached the socket");
	else if (wire_icmp)
		snprintf(j->disagree, sizeof(j->disagree),
			 "an ICMP error quoting the probe was seen arriving on the wire, but the socket never reported it");
}

bool
pc_drop_after_answer(const struct pc_judgement *j, double t)
{
	return j->decisive && t > j->t_decided;
}

void
pc_probe_judge(const struct pc_obs *o, struct pc_judgement *j)
{
	memset(j, 0, sizeof(*j));
	if (o->proto == IPPROTO_TCP)
		judge_tcp(o, j);
	else
		judge_dgram(o, j);
}

void
pc_probe_evidence(const struct pc_probe *pr, struct pp_val *ev)
{
	const struct pc_obs *o = &pr->obs;
	struct pp_val *rec;

	if (pr->judgement.basis)
		pp_val_add_str(ev, "decided_by", pr->judgement.basis);
	if (pr->judgement.disagree[0])
		pp_val_add_str(ev, "disagreement", pr->judgement.disagree);
	rec = pp_val_add_arr(ev, "record");
	for (size_t i = 0; i < o->n; i++) {
		const struct pc_obs_ev *e = &o->ev[i];
		struct pp_val *x = pp_val_add_obj(rec, NULL);

		pp_val_add_dbl(x, "t", e->t);
		pp_val_add_str(x, "event", pc_obs_kind_name(e->kind));
		switch (e->kind) {
		case PC_OBS_CONNECT: case PC_OBS_SEND: case PC_OBS_PEERNAME: case PC_OBS_RECV:
			pp_val_add_i64(x, "rc", e->rc);
			if (e->err)
				pp_val_add_str(x, "error", strerror(e->err));
			break;
		case PC_OBS_SOERROR:
			pp_val_add_str(x, "value", e->rc < 0 ? "unread" : e->err ? strerror(e->err) : "0");
			break;
		case PC_OBS_POLL:
			pp_val_add_strf(x, "revents", "%s%s%s%s", e->flags & POLLIN ? "IN " : "", e->flags & POLLOUT ? "OUT " : "",
					e->flags & POLLERR ? "ERR " : "", e->flags & POLLHUP ? "HUP" : "");
			break;
		case PC_OBS_ERRQ: {
			char a[INET6_ADDRSTRLEN] = "";

			pp_val_add_str(x, "origin", e->icmp.origin == SO_EE_ORIGIN_LOCAL ? "local" :
					e->icmp.origin == SO_EE_ORIGIN_ICMP ? "icmp" :
					e->icmp.origin == SO_EE_ORIGIN_ICMP6 ? "icmp6" : "other");
			pp_val_add_str(x, "kind", pp_icmperr_kind_name(e->icmp.kind));
			pp_val_add_u64(x, "type", e->icmp.type);
			pp_val_add_u64(x, "code", e->icmp.code);
			pp_val_add_str(x, "error", strerror((int)e->icmp.ee_errno));
			if (e->icmp.has_offender)
				pp_val_add_str(x, "offender", pp_addr_str(&e->icmp.offender, a, sizeof(a)));
			break;
		}
		case PC_OBS_WIRE_IN:
			if (e->flags)
				pp_val_add_strf(x, "flags", "%s%s%s%s%s", e->flags & PC_WIRE_SYNACK ? "syn-ack " : "",
						e->flags & PC_WIRE_RST ? "rst " : "", e->flags & PC_WIRE_ICMPERR ? "icmp-error " : "",
						e->flags & PC_WIRE_ECHOREPLY ? "echo-reply " : "", e->flags & PC_WIRE_DATA ? "data" : "");
			break;
		default:
			break;
		}
	}
	if (o->overflow)
		pp_val_add_u64(ev, "record_overflow", o->overflow);
}

static bool
wire_len_matches(uint32_t skb, uint32_t wire)
{
	return !skb || !wire || skb == wire || skb == wire + 4 || skb == wire + 8;
}

void
pc_wire_vouch(const struct pc_wire_seen *arrived, size_t narr, const struct pc_wire_seen *dropped, size_t ndrop,
	      uint64_t window_ns, bool *ok)
{
	for (size_t k = 0; k < ndrop; k++)
		ok[k] = false;
	for (size_t i = 0; i < narr; i++) {
		size_t best = SIZE_MAX;
		uint64_t best_dt = 0;

		for (size_t k = 0; k < ndrop; k++) {
			uint64_t t = arrived[i].t, u = dropped[k].t, dt = t > u ? t - u : u - t;

			if (ok[k] || dt > window_ns || !wire_len_matches(dropped[k].len, arrived[i].len))
				continue;
			if (best == SIZE_MAX || dt < best_dt) {
				best = k;
				best_dt = dt;
			}
		}
		if (best != SIZE_MAX)
			ok[best] = true;
	}
}
