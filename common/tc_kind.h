/*
 * tc_kind.h: what one queueing discipline kind says about itself. The kernel
 * sends a kind's configuration in TCA_OPTIONS and its own counters in TCA_XSTATS
 * (TCA_STATS_APP), each in a layout only that kind knows: nested attributes for
 * htb, tbf, fq_codel, fq and codel; a bare struct for pfifo, bfifo, prio and sfq;
 * a struct followed by attributes for netem. These decoders turn both into a flat
 * list of named numbers for the renderers, so no renderer touches an attribute.
 *
 * A field is listed only when the kernel sent it: an older kernel's shorter
 * struct leaves the newer fields out rather than filling them with zeros.
 */
#ifndef PP_TC_KIND_H
#define PP_TC_KIND_H

#include <stddef.h>
#include <stdint.h>
#include "pp.h"

enum pp_tcf_type {
	PP_TCF_GAUGE = 0,	/* a setting or a level: limit, quantum, flows now */
	PP_TCF_COUNTER,		/* only goes up: drop_overlimit, lends, throttled */
	PP_TCF_SIGNED,		/* a signed level (htb tokens): v holds the int64_t bits */
};

struct pp_tc_field {
	const char *name;	/* snake_case with its unit: "limit_packets", "target_us" */
	uint64_t v;
	uint8_t type;		/* enum pp_tcf_type */
};

/* cake: 14 of its own and 20 for each of up to 8 tins. */
#define PP_TC_FIELDS_MAX 176

struct pp_tc_fields {
	unsigned n;
	struct pp_tc_field f[PP_TC_FIELDS_MAX];
};

/*
 * Decode the TCA_OPTIONS payload (p, len) of a qdisc (is_class false) or a class
 * of kind. out is reset first. Returns 0; -EOPNOTSUPP when there is no decoder
 * for kind (out empty); -EBADMSG when the payload is short or malformed (out
 * keeps what was decoded before the fault). Unknown attributes are skipped.
 */
int pp_tc_options_decode(const char *kind, bool is_class, const void *p, size_t len,
			 struct pp_tc_fields *out);

/* The same for the TCA_XSTATS payload. */
int pp_tc_xstats_decode(const char *kind, bool is_class, const void *p, size_t len,
			struct pp_tc_fields *out);

/* The value of field name, or false when it is not in f. */
bool pp_tc_field_get(const struct pp_tc_fields *f, const char *name, uint64_t *v);

/* Kinds whose classes are worth a RTM_GETTCLASS dump: classful schedulers (htb, hfsc, drr, prio, mq, ...). */
bool pp_tc_kind_classful(const char *kind);

#endif
