/* Option values as docker and podman users write them: sizes (512m),
   CPU counts (1.5), ports ([IP:]HOST:CONTAINER[/proto]), volumes
   (SRC:DST[:ro]), ulimits (nofile=1024:2048), id maps (0:100000:65536),
   capability names, environment entries. Every error names the option
   and the value. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle.h"
#include "cleanup.h"
#include "fileutil.h"

#define MIN_MEMORY (6LL << 20) /* docker's floor: less cannot start a process */

void bundle_options_init (bundle_options *o)
{
  memset (o, 0, sizeof *o);
  o->net = NET_NONE;
  o->seccomp = SECCOMP_DEFAULT;
}

void bundle_options_clear (bundle_options *o)
{
  free (o->rootfs);
  free (o->hostname);
  strv_clear (&o->entrypoint);
  strv_clear (&o->args);
  strv_clear (&o->env);
  free (o->workdir);
  free (o->user);
  for (size_t i = 0; i < o->n_mounts; i++)
    bundle_mount_clear (&o->mounts[i]);
  free (o->mounts);
  strv_clear (&o->cap_add);
  strv_clear (&o->cap_drop);
  free (o->seccomp_file);
  free (o->network);
  free (o->ulimits);
  free (o->ports);
  free (o->uid_maps);
  free (o->gid_maps);
  memset (o, 0, sizeof *o);
}

/* docker's RAMInBytes: a decimal number, an optional unit b/k/m/g/t/p
   (powers of 1024), optionally followed by "b" or "ib". */
int parse_size (const char *s, long long *out)
{
  char *end;
  double v;
  long double mult = 1;
  const char *u;

  if (s == NULL || !isdigit ((unsigned char) s[0]))
    return -1;
  errno = 0;
  v = strtod (s, &end);
  if (errno || end == s)
    return -1;
  u = end;
  if (*u == ' ')
    u++;
  switch (tolower ((unsigned char) *u))
    {
    case '\0': break;
    case 'b': u++; break;
    case 'k': mult = 1024.0L; u++; break;
    case 'm': mult = 1024.0L * 1024; u++; break;
    case 'g': mult = 1024.0L * 1024 * 1024; u++; break;
    case 't': mult = 1024.0L * 1024 * 1024 * 1024; u++; break;
    case 'p': mult = 1024.0L * 1024 * 1024 * 1024 * 1024; u++; break;
    default: return -1;
    }
  if (mult > 1)
    {
      if (tolower ((unsigned char) *u) == 'i')
        u++;
      if (tolower ((unsigned char) *u) == 'b')
        u++;
    }
  if (*u != '\0')
    return -1;
  if ((long double) v * mult >= (long double) LLONG_MAX)
    return -1;
  *out = (long long) ((long double) v * mult);
  return 0;
}

/* --cpus N: a CFS quota over the standard 100 ms period, as docker. */
int parse_cpus (const char *s, long long *quota, long long *period)
{
  char *end;
  double v;
  long ncpu = sysconf (_SC_NPROCESSORS_ONLN);

  errno = 0;
  v = strtod (s, &end);
  if (errno || end == s || *end != '\0' || !isfinite (v) || v < 0.01)
    return -1;
  if (ncpu > 0 && v > (double) ncpu)
    return -2;
  *period = 100000;
  *quota = llround (v * 100000.0);
  return 0;
}

static int parse_uint (const char *s, unsigned long long max, unsigned long long *out)
{
  char *end;
  unsigned long long v;
  if (s == NULL || !isdigit ((unsigned char) s[0]))
    return -1;
  errno = 0;
  v = strtoull (s, &end, 10);
  if (errno || *end != '\0' || v > max)
    return -1;
  *out = v;
  return 0;
}

