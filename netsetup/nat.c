/* nftables ruleset of ocikit through libnftables (libnftables(3)). The
   commands are nft syntax assembled here; nothing runs the nft binary. */
#include "nat.h"

#include <arpa/inet.h>
#include <errno.h>
#include <nftables/libnftables.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"

int nat_open (struct nft_ctx **ctx, oci_error **err)
{
  *ctx = nft_ctx_new (NFT_CTX_DEFAULT);
  if (*ctx == NULL)
    return oci_error_set (err, ENOMEM, "nftables context");
  /* Capture nft's messages: stdout is not ours to print on. */
  if (nft_ctx_buffer_output (*ctx) < 0 || nft_ctx_buffer_error (*ctx) < 0)
    return oci_error_set (err, ENOMEM, "nftables context");
  return 0;
}

void nat_close (struct nft_ctx **ctx)
{
  if (*ctx)
    nft_ctx_free (*ctx);
  *ctx = NULL;
}

/* First line of nft's error text, without the echo of the command. */
static void first_error_line (struct nft_ctx *ctx, char *out, size_t len)
{
  const char *e = nft_ctx_get_error_buffer (ctx);
  size_t n;

  if (e == NULL || *e == '\0')
    e = "failed";
  if (strncmp (e, "Error: ", 7) == 0)
    e += 7;
  n = strcspn (e, "\n");
  if (n >= len)
    n = len - 1;
  memcpy (out, e, n);
  out[n] = '\0';
}

/* Run one transaction with empty output and error buffers (libnftables
   appends to them until they are read). */
static int exec_cmd (struct nft_ctx *ctx, const char *cmd)
{
  nft_ctx_get_output_buffer (ctx);
  nft_ctx_get_error_buffer (ctx);
  return nft_run_cmd_from_buffer (ctx, cmd);
}

static int run (struct nft_ctx *ctx, const char *cmd, const char *what, oci_error **err)
{
  char msg[256];
  if (exec_cmd (ctx, cmd) == 0)
    return 0;
  first_error_line (ctx, msg, sizeof msg);
  return oci_error_set (err, 0, "nftables: %s: %s", what, msg);
}

static char *subnet_str (const struct net_config *c, char *buf, size_t len)
{
  char a[INET_ADDRSTRLEN];
  inet_ntop (AF_INET, &c->subnet, a, sizeof a);
  snprintf (buf, len, "%s/%d", a, c->prefix);
  return buf;
}

int nat_ensure_network (struct nft_ctx *ctx, const struct net_config *c, oci_error **err)
{
  cleanup_free char *cmd = NULL;
  char sub[32];
  const char *t = c->table;

  /* `add` is idempotent for tables, sets and chains; the chains with rules
     are flushed and refilled in the same transaction, so running this
     again (or from 50 hooks at once) leaves one copy of each rule. */
  if (asprintf (&cmd,
                "add table ip %1$s\n"
                "add set ip %1$s nets { type ipv4_addr; flags interval; }\n"
                "add map ip %1$s dnat_any { type inet_proto . inet_service : ipv4_addr . inet_service; }\n"
                "add map ip %1$s dnat_ip { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service; }\n"
                "add chain ip %1$s portmap\n"
                "add chain ip %1$s prerouting { type nat hook prerouting priority dstnat; policy accept; }\n"
                "add chain ip %1$s output { type nat hook output priority -100; policy accept; }\n"
                "add chain ip %1$s postrouting { type nat hook postrouting priority srcnat; policy accept; }\n"
                "flush chain ip %1$s portmap\n"
                "flush chain ip %1$s prerouting\n"
                "flush chain ip %1$s output\n"
                "flush chain ip %1$s postrouting\n"
                "add rule ip %1$s portmap dnat ip to ip daddr . meta l4proto . th dport map @dnat_ip\n"
                "add rule ip %1$s portmap dnat ip to meta l4proto . th dport map @dnat_any\n"
                "add rule ip %1$s prerouting fib daddr type local jump portmap\n"
                "add rule ip %1$s output fib daddr type local jump portmap\n"
                /* Leaving the container networks: the host's address. */
                "add rule ip %1$s postrouting ip saddr @nets ip daddr != @nets masquerade\n"
                /* Hairpin: a container reaching a published port (its own or
                   another's) must see the reply come from the host. */
                "add rule ip %1$s postrouting ct status dnat ip saddr @nets ip daddr @nets masquerade\n"
                /* 127.0.0.1:PORT from the host (needs route_localnet on the
                   bridge): 127/8 cannot be a source on the wire. */
                "add rule ip %1$s postrouting ct status dnat ip saddr 127.0.0.0/8 ip daddr @nets masquerade\n"
                "add element ip %1$s nets { %2$s }\n",
                t, subnet_str (c, sub, sizeof sub))
      < 0)
    return oci_error_set (err, ENOMEM, "nftables");
  return run (ctx, cmd, "set up the ocikit table", err);
}

static int append (char **buf, const char *fmt, ...)
{
  va_list ap;
  char *piece = NULL, *joined = NULL;
  int r;

  va_start (ap, fmt);
  r = vasprintf (&piece, fmt, ap);
  va_end (ap);
  if (r < 0)
    return -1;
  r = asprintf (&joined, "%s%s", *buf ? *buf : "", piece);
  free (piece);
  if (r < 0)
    return -1;
  free (*buf);
  *buf = joined;
  return 0;
}

