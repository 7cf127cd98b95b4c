/*
 * sample.h: what the sampling tools (nicstat, qdiscstat) share: counter deltas
 * across a wrap or a reset, rates over a measured interval, a monotonic clock.
 * The first sample of a run is "since boot" and must be labelled as such by the
 * tool; these helpers only do the arithmetic.
 */
#ifndef PP_SAMPLE_H
#define PP_SAMPLE_H

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/* Seconds on CLOCK_MONOTONIC. */
static inline double
pp_mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * A 32-bit kernel counter wraps modulo 2^32: unsigned subtraction gives the right
 * delta across one wrap (as nstat does).
 */
static inline uint64_t
pp_delta32(uint32_t prev, uint32_t cur)
{
	return (uint32_t)(cur - prev);
}

/*
 * A 64-bit counter does not wrap in practice; one that went down was reset (the
 * device was recreated, or the driver cleared it): count from zero.
 */
static inline uint64_t
pp_delta64(uint64_t prev, uint64_t cur)
{
	return cur >= prev ? cur - prev : cur;
}

/* Sleep until t seconds on CLOCK_MONOTONIC (as pp_mono_now() counts), through signals that interrupt. */
static inline void
pp_sleep_until(double t)
{
	struct timespec ts;

	ts.tv_sec = (time_t)t;
	ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

/*
 * Stopping a sampling run (SIGINT, SIGTERM) between samples: pp_stop_block() blocks
 * both, so a signal that comes while a sample is collected or written waits;
 * pp_sleep_until_stop() sleeps until t (as pp_sleep_until) or until one of them
 * is pending, and says which (true: stop). Blocked and then taken with
 * sigtimedwait(), a signal cannot slip in between a check and the sleep.
 */
static inline void
pp_stop_block(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigprocmask(SIG_BLOCK, set, NULL);
}

static inline bool
pp_sleep_until_stop(double t, const sigset_t *set)
{
	struct timespec ts;
	double left;

	for (;;) {
		left = t - pp_mono_now();
		if (left < 0)
			left = 0;
		ts.tv_sec = (time_t)left;
		ts.tv_nsec = (long)((left - (double)ts.tv_sec) * 1e9);
		if (sigtimedwait(set, NULL, &ts) >= 0)
			return true;
		if (errno != EINTR)
			return false;	/* EAGAIN: the time came */
	}
}

/* delta per second over dt seconds; 0 when dt is not positive. */
static inline double
pp_rate(uint64_t delta, double dt)
{
	return dt > 0 ? (double)delta / dt : 0.0;
}

#endif
