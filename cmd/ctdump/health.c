/* health.c: is the conntrack table healthy? A pure evaluation of what main() collected. */
#include <stdio.h>
#include <string.h>

#include "ctdump.h"

void
ctd_health_eval(struct ctd_health *h, double warn_pct)
{
	static const enum pp_ct_stat bad[] = { PP_CT_STAT_DROP, PP_CT_STAT_EARLY_DROP,
					       PP_CT_STAT_INSERT_FAILED };

	h->nfindings = 0;
	h->status = PP_ST_OK;
	h->fill = 0;
	memset(h->total, 0, sizeof(h->total));
	if (h->have_cpu)
		for (size_t i = 0; i < h->ncpu; i++)
			for (int s = 0; s < PP_CT_STAT_N; s++)
				h->total[s] += h->cpu[i].v[s];

	if (h->have_global && h->g.have_entries && h->g.have_max && h->g.max > 0) {
		h->fill = (double)h->g.entries / (double)h->g.max;
		if (h->fill * 100.0 >= warn_pct) {
			snprintf(h->findings[h->nfindings++], sizeof(h->findings[0]),
				 "table at %.1f%% of nf_conntrack_max (%u of %u entries): new flows %s",
				 h->fill * 100.0, h->g.entries, h->g.max,
				 h->g.entries >= h->g.max ? "are dropped" : "will soon be dropped");
			h->status = PP_ST_FAIL;
		}
	}
	if (h->have_cpu) {
		char buf[128];
		size_t off = 0;

		for (size_t i = 0; i < PP_ARRAY_SIZE(bad); i++) {
			if (!h->total[bad[i]])
				continue;
			off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s=%llu",
						off ? " " : "", pp_ct_stat_name(bad[i]),
						(unsigned long long)h->total[bad[i]]);
			if (off >= sizeof(buf))
				off = sizeof(buf) - 1;
		}
		if (off) {
			snprintf(h->findings[h->nfindings++], sizeof(h->findings[0]),
				 "conntrack dropped or failed to insert flows: %s (since the namespace started)",
				 buf);
			h->status = PP_ST_FAIL;
		}
	}
	if (h->status == PP_ST_OK && (!h->have_global || !h->have_cpu))
		h->status = PP_ST_UNKNOWN;
}
