/*
 * sample.h: what the sampling tools (nicstat, qdiscstat) share: counter deltas
 * across a wrap or a reset, rates over a measured interval, a monotonic clock.
 * The first sample of a run is "since boot" and must be labelled as such by the
 * tool; these helpers only do the arithmetic.
 */
#ifndef PP_SAMPLE_H
#define PP_SAMPLE_H

#include <errno.h>
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

/* delta per second over dt seconds; 0 when dt is not positive. */
static inline double
pp_rate(uint64_t delta, double dt)
{
	return dt > 0 ? (double)delta / dt : 0.0;
}

#endif
