/* /etc/hosts, /etc/hostname and /etc/resolv.conf as podman does them:
   files in the bundle, bind-mounted over the image's. With --net host
   the host's own hosts and resolv.conf are used; with --net bridge
   netsetup rewrites BUNDLE/hosts and BUNDLE/resolv.conf in place (the
   bind mounts follow the inode, so it must not replace them by rename);
   resolvers on 127.0.0.0/8 and ::1 are dropped because they cannot be
   reached from another network namespace. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"

void etc_files_clear (etc_files *f)
{
  free (f->hosts);
  free (f->hostname);
  free (f->resolv_conf);
  memset (f, 0, sizeof *f);
}

char *etc_default_hostname (const char *bundle_dir)
{
  char buf[64];
  size_t n = 0;
  const char *end = bundle_dir + strlen (bundle_dir), *base;
  while (end > bundle_dir && end[-1] == '/')
    end--;
  base = end;
  while (base > bundle_dir && base[-1] != '/')
    base--;
  for (const char *p = base; p < end && n < sizeof buf - 1; p++)
    {
      char c = (char) tolower ((unsigned char) *p);
      if (isalnum ((unsigned char) c))
        buf[n++] = c;
      else if (n > 0 && buf[n - 1] != '-')
        buf[n++] = '-';
    }
  while (n > 0 && buf[n - 1] == '-')
    n--;
  buf[n] = '\0';
  return strdup (n ? buf : "container");
}

static bool loopback_nameserver (const char *line)
{
  const char *p = line;
  if (strncmp (p, "nameserver", 10) != 0 || !isspace ((unsigned char) p[10]))
    return false;
  p += 10;
  while (isspace ((unsigned char) *p))
    p++;
  return strncmp (p, "127.", 4) == 0 || strncmp (p, "::1", 3) == 0;
}

/* The host's resolv.conf without loopback resolvers. */
static char *filter_resolv (const char *in)
{
  size_t len = strlen (in);
  char *out = malloc (len + 2), *o = out;
  const char *p = in;
  if (out == NULL)
    return NULL;
  while (*p)
    {
      const char *nl = strchr (p, '\n');
      size_t l = nl ? (size_t) (nl - p) : strlen (p);
      if (!loopback_nameserver (p))
        {
          memcpy (o, p, l);
          o += l;
          *o++ = '\n';
        }
      p += l + (nl ? 1 : 0);
    }
  *o = '\0';
  return out;
}

int etc_files_build (enum net_mode net, const char *hostname, const char *host_hosts,
                     const char *host_resolv, etc_files *out, oci_error **err)
{
  memset (out, 0, sizeof *out);
  if (asprintf (&out->hostname, "%s\n", hostname) < 0)
    out->hostname = NULL;
  if (net == NET_HOST && host_hosts)
    out->hosts = strdup (host_hosts);
  else if (asprintf (&out->hosts,
                     "127.0.0.1\tlocalhost\n"
                     "::1\tlocalhost ip6-localhost ip6-loopback\n"
                     "127.0.1.1\t%s\n",
                     hostname) < 0)
    out->hosts = NULL;
  if (net == NET_HOST)
    out->resolv_conf = strdup (host_resolv ? host_resolv : "");
  else if (net == NET_BRIDGE && host_resolv)
    out->resolv_conf = filter_resolv (host_resolv);
  else
    out->resolv_conf = strdup ("");
  if (out->hostname == NULL || out->hosts == NULL || out->resolv_conf == NULL)
    {
      etc_files_clear (out);
      return oci_error_set (err, ENOMEM, "/etc files");
    }
  return 0;
}
