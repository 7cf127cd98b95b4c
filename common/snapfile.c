/* snapfile.c: a snapshot's file: versioned header, pieces per namespace and kind, zlib. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#include <linux/netlink.h>

#include "snap_int.h"

struct wbuf {
	uint8_t *p;
	size_t len, cap;
	bool oom;
};

static void
w_put(struct wbuf *w, const void *p, size_t n)
{
	if (w->oom)
		return;
	if (w->len + n > w->cap) {
		size_t nc = w->cap ? w->cap : 4096;
		uint8_t *np;

		while (nc < w->len + n)
			nc *= 2;
		if (!(np = realloc(w->p, nc))) {
			w->oom = true;
			return;
		}
		w->p = np;
		w->cap = nc;
	}
	if (n)
		memcpy(w->p + w->len, p, n);
	w->len += n;
}

static void
w_u32(struct wbuf *w, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };

	w_put(w, b, 4);
}

static void
w_str(struct wbuf *w, const char *s)
{
	size_t n = strlen(s);
	uint8_t b[2] = { (uint8_t)n, (uint8_t)(n >> 8) };

	w_put(w, b, 2);
	w_put(w, s, n);
}

static void
w_pad(struct wbuf *w)
{
	static const uint8_t z[4];

	w_put(w, z, (4 - (w->len & 3)) & 3);
}

/* Sort entries by piece name, then by order of recording. */
struct ent_ref {
	char piece[SNAP_NAME_MAX * 2];
	size_t i;
};

static int
ref_cmp(const void *a, const void *b)
{
	const struct ent_ref *x = a, *y = b;
	int c = strcmp(x->piece, y->piece);

	return c ? c : x->i < y->i ? -1 : x->i > y->i;
}

