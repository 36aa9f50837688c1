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
/* With systemd-resolved the host's file names only its 127.0.0.53 stub;
   the upstream servers are listed here (podman reads it too). */
#define RESOLVED_UPSTREAM_CONF "/run/systemd/resolve/resolv.conf"

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

static bool has_nameserver (const char *text)
{
  const char *p = text;
  while ((p = strstr (p, "nameserver")))
    {
      if ((p == text || p[-1] == '\n') && (p[10] == ' ' || p[10] == '\t'))
        return true;
      p += 10;
    }
  return false;
}

char *resolv_for_container (oci_error **err)
{
  static const char *const sources[] = { HOST_RESOLV_CONF, RESOLVED_UPSTREAM_CONF };
  char *first = NULL;
  size_t i, len;

  for (i = 0; i < sizeof sources / sizeof sources[0]; i++)
    {
      cleanup_free char *text = NULL;
      char *r;
      if (read_file_at (AT_FDCWD, sources[i], 1 << 20, &text, &len, err) < 0)
        {
          oci_error_free (err);
          continue;
        }
      r = resolv_filter (text);
      if (r && has_nameserver (r))
        {
          free (first);
          return r;
        }
      if (first == NULL)
        first = r;
      else
        free (r);
    }
  /* No usable resolver anywhere: the host's file without its loopback
     servers (search, options) is still the best guess. */
  return first ? first : strdup ("");
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

/* The source of a bind mount onto `dest` in config.json's mounts (as
   mkbundle writes for /etc/hosts and /etc/resolv.conf), or NULL. */
static const char *bind_source (yajl_val cfg, const char *dest)
{
  yajl_val mounts = json_get_array (cfg, "mounts");
  size_t i;
  for (i = 0; i < json_array_len (mounts); i++)
    {
      yajl_val m = json_array_at (mounts, i);
      const char *d = json_get_string (m, "destination"), *src = json_get_string (m, "source");
      if (d && src && *src && strcmp (d, dest) == 0)
        return src;
    }
  return NULL;
}

/* One of the two files: BUNDLE/NAME in place; the bind mount's source in
   place when config.json mounts one over /etc/NAME, else the rootfs'
   /etc/NAME (replaced). */
static int write_one (const char *bundle, int bfd, int rootfd, yajl_val cfg, const char *name,
                      const char *text, oci_error **err)
{
  char dest[64];
  const char *src;

  if (write_in_place (bfd, name, text, err) < 0)
    return -1;
  snprintf (dest, sizeof dest, "/etc/%s", name);
  src = cfg ? bind_source (cfg, dest) : NULL;
  if (src)
    {
      /* runtime-spec config.md "Mounts": a relative source is relative to
         the bundle; the mount follows the inode, so write in place. */
      cleanup_free char *real_bundle = realpath (bundle, NULL);
      cleanup_free char *real_src = NULL;
      size_t bl;
      if (src[0] != '/')
        {
          cleanup_free char *full = NULL;
          if (asprintf (&full, "%s/%s", bundle, src) < 0)
            return oci_error_set (err, ENOMEM, "%s", name);
          real_src = realpath (full, NULL);
        }
      else
        real_src = realpath (src, NULL);
      /* Only a file of the bundle: a bind of the host's own /etc/hosts
         must never be rewritten from here. */
      if (real_bundle == NULL || real_src == NULL)
        return 0;
      bl = strlen (real_bundle);
      if (strncmp (real_src, real_bundle, bl) != 0 || real_src[bl] != '/')
        return 0;
      if (strcmp (real_src + bl + 1, name) == 0)
        return 0; /* BUNDLE/NAME itself, written above */
      return write_in_place (AT_FDCWD, real_src, text, err);
    }
  if (rootfd < 0)
    return 0;
  return write_in_rootfs (rootfd, dest, text, err);
}

int resolv_write_bundle (const char *bundle, const char *id, struct in_addr addr,
                         oci_error **err)
{
  cleanup_close int bfd = open (bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  cleanup_close int rootfd = -1;
  cleanup_free char *resolv = NULL, *hosts = NULL, *cfgtext = NULL;
  cleanup_json yajl_val cfg = NULL;
  oci_error *ignored = NULL;
  const char *hostname = id, *root = NULL;
  size_t len;

  if (bfd < 0)
    return oci_error_set (err, errno, "bundle `%s`", bundle);
  resolv = resolv_for_container (&ignored);
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
  if (root && *root)
    {
      /* runtime-spec config.md "Root": absolute or relative to the bundle. */
      rootfd = openat (bfd, root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (rootfd < 0)
        return oci_error_set (err, errno, "rootfs `%s` of bundle `%s`", root, bundle);
      cleanup_close int etc = safepath_open (rootfd, "/etc", O_RDONLY | O_DIRECTORY, 0);
      if (etc < 0)
        {
          /* no /etc in the image: nothing there resolves names */
          close (rootfd);
          rootfd = -1;
        }
    }
  if (write_one (bundle, bfd, rootfd, cfg, "resolv.conf", resolv, err) < 0
      || write_one (bundle, bfd, rootfd, cfg, "hosts", hosts, err) < 0)
    return -1;
  return 0;
}
