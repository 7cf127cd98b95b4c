/*
 * dropmap.h: the pathcheck station a kernel drop belongs to (from the drop
 * reason name and the location symbol), and the drops a healthy host shows.
 */
#ifndef PC_DROPMAP_H
#define PC_DROPMAP_H

#include <stdbool.h>

#include "station.h"

/*
 * The pktpath station a drop belongs to, from its reason name and location
 * symbol (either may be "" or NULL), or PC_NSTATIONS when we do not know. Returns
 * PC_ANY_HOOK for a rule's drop (NETFILTER_DROP in nft_do_chain): the caller
 * names the hook (prerouting/input/forward/output/postrouting) by the
 * direction of the flow, or from nft trace. The observation behind each
 * mapping is written beside it in dropmap.c.
 */
enum pc_station_id pc_drop_station(const char *reason_name, const char *symbol);
/* pc_drop_station() as the station's name (the hooks' family name for PC_ANY_HOOK), or NULL. */
const char *pp_drop_station(const char *reason_name, const char *symbol);
/*
 * true for drops a healthy host shows all the time: echo replies to a
 * raw-socket ping, connection closes, socket purges, multicast ND not for us,
 * our own input-path RTM_GETROUTE, host vsock traffic.
 */
bool pp_drop_benign(const char *reason_name, const char *symbol);

#endif
