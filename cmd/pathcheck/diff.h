/*
 * diff.h: --diff BEFORE AFTER. Every target is walked against both states; what is
 * compared is each side's verdict (status, station, cause, the namespace it is in) and
 * its stations in the order the packet meets them (the first namespace's, then each
 * one --follow went on into). The comparison is pure (pc_diff_compare), so it is
 * unit tested without a kernel.
 */
#ifndef PC_DIFF_H
#define PC_DIFF_H

#include "pathcheck.h"

/* One station of one side's walk. */
struct pc_diff_stop {
	char netns[64];
	enum pc_station_id id;
	enum pp_status status;
	enum pc_cause cause;
	char summary[256];
};

/* One side of a target: its verdict and its walk. */
struct pc_diff_side {
	int rc;				/* the target's rc: PP_EXIT_OK, or why it could not be checked */
	enum pp_status status;		/* unknown when rc is not PP_EXIT_OK */
	enum pc_station_id station;	/* PC_NSTATIONS: none (every station passes) */
	enum pc_cause cause;
	char netns[64];			/* the namespace of the verdict ("" the one asked in) */
	char summary[512];
	struct pc_diff_stop *st;	/* malloc'd, in path order */
	size_t nst;
};

enum pc_diff_kind {
	PC_DIFF_SAME = 0,	/* both decided, the same verdict */
	PC_DIFF_WORSENED,	/* ok before, fail or warn after */
	PC_DIFF_IMPROVED,	/* fail or warn before, ok after */
	PC_DIFF_MOVED,		/* not ok on both sides, but another status, station, cause or namespace */
	PC_DIFF_UNDECIDED,	/* unknown (or not checked) on one side or both: nothing can be said */
};

struct pc_diff_cmp {
	enum pc_diff_kind kind;
	/* The first station where the walks part (index into both st[]); -1: none differs. */
	long diverge;
};

/*
 * Pure. The kind of change from b to a and the first station where the two walks part:
 * the first place where the station (or its namespace) differs, one walk ends, or the
 * status or cause differs; when there is none, the first whose summary differs (only
 * looked for when the verdict changed: a counter in a summary is no change of fate).
 */
void pc_diff_compare(const struct pc_diff_side *b, const struct pc_diff_side *a, struct pc_diff_cmp *c);
const char *pc_diff_kind_name(enum pc_diff_kind k);
/* Fill s from a checked target (s->st malloc'd; NULL with nst 0 when out of memory). */
void pc_diff_side_of(const struct pc_target *t, struct pc_diff_side *s);
void pc_diff_side_free(struct pc_diff_side *s);

#endif