int parse_port (const char *s, port_mapping *out, oci_error **err)
{
  cleanup_free char *copy = strdup (s);
  char *proto, *cport, *hport, *ip = NULL;
  unsigned long long v;

  if (copy == NULL)
    return oci_error_set (err, ENOMEM, "-p `%s`", s);
  memset (out, 0, sizeof *out);
  strcpy (out->protocol, "tcp");
  strcpy (out->host_ip, "0.0.0.0");
  proto = strchr (copy, '/');
  if (proto)
    {
      *proto++ = '\0';
      if (strcmp (proto, "tcp") != 0 && strcmp (proto, "udp") != 0)
        return oci_error_set (err, 0, "-p `%s`: protocol `%s` is not tcp or udp", s, proto);
      strcpy (out->protocol, proto);
    }
  cport = strrchr (copy, ':');
  if (cport == NULL)
    return oci_error_set (err, 0, "-p `%s`: expected [IP:]HOST:CONTAINER[/tcp|udp]", s);
  *cport++ = '\0';
  hport = strrchr (copy, ':');
  if (hport)
    {
      *hport++ = '\0';
      ip = copy;
    }
  else
    hport = copy;
  if (parse_uint (cport, 65535, &v) < 0 || v == 0)
    return oci_error_set (err, 0, "-p `%s`: container port `%s` is not in 1-65535", s, cport);
  out->container_port = (unsigned) v;
  if (parse_uint (hport, 65535, &v) < 0 || v == 0)
    return oci_error_set (err, 0, "-p `%s`: host port `%s` is not in 1-65535", s, hport);
  out->host_port = (unsigned) v;
  if (ip && *ip)
    {
      unsigned char buf[16];
      size_t l = strlen (ip);
      if (ip[0] == '[' && l > 2 && ip[l - 1] == ']')
        {
          ip[l - 1] = '\0';
          ip++;
        }
      if (inet_pton (AF_INET, ip, buf) != 1 && inet_pton (AF_INET6, ip, buf) != 1)
        return oci_error_set (err, 0, "-p `%s`: `%s` is not an IP address", s, ip);
      snprintf (out->host_ip, sizeof out->host_ip, "%s", ip);
    }
  return 0;
}

int parse_id_mapping (const char *s, id_mapping *out, oci_error **err)
{
  cleanup_free char *copy = strdup (s);
  char *a, *b, *c;
  if (copy == NULL)
    return oci_error_set (err, ENOMEM, "id map `%s`", s);
  a = copy;
  b = strchr (a, ':');
  c = b ? strchr (b + 1, ':') : NULL;
  if (b == NULL || c == NULL)
    return oci_error_set (err, 0, "id map `%s`: expected CONTAINER_ID:HOST_ID:SIZE", s);
  *b++ = '\0';
  *c++ = '\0';
  if (parse_uint (a, UINT32_MAX - 1, &out->container_id) < 0
      || parse_uint (b, UINT32_MAX - 1, &out->host_id) < 0
      || parse_uint (c, UINT32_MAX, &out->size) < 0 || out->size == 0
      || out->container_id + out->size > UINT32_MAX || out->host_id + out->size > UINT32_MAX)
    return oci_error_set (err, 0, "id map `%s`: expected CONTAINER_ID:HOST_ID:SIZE "
                          "(32-bit ids, size at least 1)", s);
  return 0;
}

static const char *const ulimit_names[] = {
  "as", "core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice",
  "nofile", "nproc", "rss", "rtprio", "rttime", "sigpending", "stack",
};

static int parse_rlim (const char *s, unsigned long long *out)
{
  if (strcmp (s, "unlimited") == 0 || strcmp (s, "-1") == 0)
    {
      *out = ~0ULL; /* RLIM_INFINITY */
      return 0;
    }
  return parse_uint (s, ~0ULL, out);
}

int parse_ulimit (const char *s, rlimit_value *out, oci_error **err)
{
  cleanup_free char *copy = strdup (s);
  char *val, *hard;
  size_t i;

  if (copy == NULL)
    return oci_error_set (err, ENOMEM, "--ulimit `%s`", s);
  val = strchr (copy, '=');
  if (val == NULL)
    return oci_error_set (err, 0, "--ulimit `%s`: expected NAME=SOFT[:HARD]", s);
  *val++ = '\0';
  for (i = 0; i < sizeof ulimit_names / sizeof *ulimit_names; i++)
    if (strcasecmp (copy, ulimit_names[i]) == 0)
      break;
  if (i == sizeof ulimit_names / sizeof *ulimit_names)
    return oci_error_set (err, 0, "--ulimit `%s`: unknown limit `%s`", s, copy);
  snprintf (out->type, sizeof out->type, "RLIMIT_%s", ulimit_names[i]);
  for (char *p = out->type; *p; p++)
    *p = (char) toupper ((unsigned char) *p);
  hard = strchr (val, ':');
  if (hard)
    *hard++ = '\0';
  if (parse_rlim (val, &out->soft) < 0 || (hard && parse_rlim (hard, &out->hard) < 0))
    return oci_error_set (err, 0, "--ulimit `%s`: limits must be numbers or `unlimited`", s);
  if (hard == NULL)
    out->hard = out->soft;
  if (out->soft > out->hard)
    return oci_error_set (err, 0, "--ulimit `%s`: soft limit is above the hard limit", s);
  return 0;
}

