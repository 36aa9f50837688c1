/* Config.User inside the rootfs (image-spec conversion.md "Config.User"):
   numeric ids are kept verbatim; names are looked up in the rootfs'
   /etc/passwd and /etc/group, read through the root-confined resolver so
   that a hostile image whose /etc/passwd is a symlink to the host's reads
   its own file or nothing. additionalGids are the groups that list the
   user by name, and only when a user name without a group was given. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle.h"
#include "cleanup.h"
#include "fileutil.h"
#include "safepath.h"

#define MAX_DB (8u << 20)

static bool parse_id (const char *s, size_t len, unsigned *out)
{
  unsigned long long v = 0;
  if (len == 0 || len > 10)
    return false;
  for (size_t i = 0; i < len; i++)
    {
      if (!isdigit ((unsigned char) s[i]))
        return false;
      v = v * 10 + (unsigned) (s[i] - '0');
    }
  if (v >= 0xffffffffULL) /* (uid_t) -1 is not an id */
    return false;
  *out = (unsigned) v;
  return true;
}

/* Split one line of a colon file into at most `max` fields (in place). */
static size_t split_fields (char *line, char **f, size_t max)
{
  size_t n = 0;
  f[n++] = line;
  for (char *p = line; *p && n < max; p++)
    if (*p == ':')
      {
        *p = '\0';
        f[n++] = p + 1;
      }
  return n;
}

/* Call `fn` for each well-formed line (at least `min` fields). */
typedef bool (*line_fn) (char **f, size_t n, void *data);
static void each_line (const char *db, size_t min, size_t max, line_fn fn, void *data)
{
  const char *p = db;
  while (p && *p)
    {
      const char *nl = strchr (p, '\n');
      size_t len = nl ? (size_t) (nl - p) : strlen (p);
      char *line = strndup (p, len), *f[8];
      size_t n;
      bool stop = false;
      p = nl ? nl + 1 : NULL;
      if (line == NULL)
        return;
      if (line[0] != '#' && line[0] != '\0')
        {
          n = split_fields (line, f, max);
          if (n >= min)
            stop = fn (f, n, data);
        }
      free (line);
      if (stop)
        return;
    }
}

struct pw_query
{
  const char *name; /* or NULL: by uid */
  unsigned uid;
  bool found;
  unsigned found_uid, found_gid;
  char *found_name;
};

static bool pw_match (char **f, size_t n, void *data)
{
  struct pw_query *q = data;
  unsigned uid, gid;
  (void) n;
  if (!parse_id (f[2], strlen (f[2]), &uid) || !parse_id (f[3], strlen (f[3]), &gid))
    return false;
  if (q->name ? strcmp (f[0], q->name) != 0 : uid != q->uid)
    return false;
  q->found = true;
  q->found_uid = uid;
  q->found_gid = gid;
  q->found_name = strdup (f[0]);
  return true;
}

struct gr_query
{
  const char *name; /* group by name, or NULL */
  bool found;
  unsigned gid;
  /* supplementary: groups listing `member` */
  const char *member;
  unsigned primary;
  unsigned *gids;
  size_t n;
};

static bool gr_match (char **f, size_t n, void *data)
{
  struct gr_query *q = data;
  unsigned gid;
  if (!parse_id (f[2], strlen (f[2]), &gid))
    return false;
  if (q->name)
    {
      if (strcmp (f[0], q->name) != 0)
        return false;
      q->found = true;
      q->gid = gid;
      return true;
    }
  if (n < 4 || gid == q->primary)
    return false;
  {
    char *members = f[3], *tok, *save = NULL;
    for (tok = strtok_r (members, ",", &save); tok; tok = strtok_r (NULL, ",", &save))
      {
        while (isspace ((unsigned char) *tok))
          tok++;
        if (strcmp (tok, q->member) == 0)
          {
            unsigned *ng;
            for (size_t i = 0; i < q->n; i++)
              if (q->gids[i] == gid)
                return false;
            ng = realloc (q->gids, (q->n + 1) * sizeof *ng);
            if (ng == NULL)
              return true;
            q->gids = ng;
            q->gids[q->n++] = gid;
            return false;
          }
      }
  }
  return false;
}

