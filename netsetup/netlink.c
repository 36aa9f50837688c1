/* rtnetlink requests over libmnl (rtnetlink(7), libmnl examples). */
#include "netlink.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"

int nl_open (struct nl *nl, oci_error **err)
{
  nl->sock = mnl_socket_open2 (NETLINK_ROUTE, SOCK_CLOEXEC);
  if (nl->sock == NULL)
    return oci_error_set (err, errno, "open rtnetlink socket");
  if (mnl_socket_bind (nl->sock, 0, MNL_SOCKET_AUTOPID) < 0)
    {
      int e = errno;
      mnl_socket_close (nl->sock);
      nl->sock = NULL;
      return oci_error_set (err, e, "bind rtnetlink socket");
    }
  nl->portid = mnl_socket_get_portid (nl->sock);
  nl->seq = (unsigned int) time (NULL);
  return 0;
}

int nl_open_in_netns (struct nl *nl, int nsfd, oci_error **err)
{
  cleanup_close int self = open ("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  int r;

  if (self < 0)
    return oci_error_set (err, errno, "open /proc/self/ns/net");
  if (setns (nsfd, CLONE_NEWNET) < 0)
    return oci_error_set (err, errno, "enter the container's network namespace");
  r = nl_open (nl, err);
  if (setns (self, CLONE_NEWNET) < 0)
    {
      /* Staying in the container's namespace would make every later step
         act on the wrong host: fail hard. */
      nl_close (nl);
      return oci_error_set (err, errno, "return to the host network namespace");
    }
  return r;
}

void nl_close (struct nl *nl)
{
  if (nl->sock)
    mnl_socket_close (nl->sock);
  nl->sock = NULL;
}

struct nlmsghdr *nl_request (struct nl *nl, void *buf, uint16_t type, uint16_t flags)
{
  struct nlmsghdr *nlh = mnl_nlmsg_put_header (buf);
  nlh->nlmsg_type = type;
  /* A dump ends with NLMSG_DONE; everything else asks for an ACK. */
  nlh->nlmsg_flags = NLM_F_REQUEST | flags | ((flags & NLM_F_DUMP) == NLM_F_DUMP ? 0 : NLM_F_ACK);
  nlh->nlmsg_seq = ++nl->seq;
  return nlh;
}

int nl_talk (struct nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  unsigned int seq = nlh->nlmsg_seq;
  ssize_t n;
  int r;

  if (mnl_socket_sendto (nl->sock, nlh, nlh->nlmsg_len) < 0)
    return -errno;
  for (;;)
    {
      n = mnl_socket_recvfrom (nl->sock, buf, sizeof buf);
      if (n < 0)
        return errno == EINTR ? -EINTR : -errno;
      /* mnl_cb_run returns MNL_CB_STOP (0) on the ACK and -1 with errno
         set from an NLMSG_ERROR. */
      r = mnl_cb_run (buf, (size_t) n, seq, nl->portid, cb, data);
      if (r < 0)
        return -errno;
      if (r == MNL_CB_STOP)
        return 0;
    }
}

struct link_info
{
  int ifindex;
  char *kind;
};

static int link_attr_cb (const struct nlattr *attr, void *data)
{
  struct link_info *li = data;
  if (mnl_attr_get_type (attr) == IFLA_LINKINFO)
    {
      const struct nlattr *a;
      mnl_attr_for_each_nested (a, attr)
        if (mnl_attr_get_type (a) == IFLA_INFO_KIND && li->kind)
          snprintf (li->kind, 16, "%s", mnl_attr_get_str (a));
    }
  return MNL_CB_OK;
}

static int link_cb (const struct nlmsghdr *nlh, void *data)
{
  struct link_info *li = data;
  struct ifinfomsg *ifm = mnl_nlmsg_get_payload (nlh);
  li->ifindex = ifm->ifi_index;
  mnl_attr_parse (nlh, sizeof *ifm, link_attr_cb, li);
  return MNL_CB_OK;
}

int nl_link_kind (struct nl *nl, const char *name, char kind[16])
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct link_info li = { .ifindex = 0, .kind = kind };
  struct nlmsghdr *nlh;
  struct ifinfomsg *ifm;
  int r;

  if (kind)
    kind[0] = '\0';
  if (strlen (name) >= IFNAMSIZ)
    return -EINVAL;
  nlh = nl_request (nl, buf, RTM_GETLINK, 0);
  ifm = mnl_nlmsg_put_extra_header (nlh, sizeof *ifm);
  ifm->ifi_family = AF_UNSPEC;
  mnl_attr_put_strz (nlh, IFLA_IFNAME, name);
  r = nl_talk (nl, nlh, link_cb, &li);
  if (r < 0)
    return r;
  return li.ifindex > 0 ? li.ifindex : -ENODEV;
}

