/* A network's configuration: defaults, then /etc/ocikit/net.d/NAME.conf
   (or --config FILE), then command-line options (the hook's args). */
#ifndef NETSETUP_NETCONF_H
#define NETSETUP_NETCONF_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>

#include "error.h"

#define NETCONF_DIR "/etc/ocikit/net.d"
#define NETCONF_DEFAULT_NAME "ocikit"
#define NETCONF_LEASE_ROOT "/var/lib/ocikit/net"

struct net_config
{
  char name[64];            /* network name: config file and lease dir */
  char bridge[IFNAMSIZ];
  struct in_addr subnet;    /* network address (host bits zero) */
  int prefix;
  struct in_addr gateway;   /* the bridge's address */
  unsigned int mtu;
  char table[64];           /* the nftables table owned by ocikit */
  char lease_dir[4096];
};

void net_config_defaults (struct net_config *c);
/* Read `key = value` lines (bridge, subnet, gateway, mtu, table,
   lease_dir; # comments). `path` NULL: NETCONF_DIR/NAME.conf if present. */
int net_config_read_file (struct net_config *c, const char *path, oci_error **err);
/* Apply one option by key (the same keys as the file). */
int net_config_set (struct net_config *c, const char *key, const char *value,
                    oci_error **err);
/* Check consistency and fill derived values (gateway, lease dir). */
int net_config_finish (struct net_config *c, oci_error **err);

/* "10.88.0.0/16" → address + prefix (host bits must be zero). */
int parse_cidr (const char *s, struct in_addr *addr, int *prefix);

static inline unsigned int net_config_hostmask (const struct net_config *c)
{
  return c->prefix >= 32 ? 0 : 0xffffffffu >> c->prefix;
}

#endif
