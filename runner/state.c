#include "state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "cleanup.h"
#include "fileutil.h"
#include "json.h"

#define OCI_VERSION "1.2.0"

int state_validate_id (const char *id, oci_error **err)
{
  size_t n = id ? strlen (id) : 0;
  if (n == 0)
    return oci_error_set (err, 0, "container ID is empty");
  if (n > 1024)
    return oci_error_set (err, 0, "container ID is too long");
  if (strcmp (id, ".") == 0 || strcmp (id, "..") == 0)
    return oci_error_set (err, 0, "invalid container ID `%s`", id);
  for (const char *p = id; *p; p++)
    {
      unsigned char c = (unsigned char) *p;
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
            || c == '_' || c == '-' || c == '.' || c == '+'))
        return oci_error_set (err, 0,
                              "invalid container ID `%s`: only letters, digits and _ - . + are allowed",
                              id);
    }
  return 0;
}

int state_root_open (const char *root, bool create, int *fd, oci_error **err)
{
  *fd = open (root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (*fd < 0 && errno == ENOENT && create)
    {
      if (mkdir_p (root, 0700, err) < 0)
        return oci_error_prefix (err, "state root");
      *fd = open (root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    }
  if (*fd < 0)
    {
      int e = errno;
      oci_error_set (err, e, "open state root `%s`", root);
      errno = e;
      return -1;
    }
  return 0;
}

int state_open_container (const char *root, const char *id, int *rootfd, container_state *st,
                          oci_error **err)
{
  int dirfd = -1;
  if (state_validate_id (id, err) < 0)
    return -1;
  if (state_root_open (root, false, rootfd, err) < 0)
    {
      if (errno == ENOENT)
        {
          oci_error_free (err);
          oci_error_set (err, 0, "container `%s` does not exist", id);
          errno = ENOENT;
        }
      return -1;
    }
  if (state_dir_open (*rootfd, id, &dirfd, err) < 0)
    return -1;
  if (state_load (dirfd, id, st, err) < 0)
    {
      int e = errno;
      close (dirfd);
      errno = e == ENOENT ? EIO : e;
      return -1;
    }
  return 0;
}

static int lock_dir (int dirfd, const char *id, oci_error **err)
{
  while (flock (dirfd, LOCK_EX) < 0)
    if (errno != EINTR)
      return oci_error_set (err, errno, "lock container `%s`", id);
  return 0;
}

int state_dir_create (int rootfd, const char *id, int *dirfd, oci_error **err)
{
  if (mkdirat (rootfd, id, 0700) < 0)
    {
      if (errno == EEXIST)
        return oci_error_set (err, 0, "container `%s` already exists", id);
      return oci_error_set (err, errno, "create state directory of `%s`", id);
    }
  *dirfd = openat (rootfd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (*dirfd < 0)
    return oci_error_set (err, errno, "open state directory of `%s`", id);
  return lock_dir (*dirfd, id, err);
}

int state_dir_open (int rootfd, const char *id, int *dirfd, oci_error **err)
{
  *dirfd = openat (rootfd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (*dirfd < 0)
    {
      if (errno == ENOENT)
        {
          oci_error_set (err, 0, "container `%s` does not exist", id);
          errno = ENOENT;
          return -1;
        }
      return oci_error_set (err, errno, "open state directory of `%s`", id);
    }
  if (lock_dir (*dirfd, id, err) < 0)
    return -1;
  /* a concurrent delete may have emptied it while we waited for the lock */
  if (faccessat (*dirfd, "state.json", F_OK, AT_SYMLINK_NOFOLLOW) < 0
      && faccessat (*dirfd, "config.json", F_OK, AT_SYMLINK_NOFOLLOW) < 0)
    {
      struct stat st;
      if (fstatat (rootfd, id, &st, AT_SYMLINK_NOFOLLOW) < 0)
        {
          close (*dirfd);
          *dirfd = -1;
          oci_error_set (err, 0, "container `%s` does not exist", id);
          errno = ENOENT;
          return -1;
        }
    }
  return 0;
}

int state_dir_remove (int rootfd, const char *id, int dirfd, oci_error **err)
{
  cleanup_dir DIR *d = NULL;
  struct dirent *de;
  int fd = fcntl (dirfd, F_DUPFD_CLOEXEC, 3);

  if (fd < 0 || (d = fdopendir (fd)) == NULL)
    {
      if (fd >= 0)
        close (fd);
      return oci_error_set (err, errno, "remove state of `%s`", id);
    }
  while ((de = readdir (d)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (unlinkat (dirfd, de->d_name, 0) < 0 && errno != ENOENT)
        return oci_error_set (err, errno, "remove state file `%s` of `%s`", de->d_name, id);
    }
  if (unlinkat (rootfd, id, AT_REMOVEDIR) < 0 && errno != ENOENT)
    return oci_error_set (err, errno, "remove state directory of `%s`", id);
  return 0;
}

char *state_now_rfc3339 (void)
{
  struct timespec ts;
  struct tm tm;
  char buf[64];
  int n;
  clock_gettime (CLOCK_REALTIME, &ts);
  gmtime_r (&ts.tv_sec, &tm);
  n = (int) strftime (buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf (buf + n, sizeof buf - n, ".%09ldZ", ts.tv_nsec);
  return strdup (buf);
}

int state_save (const container_state *st, oci_error **err)
{
  cleanup_json_gen yajl_gen g = json_gen_new (false);
  cleanup_free char *text = NULL;
  size_t len;

  if (g == NULL)
    return oci_error_set (err, ENOMEM, "state of `%s`", st->id);
  yajl_gen_map_open (g);
  json_gen_kv_str (g, "id", st->id);
  json_gen_kv_int (g, "pid", st->pid);
  json_gen_kv_int (g, "starttime", (long long) st->starttime);
  json_gen_kv_str (g, "bundle", st->bundle);
  json_gen_kv_str (g, "rootfs", st->rootfs ? st->rootfs : "");
  json_gen_kv_str (g, "created", st->created ? st->created : "");
  json_gen_kv_str (g, "cgroupPath", st->cgroup_path ? st->cgroup_path : "");
  if (st->ncgroup_parents > 0)
    {
      json_gen_key (g, "cgroupParents");
      yajl_gen_array_open (g);
      for (size_t i = 0; i < st->ncgroup_parents; i++)
        json_gen_str (g, st->cgroup_parents[i]);
      yajl_gen_array_close (g);
    }
  json_gen_kv_bool (g, "systemdCgroup", st->systemd_cgroup);
  json_gen_kv_int (g, "owner", st->owner);
  if (st->annotations)
    {
      json_gen_key (g, "annotations");
      json_gen_value (g, st->annotations);
    }
  yajl_gen_map_close (g);
  if (json_gen_result (g, &text, &len, err) < 0)
    return -1;
  return state_write_atomic (st->dirfd, "state.json", text, len, 0600, err);
}

int state_write_atomic (int dirfd, const char *path, const void *buf, size_t len, mode_t mode,
                        oci_error **err)
{
  char tmp[4096];
  cleanup_close int fd = -1;
  if (snprintf (tmp, sizeof tmp, "%s.tmp%d", path, (int) getpid ()) >= (int) sizeof tmp)
    return oci_error_set (err, ENAMETOOLONG, "write `%s`", path);
  fd = openat (dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0)
    return oci_error_set (err, errno, "write `%s`", path);
  if (write_all (fd, buf, len) < 0 || renameat (dirfd, tmp, dirfd, path) < 0)
    {
      int e = errno;
      unlinkat (dirfd, tmp, 0);
      return oci_error_set (err, e, "write `%s`", path);
    }
  return 0;
}

static char *dup_or_null (const char *s) { return s && *s ? strdup (s) : NULL; }

int state_load (int dirfd, const char *id, container_state *st, oci_error **err)
{
  cleanup_free char *text = NULL;
  size_t len;
  long long v;

  memset (st, 0, sizeof *st);
  st->dirfd = -1;
  if (read_file_at (dirfd, "state.json", 1 << 20, &text, &len, err) < 0)
    return oci_error_prefix (err, "state of container `%s`", id);
  if (json_parse (text, len, "state.json", &st->doc, err) < 0)
    return oci_error_prefix (err, "state of container `%s`", id);
  st->id = strdup (id);
  if (json_get_int (st->doc, "pid", &v))
    st->pid = (pid_t) v;
  if (json_get_int (st->doc, "starttime", &v))
    st->starttime = (unsigned long long) v;
  if (json_get_int (st->doc, "owner", &v))
    st->owner = (unsigned) v;
  st->bundle = dup_or_null (json_get_string (st->doc, "bundle"));
  st->rootfs = dup_or_null (json_get_string (st->doc, "rootfs"));
  st->created = dup_or_null (json_get_string (st->doc, "created"));
  st->cgroup_path = dup_or_null (json_get_string (st->doc, "cgroupPath"));
  st->systemd_cgroup = YAJL_IS_TRUE (json_get (st->doc, "systemdCgroup"));
  {
    yajl_val parents = json_get_array (st->doc, "cgroupParents");
    size_t n = json_array_len (parents);
    if (n > 0 && (st->cgroup_parents = calloc (n, sizeof (char *))) != NULL)
      for (size_t i = 0; i < n; i++)
        {
          yajl_val p = json_array_at (parents, i);
          const char *dir = YAJL_IS_STRING (p) ? p->u.string : NULL;
          if (dir && (st->cgroup_parents[st->ncgroup_parents] = strdup (dir)) != NULL)
            st->ncgroup_parents++;
        }
  }
  st->annotations = json_get_object (st->doc, "annotations");
  st->dirfd = dirfd;
  return 0;
}

void state_clear (container_state *st)
{
  free (st->id);
  free (st->bundle);
  free (st->rootfs);
  free (st->created);
  free (st->cgroup_path);
  for (size_t i = 0; i < st->ncgroup_parents; i++)
    free (st->cgroup_parents[i]);
  free (st->cgroup_parents);
  if (st->doc)
    yajl_tree_free (st->doc);
  memset (st, 0, sizeof *st);
  st->dirfd = -1;
}

unsigned long long state_proc_starttime (pid_t pid, char *proc_state)
{
  char path[64], buf[1024];
  cleanup_close int fd = -1;
  ssize_t n;
  char *p;
  unsigned long long start = 0;

  if (pid <= 0)
    return 0;
  snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  n = read (fd, buf, sizeof buf - 1);
  if (n <= 0)
    return 0;
  buf[n] = '\0';
  p = strrchr (buf, ')');
  if (p == NULL)
    return 0;
  /* fields after the command: 3 state, …, 22 starttime */
  if (proc_state)
    *proc_state = p[2];
  p += 2;
  for (int field = 3; field < 22 && p; field++)
    {
      p = strchr (p, ' ');
      if (p)
        p++;
    }
  if (p)
    start = strtoull (p, NULL, 10);
  return start;
}

enum container_status state_status (const container_state *st)
{
  char pstate = 0;
  unsigned long long start;

  if (st->pid <= 0)
    return STATUS_STOPPED;
  start = state_proc_starttime (st->pid, &pstate);
  if (start == 0 || start != st->starttime || pstate == 'Z' || pstate == 'X')
    return STATUS_STOPPED;
  if (faccessat (st->dirfd, STATE_START_SOCKET, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
    return STATUS_CREATED;
  if (st->cgroup_path && strcmp (st->cgroup_path, "/") != 0)
    {
      /* the freezer is the truth (a pause mark can be stale) */
      cgroup *cg = NULL;
      cleanup_error oci_error *e = NULL;
      bool frozen = false;
      int r = cgroup_open (CGROUP_DEFAULT_ROOT, st->cgroup_path, &cg, &e);
      if (r == 0)
        r = cgroup_is_frozen (cg, &frozen, &e);
      cgroup_free (cg);
      if (r == 0)
        return frozen ? STATUS_PAUSED : STATUS_RUNNING;
    }
  if (faccessat (st->dirfd, STATE_PAUSED_MARK, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
    return STATUS_PAUSED;
  return STATUS_RUNNING;
}

const char *state_status_name (enum container_status s)
{
  switch (s)
    {
    case STATUS_CREATING: return "creating";
    case STATUS_CREATED: return "created";
    case STATUS_RUNNING: return "running";
    case STATUS_PAUSED: return "paused";
    default: return "stopped";
    }
}

int state_oci_json (const container_state *st, enum container_status status, bool pretty,
                    char **out, size_t *len, oci_error **err)
{
  cleanup_json_gen yajl_gen g = json_gen_new (pretty);
  if (g == NULL)
    return oci_error_set (err, ENOMEM, "state of `%s`", st->id);
  yajl_gen_map_open (g);
  json_gen_kv_str (g, "ociVersion", OCI_VERSION);
  json_gen_kv_str (g, "id", st->id);
  json_gen_kv_str (g, "status", state_status_name (status));
  /* runtime.md: pid is required when created or running */
  if (status != STATUS_STOPPED || st->pid > 0)
    json_gen_kv_int (g, "pid", status == STATUS_STOPPED ? 0 : st->pid);
  json_gen_kv_str (g, "bundle", st->bundle ? st->bundle : "");
  if (st->rootfs)
    json_gen_kv_str (g, "rootfs", st->rootfs);
  if (st->created)
    json_gen_kv_str (g, "created", st->created);
  if (st->annotations && json_object_len (st->annotations) > 0)
    {
      json_gen_key (g, "annotations");
      json_gen_value (g, st->annotations);
    }
  yajl_gen_map_close (g);
  return json_gen_result (g, out, len, err);
}
