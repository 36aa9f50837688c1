#include "apply.h"

#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cleanup.h"
#include "log.h"
#include "meta.h"
#include "pathmap.h"
#include "safepath.h"
#include "tarpath.h"
#include "whiteout.h"
#include "writer.h"

struct apply_ctx
{
  int rootfd;
  bool rootless;
  long long max_entry;
  uid_t euid;
  gid_t egid;
  pathmap *written; /* this layer's paths (PATH_WRITTEN / PATH_ANCESTOR) */
  pathmap *dirs;    /* every directory entry: final mode and times */
  /* The parent of the previous entry: tar lists a directory's entries
     together, so most lookups hit. Dropped whenever a directory or a
     symlink is removed, since the cached fd may then name a stale one. */
  char *parent_path;
  dir_ref *parent;
  writer_pool *pool; /* NULL: every file is written on this thread */
};

/* Two writers keep both cores creating inodes; 8 MiB of file data queued
   at most. OCIKIT_UNPACK_WRITERS=N changes the count (0: none). */
#define WRITERS_DEFAULT 2
#define WRITERS_MAX_BYTES (8u << 20)

int apply_new (int rootfd, bool rootless, long long max_entry, apply_ctx **out,
               oci_error **err)
{
  apply_ctx *c = calloc (1, sizeof *c);
  if (c == NULL)
    return oci_error_set (err, ENOMEM, "unpack");
  c->rootfd = rootfd;
  c->rootless = rootless;
  c->max_entry = max_entry;
  c->euid = geteuid ();
  c->egid = getegid ();
  c->written = pathmap_new ();
  c->dirs = pathmap_new ();
  if (c->written == NULL || c->dirs == NULL)
    {
      apply_free (c);
      return oci_error_set (err, ENOMEM, "unpack");
    }
  {
    const char *w = getenv ("OCIKIT_UNPACK_WRITERS");
    unsigned n = w ? (unsigned) strtoul (w, NULL, 10) : WRITERS_DEFAULT;
    if (n > 0 && writer_pool_new (n, WRITERS_MAX_BYTES, &c->pool, err) < 0)
      {
        apply_free (c);
        return -1;
      }
  }
  *out = c;
  return 0;
}

static void drop_parent (apply_ctx *c)
{
  dir_ref_put (c->parent);
  c->parent = NULL;
  free (c->parent_path);
  c->parent_path = NULL;
}

void apply_free (apply_ctx *c)
{
  writer_pool_free (c->pool);
  drop_parent (c);
  pathmap_free (c->written);
  pathmap_free (c->dirs);
  free (c);
}

/* The directory holding `clean` (its first `plen` bytes), created when
   missing (layers often omit parent entries). */
static int parent_dir (apply_ctx *c, const char *clean, size_t plen, oci_error **err)
{
  cleanup_free char *p = strndup (clean, plen);
  int fd;
  if (p == NULL)
    return oci_error_set (err, ENOMEM, "`%s`", clean);
  if (c->parent_path && strcmp (c->parent_path, p) == 0)
    return c->parent->fd;
  drop_parent (c);
  fd = safepath_mkdir_p (c->rootfd, p, 0755);
  if (fd < 0)
    return oci_error_set (err, errno, "`%s`: parent directory `%s`", clean, p);
  c->parent = dir_ref_new (fd);
  if (c->parent == NULL)
    return oci_error_set (err, ENOMEM, "`%s`", clean);
  c->parent_path = steal_pointer (&p);
  return fd;
}

static int drain (apply_ctx *c, oci_error **err)
{
  return c->pool ? writer_pool_drain (c->pool, err) : 0;
}

static int mark_written (apply_ctx *c, const char *clean)
{
  cleanup_free char *p = strdup (clean);
  pathmap_value *v;
  if (p == NULL || (v = pathmap_get (c->written, p, true)) == NULL)
    return -1;
  v->flags |= PATH_WRITTEN;
  for (size_t n = tarpath_parent_len (p); n > 0; n = tarpath_parent_len (p))
    {
      p[n] = '\0';
      v = pathmap_get (c->written, p, true);
      if (v == NULL)
        return -1;
      if (v->flags & PATH_ANCESTOR)
        break; /* its ancestors are marked already */
      v->flags |= PATH_ANCESTOR;
    }
  return 0;
}

/* Small files go to the writer pool (their data copied out of the tar);
   bigger and sparse ones are streamed here. */
#define POOL_FILE_MAX (1u << 20)