static bool valid_destination (const char *d)
{
  return d[0] == '/';
}

/* "/data/", "//data" → "/data", so that duplicates are seen. */
static void clean_destination (char *d)
{
  char *w = d;
  for (const char *r = d; *r; r++)
    if (!(*r == '/' && (r[1] == '/' || (r[1] == '\0' && w > d))))
      *w++ = *r;
  *w = '\0';
}

int parse_volume (const char *s, bundle_mount *out, oci_error **err)
{
  cleanup_free char *copy = strdup (s);
  cleanup_free char *real = NULL;
  char *src, *dst, *opts;
  const char *propagation = "rprivate";
  bool ro = false;
  strv o = { 0 };

  if (copy == NULL)
    return oci_error_set (err, ENOMEM, "volume `%s`", s);
  memset (out, 0, sizeof *out);
  src = copy;
  dst = strchr (src, ':');
  if (dst == NULL)
    return oci_error_set (err, 0, "volume `%s`: expected SRC:DST[:ro] (anonymous volumes are "
                          "not supported)", s);
  *dst++ = '\0';
  opts = strchr (dst, ':');
  if (opts)
    *opts++ = '\0';
  if (src[0] != '/')
    return oci_error_set (err, 0, "volume `%s`: source `%s` is not an absolute path "
                          "(named volumes are not supported)", s, src);
  if (!valid_destination (dst))
    return oci_error_set (err, 0, "volume `%s`: destination `%s` is not an absolute path", s,
                          dst);
  clean_destination (dst);
  if (opts)
    {
      if (strv_split (&o, opts, ',') < 0)
        return oci_error_set (err, ENOMEM, "volume `%s`", s);
      for (size_t i = 0; i < o.n; i++)
        {
          const char *x = o.v[i];
          if (strcmp (x, "ro") == 0)
            ro = true;
          else if (strcmp (x, "rw") == 0)
            ro = false;
          else if (strcmp (x, "private") == 0 || strcmp (x, "rprivate") == 0
                   || strcmp (x, "shared") == 0 || strcmp (x, "rshared") == 0
                   || strcmp (x, "slave") == 0 || strcmp (x, "rslave") == 0)
            propagation = x;
          else
            {
              int r = oci_error_set (err, 0, "volume `%s`: unknown option `%s` (ro, rw, "
                                     "[r]private, [r]shared, [r]slave)", s, x);
              strv_clear (&o);
              return r;
            }
        }
    }
  real = realpath (src, NULL);
  if (real == NULL)
    {
      int r = oci_error_set (err, errno, "volume `%s`: source `%s`", s, src);
      strv_clear (&o);
      return r;
    }
  out->destination = strdup (dst);
  out->type = strdup ("bind");
  out->source = steal_pointer (&real);
  if (strv_push (&out->options, "rbind") < 0 || strv_push (&out->options, propagation) < 0
      || (ro && strv_push (&out->options, "ro") < 0) || !out->destination || !out->type)
    {
      strv_clear (&o);
      bundle_mount_clear (out);
      return oci_error_set (err, ENOMEM, "volume `%s`", s);
    }
  strv_clear (&o);
  return 0;
}

/* --tmpfs DST[:OPTIONS]: docker's defaults noexec,nosuid,nodev, then the
   user's options (mount(8) tmpfs options: size=64m,mode=1777,...). */
