/* rtnetlink through libmnl: one socket per network namespace, requests
   answered by an ACK (NLM_F_ACK), errors returned as -errno. Only the
   handful of messages netsetup needs (rtnetlink(7)). */
#ifndef NETSETUP_NETLINK_H
#define NETSETUP_NETLINK_H

#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <stdint.h>

#include "error.h"

struct nl
{
  struct mnl_socket *sock;
  unsigned int seq;
  unsigned int portid;
};

/* A socket in the caller's network namespace. */
int nl_open (struct nl *nl, oci_error **err);
/* A socket bound to the network namespace `nsfd` (a socket stays in the
   namespace it was created in, so we enter it only for socket()). */
int nl_open_in_netns (struct nl *nl, int nsfd, oci_error **err);
void nl_close (struct nl *nl);
#define cleanup_nl __attribute__ ((cleanup (nl_close)))

/* Start a request in `buf` (MNL_SOCKET_BUFFER_SIZE bytes). */
struct nlmsghdr *nl_request (struct nl *nl, void *buf, uint16_t type, uint16_t flags);
/* Send and wait for the ACK; `cb` (may be NULL) sees data replies.
   Returns 0 or -errno. */
int nl_talk (struct nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data);

/* Interface index of `name`, or -ENODEV (or another -errno). */
int nl_link_index (struct nl *nl, const char *name);
/* The IFLA_INFO_KIND of `name` ("bridge", "veth"…) into kind (16 bytes);
   "" when it has none. Returns ifindex or -errno. */
int nl_link_kind (struct nl *nl, const char *name, char kind[16]);
/* Bring `ifindex` up, setting its MTU when mtu != 0. */
int nl_link_up (struct nl *nl, int ifindex, unsigned int mtu);
/* Delete the link `name`; -ENODEV when it is not there. */
int nl_link_del (struct nl *nl, const char *name);
/* Add an IPv4 address; -EEXIST when it is already there. */
int nl_addr_add (struct nl *nl, int ifindex, struct in_addr addr, int prefix);
/* Add the IPv4 default route via `gw` on `ifindex`. */
int nl_route_add_default (struct nl *nl, struct in_addr gw, int ifindex);

#endif
