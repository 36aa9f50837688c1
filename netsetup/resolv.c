/* resolv.conf and hosts for the container, written into its bundle. */
#include "resolv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "fileutil.h"
#include "json.h"
#include "safepath.h"

#define HOST_RESOLV_CONF "/etc/resolv.conf"

static int is_loopback_nameserver (const char *line)
{
  struct in_addr a;
  char ip[64];
  const char *p = line;

  while (*p == ' ' || *p == '\t')
    p++;
  if (strncmp (p, "nameserver", 10) != 0 || (p[10] != ' ' && p[10] != '\t'))
    return 0;
  p += 10;
  if (sscanf (p, " %63s", ip) != 1)
    return 0;
  if (inet_pton (AF_INET, ip, &a) == 1)
    return (ntohl (a.s_addr) >> 24) == 127;
  return strcmp (ip, "::1") == 0;
}

char *resolv_filter (const char *host_text)
{
  size_t len = strlen (host_text);
  char *out = malloc (len + 2), *o = out;
  const char *p = host_text;

  if (out == NULL)
    return NULL;
  while (*p)
    {
      const char *nl = strchr (p, '\n');
      size_t n = nl ? (size_t) (nl - p) : strlen (p);
      char line[1024];
      snprintf (line, sizeof line, "%.*s", (int) (n < sizeof line ? n : sizeof line - 1), p);
      if (!is_loopback_nameserver (line))
        {
          memcpy (o, p, n);
          o += n;
          *o++ = '\n';
        }
      p += n + (nl ? 1 : 0);
    }
  *o = '\0';
  return out;
}

char *hosts_text (const char *hostname, struct in_addr addr)
{
  char a[INET_ADDRSTRLEN], *out = NULL;
  inet_ntop (AF_INET, &addr, a, sizeof a);
  if (asprintf (&out,
                "127.0.0.1\tlocalhost\n"
                "::1\tlocalhost ip6-localhost ip6-loopback\n"
                "%s\t%s\n",
                a, hostname)
      < 0)
    return NULL;
  return out;
}

/* In place: O_TRUNC keeps the inode a bind mount may point at. */
static int write_in_place (int dirfd, const char *name, const char *text, oci_error **err)
{
  cleanup_close int fd = openat (dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0 || write_all (fd, text, strlen (text)) < 0)
    return oci_error_set (err, errno, "write %s in the bundle", name);
  return 0;
}

/* Replace rootfs/etc/NAME: whatever the image had there (a file, or a
   symlink such as systemd-resolved's) is replaced, never followed. */
static int write_in_rootfs (int rootfd, const char *path, const char *text, oci_error **err)
{
  const char *last;
  char tmp[64];
  cleanup_close int dirfd = safepath_open_parent (rootfd, path, &last);
  cleanup_close int fd = -1;

  if (dirfd < 0)
    return oci_error_set (err, errno, "rootfs %s", path);
  snprintf (tmp, sizeof tmp, ".%s.ocikit", last);
  fd = openat (dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0)
    return oci_error_set (err, errno, "rootfs %s", path);
  if (write_all (fd, text, strlen (text)) < 0 || renameat (dirfd, tmp, dirfd, last) < 0)
    {
      int e = errno;
      unlinkat (dirfd, tmp, 0);
      return oci_error_set (err, e, "rootfs %s", path);
    }
  return 0;
}

int resolv_write_bundle (const char *bundle, const char *id, struct in_addr addr,
                         oci_error **err)
{
  cleanup_close int bfd = open (bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  cleanup_close int rootfd = -1;
  cleanup_free char *host = NULL, *resolv = NULL, *hosts = NULL, *cfgtext = NULL;
  cleanup_json yajl_val cfg = NULL;
  oci_error *ignored = NULL;
  const char *hostname = id, *root = NULL;
  size_t len;

  if (bfd < 0)
    return oci_error_set (err, errno, "bundle `%s`", bundle);
  if (read_file_at (AT_FDCWD, HOST_RESOLV_CONF, 1 << 20, &host, &len, &ignored) < 0)
    oci_error_free (&ignored);
  resolv = resolv_filter (host ? host : "");
  if (read_file_at (bfd, "config.json", 16 << 20, &cfgtext, &len, &ignored) == 0)
    {
      if (json_parse (cfgtext, len, "config.json", &cfg, err) < 0)
        return oci_error_prefix (err, "bundle `%s`", bundle);
      const char *h = json_get_string (cfg, "hostname");
      if (h && *h)
        hostname = h;
      root = json_get_string (json_get_object (cfg, "root"), "path");
    }
  oci_error_free (&ignored);
  hosts = hosts_text (hostname, addr);
  if (resolv == NULL || hosts == NULL)
    return oci_error_set (err, ENOMEM, "resolv.conf");
  if (write_in_place (bfd, "resolv.conf", resolv, err) < 0
      || write_in_place (bfd, "hosts", hosts, err) < 0)
    return -1;
  if (root == NULL || *root == '\0')
    return 0;
  /* runtime-spec config.md "Root": path is absolute or relative to the
     bundle. */
  rootfd = openat (bfd, root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return oci_error_set (err, errno, "rootfs `%s` of bundle `%s`", root, bundle);
  {
    cleanup_close int etc = safepath_open (rootfd, "/etc", O_RDONLY | O_DIRECTORY, 0);
    if (etc < 0)
      return 0; /* no /etc in the image: nothing resolves names there */
  }
  if (write_in_rootfs (rootfd, "/etc/resolv.conf", resolv, err) < 0
      || write_in_rootfs (rootfd, "/etc/hosts", hosts, err) < 0)
    return -1;
  return 0;
}
