#include "fileutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"

int read_all_fd (int fd, size_t max, const char *what, char **out, size_t *len,
                 oci_error **err)
{
  size_t cap = 8192, n = 0;
  cleanup_free char *buf = malloc (cap + 1);
  if (buf == NULL)
    return oci_error_set (err, ENOMEM, "read %s", what);
  for (;;)
    {
      ssize_t r;
      if (n == cap)
        {
          char *nb;
          if (cap >= max)
            return oci_error_set (err, 0, "read %s: larger than %zu bytes", what, max);
          cap = cap * 2 > max ? max : cap * 2;
          nb = realloc (buf, cap + 1);
          if (nb == NULL)
            return oci_error_set (err, ENOMEM, "read %s", what);
          buf = nb;
        }
      r = read (fd, buf + n, cap - n);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return oci_error_set (err, errno, "read %s", what);
      if (r == 0)
        break;
      n += r;
    }
  buf[n] = '\0';
  if (len)
    *len = n;
  *out = steal_pointer (&buf);
  return 0;
}

int read_file_at (int dirfd, const char *path, size_t max, char **out, size_t *len,
                  oci_error **err)
{
  cleanup_close int fd = openat (dirfd, path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return oci_error_set (err, errno, "open `%s`", path);
  return read_all_fd (fd, max, path, out, len, err);
}

int write_all (int fd, const void *buf, size_t len)
{
  const char *p = buf;
  while (len > 0)
    {
      ssize_t w = write (fd, p, len);
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0)
        return -1;
      p += w;
      len -= w;
    }
  return 0;
}

int write_file_atomic (int dirfd, const char *name, const void *buf, size_t len,
                       mode_t mode, oci_error **err)
{
  char tmp[4096];
  cleanup_close int fd = -1;
  cleanup_close int dfd = -1;
  const char *base = strrchr (name, '/');
  int n;

  base = base ? base + 1 : name;
  n = snprintf (tmp, sizeof tmp, "%.*s.%s.tmp%d", (int) (base - name), name, base,
                (int) getpid ());
  if (n < 0 || (size_t) n >= sizeof tmp)
    return oci_error_set (err, ENAMETOOLONG, "write `%s`", name);
  fd = openat (dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0)
    return oci_error_set (err, errno, "write `%s`", name);
  if (write_all (fd, buf, len) < 0 || fsync (fd) < 0)
    {
      int e = errno;
      unlinkat (dirfd, tmp, 0);
      return oci_error_set (err, e, "write `%s`", name);
    }
  if (renameat (dirfd, tmp, dirfd, name) < 0)
    {
      int e = errno;
      unlinkat (dirfd, tmp, 0);
      return oci_error_set (err, e, "rename into `%s`", name);
    }
  /* Make the rename durable. */
  if (base == name)
    dfd = dirfd == AT_FDCWD ? open (".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                            : openat (dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  else
    {
      char dir[4096];
      snprintf (dir, sizeof dir, "%.*s", (int) (base - name), name);
      dfd = openat (dirfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    }
  if (dfd >= 0)
    fsync (dfd);
  return 0;
}

int mkdir_p (const char *path, mode_t mode, oci_error **err)
{
  cleanup_free char *p = strdup (path);
  if (p == NULL)
    return oci_error_set (err, ENOMEM, "mkdir `%s`", path);
  for (char *s = p + 1;; s++)
    {
      if (*s == '/' || *s == '\0')
        {
          char c = *s;
          *s = '\0';
          if (mkdir (p, mode) < 0 && errno != EEXIST)
            return oci_error_set (err, errno, "mkdir `%s`", p);
          *s = c;
          if (c == '\0')
            break;
        }
    }
  return 0;
}

static int remove_at (int dirfd, const char *name, dev_t dev, oci_error **err)
{
  struct stat st;
  if (fstatat (dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return errno == ENOENT ? 0 : oci_error_set (err, errno, "stat `%s`", name);
  if (S_ISDIR (st.st_mode))
    {
      struct dirent *de;
      int fd;
      cleanup_dir DIR *d = NULL;
      if (st.st_dev != dev)
        return oci_error_set (err, EBUSY, "remove `%s`: a mount point", name);
      fd = openat (dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0)
        return oci_error_set (err, errno, "open `%s`", name);
      d = fdopendir (fd);
      if (d == NULL)
        {
          close (fd);
          return oci_error_set (err, errno, "open `%s`", name);
        }
      while ((de = readdir (d)) != NULL)
        {
          if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
            continue;
          if (remove_at (fd, de->d_name, dev, err) < 0)
            return -1;
        }
      if (unlinkat (dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
        return oci_error_set (err, errno, "remove `%s`", name);
      return 0;
    }
  if (unlinkat (dirfd, name, 0) < 0 && errno != ENOENT)
    return oci_error_set (err, errno, "remove `%s`", name);
  return 0;
}

int remove_tree (const char *path, oci_error **err)
{
  struct stat st;
  if (lstat (path, &st) < 0)
    return errno == ENOENT ? 0 : oci_error_set (err, errno, "stat `%s`", path);
  return remove_at (AT_FDCWD, path, st.st_dev, err);
}
