/* Host-local IP address management, as the CNI host-local plugin keeps it:
   one file per leased address in the network's lease directory (named by
   the address, holding who has it), a `lock` file flocked around every
   change, `last_reserved_ip` for round-robin allocation. A lease whose
   process is gone (pid dead, or reused: start time and boot id differ) is
   stale and may be reclaimed. */
#ifndef NETSETUP_IPAM_H
#define NETSETUP_IPAM_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "hookstate.h"
#include "netconf.h"

struct lease
{
  struct in_addr addr;
  char *id;                   /* NULL when the file could not be read */
  pid_t pid;
  unsigned long long start_time; /* /proc/PID/stat field 22 */
  char boot_id[40];
  char host_if[IFNAMSIZ];
  struct port_mapping *ports;
  size_t n_ports;
};

struct ipam
{
  int dirfd;
  int lockfd;
};

/* Create/open the lease directory and take its lock (held until close). */
int ipam_open (const struct net_config *c, struct ipam *ip, oci_error **err);
void ipam_close (struct ipam *ip);
#define cleanup_ipam __attribute__ ((cleanup (ipam_close)))

/* Every lease of the network (unreadable files come back with id NULL). */
int ipam_list (struct ipam *ip, struct lease **out, size_t *n, oci_error **err);
void leases_free (struct lease *l, size_t n);

/* Pick the next free host address after the last one handed out, record
   `l` (id, pid, ports…) under it and set l->addr. */
int ipam_allocate (struct ipam *ip, const struct net_config *c, struct lease *l,
                   oci_error **err);
/* Remove the lease file of `addr` (absent is fine). */
int ipam_release (struct ipam *ip, struct in_addr addr, oci_error **err);

/* Fill pid, start_time and boot_id for a live process. */
int lease_set_owner (struct lease *l, pid_t pid, oci_error **err);
/* True while the process that took the lease still runs. */
bool lease_is_live (const struct lease *l);

/* Serialise / parse a lease file's JSON (exposed for the unit tests). */
int lease_to_json (const struct lease *l, char **out, size_t *len, oci_error **err);
int lease_from_json (const char *buf, size_t len, struct lease *l, oci_error **err);

#endif
