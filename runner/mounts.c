#include "mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "fileutil.h"
#include "json.h"
#include "safepath.h"
#include "state.h"

#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

bool mounts_in_cgroupns;

struct mount_opts
{
  unsigned long flags;     /* MS_* to set */
  unsigned long clear;     /* MS_* the options clear */
  unsigned long propagation[4];
  int npropagation;
  bool bind, recursive, copyup;
  char data[1024];
};

static const struct { const char *name; unsigned long flag; bool clear; } flag_table[] = {
  { "defaults", 0, false },          { "ro", MS_RDONLY, false },       { "rw", MS_RDONLY, true },
  { "suid", MS_NOSUID, true },       { "nosuid", MS_NOSUID, false },   { "dev", MS_NODEV, true },
  { "nodev", MS_NODEV, false },      { "exec", MS_NOEXEC, true },      { "noexec", MS_NOEXEC, false },
  { "sync", MS_SYNCHRONOUS, false }, { "async", MS_SYNCHRONOUS, true }, { "dirsync", MS_DIRSYNC, false },
  { "mand", MS_MANDLOCK, false },    { "nomand", MS_MANDLOCK, true },  { "atime", MS_NOATIME, true },
  { "noatime", MS_NOATIME, false },  { "diratime", MS_NODIRATIME, true },
  { "nodiratime", MS_NODIRATIME, false }, { "relatime", MS_RELATIME, false },
  { "norelatime", MS_RELATIME, true }, { "strictatime", MS_STRICTATIME, false },
  { "nostrictatime", MS_STRICTATIME, true }, { "lazytime", MS_LAZYTIME, false },
  { "nolazytime", MS_LAZYTIME, true }, { "silent", MS_SILENT, false }, { "loud", MS_SILENT, true },
  { "remount", 0, false },
};

static const struct { const char *name; unsigned long flag; } propagation_table[] = {
  { "private", MS_PRIVATE },  { "rprivate", MS_PRIVATE | MS_REC },
  { "shared", MS_SHARED },    { "rshared", MS_SHARED | MS_REC },
  { "slave", MS_SLAVE },      { "rslave", MS_SLAVE | MS_REC },
  { "unbindable", MS_UNBINDABLE }, { "runbindable", MS_UNBINDABLE | MS_REC },
};

static unsigned long propagation_flag (const char *name)
{
  for (size_t i = 0; name && i < sizeof propagation_table / sizeof propagation_table[0]; i++)
    if (strcmp (name, propagation_table[i].name) == 0)
      return propagation_table[i].flag;
  return 0;
}

static int parse_options (yajl_val options, struct mount_opts *o, oci_error **err)
{
  size_t used = 0;
  memset (o, 0, sizeof *o);
  for (size_t i = 0; i < json_array_len (options); i++)
    {
      yajl_val v = json_array_at (options, i);
      const char *opt = YAJL_IS_STRING (v) ? v->u.string : NULL;
      unsigned long prop;
      bool known = false;
      if (opt == NULL)
        return oci_error_set (err, 0, "mount option is not a string");
      for (size_t k = 0; k < sizeof flag_table / sizeof flag_table[0]; k++)
        if (strcmp (opt, flag_table[k].name) == 0)
          {
            if (flag_table[k].clear)
              {
                o->flags &= ~flag_table[k].flag;
                o->clear |= flag_table[k].flag;
              }
            else
              o->flags |= flag_table[k].flag;
            known = true;
          }
      if (known)
        continue;
      if (strcmp (opt, "bind") == 0 || strcmp (opt, "rbind") == 0)
        {
          o->bind = true;
          o->recursive |= opt[0] == 'r';
          continue;
        }
      if (strcmp (opt, "tmpcopyup") == 0)
        {
          o->copyup = true;
          continue;
        }
      if ((prop = propagation_flag (opt)))
        {
          if (o->npropagation < 4)
            o->propagation[o->npropagation++] = prop;
          continue;
        }
      /* everything else is filesystem data ("mode=755", "size=64k", …) */
      int n = snprintf (o->data + used, sizeof o->data - used, "%s%s", used ? "," : "", opt);
      if (n < 0 || (size_t) n >= sizeof o->data - used)
        return oci_error_set (err, 0, "mount options too long");
      used += n;
    }
  return 0;
}