static int write_file (apply_ctx *c, struct archive *a, struct archive_entry *e, int dirfd,
                       const char *name, const char *path, oci_error **err)
{
  cleanup_close int fd = -1;
  entry_meta m;
  long long size = archive_entry_size (e);
  long long end = 0;
  int r;

  if (size < 0 || size > c->max_entry)
    return oci_error_set (err, EFBIG, "`%s`: declared size %lld exceeds the --max-size limit",
                          path, size);
  if (meta_from_entry (e, &m, err) < 0)
    {
      meta_clear (&m);
      return oci_error_prefix (err, "`%s`", path);
    }
  if (c->pool && c->parent && c->parent->fd == dirfd && size <= POOL_FILE_MAX
      && archive_entry_sparse_count (e) == 0)
    {
      file_job *j = calloc (1, sizeof *j);
      size_t got = 0;
      if (j == NULL)
        {
          meta_clear (&m);
          return oci_error_set (err, ENOMEM, "`%s`", path);
        }
      j->meta = m;
      j->rootless = c->rootless;
      j->len = (size_t) size;
      /* dirfd is the cached parent's (parent_dir) */
      j->dir = dir_ref_get (c->parent);
      j->name = strdup (name);
      j->path = strdup (path);
      j->data = malloc (j->len ? j->len : 1);
      if (j->name == NULL || j->path == NULL || j->data == NULL)
        {
          file_job_free (j);
          return oci_error_set (err, ENOMEM, "`%s`", path);
        }
      while (got < j->len)
        {
          la_ssize_t n = archive_read_data (a, j->data + got, j->len - got);
          if (n < 0)
            {
              file_job_free (j);
              return oci_error_set (err, 0, "`%s`: %s", path, archive_error_string (a));
            }
          if (n == 0)
            {
              file_job_free (j);
              return oci_error_set (err, 0, "`%s`: data ends before its declared size", path);
            }
          got += (size_t) n;
        }
      return writer_pool_submit (c->pool, j, err);
    }

  fd = openat (dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      meta_clear (&m);
      return oci_error_set (err, errno, "`%s`: create", path);
    }
  for (;;)
    {
      const void *buf;
      size_t len;
      la_int64_t off;
      r = archive_read_data_block (a, &buf, &len, &off);
      if (r == ARCHIVE_EOF)
        break;
      if (r < ARCHIVE_WARN)
        {
          meta_clear (&m);
          return oci_error_set (err, 0, "`%s`: %s", path, archive_error_string (a));
        }
      if (off < 0 || off + (long long) len > size)
        {
          meta_clear (&m);
          return oci_error_set (err, EFBIG, "`%s`: data beyond the declared size", path);
        }
      while (len > 0)
        {
          ssize_t n = pwrite (fd, buf, len, off);
          if (n < 0 && errno == EINTR)
            continue;
          if (n < 0)
            {
              meta_clear (&m);
              return oci_error_set (err, errno, "`%s`: write", path);
            }
          buf = (const char *) buf + n;
          len -= (size_t) n;
          off += n;
        }
      if (off > end)
        end = off;
    }
  r = 0;
  if (end < size && ftruncate (fd, size) < 0) /* a sparse file's hole at the end */
    r = oci_error_set (err, errno, "`%s`: truncate", path);
  if (r == 0)
    r = meta_apply_file (&m, c->rootless, fd, path, err);
  meta_clear (&m);
  return r;
}

static int make_dir_meta (apply_ctx *c, const entry_meta *m, int dirfd, const char *name,
                          const char *path, int *fdp, oci_error **err);

/* A directory entry: create it or, when one is there already (a lower
   layer's, or implied by an earlier entry), update its metadata. Modes and
   times are set by apply_finish. */
static int make_dir (apply_ctx *c, struct archive_entry *e, int dirfd, const char *name,
                     const char *path, oci_error **err)
{
  cleanup_close int fd = -1;
  pathmap_value *v;
  entry_meta m;
  int r;

  if (meta_from_entry (e, &m, err) < 0)
    {
      meta_clear (&m);
      return oci_error_prefix (err, "`%s`", path);
    }
  r = make_dir_meta (c, &m, dirfd, name, path, &fd, err);
  if (r == 0)
    {
      struct stat st;
      v = pathmap_get (c->dirs, path, true);
      if (v == NULL)
        r = oci_error_set (err, ENOMEM, "`%s`", path);
      else if (fstat (fd, &st) < 0)
        r = oci_error_set (err, errno, "`%s`", path);
      else
        {
          /* which directory it was: by the end, the path may lead to
             another one (replaced by a symlink, removed and implied again) */
          v->dev = st.st_dev;
          v->ino = st.st_ino;
          v->mode = m.mode;
          v->flags = 1;
          v->times[0] = m.times[0];
          v->times[1] = m.times[1];
        }
    }
  meta_clear (&m);
  return r;
}