int
pp_snap_write(struct pp_snap *s, const char *path, struct pp_err *e)
{
	struct wbuf out = { 0 }, hdr = { 0 }, raw = { 0 };
	struct ent_ref *refs;
	char tmp[4096];
	size_t np = 0, i, j;
	int fd, rc = 0;

	pthread_mutex_lock(&s->mu);
	refs = calloc(s->nent ? s->nent : 1, sizeof(*refs));
	free(s->pieces);
	s->pieces = calloc(s->nent ? s->nent : 1, sizeof(*s->pieces));
	if (!refs || !s->pieces) {
		pthread_mutex_unlock(&s->mu);
		free(refs);
		pp_err_set(e, ENOMEM, "snapshot %s", path);
		return -ENOMEM;
	}
	for (i = 0; i < s->nent; i++) {
		snprintf(refs[i].piece, sizeof(refs[i].piece), "%s/%s", s->ns[s->ent[i].ns].name, snap_ent_kind(&s->ent[i]));
		refs[i].i = i;
	}
	qsort(refs, s->nent, sizeof(*refs), ref_cmp);
	for (i = 0; i < s->nent; i++)
		if (i == 0 || strcmp(refs[i].piece, refs[i - 1].piece) != 0)
			np++;
	out.len = 0;
	w_put(&out, SNAP_MAGIC, 8);
	w_u32(&out, PP_SNAP_VERSION);
	{
		uint8_t t[8];

		for (int k = 0; k < 8; k++)
			t[k] = (uint8_t)((uint64_t)s->hdr.time >> (8 * k));
		w_put(&hdr, t, 8);
	}
	w_str(&hdr, s->hdr.kernel);
	w_str(&hdr, s->hdr.host);
	w_str(&hdr, s->hdr.netns);
	w_str(&hdr, s->hdr.writer);
	w_u32(&hdr, s->hdr.strict);
	w_u32(&out, (uint32_t)hdr.len);
	w_put(&out, hdr.p, hdr.len);
	w_u32(&out, (uint32_t)np);
	s->npieces = 0;
	s->raw_bytes = s->comp_bytes = 0;
	for (i = 0; i < s->nent; i = j) {
		struct snap_piece_info *pi = &s->pieces[s->npieces++];
		uLongf clen;
		uint8_t *cbuf;

		raw.len = 0;
		for (j = i; j < s->nent && strcmp(refs[j].piece, refs[i].piece) == 0; j++) {
			const struct pp_snap_nl_ent *a = &s->ent[refs[j].i];
			uint8_t k4[4] = { a->kind, 0, 0, 0 };

			w_put(&raw, k4, 4);
			w_u32(&raw, a->proto);
			w_u32(&raw, a->seq);
			w_u32(&raw, a->portid);
			w_u32(&raw, (uint32_t)a->rc);
			w_u32(&raw, a->keylen);
			w_put(&raw, a->key, a->keylen);
			w_pad(&raw);
			w_u32(&raw, a->datalen);
			w_put(&raw, a->data, a->datalen);
			w_pad(&raw);
		}
		clen = compressBound((uLong)raw.len);
		if (raw.oom || !(cbuf = malloc(clen))) {
			rc = -ENOMEM;
			break;
		}
		if (compress2(cbuf, &clen, raw.p ? raw.p : (const Bytef *)"", (uLong)raw.len, 6) != Z_OK) {
			free(cbuf);
			rc = -ENOMEM;
			break;
		}
		snprintf(pi->name, sizeof(pi->name), "%s", refs[i].piece);
		pi->nent = (uint32_t)(j - i);
		pi->raw = (uint32_t)raw.len;
		pi->comp = (uint32_t)clen;
		w_str(&out, pi->name);
		w_u32(&out, pi->nent);
		w_u32(&out, pi->raw);
		w_u32(&out, pi->comp);
		w_u32(&out, (uint32_t)crc32(0, raw.p ? raw.p : (const Bytef *)"", (uInt)raw.len));
		w_put(&out, cbuf, clen);
		free(cbuf);
		s->raw_bytes += raw.len;
		s->comp_bytes += clen;
	}
	pthread_mutex_unlock(&s->mu);
	free(refs);
	free(raw.p);
	free(hdr.p);
	if (!rc && (out.oom || hdr.oom))
		rc = -ENOMEM;
	if (rc) {
		free(out.p);
		pp_err_set(e, -rc, "snapshot %s", path);
		return rc;
	}
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
		rc = -errno;
		free(out.p);
		pp_err_set(e, -rc, "snapshot %s: cannot create %s", path, tmp);
		return rc;
	}
	for (size_t off = 0; off < out.len;) {
		ssize_t n = write(fd, out.p + off, out.len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -errno : -EIO;
			break;
		}
		off += (size_t)n;
	}
	/* mkostemp() makes 0600; a snapshot is as readable as its directory lets it be. */
	if (!rc && fchmod(fd, 0644) < 0)
		rc = -errno;
	if (close(fd) < 0 && !rc)
		rc = -errno;
	if (!rc && rename(tmp, path) < 0)
		rc = -errno;
	free(out.p);
	if (rc) {
		unlink(tmp);
		pp_err_set(e, -rc, "snapshot %s: write", path);
	}
	return rc;
}

struct rbuf {
	const uint8_t *p;
	size_t len, off;
};

static bool
r_get(struct rbuf *r, void *out, size_t n)
{
	if (r->len - r->off < n)
		return false;
	memcpy(out, r->p + r->off, n);
	r->off += n;
	return true;
}

static bool
r_u32(struct rbuf *r, uint32_t *v)
{
	uint8_t b[4];

	if (!r_get(r, b, 4))
		return false;
	*v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
	return true;
}

static bool
r_str(struct rbuf *r, char *buf, size_t len)
{
	uint8_t b[2];
	size_t n;

	if (!r_get(r, b, 2))
		return false;
	n = (size_t)b[0] | (size_t)b[1] << 8;
	if (n >= len || r->len - r->off < n)
		return false;
	memcpy(buf, r->p + r->off, n);
	buf[n] = '\0';
	r->off += n;
	return memchr(buf, '\0', n) == NULL;
}

static bool
r_pad(struct rbuf *r)
{
	size_t pad = (4 - (r->off & 3)) & 3;

	if (r->len - r->off < pad)
		return false;
	r->off += pad;
	return true;
}