int nl_link_index (struct nl *nl, const char *name)
{
  return nl_link_kind (nl, name, NULL);
}

int nl_link_up (struct nl *nl, int ifindex, unsigned int mtu)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct nlmsghdr *nlh = nl_request (nl, buf, RTM_NEWLINK, 0);
  struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header (nlh, sizeof *ifm);

  ifm->ifi_family = AF_UNSPEC;
  ifm->ifi_index = ifindex;
  ifm->ifi_flags = IFF_UP;
  ifm->ifi_change = IFF_UP;
  if (mtu)
    mnl_attr_put_u32 (nlh, IFLA_MTU, mtu);
  return nl_talk (nl, nlh, NULL, NULL);
}

int nl_link_del (struct nl *nl, const char *name)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct nlmsghdr *nlh = nl_request (nl, buf, RTM_DELLINK, 0);
  struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header (nlh, sizeof *ifm);

  ifm->ifi_family = AF_UNSPEC;
  mnl_attr_put_strz (nlh, IFLA_IFNAME, name);
  return nl_talk (nl, nlh, NULL, NULL);
}

int nl_addr_add (struct nl *nl, int ifindex, struct in_addr addr, int prefix)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct nlmsghdr *nlh = nl_request (nl, buf, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
  struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header (nlh, sizeof *ifa);
  struct in_addr bcast;

  ifa->ifa_family = AF_INET;
  ifa->ifa_prefixlen = (unsigned char) prefix;
  ifa->ifa_scope = RT_SCOPE_UNIVERSE;
  ifa->ifa_index = (unsigned int) ifindex;
  mnl_attr_put (nlh, IFA_LOCAL, sizeof addr, &addr);
  mnl_attr_put (nlh, IFA_ADDRESS, sizeof addr, &addr);
  bcast.s_addr = addr.s_addr | htonl (prefix ? (0xffffffffu >> prefix) : 0xffffffffu);
  if (prefix < 31)
    mnl_attr_put (nlh, IFA_BROADCAST, sizeof bcast, &bcast);
  return nl_talk (nl, nlh, NULL, NULL);
}

int nl_route_add_default (struct nl *nl, struct in_addr gw, int ifindex)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct nlmsghdr *nlh = nl_request (nl, buf, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
  struct rtmsg *rtm = mnl_nlmsg_put_extra_header (nlh, sizeof *rtm);

  rtm->rtm_family = AF_INET;
  rtm->rtm_dst_len = 0;
  rtm->rtm_table = RT_TABLE_MAIN;
  rtm->rtm_protocol = RTPROT_BOOT;
  rtm->rtm_scope = RT_SCOPE_UNIVERSE;
  rtm->rtm_type = RTN_UNICAST;
  mnl_attr_put (nlh, RTA_GATEWAY, sizeof gw, &gw);
  mnl_attr_put_u32 (nlh, RTA_OIF, (uint32_t) ifindex);
  return nl_talk (nl, nlh, NULL, NULL);
}
