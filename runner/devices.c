#include "devices.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cleanup.h"
#include "json.h"
#include "mounts.h"
#include "safepath.h"

struct device
{
  const char *path;
  mode_t type;
  unsigned major, minor;
  mode_t mode;
  uid_t uid;
  gid_t gid;
};

static const struct device default_devices[] = {
  { "/dev/null", S_IFCHR, 1, 3, 0666, 0, 0 },    { "/dev/zero", S_IFCHR, 1, 5, 0666, 0, 0 },
  { "/dev/full", S_IFCHR, 1, 7, 0666, 0, 0 },    { "/dev/random", S_IFCHR, 1, 8, 0666, 0, 0 },
  { "/dev/urandom", S_IFCHR, 1, 9, 0666, 0, 0 }, { "/dev/tty", S_IFCHR, 5, 0, 0666, 0, 0 },
};

static const struct { const char *path, *target; } default_links[] = {
  { "/dev/fd", "/proc/self/fd" },       { "/dev/stdin", "/proc/self/fd/0" },
  { "/dev/stdout", "/proc/self/fd/1" }, { "/dev/stderr", "/proc/self/fd/2" },
  { "/dev/ptmx", "pts/ptmx" },
};

static int create_device (int rootfd, const struct device *d, bool userns, oci_error **err)
{
  const char *last;
  cleanup_close int parent = -1;
  cleanup_close int fd = -1;
  struct stat st;
  int r;

  /* make sure /dev (or the parent) exists inside the root */
  {
    char dir[4096];
    snprintf (dir, sizeof dir, "%s", d->path);
    char *slash = strrchr (dir, '/');
    if (slash && slash != dir)
      {
        *slash = '\0';
        int p = rootfs_mkpath (rootfd, dir, false, err);
        if (p < 0)
          return -1;
        close (p);
      }
  }
  parent = safepath_open_parent (rootfd, d->path, &last);
  if (parent < 0)
    return oci_error_set (err, errno, "device `%s`", d->path);
  if (fstatat (parent, last, &st, AT_SYMLINK_NOFOLLOW) == 0)
    {
      /* an image may ship device nodes: replace anything that is not the
         device we were asked for */
      if ((st.st_mode & S_IFMT) == d->type && major (st.st_rdev) == d->major
          && minor (st.st_rdev) == d->minor)
        return 0;
      if (unlinkat (parent, last, 0) < 0)
        return oci_error_set (err, errno, "device `%s`", d->path);
    }
  r = userns ? -1 : mknodat (parent, last, d->type | (d->mode & 07777), makedev (d->major, d->minor));
  if (r == 0)
    {
      if (fchownat (parent, last, d->uid, d->gid, AT_SYMLINK_NOFOLLOW) < 0)
        return oci_error_set (err, errno, "chown device `%s`", d->path);
      if (fchmodat (parent, last, d->mode & 07777, 0) < 0)
        return oci_error_set (err, errno, "chmod device `%s`", d->path);
      return 0;
    }
  if (!userns && errno != EPERM)
    return oci_error_set (err, errno, "mknod `%s`", d->path);
  /* no mknod here: bind the host's node over an empty file */
  fd = openat (parent, last, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    return oci_error_set (err, errno, "device `%s`", d->path);
  close (fd);
  fd = openat (parent, last, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  {
    cleanup_close int tree = open_tree (AT_FDCWD, d->path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
    if (fd < 0 || tree < 0
        || move_mount (tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
      return oci_error_set (err, errno, "bind device `%s`", d->path);
  }
  return 0;
}

static bool dev_is_bind (yajl_val config)
{
  yajl_val mounts = json_get_array (config, "mounts");
  for (size_t i = 0; i < json_array_len (mounts); i++)
    {
      yajl_val m = json_array_at (mounts, i);
      const char *dest = json_get_string (m, "destination");
      const char *type = json_get_string (m, "type");
      if (dest && strcmp (dest, "/dev") == 0 && type && strcmp (type, "bind") == 0)
        return true;
    }
  return false;
}

int devices_create (yajl_val config, int rootfd, bool userns, oci_error **err)
{
  yajl_val devs = json_get_array (json_get_object (config, "linux"), "devices");
  mode_t old = umask (0);
  int r = 0;

  if (!dev_is_bind (config))
    {
      for (size_t i = 0; r == 0 && i < sizeof default_devices / sizeof default_devices[0]; i++)
        r = create_device (rootfd, &default_devices[i], userns, err);
      for (size_t i = 0; r == 0 && i < sizeof default_links / sizeof default_links[0]; i++)
        {
          const char *last;
          cleanup_close int parent = safepath_open_parent (rootfd, default_links[i].path, &last);
          if (parent >= 0 && symlinkat (default_links[i].target, parent, last) < 0
              && errno != EEXIST)
            r = oci_error_set (err, errno, "symlink `%s`", default_links[i].path);
        }
    }
  for (size_t i = 0; r == 0 && i < json_array_len (devs); i++)
    {
      yajl_val d = json_array_at (devs, i);
      const char *type = json_get_string (d, "type");
      long long v;
      struct device dev = { .path = json_get_string (d, "path"), .mode = 0666 };
      if (dev.path == NULL || type == NULL)
        {
          r = oci_error_set (err, 0, "config.json: linux.devices[%zu] needs path and type", i);
          break;
        }
      dev.type = strcmp (type, "b") == 0 ? S_IFBLK
                 : strcmp (type, "p") == 0 ? S_IFIFO : S_IFCHR;
      if (json_get_int (d, "major", &v))
        dev.major = (unsigned) v;
      if (json_get_int (d, "minor", &v))
        dev.minor = (unsigned) v;
      if (json_get_int (d, "fileMode", &v))
        dev.mode = (mode_t) v;
      if (json_get_int (d, "uid", &v))
        dev.uid = (uid_t) v;
      if (json_get_int (d, "gid", &v))
        dev.gid = (gid_t) v;
      r = create_device (rootfd, &dev, userns, err);
    }
  umask (old);
  return r;
}