/* A piece's entries, into s. Returns NULL or what is wrong with it. */
static const char *
load_piece(struct pp_snap *s, const char *name, const uint8_t *raw, size_t len, uint32_t nent)
{
	struct rbuf r = { raw, len, 0 };
	char nsname[SNAP_NAME_MAX];
	const char *slash = strrchr(name, '/');
	int ns;

	if (!slash || slash == name || (size_t)(slash - name) >= sizeof(nsname) || !slash[1])
		return "its name is not NAMESPACE/KIND";
	snprintf(nsname, sizeof(nsname), "%.*s", (int)(slash - name), name);
	if ((ns = snap_ns_index(s, nsname, true)) < 0)
		return "too many namespaces";
	for (uint32_t i = 0; i < nent; i++) {
		uint8_t k4[4];
		uint32_t proto, seq, portid, rc, keylen, datalen;
		size_t koff, doff;

		if (!r_get(&r, k4, 4) || !r_u32(&r, &proto) || !r_u32(&r, &seq) || !r_u32(&r, &portid) ||
		    !r_u32(&r, &rc) || !r_u32(&r, &keylen))
			return "an entry is cut short";
		if (k4[0] < ENT_NL || k4[0] > ENT_FACT)
			return "an entry of an unknown kind";
		koff = r.off;
		if (keylen > r.len - r.off)
			return "an entry's key runs past the piece";
		r.off += keylen;
		if (!r_pad(&r) || !r_u32(&r, &datalen))
			return "an entry is cut short";
		doff = r.off;
		if (datalen > r.len - r.off)
			return "an entry's data runs past the piece";
		r.off += datalen;
		if (!r_pad(&r))
			return "an entry is cut short";
		if (k4[0] == ENT_NL) {
			const struct nlmsghdr *h = (const struct nlmsghdr *)(raw + koff);
			size_t off = 0;

			if (keylen < sizeof(*h) || h->nlmsg_len != keylen)
				return "a request that is not one netlink message";
			/* Each datagram's length must stay inside the data. */
			while (off < datalen) {
				uint32_t dl;

				if (datalen - off < 4)
					return "a datagram's length is cut";
				memcpy(&dl, raw + doff + off, 4);
				off += 4;
				if (dl > datalen - off || ((dl + 3) & ~3u) > datalen - off)
					return "a datagram runs past its entry";
				off += (dl + 3) & ~3u;
			}
		} else if (keylen == 0 || memchr(raw + koff, '\0', keylen)) {
			return "a file entry without a proper path";
		}
		snap_ent_add(s, k4[0], ns, proto, raw + koff, keylen, seq, portid, (int32_t)rc, raw + doff, datalen);
	}
	if (r.off != r.len)
		return "bytes after its last entry";
	return NULL;
}