/* `ELEMENT-KEY : VALUE` of one mapping in map `*map`. */
static void mapping_element (const struct port_mapping *p, struct in_addr addr,
                             const char **map, char *key, size_t klen, char *val, size_t vlen)
{
  char h[INET_ADDRSTRLEN], a[INET_ADDRSTRLEN];
  inet_ntop (AF_INET, &p->host_ip, h, sizeof h);
  inet_ntop (AF_INET, &addr, a, sizeof a);
  if (p->host_ip.s_addr == 0)
    {
      *map = "dnat_any";
      snprintf (key, klen, "%s . %u", port_protocol_name (p->protocol), p->host_port);
    }
  else
    {
      *map = "dnat_ip";
      snprintf (key, klen, "%s . %s . %u", h, port_protocol_name (p->protocol), p->host_port);
    }
  snprintf (val, vlen, "%s . %u", a, p->container_port);
}

int nat_add_ports (struct nft_ctx *ctx, const struct net_config *c, struct in_addr addr,
                   const struct port_mapping *p, size_t n, oci_error **err)
{
  cleanup_free char *cmd = NULL;
  char key[64], val[64], msg[256];
  const char *map;
  size_t i;

  if (n == 0)
    return 0;
  for (i = 0; i < n; i++)
    {
      mapping_element (&p[i], addr, &map, key, sizeof key, val, sizeof val);
      /* `create` fails when the key exists: a host port has one owner. */
      if (append (&cmd, "create element ip %s %s { %s : %s }\n", c->table, map, key, val) < 0)
        return oci_error_set (err, ENOMEM, "nftables");
    }
  if (exec_cmd (ctx, cmd) == 0)
    return 0;
  first_error_line (ctx, msg, sizeof msg);
  if (strstr (msg, "File exists"))
    {
      /* Name the mapping that clashed: try them one by one (nothing was
         committed by the failed transaction). */
      for (i = 0; i < n; i++)
        {
          cleanup_free char *one = NULL;
          char h[INET_ADDRSTRLEN];
          mapping_element (&p[i], addr, &map, key, sizeof key, val, sizeof val);
          if (asprintf (&one, "add element ip %s %s { %s : %s }\n"
                        "delete element ip %s %s { %s }\n",
                        c->table, map, key, val, c->table, map, key) < 0)
            break;
          if (exec_cmd (ctx, one) != 0)
            {
              inet_ntop (AF_INET, &p[i].host_ip, h, sizeof h);
              return oci_error_set (err, 0, "host port %s %s:%u is already published",
                                    port_protocol_name (p[i].protocol), h, p[i].host_port);
            }
        }
    }
  return oci_error_set (err, 0, "nftables: add port mappings: %s", msg);
}

int nat_del_ports (struct nft_ctx *ctx, const struct net_config *c, struct in_addr addr,
                   const struct port_mapping *p, size_t n, oci_error **err)
{
  char key[64], val[64];
  const char *map;
  size_t i;

  for (i = 0; i < n; i++)
    {
      cleanup_free char *cmd = NULL;
      mapping_element (&p[i], addr, &map, key, sizeof key, val, sizeof val);
      /* add-then-delete in one transaction: succeeds whether or not the
         element is there (idempotent down), and fails (deleting nothing)
         when the key now maps to someone else. A missing table or map
         fails too, which also means there is nothing to remove. */
      if (asprintf (&cmd, "add element ip %1$s %2$s { %3$s : %4$s }\n"
                    "delete element ip %1$s %2$s { %3$s }\n",
                    c->table, map, key, val) < 0)
        return oci_error_set (err, ENOMEM, "nftables");
      exec_cmd (ctx, cmd);
    }
  return 0;
}

int nat_remove_network (struct nft_ctx *ctx, const struct net_config *c, oci_error **err)
{
  cleanup_free char *cmd = NULL;
  char sub[32];
  const char *out;

  if (asprintf (&cmd, "list set ip %s nets", c->table) < 0)
    return oci_error_set (err, ENOMEM, "nftables");
  if (exec_cmd (ctx, cmd) != 0)
    return 0; /* no table: nothing to remove */
  free (cmd);
  cmd = NULL;
  if (asprintf (&cmd, "add element ip %1$s nets { %2$s }\n"
                "delete element ip %1$s nets { %2$s }\n",
                c->table, subnet_str (c, sub, sizeof sub)) < 0)
    return oci_error_set (err, ENOMEM, "nftables");
  if (run (ctx, cmd, "remove the network's subnet", err) < 0)
    return -1;
  free (cmd);
  cmd = NULL;
  if (asprintf (&cmd, "list set ip %s nets", c->table) < 0)
    return oci_error_set (err, ENOMEM, "nftables");
  if (run (ctx, cmd, "list networks", err) < 0)
    return -1;
  out = nft_ctx_get_output_buffer (ctx);
  if (out && strstr (out, "elements =") == NULL)
    {
      free (cmd);
      cmd = NULL;
      if (asprintf (&cmd, "delete table ip %s", c->table) < 0)
        return oci_error_set (err, ENOMEM, "nftables");
      return run (ctx, cmd, "delete the ocikit table", err);
    }
  return 0;
}

int nat_list (struct nft_ctx *ctx, const struct net_config *c, char **out, oci_error **err)
{
  cleanup_free char *cmd = NULL;
  const char *o;

  *out = NULL;
  if (asprintf (&cmd, "list table ip %s", c->table) < 0)
    return oci_error_set (err, ENOMEM, "nftables");
  if (exec_cmd (ctx, cmd) != 0)
    return 0;
  o = nft_ctx_get_output_buffer (ctx);
  *out = strdup (o ? o : "");
  return *out ? 0 : oci_error_set (err, ENOMEM, "nftables");
}
