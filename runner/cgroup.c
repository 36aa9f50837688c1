/* cgroups for runner: mode detection, paths, the life of a container's
   cgroup in every hierarchy (create, enter, freeze, kill, destroy) and the
   dispatch of linux.resources to the v1 and v2 writers.
   runtime-spec config-linux.md "Control groups". */
#include "cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "cgroup_internal.h"
#include "cleanup.h"
#include "fileutil.h"
#include "json.h"

#ifndef CGROUP_SUPER_MAGIC
#define CGROUP_SUPER_MAGIC 0x27e0eb
#endif
#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

#define CGROUP_DEFAULT_PARENT "/runner"

static const char *const controller_names[CG_NCONTROLLERS] = {
  [CG_CPU] = "cpu",         [CG_CPUACCT] = "cpuacct", [CG_CPUSET] = "cpuset",
  [CG_MEMORY] = "memory",   [CG_DEVICES] = "devices", [CG_FREEZER] = "freezer",
  [CG_BLKIO] = "blkio",     [CG_PIDS] = "pids",       [CG_NET_CLS] = "net_cls",
  [CG_NET_PRIO] = "net_prio", [CG_HUGETLB] = "hugetlb", [CG_RDMA] = "rdma",
  [CG_PERF_EVENT] = "perf_event", [CG_MISC] = "misc",
};

const char *cgroup_controller_name (enum cgroup_controller c)
{
  return c < CG_NCONTROLLERS ? controller_names[c] : "?";
}

/* ---- small file helpers ---- */

int cgroup_write (const cgroup *cg, const char *dir, const char *file,
                  const char *value, oci_error **err)
{
  cleanup_free char *p = NULL;
  cleanup_close int fd = -1;
  int flags = O_WRONLY | O_CLOEXEC;

  if (asprintf (&p, "%s/%s", dir, file) < 0)
    return oci_error_set (err, ENOMEM, "cgroup");
  if (cg->fake)
    flags |= O_CREAT | O_APPEND;
  fd = open (p, flags, 0644);
  if (fd < 0)
    return oci_error_set (err, errno, "cgroup: open `%s`", p);
  if (cg->fake)
    {
      if (dprintf (fd, "%s\n", value) < 0)
        return oci_error_set (err, errno, "cgroup: write `%s` to `%s`", value, p);
      return 0;
    }
  /* cgroupfs takes one value per write(2); a short write is an error. */
  ssize_t w;
  do
    w = write (fd, value, strlen (value));
  while (w < 0 && errno == EINTR);
  if (w < 0)
    return oci_error_set (err, errno, "cgroup: write `%s` to `%s`", value, p);
  return 0;
}

int cgroup_writef (const cgroup *cg, const char *dir, const char *file,
                   oci_error **err, const char *fmt, ...)
{
  cleanup_free char *v = NULL;
  va_list ap;
  int r;
  va_start (ap, fmt);
  r = vasprintf (&v, fmt, ap);
  va_end (ap);
  if (r < 0)
    return oci_error_set (err, ENOMEM, "cgroup");
  return cgroup_write (cg, dir, file, v, err);
}

bool cgroup_file_exists (const char *dir, const char *file)
{
  cleanup_free char *p = NULL;
  if (asprintf (&p, "%s/%s", dir, file) < 0)
    return false;
  return access (p, F_OK) == 0;
}

int cgroup_write_if_exists (const cgroup *cg, const char *dir, const char *file,
                            const char *value, oci_error **err)
{
  if (!cg->fake && !cgroup_file_exists (dir, file))
    return 0;
  return cgroup_write (cg, dir, file, value, err) < 0 ? -1 : 1;
}

