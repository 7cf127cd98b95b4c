/*
 * snap_int.h: the snapshot store's insides, shared by snap.c (the store, recording and
 * replay) and snapfile.c (the file: zlib, so only what reads or writes files needs it).
 */
#ifndef PP_SNAP_INT_H
#define PP_SNAP_INT_H

#include <pthread.h>
#include "snap.h"

#define SNAP_MAGIC "PKTPSNAP"
#define SNAP_NS_MAX 256
#define SNAP_BUCKETS 4096
#define SNAP_PIECE_MAX (1u << 30)	/* no piece of a real host is near a gigabyte */
#define SNAP_NAME_MAX 64

enum { ENT_NL = 1, ENT_FILE = 2, ENT_FACT = 3 };

/* One recorded exchange: a netlink request and its datagrams, or a file and its text. */
struct pp_snap_nl_ent {
	uint8_t kind;
	uint16_t ns;
	uint32_t proto, seq, portid;
	int32_t rc;
	uint32_t hash;
	uint8_t *key;		/* request bytes (seq, pid zeroed), or the path */
	uint32_t keylen;
	uint8_t *data;		/* datagrams [u32 len][bytes, padded to 4]..., or the content */
	uint32_t datalen;
	int next;		/* bucket chain */
};

struct snap_ns {
	char name[SNAP_NAME_MAX];
	unsigned long inode;	/* recording only */
};

struct pp_snap {
	pthread_mutex_t mu;	/* recording: guards everything below */
	bool replay;
	char path[256];
	struct pp_snap_hdr hdr;
	struct snap_ns ns[SNAP_NS_MAX];
	int nns;
	int base;		/* replay: the namespace of a thread that entered none */
	struct pp_snap_nl_ent *ent;
	size_t nent, cap;
	int bucket[SNAP_BUCKETS];
	/* of the last write or load */
	size_t npieces, raw_bytes, comp_bytes;
	struct snap_piece_info {
		char name[SNAP_NAME_MAX * 2];
		uint32_t nent, raw, comp;
	} *pieces;
};

struct pp_snap *snap_alloc(void);
/* The index of namespace name, added when add (and room); -1 when absent. Caller holds mu when recording. */
int snap_ns_index(struct pp_snap *s, const char *name, bool add);
/* Add an entry (mu held when recording); the first answer to a question is the one kept. */
void snap_ent_add(struct pp_snap *s, uint8_t kind, int ns, uint32_t proto, const void *key, size_t keylen,
		  uint32_t seq, uint32_t portid, int32_t rc, const void *data, size_t datalen);
/* The piece an entry belongs to: "routes", "nft", "sysctl", ... */
const char *snap_ent_kind(const struct pp_snap_nl_ent *a);

#endif