int parse_tmpfs (const char *s, bundle_mount *out, oci_error **err)
{
  cleanup_free char *copy = strdup (s);
  char *opts;
  if (copy == NULL)
    return oci_error_set (err, ENOMEM, "--tmpfs `%s`", s);
  memset (out, 0, sizeof *out);
  opts = strchr (copy, ':');
  if (opts)
    *opts++ = '\0';
  if (!valid_destination (copy))
    return oci_error_set (err, 0, "--tmpfs `%s`: `%s` is not an absolute path", s, copy);
  clean_destination (copy);
  out->destination = strdup (copy);
  out->type = strdup ("tmpfs");
  out->source = strdup ("tmpfs");
  if (!out->destination || !out->type || !out->source
      || strv_push (&out->options, "noexec") < 0 || strv_push (&out->options, "nosuid") < 0
      || strv_push (&out->options, "nodev") < 0 || (opts && *opts && strv_split (&out->options, opts, ',') < 0))
    {
      bundle_mount_clear (out);
      return oci_error_set (err, ENOMEM, "--tmpfs `%s`", s);
    }
  for (size_t i = 3; i < out->options.n; i++)
    if (out->options.v[i][0] == '\0')
      {
        bundle_mount_clear (out);
        return oci_error_set (err, 0, "--tmpfs `%s`: empty mount option", s);
      }
  return 0;
}

int parse_capability (const char *s, char **out, oci_error **err)
{
  char buf[64];
  if (strcasecmp (s, "all") == 0)
    {
      *out = strdup ("ALL");
      return *out ? 0 : oci_error_set (err, ENOMEM, "capability");
    }
  if (strncasecmp (s, "CAP_", 4) == 0)
    snprintf (buf, sizeof buf, "%s", s);
  else
    snprintf (buf, sizeof buf, "CAP_%s", s);
  for (char *p = buf; *p; p++)
    *p = (char) toupper ((unsigned char) *p);
  if (!capability_known (buf))
    return oci_error_set (err, 0, "unknown capability `%s`", s);
  *out = strdup (buf);
  return *out ? 0 : oci_error_set (err, ENOMEM, "capability");
}

int parse_env (const char *s, char **out, oci_error **err)
{
  const char *eq = strchr (s, '=');
  size_t nlen = eq ? (size_t) (eq - s) : strlen (s);
  *out = NULL;
  if (nlen == 0)
    return oci_error_set (err, 0, "environment entry `%s`: no variable name", s);
  for (size_t i = 0; i < nlen; i++)
    if (isspace ((unsigned char) s[i]))
      return oci_error_set (err, 0, "environment variable `%.*s` contains whitespace", (int) nlen,
                            s);
  if (eq)
    *out = strdup (s);
  else
    {
      /* docker: `-e NAME` passes our own value, or nothing if unset */
      const char *v = getenv (s);
      if (v == NULL)
        return 0;
      if (asprintf (out, "%s=%s", s, v) < 0)
        *out = NULL;
    }
  return *out ? 0 : oci_error_set (err, ENOMEM, "environment");
}

int parse_env_file (const char *content, const char *path, strv *env, oci_error **err)
{
  const char *p = content;
  unsigned lineno = 0;
  while (*p)
    {
      const char *nl = strchr (p, '\n');
      size_t len = nl ? (size_t) (nl - p) : strlen (p);
      cleanup_free char *line = strndup (p, len);
      char *l, *entry = NULL;
      lineno++;
      p += len + (nl ? 1 : 0);
      if (line == NULL)
        return oci_error_set (err, ENOMEM, "--env-file `%s`", path);
      if (len && line[len - 1] == '\r')
        line[--len] = '\0';
      if (!utf8_valid (line))
        return oci_error_set (err, 0, "--env-file `%s` line %u: not valid UTF-8", path, lineno);
      l = line;
      while (isspace ((unsigned char) *l))
        l++;
      if (*l == '\0' || *l == '#')
        continue;
      if (parse_env (l, &entry, err) < 0)
        return oci_error_prefix (err, "--env-file `%s` line %u", path, lineno);
      if (entry && strv_push_take (env, entry) < 0)
        return oci_error_set (err, ENOMEM, "--env-file `%s`", path);
    }
  return 0;
}

static int append (void **arr, size_t *n, size_t size, const void *item)
{
  char *na = realloc (*arr, (*n + 1) * size);
  if (na == NULL)
    return -1;
  memcpy (na + *n * size, item, size);
  *arr = na;
  (*n)++;
  return 0;
}

static int set_string (char **dst, const char *arg)
{
  free (*dst);
  *dst = strdup (arg);
  return *dst ? 0 : -1;
}

