/* The network's bridge: created once with the gateway address, shared by
   every container of the network, left in place by `down`. */
#ifndef NETSETUP_BRIDGE_H
#define NETSETUP_BRIDGE_H

#include "error.h"
#include "netconf.h"
#include "netlink.h"

/* Create the bridge if missing, give it the gateway address, bring it up,
   turn on route_localnet (127.0.0.1 port mappings) and ip_forward.
   Returns its ifindex. */
int bridge_ensure (struct nl *nl, const struct net_config *c, oci_error **err);
/* Delete the bridge and every port still attached to it (absent is fine). */
int bridge_remove (struct nl *nl, const struct net_config *c, oci_error **err);

#endif
