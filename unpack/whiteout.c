#include "whiteout.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"

enum whiteout_kind whiteout_parse (const char *base, const char **target)
{
  if (strncmp (base, WHITEOUT_PREFIX, sizeof WHITEOUT_PREFIX - 1) != 0)
    return WHITEOUT_NONE;
  if (strcmp (base, WHITEOUT_OPAQUE_NAME) == 0)
    return WHITEOUT_OPAQUE;
  if (strncmp (base, ".wh..wh.", 8) == 0)
    return WHITEOUT_META;
  if (target)
    *target = base + sizeof WHITEOUT_PREFIX - 1;
  return WHITEOUT_FILE;
}

static char *child_path (const char *path, const char *name)
{
  char *p;
  if (*path == '\0')
    return strdup (name);
  if (asprintf (&p, "%s/%s", path, name) < 0)
    return NULL;
  return p;
}

static int remove_children (int dirfd, const char *path, pathmap *written, oci_error **err)
{
  cleanup_dir DIR *d = NULL;
  struct dirent *de;
  int fd = fcntl (dirfd, F_DUPFD_CLOEXEC, 3);

  if (fd < 0)
    return oci_error_set (err, errno, "`%s`", path);
  d = fdopendir (fd);
  if (d == NULL)
    {
      close (fd);
      return oci_error_set (err, errno, "`%s`", path);
    }
  rewinddir (d);
  while ((de = readdir (d)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      {
        cleanup_free char *cp = child_path (path, de->d_name);
        if (cp == NULL)
          return oci_error_set (err, ENOMEM, "`%s`", path);
        if (whiteout_remove (dirfd, de->d_name, cp, written, err) < 0)
          return -1;
      }
    }
  return 0;
}

int whiteout_remove (int dirfd, const char *name, const char *path, pathmap *written,
                     oci_error **err)
{
  pathmap_value *v = written ? pathmap_get (written, path, false) : NULL;
  struct stat st;

  if (fstatat (dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return errno == ENOENT ? 0 : oci_error_set (err, errno, "`%s`", path);
  if (v && !S_ISDIR (st.st_mode) && (v->flags & PATH_WRITTEN))
    return 0; /* this layer's own file */
  if (S_ISDIR (st.st_mode))
    {
      cleanup_close int fd = openat (dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0)
        return oci_error_set (err, errno, "open `%s`", path);
      if (remove_children (fd, path, written, err) < 0)
        return -1;
      if (v)
        return 0; /* written by, or holding entries of, this layer: keep */
      if (unlinkat (dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
        return oci_error_set (err, errno, "remove `%s`", path);
      return 0;
    }
  if (unlinkat (dirfd, name, 0) < 0 && errno != ENOENT)
    return oci_error_set (err, errno, "remove `%s`", path);
  return 0;
}

int whiteout_opaque (int dirfd, const char *path, pathmap *written, oci_error **err)
{
  return remove_children (dirfd, path, written, err);
}