static int add_security_opt (bundle_options *o, const char *arg, oci_error **err)
{
  if (strcmp (arg, "no-new-privileges") == 0 || strcmp (arg, "no-new-privileges=true") == 0
      || strcmp (arg, "no-new-privileges:true") == 0)
    o->no_new_privileges = true;
  else if (strcmp (arg, "no-new-privileges=false") == 0
           || strcmp (arg, "no-new-privileges:false") == 0)
    o->no_new_privileges = false;
  else if (strncmp (arg, "seccomp=", 8) == 0 || strncmp (arg, "seccomp:", 8) == 0)
    {
      const char *v = arg + 8;
      if (strcmp (v, "unconfined") == 0)
        o->seccomp = SECCOMP_UNCONFINED;
      else if (*v == '\0')
        return oci_error_set (err, 0, "--security-opt `%s`: give unconfined or a profile file",
                              arg);
      else
        {
          o->seccomp = SECCOMP_FILE;
          if (set_string (&o->seccomp_file, v) < 0)
            return oci_error_set (err, ENOMEM, "--security-opt");
        }
    }
  else
    return oci_error_set (err, 0, "--security-opt `%s`: expected seccomp=unconfined|FILE or "
                          "no-new-privileges", arg);
  return 0;
}

/* --entrypoint: a command name, "" for none, or a JSON-like array
   ["sh","-c"] as podman takes it. */
static int set_entrypoint (bundle_options *o, const char *arg, oci_error **err)
{
  strv_clear (&o->entrypoint);
  o->entrypoint_set = true;
  if (arg[0] == '[')
    {
      yajl_val v;
      char ebuf[128];
      v = yajl_tree_parse (arg, ebuf, sizeof ebuf);
      if (v == NULL || !YAJL_IS_ARRAY (v))
        {
          if (v)
            yajl_tree_free (v);
          return oci_error_set (err, 0, "--entrypoint `%s`: not a JSON array of strings", arg);
        }
      for (size_t i = 0; i < v->u.array.len; i++)
        {
          yajl_val e = v->u.array.values[i];
          if (!YAJL_IS_STRING (e) || strv_push (&o->entrypoint, e->u.string) < 0)
            {
              yajl_tree_free (v);
              return oci_error_set (err, 0, "--entrypoint `%s`: not a JSON array of strings",
                                    arg);
            }
        }
      yajl_tree_free (v);
      return 0;
    }
  if (arg[0] != '\0' && strv_push (&o->entrypoint, arg) < 0)
    return oci_error_set (err, ENOMEM, "--entrypoint");
  return 0;
}

static bool valid_hostname (const char *h)
{
  size_t n = strlen (h);
  if (n == 0 || n > 64 || h[0] == '-' || h[0] == '.')
    return false;
  for (const char *p = h; *p; p++)
    if (!isalnum ((unsigned char) *p) && *p != '-' && *p != '.' && *p != '_')
      return false;
  return true;
}

