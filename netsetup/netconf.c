/* Network configuration: defaults (DESIGN.md "Networking": ocikit0,
   10.88.0.0/16), a small key = value file, command-line overrides. */
#include "netconf.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "fileutil.h"

void net_config_defaults (struct net_config *c)
{
  memset (c, 0, sizeof *c);
  snprintf (c->name, sizeof c->name, "%s", NETCONF_DEFAULT_NAME);
  snprintf (c->bridge, sizeof c->bridge, "ocikit0");
  inet_pton (AF_INET, "10.88.0.0", &c->subnet);
  c->prefix = 16;
  c->mtu = 1500;
  snprintf (c->table, sizeof c->table, "ocikit");
}

int parse_cidr (const char *s, struct in_addr *addr, int *prefix)
{
  char ip[INET_ADDRSTRLEN];
  const char *slash = strchr (s, '/');
  char *end;
  long p;

  if (slash == NULL || (size_t) (slash - s) >= sizeof ip)
    return -1;
  memcpy (ip, s, (size_t) (slash - s));
  ip[slash - s] = '\0';
  if (inet_pton (AF_INET, ip, addr) != 1)
    return -1;
  errno = 0;
  p = strtol (slash + 1, &end, 10);
  if (errno || *end || end == slash + 1 || p < 0 || p > 32)
    return -1;
  *prefix = (int) p;
  if (p < 32 && (ntohl (addr->s_addr) & (0xffffffffu >> p)) != 0)
    return -1;
  return 0;
}

static bool valid_name (const char *s)
{
  if (*s == '\0')
    return false;
  for (; *s; s++)
    if (!isalnum ((unsigned char) *s) && *s != '-' && *s != '_' && *s != '.')
      return false;
  return true;
}

int net_config_set (struct net_config *c, const char *key, const char *value,
                    oci_error **err)
{
  if (strcmp (key, "bridge") == 0)
    {
      if (strlen (value) >= IFNAMSIZ || !valid_name (value) || strchr (value, '.'))
        return oci_error_set (err, 0, "bridge name `%s`: want 1-15 letters, digits, - or _", value);
      snprintf (c->bridge, sizeof c->bridge, "%s", value);
    }
  else if (strcmp (key, "subnet") == 0)
    {
      if (parse_cidr (value, &c->subnet, &c->prefix) < 0)
        return oci_error_set (err, 0, "subnet `%s`: want an IPv4 network such as 10.88.0.0/16", value);
      if (c->prefix < 8 || c->prefix > 29)
        return oci_error_set (err, 0, "subnet `%s`: prefix must be between /8 and /29", value);
      c->gateway.s_addr = 0;
    }
  else if (strcmp (key, "gateway") == 0)
    {
      if (inet_pton (AF_INET, value, &c->gateway) != 1)
        return oci_error_set (err, 0, "gateway `%s`: not an IPv4 address", value);
    }
  else if (strcmp (key, "mtu") == 0)
    {
      char *end;
      unsigned long m;
      errno = 0;
      m = strtoul (value, &end, 10);
      if (errno || *end || m < 576 || m > 65535)
        return oci_error_set (err, 0, "mtu `%s`: want a number between 576 and 65535", value);
      c->mtu = (unsigned int) m;
    }
  else if (strcmp (key, "table") == 0)
    {
      if (strlen (value) >= sizeof c->table || !valid_name (value) || strchr (value, '.'))
        return oci_error_set (err, 0, "nftables table `%s`: want letters, digits, - or _", value);
      snprintf (c->table, sizeof c->table, "%s", value);
    }
  else if (strcmp (key, "lease_dir") == 0)
    {
      if (value[0] != '/' || strlen (value) >= sizeof c->lease_dir)
        return oci_error_set (err, 0, "lease directory `%s`: want an absolute path", value);
      snprintf (c->lease_dir, sizeof c->lease_dir, "%s", value);
    }
  else if (strcmp (key, "name") == 0 || strcmp (key, "network") == 0)
    {
      if (strlen (value) >= sizeof c->name || !valid_name (value) || value[0] == '.')
        return oci_error_set (err, 0, "network name `%s`: want letters, digits, ., - or _", value);
      snprintf (c->name, sizeof c->name, "%s", value);
    }
  else
    return oci_error_set (err, 0, "unknown setting `%s`", key);
  return 0;
}

static char *trim (char *s)
{
  char *e;
  while (isspace ((unsigned char) *s))
    s++;
  e = s + strlen (s);
  while (e > s && isspace ((unsigned char) e[-1]))
    *--e = '\0';
  return s;
}

int net_config_read_file (struct net_config *c, const char *path, oci_error **err)
{
  cleanup_free char *defpath = NULL;
  cleanup_free char *text = NULL;
  char *line, *save = NULL;
  size_t len, lineno = 0;

  if (path == NULL)
    {
      if (asprintf (&defpath, "%s/%s.conf", NETCONF_DIR, c->name) < 0)
        return oci_error_set (err, ENOMEM, "config path");
      path = defpath;
      if (access (path, F_OK) < 0 && errno == ENOENT)
        return 0;
    }
  if (read_file_at (AT_FDCWD, path, 64 * 1024, &text, &len, err) < 0)
    return oci_error_prefix (err, "network config");
  for (line = strtok_r (text, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      char *eq, *hash, *k;
      lineno++;
      if ((hash = strchr (line, '#')))
        *hash = '\0';
      k = trim (line);
      if (*k == '\0')
        continue;
      eq = strchr (k, '=');
      if (eq == NULL)
        return oci_error_set (err, 0, "%s:%zu: want `key = value`", path, lineno);
      *eq = '\0';
      if (net_config_set (c, trim (k), trim (eq + 1), err) < 0)
        return oci_error_prefix (err, "%s:%zu", path, lineno);
    }
  return 0;
}

int net_config_finish (struct net_config *c, oci_error **err)
{
  unsigned int net = ntohl (c->subnet.s_addr), mask = net_config_hostmask (c);
  unsigned int gw;
  char sub[INET_ADDRSTRLEN];

  inet_ntop (AF_INET, &c->subnet, sub, sizeof sub);
  if (c->gateway.s_addr == 0)
    c->gateway.s_addr = htonl (net + 1);
  gw = ntohl (c->gateway.s_addr);
  if ((gw & ~mask) != net || (gw & mask) == 0 || (gw & mask) == mask)
    return oci_error_set (err, 0, "gateway is not a host address of subnet %s/%d", sub, c->prefix);
  if (c->lease_dir[0] == '\0')
    snprintf (c->lease_dir, sizeof c->lease_dir, "%s/%s", NETCONF_LEASE_ROOT, c->name);
  return 0;
}
