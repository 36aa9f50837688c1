#include "safepath.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"

#define MAX_SYMLINKS 40

static int force_fallback;
static int have_openat2 = -1;

void safepath_force_fallback (int on) { force_fallback = on; }

static int sys_openat2 (int dirfd, const char *path, int flags, mode_t mode)
{
  struct open_how how = {
    .flags = (unsigned) flags,
    .mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
  };
  return (int) syscall (SYS_openat2, dirfd, path, &how, sizeof how);
}

/* The fallback: resolve `path` component by component under rootfd with
   O_PATH|O_NOFOLLOW, reading symlinks ourselves and restarting from the
   root for absolute targets; ".." never climbs above the root because we
   keep our own stack of directory fds. */
static int walk (int rootfd, const char *path, int flags, mode_t mode)
{
  int stack[PATH_MAX / 2];
  int depth = 0, links = 0, result = -1;
  char *work, *rest;
  size_t cap;

  cap = strlen (path) + 1;
  work = malloc (cap);
  if (work == NULL)
    {
      errno = ENOMEM;
      return -1;
    }
  memcpy (work, path, cap);
  stack[0] = fcntl (rootfd, F_DUPFD_CLOEXEC, 3);
  if (stack[0] < 0)
    {
      free (work);
      return -1;
    }
  rest = work;
  for (;;)
    {
      char *comp, *slash;
      bool last;
      int fd;
      struct stat st;

      while (*rest == '/')
        rest++;
      if (*rest == '\0')
        {
          /* path ended in "/" or was empty: the current directory */
          result = openat (stack[depth], ".", (flags & ~(O_CREAT | O_EXCL)) | O_CLOEXEC);
          break;
        }
      comp = rest;
      slash = strchr (rest, '/');
      if (slash)
        {
          *slash = '\0';
          rest = slash + 1;
          while (*rest == '/')
            rest++;
        }
      else
        rest = comp + strlen (comp);
      last = *rest == '\0';
      if (strcmp (comp, ".") == 0)
        {
          if (last)
            {
              result = openat (stack[depth], ".", (flags & ~(O_CREAT | O_EXCL)) | O_CLOEXEC);
              break;
            }
          continue;
        }
      if (strcmp (comp, "..") == 0)
        {
          if (depth > 0)
            close (stack[depth--]);
          if (last)
            {
              result = openat (stack[depth], ".", (flags & ~(O_CREAT | O_EXCL)) | O_CLOEXEC);
              break;
            }
          continue;
        }
      fd = openat (stack[depth], comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0)
        {
          if (last && errno == ENOENT && (flags & O_CREAT))
            result = openat (stack[depth], comp, flags | O_NOFOLLOW | O_CLOEXEC, mode);
          break;
        }
      if (fstat (fd, &st) < 0)
        {
          close (fd);
          break;
        }
      if (S_ISLNK (st.st_mode) && !(last && (flags & O_NOFOLLOW)))
        {
          char target[PATH_MAX];
          ssize_t n = readlinkat (fd, "", target, sizeof target - 1);
          char *nw;
          size_t tl, rl;
          close (fd);
          if (n < 0)
            break;
          target[n] = '\0';
          if (++links > MAX_SYMLINKS)
            {
              errno = ELOOP;
              break;
            }
          tl = (size_t) n;
          rl = strlen (rest);
          nw = malloc (tl + 1 + rl + 1);
          if (nw == NULL)
            {
              errno = ENOMEM;
              break;
            }
          memcpy (nw, target, tl);
          nw[tl] = '/';
          memcpy (nw + tl + 1, rest, rl + 1);
          if (rl == 0)
            nw[tl] = '\0';
          free (work);
          work = rest = nw;
          if (target[0] == '/')
            while (depth > 0)
              close (stack[depth--]);
          continue;
        }
      if (last)
        {
          /* Open for real; O_NOFOLLOW: a symlink swapped in since the
             check above makes this fail instead of escaping. */
          close (fd);
          result = openat (stack[depth], comp, flags | O_NOFOLLOW | O_CLOEXEC, mode);
          break;
        }
      if (!S_ISDIR (st.st_mode))
        {
          close (fd);
          errno = ENOTDIR;
          break;
        }
      if (depth + 1 >= (int) (sizeof stack / sizeof stack[0]))
        {
          close (fd);
          errno = ENAMETOOLONG;
          break;
        }
      stack[++depth] = fd;
    }
  {
    int saved = errno;
    while (depth >= 0)
      close (stack[depth--]);
    free (work);
    errno = saved;
  }
  return result;
}

