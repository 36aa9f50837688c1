/* The OCI state a hook reads on stdin (runtime-spec runtime.md "State",
   config.md "POSIX-platform Hooks") and the port mappings mkbundle puts in
   its annotations. */
#ifndef NETSETUP_HOOKSTATE_H
#define NETSETUP_HOOKSTATE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

#define ANNOTATION_NET_MODE "org.ocikit.net.mode"
#define ANNOTATION_NET_PORTS "org.ocikit.net.ports"

struct port_mapping
{
  struct in_addr host_ip;   /* 0.0.0.0: every host address */
  uint16_t host_port;
  uint16_t container_port;
  uint8_t protocol;         /* IPPROTO_TCP or IPPROTO_UDP */
};

struct hook_state
{
  char *id;
  pid_t pid;                /* 0 when absent (poststop) */
  char *bundle;             /* NULL when absent */
  char *mode;               /* NULL when absent */
  struct port_mapping *ports;
  size_t n_ports;
};

int hook_state_parse (const char *buf, size_t len, struct hook_state *st,
                      oci_error **err);
void hook_state_free (struct hook_state *st);

/* Parse the ports annotation: a JSON array of {"hostIP", "hostPort",
   "containerPort", "protocol"}; ports may be numbers or digit strings. */
int ports_parse (const char *json, struct port_mapping **out, size_t *n,
                 oci_error **err);
/* "tcp" / "udp". */
const char *port_protocol_name (uint8_t proto);

#endif