int bundle_options_add (bundle_options *o, int opt, const char *arg, oci_error **err)
{
  switch (opt)
    {
    case OPT_ROOTFS:
      return set_string (&o->rootfs, arg) < 0 ? oci_error_set (err, ENOMEM, "--rootfs") : 0;
    case OPT_HOSTNAME:
      if (!valid_hostname (arg))
        return oci_error_set (err, 0, "--hostname `%s`: not a valid host name", arg);
      return set_string (&o->hostname, arg) < 0 ? oci_error_set (err, ENOMEM, "--hostname") : 0;
    case OPT_TTY:
      o->tty = true;
      return 0;
    case OPT_ENTRYPOINT:
      return set_entrypoint (o, arg, err);
    case OPT_ENV:
      {
        char *e = NULL;
        if (parse_env (arg, &e, err) < 0)
          return oci_error_prefix (err, "-e");
        if (e && strv_push_take (&o->env, e) < 0)
          return oci_error_set (err, ENOMEM, "-e");
        return 0;
      }
    case OPT_ENV_FILE:
      {
        cleanup_free char *content = NULL;
        if (read_file_at (AT_FDCWD, arg, 1 << 20, &content, NULL, err) < 0)
          return oci_error_prefix (err, "--env-file");
        return parse_env_file (content, arg, &o->env, err);
      }
    case OPT_WORKDIR:
      if (arg[0] != '/')
        return oci_error_set (err, 0, "-w `%s`: the working directory must be an absolute path",
                              arg);
      return set_string (&o->workdir, arg) < 0 ? oci_error_set (err, ENOMEM, "-w") : 0;
    case OPT_USER:
      if (arg[0] == '\0')
        return oci_error_set (err, 0, "-u: empty user");
      return set_string (&o->user, arg) < 0 ? oci_error_set (err, ENOMEM, "-u") : 0;
    case OPT_CPUS:
      {
        int r = parse_cpus (arg, &o->cpu_quota, &o->cpu_period);
        if (r == -2)
          return oci_error_set (err, 0, "--cpus `%s`: more than the %ld CPUs of this host", arg,
                                sysconf (_SC_NPROCESSORS_ONLN));
        if (r < 0)
          return oci_error_set (err, 0, "--cpus `%s`: not a number of CPUs (at least 0.01)",
                                arg);
        return 0;
      }
    case OPT_CPU_SHARES:
      {
        unsigned long long v;
        if (parse_uint (arg, 262144, &v) < 0 || v < 2)
          return oci_error_set (err, 0, "--cpu-shares `%s`: not a weight in 2-262144", arg);
        o->cpu_shares = (long long) v;
        return 0;
      }
    case OPT_MEMORY:
      {
        long long v;
        if (parse_size (arg, &v) < 0)
          return oci_error_set (err, 0, "--memory `%s`: not a size (e.g. 512m, 2g)", arg);
        if (v < MIN_MEMORY)
          return oci_error_set (err, 0, "--memory `%s`: below the minimum of 6m", arg);
        o->memory = v;
        return 0;
      }
    case OPT_MEMORY_SWAP:
      {
        long long v = -1;
        if (strcmp (arg, "-1") != 0 && (parse_size (arg, &v) < 0 || v == 0))
          return oci_error_set (err, 0, "--memory-swap `%s`: not a size (e.g. 1g) or -1", arg);
        o->memory_swap = v;
        return 0;
      }
    case OPT_PIDS_LIMIT:
      {
        unsigned long long v;
        if (strcmp (arg, "-1") == 0)
          {
            o->pids_limit = 0;
            return 0;
          }
        if (parse_uint (arg, LLONG_MAX, &v) < 0)
          return oci_error_set (err, 0, "--pids-limit `%s`: not a number (or -1 for no limit)",
                                arg);
        o->pids_limit = (long long) v;
        return 0;
      }
    case OPT_VOLUME:
    case OPT_TMPFS:
      {
        bundle_mount m;
        if ((opt == OPT_VOLUME ? parse_volume (arg, &m, err) : parse_tmpfs (arg, &m, err)) < 0)
          return -1;
        for (size_t i = 0; i < o->n_mounts; i++)
          if (strcmp (o->mounts[i].destination, m.destination) == 0)
            {
              int r = oci_error_set (err, 0, "mount point `%s` given twice", m.destination);
              bundle_mount_clear (&m);
              return r;
            }
        if (append ((void **) &o->mounts, &o->n_mounts, sizeof m, &m) < 0)
          {
            bundle_mount_clear (&m);
            return oci_error_set (err, ENOMEM, "mount");
          }
        return 0;
      }
    case OPT_READ_ONLY:
      o->read_only = true;
      return 0;
    case OPT_CAP_ADD:
    case OPT_CAP_DROP:
      {
        char *c = NULL;
        if (parse_capability (arg, &c, err) < 0)
          return oci_error_prefix (err, opt == OPT_CAP_ADD ? "--cap-add" : "--cap-drop");
        return strv_push_take (opt == OPT_CAP_ADD ? &o->cap_add : &o->cap_drop, c) < 0
                 ? oci_error_set (err, ENOMEM, "capability")
                 : 0;
      }
    case OPT_PRIVILEGED:
      o->privileged = true;
      return 0;
    case OPT_SECURITY_OPT:
      return add_security_opt (o, arg, err);
    case OPT_ULIMIT:
      {
        rlimit_value r;
        if (parse_ulimit (arg, &r, err) < 0)
          return -1;
        for (size_t i = 0; i < o->n_ulimits; i++)
          if (strcmp (o->ulimits[i].type, r.type) == 0)
            {
              o->ulimits[i] = r;
              return 0;
            }
        return append ((void **) &o->ulimits, &o->n_ulimits, sizeof r, &r) < 0
                 ? oci_error_set (err, ENOMEM, "--ulimit")
                 : 0;
      }
    case OPT_NET:
      if (strcmp (arg, "none") == 0)
        o->net = NET_NONE;
      else if (strcmp (arg, "host") == 0)
        o->net = NET_HOST;
      else if (strcmp (arg, "bridge") == 0)
        o->net = NET_BRIDGE;
      else if (strncmp (arg, "bridge:", 7) == 0)
        {
          /* a network configured for netsetup (/etc/ocikit/net.d/NAME) */
          const char *n = arg + 7;
          if (*n == '\0' || strlen (n) > 64 || n[0] == '.' || n[0] == '-'
              || strspn (n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
                   != strlen (n))
            return oci_error_set (err, 0, "--net `%s`: not a network name", arg);
          o->net = NET_BRIDGE;
          if (set_string (&o->network, n) < 0)
            return oci_error_set (err, ENOMEM, "--net");
        }
      else
        return oci_error_set (err, 0, "--net `%s`: expected none, host, bridge or bridge:NAME",
                              arg);
      return 0;
    case OPT_PUBLISH:
      {
        port_mapping p;
        if (parse_port (arg, &p, err) < 0)
          return -1;
        for (size_t i = 0; i < o->n_ports; i++)
          {
            const port_mapping *q = &o->ports[i];
            bool ip_overlap = strcmp (q->host_ip, p.host_ip) == 0
                              || strcmp (q->host_ip, "0.0.0.0") == 0
                              || strcmp (p.host_ip, "0.0.0.0") == 0;
            if (q->host_port == p.host_port && strcmp (q->protocol, p.protocol) == 0
                && ip_overlap)
              return oci_error_set (err, 0, "-p `%s`: host port %u/%s is given twice", arg,
                                    p.host_port, p.protocol);
          }
        return append ((void **) &o->ports, &o->n_ports, sizeof p, &p) < 0
                 ? oci_error_set (err, ENOMEM, "-p")
                 : 0;
      }
    case OPT_USERNS:
    case OPT_UIDMAP:
    case OPT_GIDMAP:
      {
        id_mapping m;
        if (opt == OPT_USERNS && strcmp (arg, "host") == 0)
          {
            o->n_uid_maps = o->n_gid_maps = 0;
            return 0;
          }
        if (parse_id_mapping (arg, &m, err) < 0)
          return oci_error_prefix (err, opt == OPT_USERNS ? "--userns"
                                        : opt == OPT_UIDMAP ? "--uidmap" : "--gidmap");
        if ((opt != OPT_GIDMAP
             && append ((void **) &o->uid_maps, &o->n_uid_maps, sizeof m, &m) < 0)
            || (opt != OPT_UIDMAP
                && append ((void **) &o->gid_maps, &o->n_gid_maps, sizeof m, &m) < 0))
          return oci_error_set (err, ENOMEM, "id map");
        return 0;
      }
    case OPT_IMAGE_VOLUMES:
      if (strcmp (arg, "ignore") == 0)
        o->image_volumes = IMAGE_VOLUMES_IGNORE;
      else if (strcmp (arg, "tmpfs") == 0)
        o->image_volumes = IMAGE_VOLUMES_TMPFS;
      else
        return oci_error_set (err, 0, "--image-volumes `%s`: expected ignore or tmpfs", arg);
      return 0;
    default:
      return oci_error_set (err, 0, "unknown option");
    }
}

int bundle_options_check (const bundle_options *o, oci_error **err)
{
  if (o->n_ports && o->net != NET_BRIDGE)
    return oci_error_set (err, 0, "-p publishes ports through the bridge: add --net bridge");
  if (o->memory_swap && o->memory == 0)
    return oci_error_set (err, 0, "--memory-swap needs --memory");
  if (o->memory_swap > 0 && o->memory_swap < o->memory)
    return oci_error_set (err, 0, "--memory-swap must be at least --memory (it counts both)");
  if ((o->n_uid_maps == 0) != (o->n_gid_maps == 0))
    return oci_error_set (err, 0, "a user namespace needs both --uidmap and --gidmap");
  return 0;
}