int safepath_open (int rootfd, const char *path, int flags, mode_t mode)
{
  flags |= O_CLOEXEC;
  if (!force_fallback && have_openat2 != 0)
    {
      int fd = sys_openat2 (rootfd, path, flags, mode);
      if (fd >= 0 || (errno != ENOSYS && errno != EPERM))
        {
          have_openat2 = 1;
          return fd;
        }
      /* EPERM: a seccomp profile older than openat2 denies it (its
         default action), as in a container whose filter is already
         installed; the walk gives the same answer with older syscalls */
      if (errno == ENOSYS)
        have_openat2 = 0;
    }
  return walk (rootfd, path, flags, mode);
}

int safepath_open_parent (int rootfd, const char *path, const char **last)
{
  const char *end = path + strlen (path);
  const char *base;
  char *dir;
  int fd;

  while (end > path && end[-1] == '/')
    end--;
  base = end;
  while (base > path && base[-1] != '/')
    base--;
  if (base == end || (end - base == 1 && base[0] == '.')
      || (end - base == 2 && base[0] == '.' && base[1] == '.'))
    {
      errno = EINVAL;
      return -1;
    }
  if (*end != '\0')
    {
      /* trailing slashes: the caller's name must not carry them */
      errno = EINVAL;
      return -1;
    }
  dir = strndup (path, base - path);
  if (dir == NULL)
    {
      errno = ENOMEM;
      return -1;
    }
  fd = safepath_open (rootfd, *dir ? dir : ".", O_PATH | O_DIRECTORY, 0);
  free (dir);
  if (fd >= 0)
    *last = base;
  return fd;
}

int safepath_mkdir_p (int rootfd, const char *path, mode_t mode)
{
  cleanup_free char *prefix = NULL;
  size_t len = strlen (path), i = 0;
  int fd;

  fd = safepath_open (rootfd, *path ? path : ".", O_PATH | O_DIRECTORY, 0);
  if (fd >= 0 || errno != ENOENT)
    return fd;
  prefix = malloc (len + 1);
  if (prefix == NULL)
    {
      errno = ENOMEM;
      return -1;
    }
  /* Grow the prefix one component at a time; each is resolved from the
     root again, so a symlink met on the way stays confined. */
  while (i < len)
    {
      const char *last;
      int parent, r;

      while (i < len && path[i] == '/')
        i++;
      while (i < len && path[i] != '/')
        i++;
      memcpy (prefix, path, i);
      prefix[i] = '\0';
      fd = safepath_open (rootfd, prefix, O_PATH | O_DIRECTORY, 0);
      if (fd >= 0)
        {
          if (i < len)
            close (fd);
          continue;
        }
      if (errno != ENOENT)
        return -1;
      parent = safepath_open_parent (rootfd, prefix, &last);
      if (parent < 0)
        return -1;
      r = mkdirat (parent, last, mode);
      if (r < 0 && errno != EEXIST)
        {
          int saved = errno;
          close (parent);
          errno = saved;
          return -1;
        }
      close (parent);
      fd = safepath_open (rootfd, prefix, O_PATH | O_DIRECTORY, 0);
      if (fd < 0)
        return -1;
      if (i < len)
        close (fd);
    }
  return fd;
}
