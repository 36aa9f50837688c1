#include "meta.h"

#include <archive.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "log.h"

static pthread_mutex_t warn_lock = PTHREAD_MUTEX_INITIALIZER;

void meta_warn_once (const char *key, const char *fmt, ...)
{
  char msg[1024];
  va_list ap;
  va_start (ap, fmt);
  vsnprintf (msg, sizeof msg, fmt, ap);
  va_end (ap);
  pthread_mutex_lock (&warn_lock);
  log_warn_once (key, "%s", msg);
  pthread_mutex_unlock (&warn_lock);
}

int meta_from_entry (struct archive_entry *e, entry_meta *m, oci_error **err)
{
  const char *key;
  const void *val;
  size_t len;
  int n;

  memset (m, 0, sizeof *m);
  m->uid = (uid_t) archive_entry_uid (e);
  m->gid = (gid_t) archive_entry_gid (e);
  m->mode = archive_entry_perm (e) & 07777;
  m->times[1].tv_sec = archive_entry_mtime (e);
  m->times[1].tv_nsec = archive_entry_mtime_nsec (e);
  if (archive_entry_atime_is_set (e))
    {
      m->times[0].tv_sec = archive_entry_atime (e);
      m->times[0].tv_nsec = archive_entry_atime_nsec (e);
    }
  else
    m->times[0] = m->times[1];
  n = archive_entry_xattr_reset (e);
  if (n <= 0)
    return 0;
  m->xattrs = calloc ((size_t) n, sizeof *m->xattrs);
  if (m->xattrs == NULL)
    return oci_error_set (err, ENOMEM, "xattrs");
  while (archive_entry_xattr_next (e, &key, &val, &len) == ARCHIVE_OK && m->n_xattrs < (size_t) n)
    {
      meta_xattr *x = &m->xattrs[m->n_xattrs];
      x->key = strdup (key);
      x->value = malloc (len ? len : 1);
      if (x->key == NULL || x->value == NULL)
        {
          free (x->key);
          free (x->value);
          return oci_error_set (err, ENOMEM, "xattrs");
        }
      memcpy (x->value, val, len);
      x->len = len;
      m->n_xattrs++;
    }
  return 0;
}

void meta_clear (entry_meta *m)
{
  for (size_t i = 0; i < m->n_xattrs; i++)
    {
      free (m->xattrs[i].key);
      free (m->xattrs[i].value);
    }
  free (m->xattrs);
  m->xattrs = NULL;
  m->n_xattrs = 0;
}

int meta_set_owner (const entry_meta *m, bool rootless, int fd, int dirfd, const char *name,
                    const char *path, oci_error **err)
{
  int r;
  if (rootless)
    {
      if (m->uid != geteuid () || m->gid != getegid ())
        meta_warn_once ("chown", "rootless: file ownership is not preserved (e.g. `%s` %u:%u)",
                        path, (unsigned) m->uid, (unsigned) m->gid);
      return 0;
    }
  r = fd >= 0 ? fchown (fd, m->uid, m->gid)
              : fchownat (dirfd, name, m->uid, m->gid, AT_SYMLINK_NOFOLLOW);
  if (r < 0)
    {
      /* ids the (user) namespace cannot map */
      if (errno == EPERM || errno == EINVAL)
        {
          meta_warn_once ("chown", "cannot set ownership (e.g. `%s` %u:%u): %s", path,
                          (unsigned) m->uid, (unsigned) m->gid, strerror (errno));
          return 0;
        }
      return oci_error_set (err, errno, "`%s`: chown", path);
    }
  return 0;
}

int meta_set_xattrs (const entry_meta *m, bool rootless, int fd, int dirfd, const char *name,
                     const char *path, oci_error **err)
{
  for (size_t i = 0; i < m->n_xattrs; i++)
    {
      const meta_xattr *x = &m->xattrs[i];
      int r;
      if (fd >= 0)
        r = fsetxattr (fd, x->key, x->value, x->len, 0);
      else
        {
          /* the node itself: its directory by fd, its name not followed */
          char proc[64 + 4096];
          snprintf (proc, sizeof proc, "/proc/self/fd/%d/%s", dirfd, name);
          r = lsetxattr (proc, x->key, x->value, x->len, 0);
        }
      if (r < 0)
        {
          if (errno == EPERM || errno == ENOTSUP || errno == EACCES)
            {
              char kind[64];
              const char *dot = strchr (x->key, '.');
              snprintf (kind, sizeof kind, "xattr-%.*s", dot ? (int) (dot - x->key) : 20, x->key);
              meta_warn_once (kind, "cannot set extended attribute `%s` (e.g. on `%s`): %s%s",
                              x->key, path, strerror (errno), rootless ? " (rootless)" : "");
              continue;
            }
          return oci_error_set (err, errno, "`%s`: set extended attribute `%s`", path, x->key);
        }
    }
  return 0;
}

int meta_apply_file (const entry_meta *m, bool rootless, int fd, const char *path,
                     oci_error **err)
{
  if (meta_set_owner (m, rootless, fd, -1, NULL, path, err) < 0)
    return -1;
  if (fchmod (fd, m->mode) < 0)
    return oci_error_set (err, errno, "`%s`: chmod", path);
  if (meta_set_xattrs (m, rootless, fd, -1, NULL, path, err) < 0)
    return -1;
  if (futimens (fd, m->times) < 0)
    return oci_error_set (err, errno, "`%s`: set times", path);
  return 0;
}
