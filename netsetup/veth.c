/* veth pairs over rtnetlink (veth(4); the peer is described by a nested
   ifinfomsg in VETH_INFO_PEER). */
#include "veth.h"

#include <errno.h>
#include <linux/if_link.h>
#include <linux/veth.h>
#include <stdio.h>
#include <string.h>

#include "digest.h"

void veth_host_name (const char *id, char out[IFNAMSIZ])
{
  char d[DIGEST_STR_LEN + 1];
  digest_buffer (id, strlen (id), d);
  snprintf (out, IFNAMSIZ, "oc%.12s", digest_hex (d));
}

int veth_create (struct nl *nl, const char *host_if, int bridge_ifindex, unsigned int mtu,
                 int nsfd, oci_error **err)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct nlmsghdr *nlh = nl_request (nl, buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
  struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header (nlh, sizeof *ifm), *peer;
  struct nlattr *linkinfo, *data, *peerinfo;
  int r, ifindex;

  ifm->ifi_family = AF_UNSPEC;
  mnl_attr_put_strz (nlh, IFLA_IFNAME, host_if);
  mnl_attr_put_u32 (nlh, IFLA_MTU, mtu);
  linkinfo = mnl_attr_nest_start (nlh, IFLA_LINKINFO);
  mnl_attr_put_strz (nlh, IFLA_INFO_KIND, "veth");
  data = mnl_attr_nest_start (nlh, IFLA_INFO_DATA);
  peerinfo = mnl_attr_nest_start (nlh, VETH_INFO_PEER);
  peer = mnl_nlmsg_put_extra_header (nlh, sizeof *peer);
  memset (peer, 0, sizeof *peer);
  peer->ifi_family = AF_UNSPEC;
  mnl_attr_put_strz (nlh, IFLA_IFNAME, VETH_CONTAINER_IFNAME);
  mnl_attr_put_u32 (nlh, IFLA_MTU, mtu);
  mnl_attr_put_u32 (nlh, IFLA_NET_NS_FD, (uint32_t) nsfd);
  mnl_attr_nest_end (nlh, peerinfo);
  mnl_attr_nest_end (nlh, data);
  mnl_attr_nest_end (nlh, linkinfo);
  r = nl_talk (nl, nlh, NULL, NULL);
  if (r == -EEXIST)
    return oci_error_set (err, -r, "create veth %s (or eth0 in the container)", host_if);
  if (r < 0)
    return oci_error_set (err, -r, "create veth %s", host_if);

  ifindex = nl_link_index (nl, host_if);
  if (ifindex < 0)
    return oci_error_set (err, -ifindex, "veth %s", host_if);
  nlh = nl_request (nl, buf, RTM_NEWLINK, 0);
  ifm = mnl_nlmsg_put_extra_header (nlh, sizeof *ifm);
  ifm->ifi_family = AF_UNSPEC;
  ifm->ifi_index = ifindex;
  ifm->ifi_flags = IFF_UP;
  ifm->ifi_change = IFF_UP;
  mnl_attr_put_u32 (nlh, IFLA_MASTER, (uint32_t) bridge_ifindex);
  r = nl_talk (nl, nlh, NULL, NULL);
  if (r < 0)
    return oci_error_set (err, -r, "attach veth %s to the bridge", host_if);

  /* Hairpin: with br_netfilter a DNAT'd packet to a container on the same
     bridge is bridged, not routed, and a container reaching its own
     published port needs its frame sent back out of the port it came in
     on (the CNI bridge plugin's hairpinMode). */
  nlh = nl_request (nl, buf, RTM_NEWLINK, 0);
  ifm = mnl_nlmsg_put_extra_header (nlh, sizeof *ifm);
  ifm->ifi_family = AF_UNSPEC;
  ifm->ifi_index = ifindex;
  linkinfo = mnl_attr_nest_start (nlh, IFLA_LINKINFO);
  mnl_attr_put_strz (nlh, IFLA_INFO_SLAVE_KIND, "bridge");
  data = mnl_attr_nest_start (nlh, IFLA_INFO_SLAVE_DATA);
  mnl_attr_put_u8 (nlh, IFLA_BRPORT_MODE, 1);
  mnl_attr_nest_end (nlh, data);
  mnl_attr_nest_end (nlh, linkinfo);
  r = nl_talk (nl, nlh, NULL, NULL);
  if (r < 0)
    return oci_error_set (err, -r, "set hairpin mode on %s", host_if);
  return 0;
}

int veth_configure_container (int nsfd, struct in_addr addr, int prefix, struct in_addr gw,
                              oci_error **err)
{
  cleanup_nl struct nl nl = { 0 };
  int lo, eth, r;

  if (nl_open_in_netns (&nl, nsfd, err) < 0)
    return -1;
  lo = nl_link_index (&nl, "lo");
  if (lo < 0)
    return oci_error_set (err, -lo, "container's lo");
  r = nl_link_up (&nl, lo, 0);
  if (r < 0)
    return oci_error_set (err, -r, "bring the container's lo up");
  eth = nl_link_index (&nl, VETH_CONTAINER_IFNAME);
  if (eth < 0)
    return oci_error_set (err, -eth, "container's " VETH_CONTAINER_IFNAME);
  r = nl_addr_add (&nl, eth, addr, prefix);
  if (r < 0)
    return oci_error_set (err, -r, "address the container's " VETH_CONTAINER_IFNAME);
  r = nl_link_up (&nl, eth, 0);
  if (r < 0)
    return oci_error_set (err, -r, "bring the container's " VETH_CONTAINER_IFNAME " up");
  r = nl_route_add_default (&nl, gw, eth);
  if (r < 0)
    return oci_error_set (err, -r, "add the container's default route");
  return 0;
}

int veth_delete (struct nl *nl, const char *host_if, oci_error **err)
{
  int r = nl_link_del (nl, host_if);
  if (r < 0 && r != -ENODEV)
    return oci_error_set (err, -r, "delete veth %s", host_if);
  return 0;
}