int cgroup_read (const char *dir, const char *file, char **out, oci_error **err)
{
  cleanup_free char *p = NULL;
  cleanup_close int fd = -1;
  if (asprintf (&p, "%s/%s", dir, file) < 0)
    return oci_error_set (err, ENOMEM, "cgroup");
  fd = open (p, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return oci_error_set (err, errno, "cgroup: open `%s`", p);
  return read_all_fd (fd, 1 << 20, p, out, NULL, err);
}

bool cgroup_keyed_value (const char *text, const char *key, uint64_t *out)
{
  size_t kl = strlen (key);
  for (const char *l = text; l && *l; l = strchr (l, '\n') ? strchr (l, '\n') + 1 : NULL)
    if (strncmp (l, key, kl) == 0 && l[kl] == ' ')
      {
        *out = strtoull (l + kl + 1, NULL, 10);
        return true;
      }
  return false;
}

/* ---- paths ---- */

/* Refuse "..", keep single slashes: the path is joined under every
   hierarchy's mount, so it must not climb out. */
static int normalise_path (const char *in, char **out, oci_error **err)
{
  cleanup_free char *copy = strdup (in);
  cleanup_free char *res = malloc (strlen (in) + 2);
  char *save = NULL, *tok;
  size_t n = 0;

  if (copy == NULL || res == NULL)
    return oci_error_set (err, ENOMEM, "cgroup path");
  for (tok = strtok_r (copy, "/", &save); tok; tok = strtok_r (NULL, "/", &save))
    {
      if (strcmp (tok, "..") == 0)
        return oci_error_set (err, 0, "linux.cgroupsPath `%s`: `..` is not allowed", in);
      if (strcmp (tok, ".") == 0)
        continue;
      res[n++] = '/';
      memcpy (res + n, tok, strlen (tok));
      n += strlen (tok);
    }
  if (n == 0)
    res[n++] = '/';
  res[n] = '\0';
  *out = steal_pointer (&res);
  return 0;
}

/* systemd.slice(5): "a-b-c.slice" lives at /a.slice/a-b.slice/a-b-c.slice. */
static int expand_slice (const char *slice, char **out, oci_error **err)
{
  size_t len = strlen (slice);
  cleanup_free char *res = NULL;
  size_t cap, n = 0;

  if (len < 6 || strcmp (slice + len - 6, ".slice") != 0 || strchr (slice, '/'))
    return oci_error_set (err, 0, "systemd slice `%s`: expected NAME.slice", slice);
  if (strcmp (slice, "-.slice") == 0)
    return (*out = strdup ("")) ? 0 : oci_error_set (err, ENOMEM, "cgroup path");
  len -= 6;
  if (slice[0] == '-' || slice[len - 1] == '-' || strstr (slice, "--"))
    return oci_error_set (err, 0, "systemd slice `%s`: invalid name", slice);
  cap = (len + 8) * (len + 8);
  res = malloc (cap);
  if (res == NULL)
    return oci_error_set (err, ENOMEM, "cgroup path");
  for (size_t i = 0; i <= len; i++)
    if (i == len || slice[i] == '-')
      n += snprintf (res + n, cap - n, "/%.*s.slice", (int) i, slice);
  *out = steal_pointer (&res);
  return 0;
}

static int systemd_path (const char *spec, char **out, oci_error **err)
{
  cleanup_free char *copy = strdup (spec);
  cleanup_free char *slice_path = NULL;
  char *slice, *prefix, *name, *c1, *c2;
  int r;

  if (copy == NULL)
    return oci_error_set (err, ENOMEM, "cgroup path");
  c1 = strchr (copy, ':');
  c2 = c1 ? strchr (c1 + 1, ':') : NULL;
  if (c1 == NULL || c2 == NULL || strchr (c2 + 1, ':') || strchr (copy, '/'))
    return oci_error_set (err, 0,
                          "linux.cgroupsPath `%s`: expected slice:prefix:name with systemd cgroups",
                          spec);
  *c1 = *c2 = '\0';
  slice = copy;
  prefix = c1 + 1;
  name = c2 + 1;
  if (*name == '\0')
    return oci_error_set (err, 0, "linux.cgroupsPath `%s`: empty unit name", spec);
  if (expand_slice (*slice ? slice : "system.slice", &slice_path, err) < 0)
    return oci_error_prefix (err, "linux.cgroupsPath `%s`", spec);
  if (strlen (name) > 6 && strcmp (name + strlen (name) - 6, ".slice") == 0)
    {
      /* The unit is a slice: its path follows from its own name. */
      cleanup_free char *own = NULL;
      if (expand_slice (name, &own, err) < 0)
        return oci_error_prefix (err, "linux.cgroupsPath `%s`", spec);
      *out = steal_pointer (&own);
      return 0;
    }
  if (*prefix)
    r = asprintf (out, "%s/%s-%s.scope", slice_path, prefix, name);
  else
    r = asprintf (out, "%s/%s.scope", slice_path, name);
  return r < 0 ? oci_error_set (err, ENOMEM, "cgroup path") : 0;
}

int cgroup_resolve_path (const char *cgroups_path, const char *id, bool systemd,
                         char **out, oci_error **err)
{
  cleanup_free char *raw = NULL;

  if (systemd)
    {
      cleanup_free char *def = NULL;
      if (cgroups_path == NULL || *cgroups_path == '\0')
        {
          if (asprintf (&def, "system.slice:runner:%s", id) < 0)
            return oci_error_set (err, ENOMEM, "cgroup path");
          cgroups_path = def;
        }
      if (systemd_path (cgroups_path, &raw, err) < 0)
        return -1;
    }
  else if (cgroups_path && cgroups_path[0] == '/')
    raw = strdup (cgroups_path);
  else if (asprintf (&raw, CGROUP_DEFAULT_PARENT "/%s",
                     cgroups_path && *cgroups_path ? cgroups_path : id) < 0)
    raw = NULL;
  if (raw == NULL)
    return oci_error_set (err, ENOMEM, "cgroup path");
  return normalise_path (raw, out, err);
}

/* ---- hierarchies ---- */

static unsigned parse_v2_controllers (const char *text)
{
  unsigned mask = 0;
  cleanup_free char *copy = strdup (text ? text : "");
  char *save = NULL;
  if (copy == NULL)
    return 0;
  for (char *t = strtok_r (copy, " \t\n", &save); t; t = strtok_r (NULL, " \t\n", &save))
    {
      if (strcmp (t, "io") == 0)
        mask |= 1u << CG_BLKIO;
      else if (strcmp (t, "cpu") == 0)
        mask |= (1u << CG_CPU) | (1u << CG_CPUACCT);
      else
        for (int c = 0; c < CG_NCONTROLLERS; c++)
          if (strcmp (t, controller_names[c]) == 0)
            mask |= 1u << c;
    }
  /* Built into every v2 cgroup: cgroup.freeze and device programs. */
  return mask | (1u << CG_FREEZER) | (1u << CG_DEVICES);
}

/* A v1 mount's directory is named after its controllers ("cpu,cpuacct",
   "net_cls,net_prio", "memory") or its name ("systemd"). */
static unsigned parse_v1_name (const char *name)
{
  unsigned mask = 0;
  cleanup_free char *copy = strdup (name);
  char *save = NULL;
  if (copy == NULL)
    return 0;
  for (char *t = strtok_r (copy, ",", &save); t; t = strtok_r (NULL, ",", &save))
    for (int c = 0; c < CG_NCONTROLLERS; c++)
      if (strcmp (t, controller_names[c]) == 0)
        mask |= 1u << c;
  return mask;
}

static int add_hier (cgroup *cg, const char *mount, unsigned ctrls, bool v2,
                     oci_error **err)
{
  struct cgroup_hier *h;
  if (cg->nhiers == CG_MAX_HIERS)
    return oci_error_set (err, 0, "cgroup: too many hierarchies under `%s`", cg->root);
  h = &cg->hiers[cg->nhiers];
  h->mount = strdup (mount);
  if (h->mount == NULL
      || asprintf (&h->dir, "%s%s", mount, strcmp (cg->path, "/") ? cg->path : "") < 0)
    {
      free (h->mount);
      h->mount = NULL;
      return oci_error_set (err, ENOMEM, "cgroup");
    }
  h->ctrls = ctrls;
  h->v2 = v2;
  cg->nhiers++;
  return 0;
}

static int scan_hierarchies (cgroup *cg, oci_error **err)
{
  cleanup_free char *v2ctl = NULL;
  cleanup_free char *unified = NULL;
  struct dirent **names = NULL;
  int n, r = 0;

  if (cgroup_file_exists (cg->root, "cgroup.controllers"))
    {
      cleanup_error oci_error *e = NULL;
      cg->mode = CGROUP_MODE_V2;
      if (cgroup_read (cg->root, "cgroup.controllers", &v2ctl, &e) < 0)
        v2ctl = NULL;
      return add_hier (cg, cg->root, parse_v2_controllers (v2ctl), true, err);
    }

  n = scandir (cg->root, &names, NULL, alphasort);
  if (n < 0)
    return oci_error_set (err, errno, "cgroup: open `%s`", cg->root);
  /* Directories are the mounts; "cpu" and "cpuacct" are often links to
     "cpu,cpuacct", which only add names. Two passes, no realpath. */
  for (int pass = 0; pass < 2 && r == 0; pass++)
    for (int i = 0; i < n && r == 0; i++)
      {
        cleanup_free char *p = NULL;
        const char *name = names[i]->d_name;
        bool link = names[i]->d_type == DT_LNK;
        char target[256];
        ssize_t tl;

        if (name[0] == '.' || strcmp (name, "unified") == 0 || link != (pass == 1))
          continue;
        if (asprintf (&p, "%s/%s", cg->root, name) < 0)
          r = oci_error_set (err, ENOMEM, "cgroup");
        else if (!link)
          {
            if (names[i]->d_type == DT_DIR || names[i]->d_type == DT_UNKNOWN)
              if (cgroup_file_exists (p, "cgroup.procs"))
                r = add_hier (cg, p, parse_v1_name (name), false, err);
          }
        else if ((tl = readlink (p, target, sizeof target - 1)) > 0)
          {
            const char *base;
            bool known = false;
            target[tl] = '\0';
            base = strrchr (target, '/') ? strrchr (target, '/') + 1 : target;
            for (size_t j = 0; j < cg->nhiers; j++)
              if (strcmp (strrchr (cg->hiers[j].mount, '/') + 1, base) == 0)
                {
                  cg->hiers[j].ctrls |= parse_v1_name (name);
                  known = true;
                }
            if (!known && cgroup_file_exists (p, "cgroup.procs"))
              r = add_hier (cg, p, parse_v1_name (name) | parse_v1_name (base), false, err);
          }
      }
  for (int i = 0; i < n; i++)
    free (names[i]);
  free (names);
  if (r < 0)
    return r;

  if (asprintf (&unified, "%s/unified", cg->root) < 0)
    return oci_error_set (err, ENOMEM, "cgroup");
  if (cgroup_file_exists (unified, "cgroup.controllers"))
    {
      cleanup_error oci_error *e = NULL;
      cg->mode = CGROUP_MODE_HYBRID;
      if (cgroup_read (unified, "cgroup.controllers", &v2ctl, &e) < 0)
        v2ctl = NULL;
      /* v1 owns freezer and devices when it has them. */
      unsigned ctrls = parse_v2_controllers (v2ctl);
      for (size_t i = 0; i < cg->nhiers; i++)
        ctrls &= ~cg->hiers[i].ctrls;
      return add_hier (cg, unified, ctrls, true, err);
    }
  cg->mode = CGROUP_MODE_V1;
  if (cg->nhiers == 0)
    return oci_error_set (err, 0, "cgroup: no cgroup hierarchy mounted under `%s`", cg->root);
  return 0;
}

int cgroup_detect (const char *root, enum cgroup_mode *mode, oci_error **err)
{
  cgroup *cg = NULL;
  if (cgroup_open (root, "/", &cg, err) < 0)
    return -1;
  *mode = cg->mode;
  cgroup_free (cg);
  return 0;
}

struct cgroup_hier *cgroup_hier_of (cgroup *cg, enum cgroup_controller c)
{
  for (size_t i = 0; i < cg->nhiers; i++)
    if (cg->hiers[i].ctrls & (1u << c))
      return &cg->hiers[i];
  return NULL;
}

struct cgroup_hier *cgroup_hier_v2 (cgroup *cg)
{
  for (size_t i = 0; i < cg->nhiers; i++)
    if (cg->hiers[i].v2)
      return &cg->hiers[i];
  return NULL;
}

enum cgroup_mode cgroup_get_mode (const cgroup *cg) { return cg->mode; }
const char *cgroup_path (const cgroup *cg) { return cg->path; }

int cgroup_open (const char *root, const char *path, cgroup **out, oci_error **err)
{
  cgroup *cg = calloc (1, sizeof *cg);
  struct statfs sfs;

  if (cg == NULL)
    return oci_error_set (err, ENOMEM, "cgroup");
  cg->root = strdup (root ? root : CGROUP_DEFAULT_ROOT);
  if (cg->root == NULL || normalise_path (path ? path : "/", &cg->path, err) < 0)
    {
      cgroup_free (cg);
      return oci_error_set (err, ENOMEM, "cgroup");
    }
  if (scan_hierarchies (cg, err) < 0)
    {
      cgroup_free (cg);
      return -1;
    }
  /* A real cgroupfs, or a test layout of plain directories? */
  cg->fake = statfs (cg->hiers[0].mount, &sfs) < 0
             || (sfs.f_type != CGROUP_SUPER_MAGIC && sfs.f_type != CGROUP2_SUPER_MAGIC);
  *out = cg;
  return 0;
}

void cgroup_free (cgroup *cg)
{
  if (cg == NULL)
    return;
  for (size_t i = 0; i < cg->nhiers; i++)
    {
      free (cg->hiers[i].mount);
      free (cg->hiers[i].dir);
    }
  for (size_t i = 0; i < cg->nmade; i++)
    free (cg->made[i]);
  free (cg->made);
  free (cg->root);
  free (cg->path);
  free (cg);
}

/* ---- create ---- */

static int v1_cpuset_inherit (cgroup *cg, const char *parent, const char *dir,
                              oci_error **err)
{
  static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
  for (size_t i = 0; i < 2; i++)
    {
      cleanup_free char *mine = NULL, *theirs = NULL;
      cleanup_error oci_error *e = NULL;
      /* A new v1 cpuset is empty and no task may join it until both are
         set: take the parent's. */
      if (cgroup_read (dir, files[i], &mine, &e) < 0)
        continue; /* test layouts have no such files */
      if (strspn (mine, " \n") != strlen (mine))
        continue;
      if (cgroup_read (parent, files[i], &theirs, err) < 0)
        return -1;
      theirs[strcspn (theirs, "\n")] = '\0';
      if (cgroup_write (cg, dir, files[i], theirs, err) < 0)
        return -1;
    }
  return 0;
}

static const char *const v2_enable_names[] = { "cpuset", "cpu", "io", "memory",
                                               "pids", "hugetlb", "rdma", "misc" };

static unsigned v2_name_bit (const char *n)
{
  return strcmp (n, "io") == 0 ? 1u << CG_BLKIO : parse_v1_name (n);
}

/* mkdir every component of the path under the mount; on v2, enable the
   controllers we may use in each parent's cgroup.subtree_control. */
static int make_hier_dir (cgroup *cg, struct cgroup_hier *h, oci_error **err)
{
  cleanup_free char *cur = strdup (h->mount);
  cleanup_free char *rest = strdup (cg->path);
  char enable[128] = "";
  char *save = NULL, *tok, *next;
  int retries = 0;

  if (cur == NULL || rest == NULL)
    return oci_error_set (err, ENOMEM, "cgroup");
  if (h->v2)
    for (size_t i = 0; i < sizeof v2_enable_names / sizeof *v2_enable_names; i++)
      if (h->ctrls & v2_name_bit (v2_enable_names[i]))
        snprintf (enable + strlen (enable), sizeof enable - strlen (enable), "%s+%s",
                  *enable ? " " : "", v2_enable_names[i]);

again:
  for (tok = strtok_r (rest, "/", &save); tok; tok = next)
    {
      cleanup_free char *parent = cur;
      bool leaf;
      next = strtok_r (NULL, "/", &save);
      leaf = next == NULL;
      cur = NULL;
      if (asprintf (&cur, "%s/%s", parent, tok) < 0)
        return oci_error_set (err, ENOMEM, "cgroup");
      if (h->v2 && *enable)
        {
          /* All at once, else one by one: a controller that cannot be
             enabled here (e.g. cpu with realtime tasks) must not stop the
             others. Failures show later as a missing file. */
          cleanup_error oci_error *e = NULL;
          if (cgroup_write (cg, parent, "cgroup.subtree_control", enable, &e) < 0)
            for (size_t i = 0; i < sizeof v2_enable_names / sizeof *v2_enable_names; i++)
              if (h->ctrls & v2_name_bit (v2_enable_names[i]))
                {
                  cleanup_error oci_error *e2 = NULL;
                  cgroup_writef (cg, parent, "cgroup.subtree_control", &e2, "+%s",
                                 v2_enable_names[i]);
                }
        }
      if (mkdir (cur, 0755) < 0)
        {
          if (errno == ENOENT && retries++ < 5)
            {
              /* a delete just removed an empty parent it had made
                 (cgroup_remove_made_parents): walk down again */
              free (cur);
              free (rest);
              cur = strdup (h->mount);
              rest = strdup (cg->path);
              if (cur == NULL || rest == NULL)
                return oci_error_set (err, ENOMEM, "cgroup");
              save = NULL;
              goto again;
            }
          if (errno != EEXIST)
            return oci_error_set (err, errno, "cgroup: mkdir `%s`", cur);
        }
      else if (leaf)
        h->created = true;
      else if (strcmp (cur + strlen (h->mount), "/runner") != 0)
        {
          /* runner's shared parent stays, like the default path's */
          char *made = strdup (cur);
          if (made == NULL || cgroup_note_made_parent (cg, made) < 0)
            return oci_error_set (err, ENOMEM, "cgroup");
        }
      /* Also for levels that exist: another runtime may have just made
         one and not filled it in yet. */
      if ((h->ctrls & (1u << CG_CPUSET)) && !h->v2
          && v1_cpuset_inherit (cg, parent, cur, err) < 0)
        return -1;
    }
  return 0;
}

static int rmdir_retry (const char *dir)
{
  for (int i = 0;; i++)
    {
      if (rmdir (dir) == 0 || errno == ENOENT)
        return 0;
      if (errno != EBUSY || i == 9)
        return -1;
      /* The kernel releases a cgroup shortly after its last task exits. */
      struct timespec ts = { 0, (1L << i) * 1000000L };
      nanosleep (&ts, NULL);
    }
}

/* Remove DIR and every cgroup below it (a container may make its own). */
static int remove_cgroup_dir (const cgroup *cg, const char *dir, oci_error **err)
{
  cleanup_dir DIR *d = NULL;
  struct dirent *de;

  /* The common case first: an empty cgroup goes with one rmdir. */
  if (rmdir (dir) == 0 || errno == ENOENT)
    return 0;
  d = opendir (dir);
  if (d == NULL)
    return errno == ENOENT ? 0 : oci_error_set (err, errno, "cgroup: open `%s`", dir);
  while ((de = readdir (d)) != NULL)
    {
      cleanup_free char *sub = NULL;
      if (de->d_name[0] == '.' && (de->d_name[1] == '\0' || strcmp (de->d_name, "..") == 0))
        continue;
      if (asprintf (&sub, "%s/%s", dir, de->d_name) < 0)
        return oci_error_set (err, ENOMEM, "cgroup");
      if (de->d_type == DT_DIR)
        {
          if (remove_cgroup_dir (cg, sub, err) < 0)
            return -1;
        }
      else if (cg->fake)
        unlink (sub);
    }
  if (rmdir_retry (dir) < 0)
    return oci_error_set (err, errno, "cgroup: remove `%s`", dir);
  return 0;
}

int cgroup_destroy (cgroup *cg, oci_error **err)
{
  int r = 0;
  if (strcmp (cg->path, "/") == 0)
    return 0;
  /* Go on through every hierarchy; report the first failure. */
  for (size_t i = 0; i < cg->nhiers; i++)
    if (remove_cgroup_dir (cg, cg->hiers[i].dir, err) < 0)
      r = -1;
  return r;
}

static int section_has_values (yajl_val v)
{
  if (v == NULL || YAJL_IS_NULL (v))
    return 0;
  if (YAJL_IS_OBJECT (v))
    {
      for (size_t i = 0; i < v->u.object.len; i++)
        if (section_has_values (v->u.object.values[i]))
          return 1;
      return 0;
    }
  if (YAJL_IS_ARRAY (v))
    return v->u.array.len > 0;
  if (YAJL_IS_STRING (v))
    return *YAJL_GET_STRING (v) != '\0';
  return 1;
}

static int unavailable (enum cgroup_controller c, const char *what, oci_error **err)
{
  return oci_error_set (err, 0, "linux.resources.%s: the %s cgroup controller is not available",
                        what, cgroup_controller_name (c));
}

/* The devices rule list: the configured rules, then (as runc) the
   configured devices and the default ones, allowed. /dev/console is a
   bind of the pty (136:*) when there is a terminal: 5:1 is not in the list
   (runc dropped it as well). */
static int device_rules (yajl_val rules, yajl_val linux_devices, yajl_val *out,
                         oci_error **err)
{
  static const char *const defaults[] = {
    "{\"allow\":true,\"type\":\"c\",\"access\":\"m\"}",
    "{\"allow\":true,\"type\":\"b\",\"access\":\"m\"}",
    "{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":3,\"access\":\"rwm\"}",
    "{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":8,\"access\":\"rwm\"}",
    "{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":7,\"access\":\"rwm\"}",
    "{\"allow\":true,\"type\":\"c\",\"major\":5,\"minor\":0,\"access\":\"rwm\"}",
    "{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":5,\"access\":\"rwm\"}",
    "{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":9,\"access\":\"rwm\"}",
    "{\"allow\":true,\"type\":\"c\",\"major\":136,\"access\":\"rwm\"}",
    "{\"allow\":true,\"type\":\"c\",\"major\":5,\"minor\":2,\"access\":\"rwm\"}",
    "{\"allow\":true,\"type\":\"c\",\"major\":10,\"minor\":200,\"access\":\"rwm\"}",
  };
  cleanup_json_gen yajl_gen g = json_gen_new (false);
  cleanup_free char *text = NULL;
  size_t len;

  if (g == NULL)
    return oci_error_set (err, ENOMEM, "cgroup devices");
  yajl_gen_array_open (g);
  for (size_t i = 0; i < json_array_len (rules); i++)
    json_gen_value (g, json_array_at (rules, i));
  for (size_t i = 0; i < json_array_len (linux_devices); i++)
    {
      yajl_val d = json_array_at (linux_devices, i);
      const char *type = json_get_string (d, "type");
      long long maj, min;
      if (type == NULL || !json_get_int (d, "major", &maj) || !json_get_int (d, "minor", &min))
        continue;
      yajl_gen_map_open (g);
      json_gen_kv_bool (g, "allow", true);
      /* "u" (unbuffered char) is a char device to the kernel. */
      json_gen_kv_str (g, "type", strcmp (type, "b") == 0 ? "b" : "c");
      json_gen_kv_int (g, "major", maj);
      json_gen_kv_int (g, "minor", min);
      json_gen_kv_str (g, "access", "rwm");
      yajl_gen_map_close (g);
    }
  for (size_t i = 0; i < sizeof defaults / sizeof *defaults; i++)
    {
      cleanup_json yajl_val v = NULL;
      if (json_parse (defaults[i], strlen (defaults[i]), "default devices", &v, err) < 0)
        return -1;
      json_gen_value (g, v);
    }
  yajl_gen_array_close (g);
  if (json_gen_result (g, &text, &len, err) < 0)
    return -1;
  return json_parse (text, len, "devices rules", out, err);
}

/* linux.resources.devices (or, at create without one, runc's default:
   deny all) followed by the configured and default devices. */
static int apply_devices (cgroup *cg, yajl_val configured, yajl_val linux_devices,
                          bool requested, oci_error **err)
{
  cleanup_json yajl_val deny_all = NULL;
  cleanup_json yajl_val rules = NULL;
  struct cgroup_hier *h = cgroup_hier_of (cg, CG_DEVICES);

  if (h == NULL)
    return requested ? unavailable (CG_DEVICES, "devices", err) : 0;
  if (configured == NULL)
    {
      static const char text[] = "[{\"allow\":false,\"access\":\"rwm\"}]";
      if (json_parse (text, sizeof text - 1, "devices", &deny_all, err) < 0)
        return -1;
      configured = deny_all;
    }
  if (device_rules (configured, linux_devices, &rules, err) < 0)
    return -1;
  return h->v2 ? cgroup_bpf_devices_apply (cg, h->dir, rules, err)
               : cgroup_v1_set_devices (cg, h->dir, rules, err);
}

static int apply_resources (cgroup *cg, yajl_val res, yajl_val linux_devices,
                            bool update, oci_error **err)
{
  struct cgroup_hier *h;
  yajl_val v;

  if (res == NULL || YAJL_IS_NULL (res))
    return 0;
  if (!YAJL_IS_OBJECT (res))
    return oci_error_set (err, 0, "linux.resources: not an object");

  if (section_has_values (v = json_get_object (res, "memory")))
    {
      if ((h = cgroup_hier_of (cg, CG_MEMORY)) == NULL)
        return unavailable (CG_MEMORY, "memory", err);
      if ((h->v2 ? cgroup_v2_set_memory : cgroup_v1_set_memory) (cg, h->dir, v, update, err) < 0)
        return -1;
    }
  if ((v = json_get_object (res, "cpu")) != NULL)
    {
      static const char *const cpu_keys[] = { "shares", "quota", "period", "burst", "idle",
                                              "realtimeRuntime", "realtimePeriod" };
      bool want_cpu = false, want_cpuset = false;
      for (size_t i = 0; i < sizeof cpu_keys / sizeof *cpu_keys; i++)
        want_cpu |= section_has_values (json_get (v, cpu_keys[i]));
      want_cpuset = section_has_values (json_get (v, "cpus"))
                    || section_has_values (json_get (v, "mems"));
      if (want_cpu)
        {
          if ((h = cgroup_hier_of (cg, CG_CPU)) == NULL)
            return unavailable (CG_CPU, "cpu", err);
          if ((h->v2 ? cgroup_v2_set_cpu : cgroup_v1_set_cpu) (cg, h->dir, v, err) < 0)
            return -1;
        }
      if (want_cpuset)
        {
          if ((h = cgroup_hier_of (cg, CG_CPUSET)) == NULL)
            return unavailable (CG_CPUSET, "cpu.cpus", err);
          if ((h->v2 ? cgroup_v2_set_cpuset : cgroup_v1_set_cpuset) (cg, h->dir, v, err) < 0)
            return -1;
        }
    }
  if (section_has_values (v = json_get_object (res, "pids")))
    {
      if ((h = cgroup_hier_of (cg, CG_PIDS)) == NULL)
        return unavailable (CG_PIDS, "pids", err);
      if ((h->v2 ? cgroup_v2_set_pids : cgroup_v1_set_pids) (cg, h->dir, v, err) < 0)
        return -1;
    }
  if (section_has_values (v = json_get_object (res, "blockIO")))
    {
      if ((h = cgroup_hier_of (cg, CG_BLKIO)) == NULL)
        return unavailable (CG_BLKIO, "blockIO", err);
      if ((h->v2 ? cgroup_v2_set_io : cgroup_v1_set_blkio) (cg, h->dir, v, err) < 0)
        return -1;
    }
  if (section_has_values (v = json_get_array (res, "hugepageLimits")))
    {
      if ((h = cgroup_hier_of (cg, CG_HUGETLB)) == NULL)
        return unavailable (CG_HUGETLB, "hugepageLimits", err);
      if ((h->v2 ? cgroup_v2_set_hugetlb : cgroup_v1_set_hugetlb) (cg, h->dir, v, err) < 0)
        return -1;
    }
  if (section_has_values (v = json_get_object (res, "network")))
    {
      /* v1 only: cgroup v2 has no net_cls/net_prio (runc ignores these
         there too); on v1 a missing controller is an error. */
      if (cg->mode != CGROUP_MODE_V2)
        {
          if (section_has_values (json_get (v, "classID")))
            {
              if ((h = cgroup_hier_of (cg, CG_NET_CLS)) == NULL || h->v2)
                return unavailable (CG_NET_CLS, "network.classID", err);
              if (cgroup_v1_set_net_cls (cg, h->dir, v, err) < 0)
                return -1;
            }
          if (section_has_values (json_get (v, "priorities")))
            {
              if ((h = cgroup_hier_of (cg, CG_NET_PRIO)) == NULL || h->v2)
                return unavailable (CG_NET_PRIO, "network.priorities", err);
              if (cgroup_v1_set_net_prio (cg, h->dir, v, err) < 0)
                return -1;
            }
        }
    }
  if (section_has_values (v = json_get_object (res, "rdma")))
    {
      if ((h = cgroup_hier_of (cg, CG_RDMA)) == NULL)
        return unavailable (CG_RDMA, "rdma", err);
      if (cgroup_rdma_set (cg, h->dir, v, err) < 0)
        return -1;
    }
  if ((v = json_get_array (res, "devices")) != NULL
      && apply_devices (cg, v, linux_devices, true, err) < 0)
    return -1;
  /* config-linux.md "Unified": applied last, over the converted values. */
  if (section_has_values (v = json_get_object (res, "unified")))
    {
      if ((h = cgroup_hier_v2 (cg)) == NULL)
        return oci_error_set (err, 0, "linux.resources.unified: needs cgroup v2, this host has only v1");
      if (cgroup_v2_set_unified (cg, h->dir, v, err) < 0)
        return -1;
    }
  return 0;
}

static int collect_pids (const char *dir, pid_t **pids, size_t *n, size_t *cap,
                         oci_error **err);

/* A cgroup that was already there must hold no process: the default path
   is /runner/ID whatever --root, so two runner instances (or runc/crun
   with the same path) would otherwise share one cgroup, its limits and
   its kill-all at delete. runc 1.2 refuses the same way ("container's
   cgroup is not empty"); 1.1 and crun 1.8 share it. */
static int check_not_in_use (cgroup *cg, oci_error **err)
{
  for (size_t i = 0; i < cg->nhiers; i++)
    {
      cleanup_free pid_t *pids = NULL;
      size_t n = 0, cap = 0;
      if (cg->hiers[i].created)
        continue;
      if (collect_pids (cg->hiers[i].dir, &pids, &n, &cap, err) < 0)
        return -1;
      if (n > 0)
        return oci_error_set (err, 0,
                              "already holds %zu process(es) of another container (the same ID "
                              "under another --root?); use another ID or linux.cgroupsPath",
                              n);
    }
  return 0;
}

int cgroup_create_with_devices (const char *root, const char *cgroups_path,
                                const char *id, bool systemd, yajl_val resources,
                                yajl_val linux_devices, cgroup **out, oci_error **err)
{
  cleanup_free char *path = NULL;
  cgroup *cg = NULL;

  if (cgroup_resolve_path (cgroups_path, id, systemd, &path, err) < 0)
    return -1;
  if (strcmp (path, "/") == 0)
    return oci_error_set (err, 0, "linux.cgroupsPath: the root cgroup cannot be a container's");
  if (cgroup_open (root, path, &cg, err) < 0)
    return -1;
  for (size_t i = 0; i < cg->nhiers; i++)
    if (make_hier_dir (cg, &cg->hiers[i], err) < 0)
      goto fail;
  /* before any limit is written into someone else's cgroup */
  if (check_not_in_use (cg, err) < 0)
    goto fail;
  if (apply_resources (cg, resources, linux_devices, false, err) < 0)
    goto fail;
  /* No device list at all: the allowlist is still closed, as runc does
     (a process with CAP_MKNOD must not reach the host's disks). */
  if (json_get_array (resources, "devices") == NULL
      && apply_devices (cg, NULL, linux_devices, false, err) < 0)
    goto fail;
  *out = cg;
  return 0;

fail:
  /* Nothing half-done: remove what we made (never a cgroup that was
     there before). */
  for (size_t i = 0; i < cg->nhiers; i++)
    if (cg->hiers[i].created)
      {
        cleanup_error oci_error *e = NULL;
        remove_cgroup_dir (cg, cg->hiers[i].dir, &e);
      }
  cgroup_remove_made_parents (cg, cg->made, cg->nmade);
  oci_error_prefix (err, "cgroup `%s`", cg->path);
  cgroup_free (cg);
  return -1;
}

int cgroup_create (const char *root, const char *cgroups_path, const char *id,
                   bool systemd, yajl_val resources, cgroup **out, oci_error **err)
{
  return cgroup_create_with_devices (root, cgroups_path, id, systemd, resources, NULL,
                                     out, err);
}

int cgroup_update (cgroup *cg, yajl_val resources, oci_error **err)
{
  if (apply_resources (cg, resources, NULL, true, err) < 0)
    return oci_error_prefix (err, "update cgroup `%s`", cg->path);
  return 0;
}

int cgroup_enter (cgroup *cg, pid_t pid, oci_error **err)
{
  char buf[32];
  snprintf (buf, sizeof buf, "%d", (int) pid);
  for (size_t i = 0; i < cg->nhiers; i++)
    if (cgroup_write (cg, cg->hiers[i].dir, "cgroup.procs", buf, err) < 0)
      return oci_error_prefix (err, "move pid %d into cgroup `%s`", (int) pid, cg->path);
  return 0;
}

/* ---- processes ---- */

static struct cgroup_hier *procs_hier (cgroup *cg)
{
  static const enum cgroup_controller prefer[] = { CG_PIDS, CG_FREEZER, CG_MEMORY, CG_CPU };
  if (cg->mode == CGROUP_MODE_V2)
    return &cg->hiers[0];
  for (size_t i = 0; i < sizeof prefer / sizeof *prefer; i++)
    {
      struct cgroup_hier *h = cgroup_hier_of (cg, prefer[i]);
      if (h && !h->v2)
        return h;
    }
  return &cg->hiers[0];
}

static int collect_pids (const char *dir, pid_t **pids, size_t *n, size_t *cap,
                         oci_error **err)
{
  cleanup_free char *text = NULL;
  cleanup_dir DIR *d = NULL;
  struct dirent *de;

  cleanup_error oci_error *e = NULL;
  if (cgroup_read (dir, "cgroup.procs", &text, &e) < 0)
    {
      /* A cgroup that is gone has no processes. */
      if (e->errnum == ENOENT)
        return 0;
      if (err && *err == NULL)
        *err = steal_pointer (&e);
      return -1;
    }
  for (char *p = text; *p;)
    {
      char *end;
      long v = strtol (p, &end, 10);
      if (end == p)
        break;
      if (*n == *cap)
        {
          size_t nc = *cap ? *cap * 2 : 16;
          pid_t *np = realloc (*pids, nc * sizeof *np);
          if (np == NULL)
            return oci_error_set (err, ENOMEM, "cgroup pids");
          *pids = np;
          *cap = nc;
        }
      (*pids)[(*n)++] = (pid_t) v;
      p = end + strspn (end, " \n");
    }
  d = opendir (dir);
  while (d && (de = readdir (d)) != NULL)
    if (de->d_type == DT_DIR && de->d_name[0] != '.')
      {
        cleanup_free char *sub = NULL;
        if (asprintf (&sub, "%s/%s", dir, de->d_name) < 0)
          return oci_error_set (err, ENOMEM, "cgroup pids");
        if (collect_pids (sub, pids, n, cap, err) < 0)
          return -1;
      }
  return 0;
}

int cgroup_pids (cgroup *cg, pid_t **pids, size_t *n, oci_error **err)
{
  size_t cap = 0;
  *pids = NULL;
  *n = 0;
  if (collect_pids (procs_hier (cg)->dir, pids, n, &cap, err) < 0)
    {
      free (*pids);
      *pids = NULL;
      *n = 0;
      return oci_error_prefix (err, "list processes of cgroup `%s`", cg->path);
    }
  return 0;
}

static int wait_frozen (cgroup *cg, struct cgroup_hier *h, bool frozen, oci_error **err)
{
  for (int i = 0; i < 1000; i++)
    {
      cleanup_free char *text = NULL;
      uint64_t v = 0;
      bool done;
      if (h->v2)
        {
          if (cgroup_read (h->dir, "cgroup.events", &text, err) < 0)
            return -1;
          done = cgroup_keyed_value (text, "frozen", &v) && (v == 1) == frozen;
        }
      else
        {
          if (cgroup_read (h->dir, "freezer.state", &text, err) < 0)
            return -1;
          done = strncmp (text, frozen ? "FROZEN" : "THAWED", 6) == 0;
          /* A task in a vfork or an uninterruptible sleep can stall
             FREEZING: asking again moves it on (runc does the same). */
          if (!done && frozen && i % 20 == 19
              && cgroup_write (cg, h->dir, "freezer.state", "FROZEN", err) < 0)
            return -1;
        }
      if (done)
        return 0;
      struct timespec ts = { 0, (i < 10 ? 1 : 10) * 1000000L };
      nanosleep (&ts, NULL);
    }
  return oci_error_set (err, ETIMEDOUT, "cgroup `%s`: %s", cg->path,
                        frozen ? "freeze" : "thaw");
}

static struct cgroup_hier *freezer_hier (cgroup *cg)
{
  return cgroup_hier_of (cg, CG_FREEZER);
}

int cgroup_freeze (cgroup *cg, bool frozen, oci_error **err)
{
  struct cgroup_hier *h = freezer_hier (cg);
  if (strcmp (cg->path, "/") == 0)
    return oci_error_set (err, 0, "cgroup: refusing to freeze the root cgroup");
  if (h == NULL)
    return oci_error_set (err, 0, "cgroup `%s`: no freezer (v1 freezer controller not mounted)",
                          cg->path);
  if (h->v2)
    {
      if (cgroup_write (cg, h->dir, "cgroup.freeze", frozen ? "1" : "0", err) < 0)
        return -1;
    }
  else if (cgroup_write (cg, h->dir, "freezer.state", frozen ? "FROZEN" : "THAWED", err) < 0)
    return -1;
  if (wait_frozen (cg, h, frozen, err) < 0)
    {
      if (frozen)
        {
          /* Do not leave it half-frozen. */
          cleanup_error oci_error *e = NULL;
          if (h->v2)
            cgroup_write (cg, h->dir, "cgroup.freeze", "0", &e);
          else
            cgroup_write (cg, h->dir, "freezer.state", "THAWED", &e);
        }
      return -1;
    }
  return 0;
}

int cgroup_is_frozen (cgroup *cg, bool *frozen, oci_error **err)
{
  struct cgroup_hier *h = freezer_hier (cg);
  cleanup_free char *text = NULL;
  uint64_t v = 0;

  *frozen = false;
  if (h == NULL)
    return 0;
  if (cgroup_read (h->dir, h->v2 ? "cgroup.events" : "freezer.state", &text, err) < 0)
    return -1;
  *frozen = h->v2 ? cgroup_keyed_value (text, "frozen", &v) && v == 1
                  : strncmp (text, "FROZEN", 6) == 0;
  return 0;
}

int cgroup_kill_all (cgroup *cg, int sig, oci_error **err)
{
  struct cgroup_hier *v2 = cgroup_hier_v2 (cg);
  cleanup_free pid_t *pids = NULL;
  bool frozen = false;
  size_t n = 0;
  int r = 0;

  if (strcmp (cg->path, "/") == 0)
    return oci_error_set (err, 0, "cgroup: refusing to signal every process of the root cgroup");
  /* Linux 5.14 cgroup.kill: every task, also ones forking right now. In
     hybrid mode our tasks are in the unified tree as well. */
  if (sig == SIGKILL && v2 && !cg->fake && cgroup_file_exists (v2->dir, "cgroup.kill"))
    {
      cleanup_error oci_error *e = NULL;
      if (cgroup_write (cg, v2->dir, "cgroup.kill", "1", &e) == 0)
        return 0;
    }
  /* Else freeze, so that nothing forks between listing and signalling. */
  if (freezer_hier (cg))
    {
      cleanup_error oci_error *e = NULL;
      frozen = cgroup_freeze (cg, true, &e) == 0;
    }
  if (cgroup_pids (cg, &pids, &n, err) < 0)
    r = -1;
  for (size_t i = 0; r == 0 && i < n; i++)
    if (kill (pids[i], sig) < 0 && errno != ESRCH)
      r = oci_error_set (err, errno, "kill pid %d of cgroup `%s`", (int) pids[i], cg->path);
  if (frozen)
    {
      cleanup_error oci_error *e = NULL;
      if (cgroup_freeze (cg, false, r == 0 ? err : &e) < 0)
        r = -1;
    }
  return r;
}
