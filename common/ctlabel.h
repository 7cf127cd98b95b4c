/*
 * ctlabel.h: conntrack labels (CTA_LABELS, a bitmap of up to 128 bits) and their
 * names from connlabel.conf, read as conntrack-tools (libnetfilter_conntrack's
 * nfct_labelmap_new) reads it: "BIT NAME" lines, '#' comments.
 */
#ifndef PP_CTLABEL_H
#define PP_CTLABEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PP_CT_LABEL_BITS 128

struct pp_ct_labelmap {
	char *name[PP_CT_LABEL_BITS];	/* NULL: unnamed */
	const char *path;		/* the file read, NULL when none */
};

/* Parse a connlabel.conf file into m (zeroed first). Returns 0 or -errno (open failed). */
int pp_ct_labelmap_load(struct pp_ct_labelmap *m, const char *path);
/* Parse the text of one (for tests). Lines that do not parse are skipped, as conntrack does. */
void pp_ct_labelmap_parse(struct pp_ct_labelmap *m, const char *text);
void pp_ct_labelmap_free(struct pp_ct_labelmap *m);

/*
 * The process's map: $PKTPATH_CONNLABEL when set, else /etc/connlabel.conf, else
 * /etc/xtables/connlabel.conf; loaded at first use. Never NULL (empty when no file).
 */
const struct pp_ct_labelmap *pp_ct_labelmap_default(void);

/* The bit for a name in m, or a bit number 0..127. Returns the bit or -1. */
int pp_ct_label_from_name(const struct pp_ct_labelmap *m, const char *s);
/* Is bit set in words (CTA_LABELS as host-order 32-bit words)? */
static inline bool
pp_ct_label_isset(const uint32_t *words, unsigned bit)
{
	return bit < PP_CT_LABEL_BITS && (words[bit / 32] >> (bit % 32)) & 1u;
}
/* The labels set, joined with ',' (a name from m, else the bit number) into buf. */
const char *pp_ct_labels_str(const struct pp_ct_labelmap *m, const uint32_t *words, char *buf, size_t len);

#endif