static int make_dir_meta (apply_ctx *c, const entry_meta *m, int dirfd, const char *name,
                          const char *path, int *fdp, oci_error **err)
{
  int fd;
  if (dirfd >= 0)
    {
      if (mkdirat (dirfd, name, 0700) < 0 && errno != EEXIST)
        return oci_error_set (err, errno, "`%s`: mkdir", path);
      fd = openat (dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
  else
    fd = openat (c->rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return oci_error_set (err, errno, "`%s`: open directory", path);
  *fdp = fd;
  if (meta_set_owner (m, c->rootless, fd, -1, NULL, path, err) < 0)
    return -1;
  /* owner rwx while we fill it; the entry's mode comes at the end */
  if (fchmod (fd, m->mode | 0700) < 0)
    return oci_error_set (err, errno, "`%s`: chmod", path);
  return meta_set_xattrs (m, c->rootless, fd, -1, NULL, path, err);
}

static int make_hardlink (apply_ctx *c, const char *target, int dirfd, const char *name,
                          const char *path, oci_error **err)
{
  cleanup_close int tfd = -1;
  struct stat st;
  char proc[64];

  tfd = safepath_open (c->rootfd, target, O_PATH | O_NOFOLLOW, 0);
  if (tfd < 0)
    return oci_error_set (err, errno, "`%s`: hard link target `%s`", path, target);
  if (fstat (tfd, &st) < 0)
    return oci_error_set (err, errno, "`%s`: hard link target `%s`", path, target);
  if (S_ISDIR (st.st_mode))
    return oci_error_set (err, EPERM, "`%s`: hard link to directory `%s`", path, target);
  if (linkat (tfd, "", dirfd, name, AT_EMPTY_PATH) == 0)
    return 0;
  /* AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; /proc/self/fd/N names the
     very inode we resolved, without re-walking a path */
  snprintf (proc, sizeof proc, "/proc/self/fd/%d", tfd);
  if (linkat (AT_FDCWD, proc, dirfd, name, AT_SYMLINK_FOLLOW) < 0)
    return oci_error_set (err, errno, "`%s`: hard link to `%s`", path, target);
  return 0;
}

static int make_node (apply_ctx *c, struct archive_entry *e, mode_t type, int dirfd,
                      const char *name, const char *path, oci_error **err)
{
  dev_t dev = 0;
  if (type == S_IFCHR || type == S_IFBLK)
    {
      if (c->rootless)
        {
          meta_warn_once ("mknod", "rootless: device nodes are skipped (e.g. `%s`)", path);
          return 1;
        }
      dev = makedev (archive_entry_rdevmajor (e), archive_entry_rdevminor (e));
    }
  if (mknodat (dirfd, name, type | 0600, dev) < 0)
    {
      if (errno == EPERM && type != S_IFIFO)
        {
          meta_warn_once ("mknod", "cannot create device nodes (e.g. `%s`): %s", path,
                         strerror (errno));
          return 1;
        }
      return oci_error_set (err, errno, "`%s`: mknod", path);
    }
  return 0;
}

/* Metadata of a node we just created and hold no fd for (never follows). */
static int set_node_meta (apply_ctx *c, struct archive_entry *e, bool is_link, int dirfd,
                          const char *name, const char *path, oci_error **err)
{
  entry_meta m;
  int r = meta_from_entry (e, &m, err);
  if (r == 0)
    r = meta_set_owner (&m, c->rootless, -1, dirfd, name, path, err);
  /* a fifo or device node we created a moment ago in a tree only we
     write: fchmodat cannot be redirected */
  if (r == 0 && !is_link && fchmodat (dirfd, name, m.mode, 0) < 0)
    r = oci_error_set (err, errno, "`%s`: chmod", path);
  if (r == 0 && !is_link)
    r = meta_set_xattrs (&m, c->rootless, -1, dirfd, name, path, err);
  if (r == 0 && utimensat (dirfd, name, m.times, AT_SYMLINK_NOFOLLOW) < 0)
    r = oci_error_set (err, errno, "`%s`: set times", path);
  meta_clear (&m);
  return r;
}

static int apply_whiteout (apply_ctx *c, enum whiteout_kind kind, const char *clean,
                           const char *target, oci_error **err)
{
  size_t plen = tarpath_parent_len (clean);
  cleanup_free char *dir = strndup (clean, plen);
  cleanup_free char *victim = NULL;
  cleanup_close int dfd = -1;

  if (dir == NULL)
    return oci_error_set (err, ENOMEM, "`%s`", clean);
  drop_parent (c);
  if (kind == WHITEOUT_OPAQUE)
    {
      dfd = safepath_mkdir_p (c->rootfd, dir, 0755);
      if (dfd >= 0)
        {
          close (dfd);
          dfd = safepath_open (c->rootfd, *dir ? dir : ".", O_RDONLY | O_DIRECTORY, 0);
        }
      if (dfd < 0)
        return oci_error_set (err, errno, "`%s`: opaque directory", clean);
      if (*dir && mark_written (c, dir) < 0)
        return oci_error_set (err, ENOMEM, "`%s`", clean);
      return whiteout_opaque (dfd, dir, c->written, err);
    }
  if (*target == '\0' || strcmp (target, ".") == 0 || strcmp (target, "..") == 0)
    return 0;
  dfd = safepath_open (c->rootfd, *dir ? dir : ".", O_PATH | O_DIRECTORY, 0);
  if (dfd < 0)
    {
      if (errno == ENOENT || errno == ENOTDIR)
        return 0; /* nothing below to hide */
      return oci_error_set (err, errno, "`%s`: whiteout", clean);
    }
  if (*dir)
    {
      if (asprintf (&victim, "%s/%s", dir, target) < 0)
        return oci_error_set (err, ENOMEM, "`%s`", clean);
    }
  else if ((victim = strdup (target)) == NULL)
    return oci_error_set (err, ENOMEM, "`%s`", clean);
  return whiteout_remove (dfd, target, victim, c->written, err);
}

static int apply_entry (apply_ctx *c, struct archive *a, struct archive_entry *e,
                        oci_error **err)
{
  const char *raw = archive_entry_pathname (e);
  cleanup_free char *clean = NULL;
  cleanup_free char *link_clean = NULL;
  const char *base, *wh_target = NULL, *hard = archive_entry_hardlink (e);
  mode_t type = archive_entry_filetype (e);
  enum whiteout_kind wk;
  struct stat st;
  int dirfd, r;

  if (raw == NULL)
    return oci_error_set (err, 0, "an entry without a name");
  clean = tarpath_clean (raw, NULL);
  if (clean == NULL)
    return oci_error_set (err, ENOMEM, "`%s`", raw);
  base = tarpath_base (clean);
  wk = whiteout_parse (base, &wh_target);
  if (wk == WHITEOUT_META)
    return 0;
  if (wk != WHITEOUT_NONE)
    {
      /* removals wait for the files still being written */
      if (drain (c, err) < 0)
        return -1;
      return apply_whiteout (c, wk, clean, wh_target, err);
    }

  if (*clean == '\0')
    {
      /* the root itself ("./"): only its metadata can change */
      if (type == AE_IFDIR && hard == NULL)
        return make_dir (c, e, -1, ".", "", err);
      log_warn ("entry `%s`: cannot replace the root directory: skipped", raw);
      return 0;
    }
  if (hard)
    {
      bool escaped;
      link_clean = tarpath_clean (hard, &escaped);
      if (link_clean == NULL)
        return oci_error_set (err, ENOMEM, "`%s`", raw);
      if (escaped || *link_clean == '\0')
        {
          /* contained: the entry is refused, the unpack goes on */
          log_warn ("entry `%s`: hard link to `%s` outside the root: skipped", raw, hard);
          return 0;
        }
      if (strcmp (link_clean, clean) == 0)
        return 0; /* a link to itself: the file is there already */
    }
  if (type == AE_IFSOCK)
    {
      log_warn ("entry `%s`: sockets are not unpacked", raw);
      return 0;
    }

  {
    /* the target of a hard link, or a path this layer wrote before, may
       still be in the writers' queue */
    pathmap_value *prev = pathmap_get (c->written, clean, false);
    if ((hard || (prev && (prev->flags & PATH_WRITTEN))) && drain (c, err) < 0)
      return -1;
  }
  dirfd = parent_dir (c, clean, tarpath_parent_len (clean), err);
  if (dirfd < 0)
    return -1;
  if (mark_written (c, clean) < 0)
    return oci_error_set (err, ENOMEM, "`%s`", clean);

  /* Something there already (a lower layer's, or an earlier entry): a
     directory meeting a directory merges; anything else is replaced. */
  if (fstatat (dirfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0)
    {
      if (S_ISDIR (st.st_mode) && type == AE_IFDIR && hard == NULL)
        return make_dir (c, e, dirfd, base, clean, err);
      if (S_ISDIR (st.st_mode) || S_ISLNK (st.st_mode))
        {
          if (drain (c, err) < 0)
            return -1;
          if (S_ISDIR (st.st_mode))
            r = whiteout_remove (dirfd, base, clean, NULL, err);
          else
            r = unlinkat (dirfd, base, 0) < 0 ? oci_error_set (err, errno, "`%s`: replace", clean)
                                              : 0;
          if (r < 0)
            return -1;
          /* the cached parent fd may have been reached through what we
             removed: resolve it again */
          drop_parent (c);
          dirfd = parent_dir (c, clean, tarpath_parent_len (clean), err);
          if (dirfd < 0)
            return -1;
        }
      else if (unlinkat (dirfd, base, 0) < 0 && errno != ENOENT)
        return oci_error_set (err, errno, "`%s`: replace", clean);
    }
  else if (errno != ENOENT)
    return oci_error_set (err, errno, "`%s`", clean);

  if (hard)
    return make_hardlink (c, link_clean, dirfd, base, clean, err);
  switch (type)
    {
    case AE_IFREG:
      return write_file (c, a, e, dirfd, base, clean, err);
    case AE_IFDIR:
      return make_dir (c, e, dirfd, base, clean, err);
    case AE_IFLNK:
      {
        const char *target = archive_entry_symlink (e);
        if (target == NULL)
          return oci_error_set (err, 0, "`%s`: symlink without a target", clean);
        /* stored as is, never followed while unpacking */
        if (symlinkat (target, dirfd, base) < 0)
          return oci_error_set (err, errno, "`%s`: symlink", clean);
        return set_node_meta (c, e, true, dirfd, base, clean, err);
      }
    case AE_IFIFO:
    case AE_IFCHR:
    case AE_IFBLK:
      r = make_node (c, e, type == AE_IFIFO ? S_IFIFO : type == AE_IFCHR ? S_IFCHR : S_IFBLK,
                     dirfd, base, clean, err);
      if (r != 0)
        return r < 0 ? -1 : 0;
      return set_node_meta (c, e, false, dirfd, base, clean, err);
    default:
      return oci_error_set (err, 0, "`%s`: unsupported entry type 0%o", clean, (unsigned) type);
    }
}

int apply_layer (apply_ctx *c, struct archive *a, size_t index, oci_error **err)
{
  struct archive_entry *e;
  pathmap_clear (c->written);
  drop_parent (c);
  for (;;)
    {
      int r = archive_read_next_header (a, &e);
      if (r == ARCHIVE_EOF)
        return drain (c, err) < 0 ? oci_error_prefix (err, "layer %zu", index) : 0;
      if (r == ARCHIVE_WARN)
        log_debug ("layer %zu: %s", index, archive_error_string (a));
      else if (r != ARCHIVE_OK)
        {
          drain (c, NULL);
          return oci_error_set (err, 0, "layer %zu: tar: %s", index,
                                archive_error_string (a) ? archive_error_string (a) : "corrupt");
        }
      if (apply_entry (c, a, e, err) < 0)
        {
          /* nothing may still be writing when the caller cleans up */
          drain (c, NULL);
          return oci_error_prefix (err, "layer %zu: entry", index);
        }
    }
}

struct finish_state
{
  apply_ctx *c;
  oci_error **err;
  int failed;
};

static void finish_dir (const char *path, pathmap_value *v, void *arg)
{
  struct finish_state *fs = arg;
  cleanup_close int fd = -1;
  struct stat st;
  if (fs->failed)
    return;
  fd = safepath_open (fs->c->rootfd, *path ? path : ".", O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);
  if (fd < 0)
    {
      if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP)
        return; /* whited out or replaced by a later layer */
      fs->failed = oci_error_set (fs->err, errno, "`%s`: open directory", path);
      return;
    }
  if (fstat (fd, &st) < 0 || st.st_dev != v->dev || st.st_ino != v->ino)
    return; /* not the directory its entry made */
  if (fchmod (fd, v->mode) < 0)
    fs->failed = oci_error_set (fs->err, errno, "`%s`: chmod", path);
  else if (futimens (fd, v->times) < 0)
    fs->failed = oci_error_set (fs->err, errno, "`%s`: set times", path);
}

int apply_finish (apply_ctx *c, oci_error **err)
{
  struct finish_state fs = { c, err, 0 };
  if (drain (c, err) < 0)
    return -1;
  drop_parent (c);
  pathmap_each (c->dirs, finish_dir, &fs);
  return fs.failed;
}
