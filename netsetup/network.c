/* The subcommands' work, in the order that makes undo simple: lease, link,
   port mappings, files; undo in reverse. */
#include "network.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bridge.h"
#include "cleanup.h"
#include "ipam.h"
#include "nat.h"
#include "netlink.h"
#include "resolv.h"
#include "veth.h"

/* Remove what lease `l` stands for: the veth (and with it the peer), the
   port mappings, the lease file. Best effort for the first two: the goal
   is that nothing of it remains. */
static int lease_cleanup (struct nl *nl, struct nft_ctx **nat, struct ipam *ip,
                          const struct net_config *c, const struct lease *l, oci_error **err)
{
  char ifname[IFNAMSIZ];

  if (l->host_if[0])
    snprintf (ifname, sizeof ifname, "%s", l->host_if);
  else if (l->id)
    veth_host_name (l->id, ifname);
  else
    ifname[0] = '\0';
  if (ifname[0] && veth_delete (nl, ifname, err) < 0)
    return -1;
  if (l->n_ports > 0)
    {
      if (*nat == NULL && nat_open (nat, err) < 0)
        return -1;
      nat_del_ports (*nat, c, l->addr, l->ports, l->n_ports, err);
    }
  return ipam_release (ip, l->addr, err);
}

static int open_netns (pid_t pid, oci_error **err)
{
  char path[64];
  struct stat self, other;
  int fd;

  snprintf (path, sizeof path, "/proc/%d/ns/net", (int) pid);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return oci_error_set (err, errno, "network namespace of container process %d", (int) pid);
  if (stat ("/proc/self/ns/net", &self) == 0 && fstat (fd, &other) == 0
      && self.st_ino == other.st_ino && self.st_dev == other.st_dev)
    {
      close (fd);
      return oci_error_set (err, 0, "container process %d shares the host's network namespace "
                            "(config.json needs a \"network\" namespace)", (int) pid);
    }
  return fd;
}

int network_up (const struct net_config *c, const struct hook_state *st, oci_error **err)
{
  cleanup_nl struct nl nl = { 0 };
  cleanup_nat struct nft_ctx *nat = NULL;
  cleanup_close int nsfd = -1;
  struct lease me = { 0 };
  struct lease *all = NULL;
  size_t n_all = 0, i;
  bool leased = false, linked = false, mapped = false;
  int bridge;

  if (st->mode && strcmp (st->mode, "bridge") != 0)
    {
      if (strcmp (st->mode, "none") == 0 || strcmp (st->mode, "host") == 0)
        return 0;
      return oci_error_set (err, 0, "annotation %s: unknown mode `%s` (want bridge, none or host)",
                            ANNOTATION_NET_MODE, st->mode);
    }
  if (st->pid <= 0)
    return oci_error_set (err, 0, "container state on stdin: no `pid` (run `up` as a createRuntime hook)");
  nsfd = open_netns (st->pid, err);
  if (nsfd < 0)
    return -1;
  me.id = st->id;
  me.ports = st->ports;
  me.n_ports = st->n_ports;
  veth_host_name (st->id, me.host_if);
  if (lease_set_owner (&me, st->pid, err) < 0)
    return -1;

  if (nl_open (&nl, err) < 0)
    return -1;
  bridge = bridge_ensure (&nl, c, err);
  if (bridge < 0)
    return -1;
  if (nat_open (&nat, err) < 0 || nat_ensure_network (nat, c, err) < 0)
    return -1;

  {
    cleanup_ipam struct ipam ip = { -1, -1 };
    if (ipam_open (c, &ip, err) < 0 || ipam_list (&ip, &all, &n_all, err) < 0)
      return -1;
    for (i = 0; i < n_all; i++)
      {
        /* Our own id: a run that was killed half-way; anyone else's dead
           container: its poststop never came. */
        bool mine = all[i].id && strcmp (all[i].id, st->id) == 0;
        if ((mine || !lease_is_live (&all[i]))
            && lease_cleanup (&nl, &nat, &ip, c, &all[i], err) < 0)
          {
            leases_free (all, n_all);
            return -1;
          }
      }
    leases_free (all, n_all);
    if (veth_delete (&nl, me.host_if, err) < 0 || ipam_allocate (&ip, c, &me, err) < 0)
      return -1;
    leased = true;
  }

  if (veth_create (&nl, me.host_if, bridge, c->mtu, nsfd, err) < 0)
    goto undo;
  linked = true;
  if (veth_configure_container (nsfd, me.addr, c->prefix, c->gateway, err) < 0)
    goto undo;
  if (nat_add_ports (nat, c, me.addr, me.ports, me.n_ports, err) < 0)
    goto undo;
  mapped = true;
  if (st->bundle && resolv_write_bundle (st->bundle, st->id, me.addr, err) < 0)
    goto undo;
  return 0;

undo:
  {
    oci_error *ignored = NULL;
    cleanup_ipam struct ipam ip = { -1, -1 };
    if (mapped)
      nat_del_ports (nat, c, me.addr, me.ports, me.n_ports, &ignored);
    if (linked)
      veth_delete (&nl, me.host_if, &ignored);
    if (leased && ipam_open (c, &ip, &ignored) == 0)
      ipam_release (&ip, me.addr, &ignored);
    oci_error_free (&ignored);
  }
  return -1;
}

