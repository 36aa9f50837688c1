/* NAT through libnftables: one table owned by ocikit (default `ip ocikit`)
   holding
   - set `nets`: the subnets of every ocikit network;
   - maps `dnat_any` (proto . port → address . port) and `dnat_ip`
     (host address . proto . port → address . port): the port mappings;
   - chains prerouting/output (DNAT for local destinations), postrouting
     (masquerade leaving the subnets; masquerade DNAT'd hairpin traffic and
     DNAT'd 127.0.0.0/8 traffic, as the CNI portmap plugin does).
   Port mappings are map elements keyed by the host side, so one
   transaction adds a container's ports and deleting them by key removes
   exactly those. */
#ifndef NETSETUP_NAT_H
#define NETSETUP_NAT_H

#include <netinet/in.h>
#include <stddef.h>

#include "error.h"
#include "hookstate.h"
#include "netconf.h"

struct nft_ctx;

int nat_open (struct nft_ctx **ctx, oci_error **err);
void nat_close (struct nft_ctx **ctx);
#define cleanup_nat __attribute__ ((cleanup (nat_close)))

/* Create or refresh the table, its chains and rules (atomically, so
   concurrent callers agree), and add this network's subnet to `nets`. */
int nat_ensure_network (struct nft_ctx *ctx, const struct net_config *c, oci_error **err);
/* Add the port mappings to `addr` in one transaction: all or none; a host
   port already mapped is an error. */
int nat_add_ports (struct nft_ctx *ctx, const struct net_config *c, struct in_addr addr,
                   const struct port_mapping *p, size_t n, oci_error **err);
/* Remove the port mappings to `addr`; mappings absent, or now held by
   another address, are left alone. */
int nat_del_ports (struct nft_ctx *ctx, const struct net_config *c, struct in_addr addr,
                   const struct port_mapping *p, size_t n, oci_error **err);
/* Remove the network's subnet; drop the table when no network is left. */
int nat_remove_network (struct nft_ctx *ctx, const struct net_config *c, oci_error **err);
/* The table as nft prints it (malloc'd), NULL when there is none. */
int nat_list (struct nft_ctx *ctx, const struct net_config *c, char **out, oci_error **err);

#endif