int users_resolve_in (const char *passwd, const char *group, const char *spec, user_ids *out,
                      oci_error **err)
{
  cleanup_free char *copy = strdup (spec);
  cleanup_free char *user_name = NULL;
  char *u, *g;
  unsigned uid, gid = 0;
  bool numeric_user;

  memset (out, 0, sizeof *out);
  if (copy == NULL)
    return oci_error_set (err, ENOMEM, "user `%s`", spec);
  u = copy;
  g = strchr (copy, ':');
  if (g)
    *g++ = '\0';
  if (*u == '\0' && (g == NULL || *g == '\0'))
    return 0; /* no user: root */
  if (*u == '\0')
    return oci_error_set (err, 0, "user `%s`: a group needs a user before the colon", spec);

  numeric_user = parse_id (u, strlen (u), &uid);
  {
    struct pw_query q = { .name = numeric_user ? NULL : u, .uid = numeric_user ? uid : 0 };
    if (passwd)
      each_line (passwd, 7, 7, pw_match, &q);
    if (!numeric_user && !q.found)
      return oci_error_set (err, 0, "user `%s` not found in the image's /etc/passwd%s", u,
                            passwd ? "" : " (the image has none)");
    if (q.found)
      {
        uid = q.found_uid;
        gid = q.found_gid;
        user_name = q.found_name;
      }
  }

  if (g && *g)
    {
      if (!parse_id (g, strlen (g), &gid))
        {
          struct gr_query q = { .name = g };
          if (group)
            each_line (group, 3, 4, gr_match, &q);
          if (!q.found)
            return oci_error_set (err, 0, "group `%s` not found in the image's /etc/group%s", g,
                                  group ? "" : " (the image has none)");
          gid = q.gid;
        }
    }
  else if (!numeric_user && group && user_name)
    {
      /* conversion.md: additionalGids only for a user name without group */
      struct gr_query q = { .member = user_name, .primary = gid };
      each_line (group, 4, 4, gr_match, &q);
      out->additional_gids = q.gids;
      out->n_additional_gids = q.n;
    }
  out->uid = uid;
  out->gid = gid;
  return 0;
}

/* Read a database file inside the rootfs; a missing file is NULL. */
static int read_db (int rootfd, const char *path, char **out, oci_error **err)
{
  /* O_NONBLOCK: a FIFO planted as /etc/passwd must not hang us; and only
     a regular file is read (a device node could be the host's memory) */
  cleanup_close int fd = safepath_open (rootfd, path, O_RDONLY | O_NONBLOCK, 0);
  struct stat st;
  *out = NULL;
  if (fd < 0)
    {
      if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP)
        return 0;
      return oci_error_set (err, errno, "open %s in the rootfs", path);
    }
  if (fstat (fd, &st) < 0)
    return oci_error_set (err, errno, "stat %s in the rootfs", path);
  if (!S_ISREG (st.st_mode))
    return oci_error_set (err, 0, "%s in the rootfs is not a regular file", path);
  if (read_all_fd (fd, MAX_DB, path, out, NULL, err) < 0)
    return oci_error_prefix (err, "rootfs");
  return 0;
}

int users_resolve (int rootfd, const char *spec, user_ids *out, oci_error **err)
{
  cleanup_free char *passwd = NULL;
  cleanup_free char *group = NULL;
  const char *colon = strchr (spec, ':');
  unsigned dummy;
  size_t ulen = colon ? (size_t) (colon - spec) : strlen (spec);

  if (ulen == 0 && (!colon || colon[1] == '\0'))
    {
      memset (out, 0, sizeof *out);
      return 0;
    }
  if (rootfd >= 0)
    {
      /* numeric uid:gid needs no lookup at all */
      if (!(parse_id (spec, ulen, &dummy) && colon && parse_id (colon + 1, strlen (colon + 1), &dummy)))
        {
          if (read_db (rootfd, "/etc/passwd", &passwd, err) < 0
              || read_db (rootfd, "/etc/group", &group, err) < 0)
            return -1;
        }
    }
  return users_resolve_in (passwd, group, spec, out, err);
}