int rootfs_mkpath (int rootfd, const char *path, bool file, oci_error **err)
{
  int fd = safepath_open (rootfd, path, O_PATH, 0);
  cleanup_free char *parent = NULL;
  cleanup_close int pfd = -1;
  const char *last;
  char *slash;

  if (fd >= 0 || errno != ENOENT)
    {
      if (fd < 0)
        return oci_error_set (err, errno, "mount destination `%s`", path);
      return fd;
    }
  parent = strdup (path);
  if (parent == NULL)
    return oci_error_set (err, ENOMEM, "mount destination `%s`", path);
  while ((slash = strrchr (parent, '/')) && slash[1] == '\0' && slash != parent)
    *slash = '\0';
  slash = strrchr (parent, '/');
  if (slash == NULL)
    return oci_error_set (err, EINVAL, "mount destination `%s`", path);
  last = slash + 1;
  if (*last == '\0' || strcmp (last, ".") == 0 || strcmp (last, "..") == 0)
    return oci_error_set (err, EINVAL, "mount destination `%s`", path);
  *slash = '\0';
  pfd = rootfs_mkpath (rootfd, *parent ? parent : "/", false, err);
  if (pfd < 0)
    return -1;
  if (file)
    {
      int f = openat (pfd, last, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
      if (f < 0 && errno != EEXIST)
        return oci_error_set (err, errno, "create mount destination `%s`", path);
      if (f >= 0)
        close (f);
    }
  else if (mkdirat (pfd, last, 0755) < 0 && errno != EEXIST)
    return oci_error_set (err, errno, "create mount destination `%s`", path);
  fd = safepath_open (rootfd, path, O_PATH, 0);
  if (fd < 0)
    return oci_error_set (err, errno, "mount destination `%s`", path);
  return fd;
}

static void fd_path (char *buf, size_t size, int fd)
{
  snprintf (buf, size, "/proc/self/fd/%d", fd);
}

static int mount_attr_from_flags (unsigned long flags, struct mount_attr *attr)
{
  memset (attr, 0, sizeof *attr);
  if (flags & MS_RDONLY)
    attr->attr_set |= MOUNT_ATTR_RDONLY;
  if (flags & MS_NOSUID)
    attr->attr_set |= MOUNT_ATTR_NOSUID;
  if (flags & MS_NODEV)
    attr->attr_set |= MOUNT_ATTR_NODEV;
  if (flags & MS_NOEXEC)
    attr->attr_set |= MOUNT_ATTR_NOEXEC;
  if (flags & MS_NODIRATIME)
    attr->attr_set |= MOUNT_ATTR_NODIRATIME;
  if (flags & (MS_NOATIME | MS_STRICTATIME | MS_RELATIME))
    {
      attr->attr_clr |= MOUNT_ATTR__ATIME;
      attr->attr_set |= (flags & MS_NOATIME) ? MOUNT_ATTR_NOATIME
                        : (flags & MS_STRICTATIME) ? MOUNT_ATTR_STRICTATIME
                                                   : MOUNT_ATTR_RELATIME;
    }
  return attr->attr_set || attr->attr_clr;
}

/* Bind `srcfd` (or the path src) onto targetfd, with flags applied on the
   detached copy before it becomes visible. */
static int bind_onto (int srcdir, const char *src, int targetfd, bool recursive,
                      unsigned long flags, const struct mount_opts *o, const char *what,
                      oci_error **err)
{
  struct mount_attr attr;
  unsigned tflags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0);
  cleanup_close int tree = open_tree (srcdir, src, tflags | (*src ? 0 : AT_EMPTY_PATH));
  if (tree < 0)
    return oci_error_set (err, errno, "bind mount `%s`", what);
  if (mount_attr_from_flags (flags, &attr)
      && mount_setattr (tree, "", AT_EMPTY_PATH, &attr, sizeof attr) < 0)
    return oci_error_set (err, errno, "bind mount `%s`: set flags", what);
  for (int i = 0; o && i < o->npropagation; i++)
    {
      memset (&attr, 0, sizeof attr);
      attr.propagation = o->propagation[i] & ~MS_REC;
      if (mount_setattr (tree, "", AT_EMPTY_PATH | ((o->propagation[i] & MS_REC) ? AT_RECURSIVE : 0),
                         &attr, sizeof attr) < 0)
        return oci_error_set (err, errno, "bind mount `%s`: set propagation", what);
    }
  if (move_mount (tree, "", targetfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return oci_error_set (err, errno, "bind mount `%s`", what);
  return 0;
}

/* tmpcopyup (podman): the new tmpfs starts with what the image had there. */
static int copy_tree (int from, int to, oci_error **err)
{
  cleanup_dir DIR *d = NULL;
  struct dirent *de;
  int dup = fcntl (from, F_DUPFD_CLOEXEC, 3);
  if (dup < 0 || (d = fdopendir (dup)) == NULL)
    {
      if (dup >= 0)
        close (dup);
      return oci_error_set (err, errno, "tmpcopyup");
    }
  while ((de = readdir (d)) != NULL)
    {
      struct stat st;
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (fstatat (from, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        continue;
      if (S_ISDIR (st.st_mode))
        {
          cleanup_close int s = -1, t = -1;
          if (mkdirat (to, de->d_name, st.st_mode & 07777) < 0 && errno != EEXIST)
            return oci_error_set (err, errno, "tmpcopyup `%s`", de->d_name);
          s = openat (from, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          t = openat (to, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          if (s < 0 || t < 0 || copy_tree (s, t, err) < 0)
            return oci_error_set (err, errno, "tmpcopyup `%s`", de->d_name);
        }
      else if (S_ISREG (st.st_mode))
        {
          cleanup_close int s = openat (from, de->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
          cleanup_close int t = openat (to, de->d_name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                                        st.st_mode & 07777);
          char buf[65536];
          ssize_t n;
          if (s < 0 || t < 0)
            return oci_error_set (err, errno, "tmpcopyup `%s`", de->d_name);
          while ((n = read (s, buf, sizeof buf)) > 0)
            if (write_all (t, buf, n) < 0)
              return oci_error_set (err, errno, "tmpcopyup `%s`", de->d_name);
        }
      else if (S_ISLNK (st.st_mode))
        {
          char target[PATH_MAX];
          ssize_t n = readlinkat (from, de->d_name, target, sizeof target - 1);
          if (n < 0)
            continue;
          target[n] = '\0';
          symlinkat (target, to, de->d_name);
        }
      else
        mknodat (to, de->d_name, st.st_mode, st.st_rdev);
      fchownat (to, de->d_name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW);
    }
  return 0;
}

/* config.md "mounts" type cgroup on a v1 or hybrid host: a tmpfs holding
   one directory per hierarchy, each a bind of this process's own cgroup. */
static int mount_cgroup_v1 (int rootfd, const char *dest, int targetfd, unsigned long flags,
                            oci_error **err)
{
  char target[64], line[4096];
  cleanup_fclose FILE *mi = NULL;
  cleanup_close int fd = -1;
  bool cgroupns;
  fd_path (target, sizeof target, targetfd);
  if (mount ("tmpfs", target, "tmpfs", (flags & ~MS_RDONLY) | MS_NOSUID | MS_NODEV | MS_NOEXEC,
             "mode=755") < 0)
    return oci_error_set (err, errno, "mount cgroup tmpfs on `%s`", dest);
  fd = safepath_open (rootfd, dest, O_PATH | O_DIRECTORY, 0);
  if (fd < 0)
    return oci_error_set (err, errno, "mount cgroup on `%s`", dest);
  cgroupns = mounts_in_cgroupns;
  mi = fopen ("/proc/self/mountinfo", "re");
  while (mi && fgets (line, sizeof line, mi))
    {
      char mp[PATH_MAX], fstype[64], cgline[4096];
      const char *sep = strstr (line, " - ");
      const char *name;
      char want[256] = "";
      cleanup_fclose FILE *cg = NULL;
      cleanup_close int sub = -1;
      if (sep == NULL || sscanf (sep + 3, "%63s", fstype) != 1
          || (strcmp (fstype, "cgroup") && strcmp (fstype, "cgroup2")))
        continue;
      if (sscanf (line, "%*s %*s %*s %*s %4095s", mp) != 1 || strncmp (mp, "/sys/fs/cgroup/", 15))
        continue;
      name = mp + 15;
      if (strchr (name, '/'))
        continue;
      if (cgroupns)
        {
          /* a fresh mount shows the namespace's root: our own cgroup */
          char opts[512] = "", super[512] = "";
          size_t used = 0;
          cleanup_close int sub2 = -1;
          if (sscanf (sep + 3, "%*s %*s %511s", super) == 1)
            for (char *tok = strtok (super, ","); tok; tok = strtok (NULL, ","))
              if (strcmp (tok, "rw") && strcmp (tok, "ro"))
                used += snprintf (opts + used, sizeof opts - used, "%s%s", used ? "," : "", tok);
          if (mkdirat (fd, name, 0755) < 0 && errno != EEXIST)
            return oci_error_set (err, errno, "mount cgroup `%s/%s`", dest, name);
          sub2 = openat (fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          char sp[64];
          fd_path (sp, sizeof sp, sub2);
          if (sub2 < 0 || mount ("cgroup", sp, fstype, flags | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                                 strcmp (fstype, "cgroup2") == 0 ? NULL : opts) < 0)
            return oci_error_set (err, errno, "mount cgroup `%s/%s`", dest, name);
          continue;
        }
      /* this process's path in that hierarchy, from /proc/self/cgroup */
      cg = fopen ("/proc/self/cgroup", "re");
      while (cg && fgets (cgline, sizeof cgline, cg))
        {
          char *c1 = strchr (cgline, ':'), *c2 = c1 ? strchr (c1 + 1, ':') : NULL;
          if (c2 == NULL)
            continue;
          *c2 = '\0';
          c2[1 + strcspn (c2 + 1, "\n")] = '\0';
          bool v2 = strcmp (fstype, "cgroup2") == 0 && c1[1] == '\0';
          bool match = false;
          if (!v2 && c1[1])
            {
              /* controllers "cpu,cpuacct" or "name=systemd" vs mount name */
              const char *ctl = strncmp (c1 + 1, "name=", 5) == 0 ? c1 + 6 : c1 + 1;
              match = strcmp (ctl, name) == 0 && strcmp (fstype, "cgroup") == 0;
            }
          if (v2 || match)
            {
              snprintf (want, sizeof want, "%s", c2 + 1);
              break;
            }
        }
      if (want[0] == '\0')
        continue;
      if (mkdirat (fd, name, 0755) < 0 && errno != EEXIST)
        return oci_error_set (err, errno, "mount cgroup `%s/%s`", dest, name);
      sub = openat (fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (sub < 0)
        return oci_error_set (err, errno, "mount cgroup `%s/%s`", dest, name);
      char src[PATH_MAX * 2];
      snprintf (src, sizeof src, "%s%s", mp, want);
      if (access (src, F_OK) < 0)
        snprintf (src, sizeof src, "%s", mp);
      if (bind_onto (AT_FDCWD, src, sub, false, flags | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL,
                     dest, err) < 0)
        return -1;
    }
  if (flags & MS_RDONLY)
    {
      struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
      cleanup_close int top = safepath_open (rootfd, dest, O_PATH | O_DIRECTORY, 0);
      if (top < 0 || mount_setattr (top, "", AT_EMPTY_PATH, &attr, sizeof attr) < 0)
        return oci_error_set (err, errno, "mount cgroup on `%s` read-only", dest);
    }
  return 0;
}

static bool cgroup2_only (void)
{
  struct statfs sfs;
  return statfs ("/sys/fs/cgroup", &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC;
}

static int mount_one (yajl_val m, const char *bundle, int rootfd, bool userns, oci_error **err)
{
  const char *dest = json_get_string (m, "destination");
  const char *type = json_get_string (m, "type");
  const char *source = json_get_string (m, "source");
  struct mount_opts o;
  cleanup_close int target = -1;
  cleanup_close int under = -1;
  char tpath[64];

  if (dest == NULL || *dest == '\0')
    return oci_error_set (err, 0, "config.json: a mount has no destination");
  if (parse_options (json_get_array (m, "options"), &o, err) < 0)
    return oci_error_prefix (err, "mount `%s`", dest);
  if ((type && strcmp (type, "bind") == 0) || o.bind)
    {
      cleanup_free char *src = NULL;
      struct stat st;
      if (source == NULL)
        return oci_error_set (err, 0, "mount `%s`: bind mount needs a source", dest);
      if (source[0] == '/')
        src = strdup (source);
      else if (asprintf (&src, "%s/%s", bundle, source) < 0)
        src = NULL;
      if (src == NULL)
        return oci_error_set (err, ENOMEM, "mount `%s`", dest);
      if (stat (src, &st) < 0)
        return oci_error_set (err, errno, "mount `%s`: source `%s`", dest, source);
      target = rootfs_mkpath (rootfd, dest, !S_ISDIR (st.st_mode), err);
      if (target < 0)
        return -1;
      if (bind_onto (AT_FDCWD, src, target, o.recursive, o.flags, NULL, dest, err) < 0)
        return -1;
      type = "bind";
      goto after_mount;
    }
  if (type == NULL)
    return oci_error_set (err, 0, "mount `%s`: no type", dest);
  target = rootfs_mkpath (rootfd, dest, false, err);
  if (target < 0)
    return -1;
  fd_path (tpath, sizeof tpath, target);
  if (strcmp (type, "cgroup") == 0 && !cgroup2_only ())
    return mount_cgroup_v1 (rootfd, dest, target, o.flags, err);
  if (o.copyup)
    under = openat (target, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (strcmp (type, "cgroup") == 0)
    type = "cgroup2";
  if (mount (source ? source : type, tpath, type, o.flags, o.data[0] ? o.data : NULL) < 0)
    {
      int e = errno;
      /* sysfs needs a network namespace owned by our user namespace;
         otherwise bind the host's /sys read-only, as runc does */
      if (strcmp (type, "sysfs") == 0 && (e == EPERM || e == EBUSY) && userns)
        return bind_onto (AT_FDCWD, "/sys", target, true, o.flags | MS_RDONLY, NULL, dest, err);
      if (strcmp (type, "cgroup2") == 0 && (e == EPERM || e == EBUSY) && userns)
        return bind_onto (AT_FDCWD, "/sys/fs/cgroup", target, true, o.flags | MS_RDONLY, NULL, dest, err);
      return oci_error_set (err, e, "mount %s on `%s`", type, dest);
    }
after_mount:
  if (strcmp (type, "proc") == 0 || o.npropagation > 0 || under >= 0)
    {
      /* the fd names the covered directory: look the path up again to get
         the new mount */
      cleanup_close int top = safepath_open (rootfd, dest, O_PATH, 0);
      struct statfs sfs;
      if (top < 0)
        return oci_error_set (err, errno, "mount `%s`", dest);
      if (strcmp (type, "proc") == 0 && (fstatfs (top, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC))
        return oci_error_set (err, 0, "mount `%s`: not a procfs after mounting proc", dest);
      fd_path (tpath, sizeof tpath, top);
      for (int i = 0; i < o.npropagation; i++)
        if (mount (NULL, tpath, NULL, o.propagation[i], NULL) < 0)
          return oci_error_set (err, errno, "mount `%s`: set propagation", dest);
      if (under >= 0)
        {
          cleanup_close int to = openat (top, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
          if (to < 0 || copy_tree (under, to, err) < 0)
            return oci_error_prefix (err, "mount `%s`", dest);
        }
    }
  return 0;
}

int mounts_prepare_root (yajl_val config, const char *rootfs, int *rootfd, oci_error **err)
{
  yajl_val linux_ = json_get_object (config, "linux");
  const char *prop = json_get_string (linux_, "rootfsPropagation");
  unsigned long flag = prop ? propagation_flag (prop) : MS_SLAVE | MS_REC;
  cleanup_close int self = -1;

  if (prop && flag == 0)
    return oci_error_set (err, 0, "config.json: unknown rootfsPropagation `%s`", prop);
  /* runtime-linux: nothing we mount may propagate back to the host; shared
     is set on the container's root after pivot, and so is unbindable (an
     unbindable rootfs could not be bound onto itself below) */
  if (flag & (MS_SHARED | MS_UNBINDABLE))
    flag = MS_SLAVE | MS_REC;
  if (mount (NULL, "/", NULL, flag | MS_REC, NULL) < 0)
    return oci_error_set (err, errno, "make / %s", prop ? prop : "rslave");
  self = open (rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (self < 0)
    return oci_error_set (err, errno, "rootfs `%s`", rootfs);
  if (bind_onto (self, "", self, true, 0, NULL, "rootfs", err) < 0)
    return -1;
  *rootfd = open (rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (*rootfd < 0)
    return oci_error_set (err, errno, "rootfs `%s`", rootfs);
  return 0;
}

int mounts_apply (yajl_val config, const char *bundle, int rootfd, bool userns, oci_error **err)
{
  yajl_val mounts = json_get_array (config, "mounts");
  for (size_t i = 0; i < json_array_len (mounts); i++)
    if (mount_one (json_array_at (mounts, i), bundle, rootfd, userns, err) < 0)
      return -1;
  return 0;
}

static int mask_path (int rootfd, const char *path, oci_error **err)
{
  cleanup_close int fd = safepath_open (rootfd, path, O_PATH, 0);
  struct stat st;
  char tpath[64];
  if (fd < 0)
    {
      if (errno == ENOENT || errno == ENOTDIR)
        return 0;
      return oci_error_set (err, errno, "masked path `%s`", path);
    }
  if (fstat (fd, &st) < 0)
    return oci_error_set (err, errno, "masked path `%s`", path);
  if (S_ISDIR (st.st_mode))
    {
      fd_path (tpath, sizeof tpath, fd);
      if (mount ("tmpfs", tpath, "tmpfs", MS_RDONLY, "size=0k") < 0)
        return oci_error_set (err, errno, "mask `%s`", path);
      return 0;
    }
  /* the host's /dev/null, never the image's (CVE-2023-27561 class) */
  return bind_onto (AT_FDCWD, "/dev/null", fd, false, 0, NULL, path, err);
}

static int readonly_path (int rootfd, const char *path, oci_error **err)
{
  cleanup_close int fd = safepath_open (rootfd, path, O_PATH, 0);
  if (fd < 0)
    {
      if (errno == ENOENT || errno == ENOTDIR)
        return 0;
      return oci_error_set (err, errno, "readonly path `%s`", path);
    }
  return bind_onto (fd, "", fd, true, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, path,
                    err);
}

static int apply_sysctl (int rootfd, yajl_val sysctl, oci_error **err)
{
  for (size_t i = 0; i < json_object_len (sysctl); i++)
    {
      const char *key = json_object_key (sysctl, i);
      yajl_val val = json_object_value (sysctl, i);
      cleanup_free char *path = NULL;
      cleanup_close int fd = -1;
      struct statfs sfs;
      if (!YAJL_IS_STRING (val))
        return oci_error_set (err, 0, "config.json: linux.sysctl `%s` is not a string", key);
      if (strstr (key, "..") || asprintf (&path, "/proc/sys/%s", key) < 0)
        return oci_error_set (err, EINVAL, "sysctl `%s`", key);
      for (char *p = path + 10; *p; p++)
        if (*p == '.')
          *p = '/';
      fd = safepath_open (rootfd, path, O_WRONLY | O_NOFOLLOW, 0);
      if (fd < 0)
        return oci_error_set (err, errno, "sysctl `%s`", key);
      if (fstatfs (fd, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC)
        return oci_error_set (err, 0, "sysctl `%s`: not on procfs", key);
      if (write_all (fd, val->u.string, strlen (val->u.string)) < 0)
        return oci_error_set (err, errno, "sysctl `%s`", key);
    }
  return 0;
}

int mounts_protect (yajl_val config, int rootfd, oci_error **err)
{
  yajl_val linux_ = json_get_object (config, "linux");
  yajl_val masked = json_get_array (linux_, "maskedPaths");
  yajl_val ro = json_get_array (linux_, "readonlyPaths");
  if (apply_sysctl (rootfd, json_get_object (linux_, "sysctl"), err) < 0)
    return -1;
  for (size_t i = 0; i < json_array_len (masked); i++)
    {
      yajl_val p = json_array_at (masked, i);
      if (YAJL_IS_STRING (p) && mask_path (rootfd, p->u.string, err) < 0)
        return -1;
    }
  for (size_t i = 0; i < json_array_len (ro); i++)
    {
      yajl_val p = json_array_at (ro, i);
      if (YAJL_IS_STRING (p) && readonly_path (rootfd, p->u.string, err) < 0)
        return -1;
    }
  return 0;
}

int mounts_host_bind_rootfs (const char *rootfs, int state_dirfd, oci_error **err)
{
  struct mount_attr attr = { .propagation = MS_PRIVATE };
  cleanup_close int tree = open_tree (AT_FDCWD, rootfs,
                                      OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
  int fd;
  if (tree < 0)
    return oci_error_set (err, errno, "rootfs `%s`", rootfs);
  /* private before it is attached: nothing mounted under it reaches a
     peer of the host's mount */
  if (mount_setattr (tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0)
    return oci_error_set (err, errno, "rootfs `%s`: make private", rootfs);
  if (move_mount (tree, "", AT_FDCWD, rootfs, MOVE_MOUNT_F_EMPTY_PATH) < 0)
    return oci_error_set (err, errno, "bind rootfs `%s`", rootfs);
  /* after the bind: a marker without it could unmount a mount of the
     caller's at the rootfs */
  fd = openat (state_dirfd, STATE_HOST_MOUNT_MARK, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int e = errno;
      umount2 (rootfs, MNT_DETACH | UMOUNT_NOFOLLOW);
      return oci_error_set (err, e, "state `%s`", STATE_HOST_MOUNT_MARK);
    }
  close (fd);
  return 0;
}

void mounts_host_release (const char *rootfs, int state_dirfd)
{
  if (rootfs == NULL || faccessat (state_dirfd, STATE_HOST_MOUNT_MARK, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
    return;
  umount2 (rootfs, MNT_DETACH | UMOUNT_NOFOLLOW);
  unlinkat (state_dirfd, STATE_HOST_MOUNT_MARK, 0);
}

int mounts_enter_root (yajl_val config, int rootfd, bool no_pivot, bool chroot_only,
                       oci_error **err)
{
  yajl_val root = json_get_object (config, "root");
  const char *prop = json_get_string (json_get_object (config, "linux"), "rootfsPropagation");

  if (fchdir (rootfd) < 0)
    return oci_error_set (err, errno, "enter rootfs");
  if (chroot_only)
    {
      /* the host's mount table: pivot_root or MS_MOVE would change the
         root of every process on it */
      if (chroot (".") < 0)
        return oci_error_set (err, errno, "chroot");
    }
  else if (no_pivot)
    {
      if (mount (".", "/", NULL, MS_MOVE, NULL) < 0)
        return oci_error_set (err, errno, "move rootfs to /");
      if (chroot (".") < 0)
        return oci_error_set (err, errno, "chroot");
    }
  else
    {
      /* pivot_root(".", "."): the old root ends up stacked on the new one
         and is detached at once, without a directory for it in the image */
      if (syscall (SYS_pivot_root, ".", ".") < 0)
        return oci_error_set (err, errno, "pivot_root");
      /* the old root is already rslave (mounts_prepare_root): detaching
         it cannot propagate to the host */
      if (umount2 (".", MNT_DETACH) < 0)
        return oci_error_set (err, errno, "detach old root");
    }
  if (chdir ("/") < 0)
    return oci_error_set (err, errno, "chdir /");
  if (prop && (propagation_flag (prop) & (MS_SHARED | MS_UNBINDABLE))
      && mount (NULL, "/", NULL, propagation_flag (prop), NULL) < 0)
    return oci_error_set (err, errno, "rootfsPropagation `%s`", prop);
  if (YAJL_IS_TRUE (json_get (root, "readonly")))
    {
      struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
      if (mount_setattr (AT_FDCWD, "/", 0, &attr, sizeof attr) < 0)
        return oci_error_set (err, errno, "make root read-only");
    }
  return 0;
}
