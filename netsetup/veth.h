/* The container's link: a veth pair whose host end joins the bridge and
   whose peer is created directly inside the container's network namespace
   as eth0 (IFLA_NET_NS_FD on the peer), then addressed and routed there. */
#ifndef NETSETUP_VETH_H
#define NETSETUP_VETH_H

#include <net/if.h>
#include <netinet/in.h>

#include "error.h"
#include "netlink.h"

#define VETH_CONTAINER_IFNAME "eth0"

/* The host end's name for a container id: "oc" + 12 hex digits of its
   SHA-256, stable so that `down` and a re-run find it again. */
void veth_host_name (const char *id, char out[IFNAMSIZ]);
int veth_create (struct nl *nl, const char *host_if, int bridge_ifindex, unsigned int mtu,
                 int nsfd, oci_error **err);
/* Inside the namespace: lo up, eth0 address/up, default route via gw. */
int veth_configure_container (int nsfd, struct in_addr addr, int prefix, struct in_addr gw,
                              oci_error **err);
/* Delete the host end (and so the pair); absent is fine. */
int veth_delete (struct nl *nl, const char *host_if, oci_error **err);

#endif
