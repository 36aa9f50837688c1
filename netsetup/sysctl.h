/* The few kernel knobs netsetup turns (ip-sysctl.rst), written through
   /proc/sys rather than by running sysctl. */
#ifndef NETSETUP_SYSCTL_H
#define NETSETUP_SYSCTL_H

#include "error.h"

/* Write `value` to /proc/sys/`key` (key with slashes: net/ipv4/ip_forward);
   a file already holding `value` is left untouched. */
int sysctl_write (const char *key, const char *value, oci_error **err);

#endif
