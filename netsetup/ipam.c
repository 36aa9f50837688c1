/* Host-local leases: one file per address under a lock (NOTES.md
   "Networking": simple and crash-safe). */
#include "ipam.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fileutil.h"
#include "json.h"

#define LEASE_MAX 65536

int ipam_open (const struct net_config *c, struct ipam *ip, oci_error **err)
{
  ip->dirfd = ip->lockfd = -1;
  if (mkdir_p (c->lease_dir, 0700, err) < 0)
    return oci_error_prefix (err, "lease directory");
  ip->dirfd = open (c->lease_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (ip->dirfd < 0)
    return oci_error_set (err, errno, "open lease directory `%s`", c->lease_dir);
  ip->lockfd = openat (ip->dirfd, "lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (ip->lockfd < 0)
    return oci_error_set (err, errno, "open `%s/lock`", c->lease_dir);
  while (flock (ip->lockfd, LOCK_EX) < 0)
    if (errno != EINTR)
      return oci_error_set (err, errno, "lock `%s/lock`", c->lease_dir);
  return 0;
}

void ipam_close (struct ipam *ip)
{
  if (ip->lockfd >= 0)
    close (ip->lockfd);
  if (ip->dirfd >= 0)
    close (ip->dirfd);
  ip->lockfd = ip->dirfd = -1;
}

static void lease_clear (struct lease *l)
{
  free (l->id);
  free (l->ports);
  l->id = NULL;
  l->ports = NULL;
  l->n_ports = 0;
}

void leases_free (struct lease *l, size_t n)
{
  size_t i;
  for (i = 0; l && i < n; i++)
    lease_clear (&l[i]);
  free (l);
}

int lease_to_json (const struct lease *l, char **out, size_t *len, oci_error **err)
{
  cleanup_json_gen yajl_gen g = json_gen_new (false);
  char a[INET_ADDRSTRLEN];
  size_t i;

  if (g == NULL)
    return oci_error_set (err, ENOMEM, "lease");
  inet_ntop (AF_INET, &l->addr, a, sizeof a);
  yajl_gen_map_open (g);
  json_gen_kv_str (g, "address", a);
  json_gen_kv_str (g, "id", l->id);
  json_gen_kv_int (g, "pid", l->pid);
  json_gen_kv_int (g, "startTime", (long long) l->start_time);
  json_gen_kv_str (g, "bootId", l->boot_id);
  json_gen_kv_str (g, "hostInterface", l->host_if);
  json_gen_key (g, "ports");
  yajl_gen_array_open (g);
  for (i = 0; i < l->n_ports; i++)
    {
      const struct port_mapping *p = &l->ports[i];
      yajl_gen_map_open (g);
      inet_ntop (AF_INET, &p->host_ip, a, sizeof a);
      json_gen_kv_str (g, "hostIP", a);
      json_gen_kv_int (g, "hostPort", p->host_port);
      json_gen_kv_int (g, "containerPort", p->container_port);
      json_gen_kv_str (g, "protocol", port_protocol_name (p->protocol));
      yajl_gen_map_close (g);
    }
  yajl_gen_array_close (g);
  yajl_gen_map_close (g);
  return json_gen_result (g, out, len, err);
}

int lease_from_json (const char *buf, size_t len, struct lease *l, oci_error **err)
{
  cleanup_json yajl_val root = NULL;
  cleanup_free char *ports = NULL;
  yajl_val arr;
  const char *s;
  long long n;

  if (json_parse (buf, len, "lease", &root, err) < 0)
    return -1;
  s = json_get_string (root, "address");
  if (s == NULL || inet_pton (AF_INET, s, &l->addr) != 1)
    return oci_error_set (err, 0, "lease: bad `address`");
  s = json_get_string (root, "id");
  if (s == NULL || *s == '\0')
    return oci_error_set (err, 0, "lease: no `id`");
  l->id = strdup (s);
  l->pid = json_get_int (root, "pid", &n) ? (pid_t) n : 0;
  l->start_time = json_get_int (root, "startTime", &n) ? (unsigned long long) n : 0;
  snprintf (l->boot_id, sizeof l->boot_id, "%s",
            (s = json_get_string (root, "bootId")) ? s : "");
  snprintf (l->host_if, sizeof l->host_if, "%s",
            (s = json_get_string (root, "hostInterface")) ? s : "");
  arr = json_get_array (root, "ports");
  if (arr && json_array_len (arr) > 0)
    {
      /* Re-use the annotation parser: same field names. */
      cleanup_json_gen yajl_gen g = json_gen_new (false);
      size_t plen;
      if (g == NULL)
        return oci_error_set (err, ENOMEM, "lease");
      json_gen_value (g, arr);
      if (json_gen_result (g, &ports, &plen, err) < 0
          || ports_parse (ports, &l->ports, &l->n_ports, err) < 0)
        return oci_error_prefix (err, "lease");
    }
  return 0;
}

static int read_boot_id (char out[40])
{
  char buf[64];
  ssize_t n;
  cleanup_close int fd = open ("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  n = read (fd, buf, sizeof buf - 1);
  if (n <= 0)
    return -1;
  buf[n] = '\0';
  buf[strcspn (buf, "\n")] = '\0';
  snprintf (out, 40, "%.39s", buf);
  return 0;
}

/* proc(5): field 22 of /proc/PID/stat, after the parenthesised comm. */
static int proc_start_time (pid_t pid, unsigned long long *out)
{
  char path[64], buf[1024], *p;
  ssize_t n;
  int field;
  cleanup_close int fd = -1;

  snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  n = read (fd, buf, sizeof buf - 1);
  if (n <= 0)
    return -1;
  buf[n] = '\0';
  p = strrchr (buf, ')');
  if (p == NULL)
    return -1;
  p++;
  for (field = 3; field < 22 && p; field++)
    p = strchr (p + 1, ' ');
  if (p == NULL)
    return -1;
  *out = strtoull (p + 1, NULL, 10);
  return 0;
}

int lease_set_owner (struct lease *l, pid_t pid, oci_error **err)
{
  l->pid = pid;
  if (proc_start_time (pid, &l->start_time) < 0)
    return oci_error_set (err, errno ? errno : ESRCH, "container process %d", (int) pid);
  if (read_boot_id (l->boot_id) < 0)
    l->boot_id[0] = '\0';
  return 0;
}

bool lease_is_live (const struct lease *l)
{
  char boot[40];
  unsigned long long t;

  if (l->id == NULL || l->pid <= 0)
    return false;
  if (read_boot_id (boot) == 0 && l->boot_id[0] && strcmp (boot, l->boot_id) != 0)
    return false;
  if (proc_start_time (l->pid, &t) < 0)
    return false;
  return l->start_time == 0 || t == l->start_time;
}

int ipam_list (struct ipam *ip, struct lease **out, size_t *n, oci_error **err)
{
  cleanup_dir DIR *d = NULL;
  struct lease *v = NULL;
  size_t len = 0, cap = 0;
  struct dirent *de;
  int fd = fcntl (ip->dirfd, F_DUPFD_CLOEXEC, 3);

  *out = NULL;
  *n = 0;
  if (fd < 0 || (d = fdopendir (fd)) == NULL)
    {
      if (fd >= 0)
        close (fd);
      return oci_error_set (err, errno, "read lease directory");
    }
  while ((de = readdir (d)))
    {
      struct in_addr a;
      cleanup_free char *buf = NULL;
      oci_error *e = NULL;
      size_t blen;

      if (inet_pton (AF_INET, de->d_name, &a) != 1)
        continue;
      if (len == cap)
        {
          struct lease *nv = realloc (v, (cap = cap ? cap * 2 : 16) * sizeof *v);
          if (nv == NULL)
            {
              leases_free (v, len);
              return oci_error_set (err, ENOMEM, "leases");
            }
          v = nv;
        }
      memset (&v[len], 0, sizeof v[len]);
      if (read_file_at (ip->dirfd, de->d_name, LEASE_MAX, &buf, &blen, &e) < 0
          || lease_from_json (buf, blen, &v[len], &e) < 0)
        {
          /* A torn or foreign file: report it as an unreadable lease so
             the caller can reclaim it. */
          lease_clear (&v[len]);
          oci_error_free (&e);
        }
      v[len].addr = a;
      len++;
    }
  *out = v;
  *n = len;
  return 0;
}

static int write_lease (struct ipam *ip, const struct lease *l, oci_error **err)
{
  cleanup_free char *json = NULL;
  char name[INET_ADDRSTRLEN], tmp[INET_ADDRSTRLEN + 8];
  size_t len;
  cleanup_close int fd = -1;

  if (lease_to_json (l, &json, &len, err) < 0)
    return -1;
  inet_ntop (AF_INET, &l->addr, name, sizeof name);
  snprintf (tmp, sizeof tmp, ".%s.tmp", name);
  /* Atomic rename without fsync: a lease only matters while this boot's
     container lives (leases from an earlier boot are stale by boot id). */
  fd = openat (ip->dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return oci_error_set (err, errno, "write lease %s", name);
  if (write_all (fd, json, len) < 0)
    {
      int e = errno;
      unlinkat (ip->dirfd, tmp, 0);
      return oci_error_set (err, e, "write lease %s", name);
    }
  if (renameat (ip->dirfd, tmp, ip->dirfd, name) < 0)
    {
      int e = errno;
      unlinkat (ip->dirfd, tmp, 0);
      return oci_error_set (err, e, "write lease %s", name);
    }
  return 0;
}

int ipam_allocate (struct ipam *ip, const struct net_config *c, struct lease *l,
                   oci_error **err)
{
  unsigned int net = ntohl (c->subnet.s_addr), mask = net_config_hostmask (c);
  unsigned int gw = ntohl (c->gateway.s_addr), first = net + 1, last = net + mask - 1;
  unsigned int start = first, a, i, count = last - first + 1;
  char buf[INET_ADDRSTRLEN + 2], sub[INET_ADDRSTRLEN];
  struct in_addr prev;
  ssize_t r;
  cleanup_close int fd = openat (ip->dirfd, "last_reserved_ip", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

  if (fd < 0)
    return oci_error_set (err, errno, "open last_reserved_ip");
  r = pread (fd, buf, sizeof buf - 1, 0);
  if (r > 0)
    {
      buf[r] = '\0';
      buf[strcspn (buf, "\n")] = '\0';
      if (inet_pton (AF_INET, buf, &prev) == 1 && ntohl (prev.s_addr) >= first
          && ntohl (prev.s_addr) < last)
        start = ntohl (prev.s_addr) + 1;
    }
  for (i = 0; i < count; i++)
    {
      char name[INET_ADDRSTRLEN];
      struct in_addr cand;
      a = start + i;
      if (a > last)
        a -= count;
      if (a == gw)
        continue;
      cand.s_addr = htonl (a);
      inet_ntop (AF_INET, &cand, name, sizeof name);
      if (faccessat (ip->dirfd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
        continue;
      if (errno != ENOENT)
        return oci_error_set (err, errno, "lease %s", name);
      l->addr = cand;
      if (write_lease (ip, l, err) < 0)
        return -1;
      if (ftruncate (fd, 0) == 0)
        {
          size_t n = strlen (name);
          if (pwrite (fd, name, n, 0) != (ssize_t) n)
            { /* only a hint for round-robin; a lost write is harmless */ }
        }
      return 0;
    }
  inet_ntop (AF_INET, &c->subnet, sub, sizeof sub);
  return oci_error_set (err, 0, "no free address in subnet %s/%d of network %s (all %u leased)",
                        sub, c->prefix, c->name, count - 1);
}

int ipam_release (struct ipam *ip, struct in_addr addr, oci_error **err)
{
  char name[INET_ADDRSTRLEN];
  inet_ntop (AF_INET, &addr, name, sizeof name);
  if (unlinkat (ip->dirfd, name, 0) < 0 && errno != ENOENT)
    return oci_error_set (err, errno, "release lease %s", name);
  return 0;
}
