/* What the subcommands do, over the pieces (bridge, ipam, veth, nat,
   resolv): attach a container to a network, detach it, show, prune. */
#ifndef NETSETUP_NETWORK_H
#define NETSETUP_NETWORK_H

#include <stdbool.h>
#include <stdio.h>

#include "error.h"
#include "hookstate.h"
#include "netconf.h"

/* createRuntime: everything or nothing (what was done is undone on
   failure). A leftover of the same container id (a killed earlier run) and
   leases of containers that are gone are cleaned first. */
int network_up (const struct net_config *c, const struct hook_state *st, oci_error **err);
/* poststop: remove the container's veth, port mappings and lease; fine when
   there is nothing. `prune`: also remove the network when it is empty. */
int network_down (const struct net_config *c, const char *id, bool prune, oci_error **err);
/* Leases (address, id, pid, live/stale, host interface, ports) and the
   nftables table, on `out`. */
int network_status (const struct net_config *c, FILE *out, oci_error **err);
/* Remove every container link, mapping and lease of the network, its
   bridge, its subnet in the table, and the table when no network is left. */
int network_prune (const struct net_config *c, oci_error **err);

#endif