int
pp_snap_load_mem(const void *buf, size_t len, const char *name, struct pp_snap **out, struct pp_err *e)
{
	struct rbuf r = { buf, len, 0 };
	struct pp_snap *s;
	char magic[8];
	uint32_t version, hlen, np;
	const char *why = NULL;
	int rc = -EBADMSG;

	*out = NULL;
	if (!(s = snap_alloc())) {
		pp_err_set(e, ENOMEM, "snapshot %s", name);
		return -ENOMEM;
	}
	s->replay = true;
	snprintf(s->path, sizeof(s->path), "%s", name);
	if (!r_get(&r, magic, 8) || memcmp(magic, SNAP_MAGIC, 8) != 0) {
		pp_err_set(e, EBADMSG, "snapshot %s: not a pktpath snapshot (no %s header)", name, SNAP_MAGIC);
		goto bad;
	}
	if (!r_u32(&r, &version)) {
		pp_err_set(e, EBADMSG, "snapshot %s: header: cut short", name);
		goto bad;
	}
	if (version != PP_SNAP_VERSION) {
		pp_err_set(e, EPROTONOSUPPORT, "snapshot %s: format version %u; this pktpath reads version %d",
			   name, version, PP_SNAP_VERSION);
		rc = -EPROTONOSUPPORT;
		goto bad;
	}
	s->hdr.version = version;
	if (!r_u32(&r, &hlen) || hlen > r.len - r.off) {
		pp_err_set(e, EBADMSG, "snapshot %s: header: cut short", name);
		goto bad;
	}
	{
		struct rbuf h = { r.p + r.off, hlen, 0 };
		uint8_t t[8];
		uint32_t strict;
		uint64_t tv = 0;

		if (!r_get(&h, t, 8) || !r_str(&h, s->hdr.kernel, sizeof(s->hdr.kernel)) ||
		    !r_str(&h, s->hdr.host, sizeof(s->hdr.host)) || !r_str(&h, s->hdr.netns, sizeof(s->hdr.netns)) ||
		    !r_str(&h, s->hdr.writer, sizeof(s->hdr.writer)) || !r_u32(&h, &strict) || !s->hdr.netns[0]) {
			pp_err_set(e, EBADMSG, "snapshot %s: header: malformed", name);
			goto bad;
		}
		for (int k = 0; k < 8; k++)
			tv |= (uint64_t)t[k] << (8 * k);
		s->hdr.time = (int64_t)tv;
		s->hdr.strict = strict != 0;
		r.off += hlen;
	}
	s->base = snap_ns_index(s, s->hdr.netns, true);
	if (!r_u32(&r, &np)) {
		pp_err_set(e, EBADMSG, "snapshot %s: header: no piece count", name);
		goto bad;
	}
	if (np > 1u << 20 || !(s->pieces = calloc(np ? np : 1, sizeof(*s->pieces)))) {
		pp_err_set(e, EBADMSG, "snapshot %s: header: %u pieces announced", name, np);
		goto bad;
	}
	for (uint32_t i = 0; i < np; i++) {
		struct snap_piece_info *pi = &s->pieces[i];
		uint32_t crc;
		uLongf rawlen;
		uint8_t *raw;
		int zr;

		if (!r_str(&r, pi->name, sizeof(pi->name))) {
			pp_err_set(e, EBADMSG, "snapshot %s: piece %u of %u%s%s: cut short or its name malformed", name,
				   i + 1, np, i ? ", after " : "", i ? s->pieces[i - 1].name : "");
			goto bad;
		}
		if (!r_u32(&r, &pi->nent) || !r_u32(&r, &pi->raw) || !r_u32(&r, &pi->comp) || !r_u32(&r, &crc)) {
			pp_err_set(e, EBADMSG, "snapshot %s: piece %s: cut short", name, pi->name);
			goto bad;
		}
		if (pi->comp > r.len - r.off) {
			pp_err_set(e, EBADMSG, "snapshot %s: piece %s: cut short (%u bytes announced, %zu left)", name,
				   pi->name, pi->comp, r.len - r.off);
			goto bad;
		}
		/* zlib shrinks by 1032:1 at most: a larger claim is a lie, not a big piece. */
		if (pi->raw > SNAP_PIECE_MAX || (uint64_t)pi->raw > (uint64_t)pi->comp * 1032 + 1024 ||
		    pi->nent > pi->raw / 28 + 1) {
			pp_err_set(e, EBADMSG, "snapshot %s: piece %s: implausible sizes", name, pi->name);
			goto bad;
		}
		rawlen = pi->raw;
		if (!(raw = malloc(rawlen ? rawlen : 1))) {
			pp_err_set(e, ENOMEM, "snapshot %s: piece %s", name, pi->name);
			rc = -ENOMEM;
			goto bad;
		}
		zr = uncompress(raw, &rawlen, r.p + r.off, pi->comp);
		if (zr != Z_OK || rawlen != pi->raw || crc32(0, raw, (uInt)rawlen) != crc) {
			free(raw);
			pp_err_set(e, EBADMSG, "snapshot %s: piece %s: corrupt (%s)", name, pi->name,
				   zr != Z_OK ? "does not decompress" : rawlen != pi->raw ? "wrong length" : "checksum");
			goto bad;
		}
		why = load_piece(s, pi->name, raw, rawlen, pi->nent);
		free(raw);
		if (why) {
			pp_err_set(e, EBADMSG, "snapshot %s: piece %s: %s", name, pi->name, why);
			goto bad;
		}
		r.off += pi->comp;
		s->npieces++;
		s->raw_bytes += pi->raw;
		s->comp_bytes += pi->comp;
	}
	if (r.off != r.len) {
		pp_err_set(e, EBADMSG, "snapshot %s: %zu bytes after the last piece", name, r.len - r.off);
		goto bad;
	}
	*out = s;
	return 0;
bad:
	pp_snap_free(s);
	return rc;
}

