/* Bridge set-up over rtnetlink (ip-link(8) "bridge" semantics, done by
   hand: no `ip` command). */
#include "bridge.h"

#include <errno.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "digest.h"
#include "sysctl.h"

/* A fixed, locally administered MAC derived from the name: a bridge
   without one takes the lowest MAC of its ports, which changes as
   containers come and go and leaves stale ARP entries behind. */
static void bridge_mac (const char *name, unsigned char mac[6])
{
  char d[DIGEST_STR_LEN + 1];
  int i;
  digest_buffer (name, strlen (name), d);
  for (i = 0; i < 6; i++)
    sscanf (digest_hex (d) + 2 * i, "%2hhx", &mac[i]);
  mac[0] = (unsigned char) ((mac[0] & 0xfe) | 0x02);
}

static int bridge_create (struct nl *nl, const struct net_config *c)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct nlmsghdr *nlh = nl_request (nl, buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
  struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header (nlh, sizeof *ifm);
  struct nlattr *linkinfo;
  unsigned char mac[6];

  ifm->ifi_family = AF_UNSPEC;
  mnl_attr_put_strz (nlh, IFLA_IFNAME, c->bridge);
  bridge_mac (c->bridge, mac);
  mnl_attr_put (nlh, IFLA_ADDRESS, sizeof mac, mac);
  mnl_attr_put_u32 (nlh, IFLA_MTU, c->mtu);
  linkinfo = mnl_attr_nest_start (nlh, IFLA_LINKINFO);
  mnl_attr_put_strz (nlh, IFLA_INFO_KIND, "bridge");
  mnl_attr_nest_end (nlh, linkinfo);
  return nl_talk (nl, nlh, NULL, NULL);
}

int bridge_ensure (struct nl *nl, const struct net_config *c, oci_error **err)
{
  char kind[16], key[128];
  int r, ifindex;

  r = bridge_create (nl, c);
  if (r < 0 && r != -EEXIST)
    return oci_error_set (err, -r, "create bridge %s", c->bridge);
  ifindex = nl_link_kind (nl, c->bridge, kind);
  if (ifindex < 0)
    return oci_error_set (err, -ifindex, "bridge %s", c->bridge);
  if (strcmp (kind, "bridge") != 0)
    return oci_error_set (err, 0, "interface %s exists and is not a bridge", c->bridge);
  r = nl_addr_add (nl, ifindex, c->gateway, c->prefix);
  if (r < 0 && r != -EEXIST)
    return oci_error_set (err, -r, "add the gateway address to bridge %s", c->bridge);
  r = nl_link_up (nl, ifindex, 0);
  if (r < 0)
    return oci_error_set (err, -r, "bring bridge %s up", c->bridge);
  /* 127.0.0.1:PORT → container: the DNAT'd packet keeps its loopback
     source until masquerade, which the kernel routes out of a non-loopback
     device only with route_localnet (the CNI portmap plugin does this). */
  snprintf (key, sizeof key, "net/ipv4/conf/%s/route_localnet", c->bridge);
  if (sysctl_write (key, "1", err) < 0)
    return -1;
  if (sysctl_write ("net/ipv4/ip_forward", "1", err) < 0)
    return -1;
  return ifindex;
}

struct port_list
{
  int master;
  int ifindex[256];
  size_t n;
};

static int port_attr_cb (const struct nlattr *attr, void *data)
{
  int *master = data;
  if (mnl_attr_get_type (attr) == IFLA_MASTER)
    *master = (int) mnl_attr_get_u32 (attr);
  return MNL_CB_OK;
}

static int port_cb (const struct nlmsghdr *nlh, void *data)
{
  struct port_list *pl = data;
  struct ifinfomsg *ifm = mnl_nlmsg_get_payload (nlh);
  int master = 0;
  mnl_attr_parse (nlh, sizeof *ifm, port_attr_cb, &master);
  if (master == pl->master && pl->n < sizeof pl->ifindex / sizeof pl->ifindex[0])
    pl->ifindex[pl->n++] = ifm->ifi_index;
  return MNL_CB_OK;
}

int bridge_remove (struct nl *nl, const struct net_config *c, oci_error **err)
{
  char buf[MNL_SOCKET_BUFFER_SIZE], kind[16];
  struct port_list pl = { .n = 0 };
  struct nlmsghdr *nlh;
  struct ifinfomsg *ifm;
  size_t i;
  int r;

  pl.master = nl_link_kind (nl, c->bridge, kind);
  if (pl.master == -ENODEV)
    return 0;
  if (pl.master < 0)
    return oci_error_set (err, -pl.master, "bridge %s", c->bridge);
  if (strcmp (kind, "bridge") != 0)
    return oci_error_set (err, 0, "interface %s is not a bridge: left alone", c->bridge);
  /* The host ends of veths still attached (their containers' hooks never
     ran `down`): deleting a veth end removes its peer too. */
  nlh = nl_request (nl, buf, RTM_GETLINK, NLM_F_DUMP);
  ifm = mnl_nlmsg_put_extra_header (nlh, sizeof *ifm);
  ifm->ifi_family = AF_UNSPEC;
  mnl_attr_put_u32 (nlh, IFLA_MASTER, (uint32_t) pl.master);
  r = nl_talk (nl, nlh, port_cb, &pl);
  if (r < 0)
    return oci_error_set (err, -r, "list the ports of bridge %s", c->bridge);
  for (i = 0; i < pl.n; i++)
    {
      nlh = nl_request (nl, buf, RTM_DELLINK, 0);
      ifm = mnl_nlmsg_put_extra_header (nlh, sizeof *ifm);
      ifm->ifi_family = AF_UNSPEC;
      ifm->ifi_index = pl.ifindex[i];
      r = nl_talk (nl, nlh, NULL, NULL);
      if (r < 0 && r != -ENODEV)
        return oci_error_set (err, -r, "delete a port of bridge %s", c->bridge);
    }
  r = nl_link_del (nl, c->bridge);
  if (r < 0 && r != -ENODEV)
    return oci_error_set (err, -r, "delete bridge %s", c->bridge);
  return 0;
}
