/* The container's name resolution files: resolv.conf from the host's
   (without 127.0.0.0/8 resolvers, unreachable from another network
   namespace) and hosts naming the container's address. */
#ifndef NETSETUP_RESOLV_H
#define NETSETUP_RESOLV_H

#include <netinet/in.h>
#include <stdbool.h>

#include "error.h"

/* The host's resolv.conf text with loopback nameservers dropped
   (malloc'd). */
char *resolv_filter (const char *host_text);
/* The container's resolv.conf: the host's, filtered; when that leaves no
   nameserver (systemd-resolved's stub), systemd-resolved's upstream list. */
char *resolv_for_container (oci_error **err);
/* hosts(5) text for `hostname` at `addr` (malloc'd). */
char *hosts_text (const char *hostname, struct in_addr addr);

/* Write BUNDLE/resolv.conf and BUNDLE/hosts (in place, so bind mounts of
   them see the new text) and, when the bundle's config.json names a rootfs
   with an /etc, the rootfs' etc/resolv.conf and etc/hosts (resolved inside
   the rootfs). The hostname is config.json's, else the container id. */
int resolv_write_bundle (const char *bundle, const char *id, struct in_addr addr,
                         oci_error **err);

#endif