static bool dir_exists (const char *path)
{
  struct stat s;
  return stat (path, &s) == 0 && S_ISDIR (s.st_mode);
}

int network_down (const struct net_config *c, const char *id, bool prune, oci_error **err)
{
  cleanup_nl struct nl nl = { 0 };
  cleanup_nat struct nft_ctx *nat = NULL;
  cleanup_ipam struct ipam ip = { -1, -1 };
  struct lease *all = NULL;
  size_t n_all = 0, i, left = 0;
  char ifname[IFNAMSIZ];
  int r = 0;

  if (nl_open (&nl, err) < 0)
    return -1;
  veth_host_name (id, ifname);
  if (!dir_exists (c->lease_dir))
    return veth_delete (&nl, ifname, err);
  if (ipam_open (c, &ip, err) < 0 || ipam_list (&ip, &all, &n_all, err) < 0)
    return -1;
  for (i = 0; i < n_all && r == 0; i++)
    {
      if (all[i].id && strcmp (all[i].id, id) == 0)
        r = lease_cleanup (&nl, &nat, &ip, c, &all[i], err);
      else
        left++;
    }
  leases_free (all, n_all);
  if (r == 0)
    r = veth_delete (&nl, ifname, err);
  if (r == 0 && prune && left == 0)
    {
      ipam_close (&ip);
      r = network_prune (c, err);
    }
  return r;
}

int network_status (const struct net_config *c, FILE *out, oci_error **err)
{
  cleanup_nat struct nft_ctx *nat = NULL;
  cleanup_free char *table = NULL;
  struct lease *all = NULL;
  size_t n_all = 0, i, j;
  char sub[INET_ADDRSTRLEN], gw[INET_ADDRSTRLEN];

  inet_ntop (AF_INET, &c->subnet, sub, sizeof sub);
  inet_ntop (AF_INET, &c->gateway, gw, sizeof gw);
  fprintf (out, "network %s bridge %s subnet %s/%d gateway %s leases %s\n", c->name, c->bridge,
           sub, c->prefix, gw, c->lease_dir);
  if (dir_exists (c->lease_dir))
    {
      cleanup_ipam struct ipam ip = { -1, -1 };
      if (ipam_open (c, &ip, err) < 0 || ipam_list (&ip, &all, &n_all, err) < 0)
        return -1;
    }
  for (i = 0; i < n_all; i++)
    {
      char a[INET_ADDRSTRLEN];
      inet_ntop (AF_INET, &all[i].addr, a, sizeof a);
      fprintf (out, "%s\t%s\t%d\t%s\t%s", a, all[i].id ? all[i].id : "?", (int) all[i].pid,
               lease_is_live (&all[i]) ? "live" : "stale",
               all[i].host_if[0] ? all[i].host_if : "-");
      for (j = 0; j < all[i].n_ports; j++)
        {
          const struct port_mapping *p = &all[i].ports[j];
          char h[INET_ADDRSTRLEN];
          inet_ntop (AF_INET, &p->host_ip, h, sizeof h);
          fprintf (out, "%s%s:%u->%u/%s", j ? "," : "\t", h, p->host_port, p->container_port,
                   port_protocol_name (p->protocol));
        }
      fputc ('\n', out);
    }
  leases_free (all, n_all);
  if (nat_open (&nat, err) < 0 || nat_list (nat, c, &table, err) < 0)
    return -1;
  if (table)
    fputs (table, out);
  return 0;
}

int network_prune (const struct net_config *c, oci_error **err)
{
  cleanup_nl struct nl nl = { 0 };
  cleanup_nat struct nft_ctx *nat = NULL;
  struct lease *all = NULL;
  size_t n_all = 0, i;
  int r = 0;

  if (nl_open (&nl, err) < 0)
    return -1;
  if (dir_exists (c->lease_dir))
    {
      cleanup_ipam struct ipam ip = { -1, -1 };
      if (ipam_open (c, &ip, err) < 0 || ipam_list (&ip, &all, &n_all, err) < 0)
        return -1;
      for (i = 0; i < n_all && r == 0; i++)
        r = lease_cleanup (&nl, &nat, &ip, c, &all[i], err);
      leases_free (all, n_all);
      if (r < 0)
        return -1;
      unlinkat (ip.dirfd, "last_reserved_ip", 0);
      unlinkat (ip.dirfd, "lock", 0);
      /* The directory goes only when empty: anything else there is not
         ours to delete. */
      rmdir (c->lease_dir);
    }
  if (bridge_remove (&nl, c, err) < 0)
    return -1;
  if (nat == NULL && nat_open (&nat, err) < 0)
    return -1;
  return nat_remove_network (nat, c, err);
}