int
pp_snap_load(const char *path, struct pp_snap **out, struct pp_err *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0;
	ssize_t n;

	*out = NULL;
	if (fd < 0) {
		rc = -errno;
		pp_err_set(e, -rc, "snapshot %s", path);
		return rc;
	}
	for (;;) {
		if (len == cap) {
			uint8_t *nb;

			if (cap >= (size_t)4 << 30 || !(nb = realloc(buf, cap ? cap * 2 : 1 << 16))) {
				free(buf);
				close(fd);
				pp_err_set(e, ENOMEM, "snapshot %s", path);
				return -ENOMEM;
			}
			buf = nb;
			cap = cap ? cap * 2 : 1 << 16;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			free(buf);
			close(fd);
			pp_err_set(e, -rc, "snapshot %s: read", path);
			return rc;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	rc = pp_snap_load_mem(buf, len, path, out, e);
	free(buf);
	return rc;
}

void
pp_snap_stats(const struct pp_snap *s, size_t *pieces, size_t *entries, size_t *raw, size_t *comp)
{
	*pieces = s->npieces;
	*entries = s->nent;
	*raw = s->raw_bytes;
	*comp = s->comp_bytes;
}

static void
json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void
pp_snap_list(const struct pp_snap *s, FILE *f, bool json)
{
	char when[64] = "?";
	time_t t = (time_t)s->hdr.time;
	struct tm tm;

	if (gmtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (json) {
		fprintf(f, "{\"schema\":\"pathcheck-snapshot/1\",\"file\":");
		json_str(f, s->path);
		fprintf(f, ",\"format_version\":%u,\"time\":", s->hdr.version);
		json_str(f, when);
		fprintf(f, ",\"kernel\":");
		json_str(f, s->hdr.kernel);
		fprintf(f, ",\"host\":");
		json_str(f, s->hdr.host);
		fprintf(f, ",\"netns\":");
		json_str(f, s->hdr.netns);
		fprintf(f, ",\"writer\":");
		json_str(f, s->hdr.writer);
		fprintf(f, ",\"bytes\":%zu,\"raw_bytes\":%zu,\"pieces\":[", s->comp_bytes, s->raw_bytes);
		for (size_t i = 0; i < s->npieces; i++) {
			fprintf(f, "%s{\"name\":", i ? "," : "");
			json_str(f, s->pieces[i].name);
			fprintf(f, ",\"entries\":%u,\"raw_bytes\":%u,\"bytes\":%u}", s->pieces[i].nent,
				s->pieces[i].raw, s->pieces[i].comp);
		}
		fprintf(f, "]}\n");
		return;
	}
	fprintf(f, "snapshot %s: format %u, %s, kernel %s, host %s, netns %s, by %s\n", s->path, s->hdr.version,
		when, s->hdr.kernel, s->hdr.host, s->hdr.netns, s->hdr.writer);
	fprintf(f, "  %-32s %8s %10s %10s\n", "piece", "entries", "raw", "compressed");
	for (size_t i = 0; i < s->npieces; i++)
		fprintf(f, "  %-32s %8u %10u %10u\n", s->pieces[i].name, s->pieces[i].nent, s->pieces[i].raw,
			s->pieces[i].comp);
	fprintf(f, "  %-32s %8zu %10zu %10zu\n", "total", s->nent, s->raw_bytes, s->comp_bytes);
}
