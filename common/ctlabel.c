/* ctlabel.c: conntrack label names (connlabel.conf). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctlabel.h"
#include "snap.h"
#include "sysctl.h"

void
pp_ct_labelmap_free(struct pp_ct_labelmap *m)
{
	for (unsigned i = 0; i < PP_CT_LABEL_BITS; i++)
		free(m->name[i]);
	memset(m, 0, sizeof(*m));
}

static void
parse_line(struct pp_ct_labelmap *m, char *line)
{
	char *p = line, *end, *name;
	unsigned long bit;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p < '0' || *p > '9')
		return;
	errno = 0;
	bit = strtoul(p, &end, 10);
	if (errno || end == p || bit >= PP_CT_LABEL_BITS || (*end != ' ' && *end != '\t'))
		return;
	while (*end == ' ' || *end == '\t')
		end++;
	name = end;
	while (*end && *end != ' ' && *end != '\t' && *end != '\n' && *end != '\r' && *end != '#')
		end++;
	if (end == name)
		return;
	*end = '\0';
	if (m->name[bit])
		return;		/* the first name of a bit wins */
	m->name[bit] = strdup(name);
}

void
pp_ct_labelmap_parse(struct pp_ct_labelmap *m, const char *text)
{
	const char *s = text;

	memset(m, 0, sizeof(*m));
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		char line[512];

		if (n < sizeof(line)) {
			memcpy(line, s, n);
			line[n] = '\0';
			parse_line(m, line);
		}
		s += n + (nl ? 1 : 0);
	}
}

int
pp_ct_labelmap_load(struct pp_ct_labelmap *m, const char *path)
{
	char line[512];
	FILE *f;

	memset(m, 0, sizeof(*m));
	if (!(f = fopen(path, "re")))
		return -errno;
	while (fgets(line, sizeof(line), f))
		parse_line(m, line);
	fclose(f);
	m->path = path;
	return 0;
}

const struct pp_ct_labelmap *
pp_ct_labelmap_default(void)
{
	static struct pp_ct_labelmap m;
	static bool loaded;
	const char *env;

	struct pp_snap *s = pp_snap_active();
	char *text = NULL;
	int rc;

	if (loaded)
		return &m;
	loaded = true;
	/* Replaying, the names the saving host had: its file's text is in the snapshot. */
	if (pp_snap_replaying(s)) {
		size_t cap = 1 << 20;

		if ((text = malloc(cap)) && (rc = pp_snap_blob_get(s, "connlabel.conf", text, cap - 1)) >= 0) {
			text[(size_t)rc < cap - 1 ? (size_t)rc : cap - 1] = '\0';
			pp_ct_labelmap_parse(&m, text);
			m.path = "connlabel.conf of the snapshot";
		}
		free(text);
		return &m;
	}
	env = getenv("PKTPATH_CONNLABEL");
	if (env && env[0]) {
		pp_ct_labelmap_load(&m, env);
	} else if (pp_ct_labelmap_load(&m, "/etc/xtables/connlabel.conf") < 0) {
		/* conntrack's file first (libnetfilter_conntrack reads only it), then nftables'. */
		pp_ct_labelmap_load(&m, "/etc/connlabel.conf");
	}
	/* Recording: the text of the file the names came from (none: an empty map). */
	if (s) {
		rc = m.path ? pp_slurp(m.path, &text, 1 << 20) : -ENOENT;
		pp_snap_blob_record(s, "connlabel.conf", rc < 0 ? rc : 0, text, rc < 0 ? 0 : (size_t)rc);
		free(text);
	}
	return &m;
}

int
pp_ct_label_from_name(const struct pp_ct_labelmap *m, const char *s)
{
	unsigned long bit;
	char *end;

	if (!s || !s[0])
		return -1;
	for (unsigned i = 0; i < PP_CT_LABEL_BITS; i++)
		if (m->name[i] && strcmp(m->name[i], s) == 0)
			return (int)i;
	if (s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	bit = strtoul(s, &end, 10);
	if (errno || *end || bit >= PP_CT_LABEL_BITS)
		return -1;
	return (int)bit;
}

const char *
pp_ct_labels_str(const struct pp_ct_labelmap *m, const uint32_t *words, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned b = 0; b < PP_CT_LABEL_BITS && n < len; b++) {
		if (!pp_ct_label_isset(words, b))
			continue;
		if (m && m->name[b])
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? "," : "", m->name[b]);
		else
			n += (size_t)snprintf(buf + n, len - n, "%s%u", n ? "," : "", b);
	}
	return buf;
}
