/* What a container gets when the user asks for nothing special: the
   namespaces, mounts, masked and read-only paths of `runc spec` and
   docker, docker's default capability set, an RLIMIT_NOFILE the host can
   grant, and the devices cgroup closed except for the runtime's default
   devices. --privileged opens all of it the way docker does. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "bundle.h"
#include "capnames.h"
#include "cleanup.h"


/* docker's (and podman's historical) default set. */
static const char *const default_caps[] = {
  "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
  "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
  "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
};

/* docker's lists (moby oci/defaults.go semantics). */
static const char *const masked_paths[] = {
  "/proc/asound", "/proc/acpi", "/proc/interrupts", "/proc/kcore", "/proc/keys",
  "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
  "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap",
};
static const char *const readonly_paths[] = {
  "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};

#define N(a) (sizeof (a) / sizeof *(a))

bool capability_known (const char *name)
{
  size_t n;
  const char *const *all = capnames_all (&n);
  for (size_t i = 0; i < n; i++)
    if (strcmp (all[i], name) == 0)
      return true;
  return false;
}

/* "Every capability" means every one mkbundle's own bounding set holds:
   a runtime started from here cannot grant more (capset fails), and a
   sandbox may have dropped some (CAP_SYS_RESOURCE on this test host). */
static unsigned long long bounding_set (void)
{
  char buf[4096];
  unsigned long long mask = ~0ULL;
  int fd = open ("/proc/self/status", O_RDONLY | O_CLOEXEC);
  ssize_t r;
  if (fd < 0)
    return mask;
  r = read (fd, buf, sizeof buf - 1);
  close (fd);
  if (r > 0)
    {
      char *p;
      buf[r] = '\0';
      p = strstr (buf, "\nCapBnd:");
      if (p)
        mask = strtoull (p + 9, NULL, 16);
    }
  return mask;
}

/* docker's order: --cap-drop ALL empties the set, then --cap-add; an
   --cap-add ALL grants every capability. */
int defaults_capabilities (const bundle_options *o, strv *out, oci_error **err)
{
  bool add_all = o->privileged || strv_index (&o->cap_add, "ALL") >= 0;
  bool drop_all = strv_index (&o->cap_drop, "ALL") >= 0;

  if (add_all)
    {
      unsigned long long mask = bounding_set ();
      size_t n;
      const char *const *all = capnames_all (&n);
      for (size_t i = 0; i < n; i++)
        if ((mask >> i) & 1)
          if (strv_push (out, all[i]) < 0)
            return oci_error_set (err, ENOMEM, "capabilities");
    }
  else if (!drop_all)
    for (size_t i = 0; i < N (default_caps); i++)
      if (strv_push (out, default_caps[i]) < 0)
        return oci_error_set (err, ENOMEM, "capabilities");
  for (size_t i = 0; i < o->cap_add.n && !add_all; i++)
    if (strv_index (out, o->cap_add.v[i]) < 0 && strv_push (out, o->cap_add.v[i]) < 0)
      return oci_error_set (err, ENOMEM, "capabilities");
  if (!o->privileged && !add_all)
    for (size_t i = 0; i < o->cap_drop.n; i++)
      {
        long k = strv_index (out, o->cap_drop.v[i]);
        if (k >= 0 && strv_index (&o->cap_add, o->cap_drop.v[i]) < 0)
          strv_remove_at (out, (size_t) k);
      }
  return 0;
}

unsigned long long defaults_nofile (void)
{
  struct rlimit rl;
  unsigned long long want = 1048576;
  if (getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_max != RLIM_INFINITY
      && (unsigned long long) rl.rlim_max < want)
    return rl.rlim_max;
  return want;
}

static int add_mount (spec *s, const char *dst, const char *type, const char *src,
                      const char *opts, oci_error **err)
{
  bundle_mount m = { 0 };
  int r;
  m.destination = (char *) dst;
  m.type = (char *) type;
  m.source = (char *) src;
  if (opts && strv_split (&m.options, opts, ',') < 0)
    return oci_error_set (err, ENOMEM, "mounts");
  r = spec_add_mount (s, &m, true, err);
  strv_clear (&m.options);
  return r;
}

/* --privileged: the host's devices, as docker adds them. Pseudo-terminal
   slaves, shm and mqueue belong to the container's own mounts. */
static int add_host_devices (spec *s, const char *dir, int depth, oci_error **err)
{
  cleanup_dir DIR *d = opendir (dir);
  struct dirent *e;
  if (d == NULL)
    return 0;
  while ((e = readdir (d)) != NULL)
    {
      char path[512];
      struct stat st;
      spec_device *nd;
      if (e->d_name[0] == '.')
        continue;
      snprintf (path, sizeof path, "%s/%s", dir, e->d_name);
      if (lstat (path, &st) < 0)
        continue;
      if (S_ISDIR (st.st_mode))
        {
          if (depth < 2 && strcmp (path, "/dev/pts") != 0 && strcmp (path, "/dev/shm") != 0
              && strcmp (path, "/dev/mqueue") != 0 && strcmp (path, "/dev/fd") != 0)
            if (add_host_devices (s, path, depth + 1, err) < 0)
              return -1;
          continue;
        }
      if (!S_ISCHR (st.st_mode) && !S_ISBLK (st.st_mode))
        continue;
      if (strcmp (path, "/dev/console") == 0 || strcmp (path, "/dev/ptmx") == 0
          || strcmp (path, "/dev/tty") == 0)
        continue; /* the runtime provides these */
      nd = realloc (s->devices, (s->n_devices + 1) * sizeof *nd);
      if (nd == NULL)
        return oci_error_set (err, ENOMEM, "devices");
      s->devices = nd;
      nd = &s->devices[s->n_devices];
      nd->path = strdup (path);
      if (nd->path == NULL)
        return oci_error_set (err, ENOMEM, "devices");
      nd->type = S_ISCHR (st.st_mode) ? 'c' : 'b';
      nd->major = major (st.st_rdev);
      nd->minor = minor (st.st_rdev);
      nd->file_mode = st.st_mode & 07777;
      nd->uid = st.st_uid;
      nd->gid = st.st_gid;
      s->n_devices++;
    }
  return 0;
}

int defaults_apply (const bundle_options *o, spec *s, oci_error **err)
{
  bool userns = o->n_uid_maps > 0;
  const char *ro = o->privileged ? "" : ",ro";
  char opts[128];

  /* namespaces: pid ipc uts mount network cgroup (+ user) */
  if (strv_push (&s->namespaces, "pid") < 0
      || (o->net != NET_HOST && strv_push (&s->namespaces, "network") < 0)
      || strv_push (&s->namespaces, "ipc") < 0 || strv_push (&s->namespaces, "uts") < 0
      || strv_push (&s->namespaces, "mount") < 0 || strv_push (&s->namespaces, "cgroup") < 0
      || (userns && strv_push (&s->namespaces, "user") < 0))
    return oci_error_set (err, ENOMEM, "namespaces");
  if (userns)
    {
      s->uid_maps = calloc (o->n_uid_maps, sizeof *s->uid_maps);
      s->gid_maps = calloc (o->n_gid_maps, sizeof *s->gid_maps);
      if (s->uid_maps == NULL || s->gid_maps == NULL)
        return oci_error_set (err, ENOMEM, "id maps");
      memcpy (s->uid_maps, o->uid_maps, o->n_uid_maps * sizeof *s->uid_maps);
      memcpy (s->gid_maps, o->gid_maps, o->n_gid_maps * sizeof *s->gid_maps);
      s->n_uid_maps = o->n_uid_maps;
      s->n_gid_maps = o->n_gid_maps;
    }

  /* mounts, as `runc spec` and docker write them */
  if (add_mount (s, "/proc", "proc", "proc", "nosuid,noexec,nodev", err) < 0
      || add_mount (s, "/dev", "tmpfs", "tmpfs", "nosuid,strictatime,mode=755,size=65536k",
                    err) < 0
      || add_mount (s, "/dev/pts", "devpts", "devpts",
                    userns ? "nosuid,noexec,newinstance,ptmxmode=0666,mode=0620"
                           : "nosuid,noexec,newinstance,ptmxmode=0666,mode=0620,gid=5",
                    err) < 0
      || add_mount (s, "/dev/shm", "tmpfs", "shm", "nosuid,noexec,nodev,mode=1777,size=65536k",
                    err) < 0
      || add_mount (s, "/dev/mqueue", "mqueue", "mqueue", "nosuid,noexec,nodev", err) < 0)
    return -1;
  /* sysfs can only be mounted by the owner of the network namespace: a
     user namespace sharing the host's network binds the host's /sys. */
  snprintf (opts, sizeof opts, "%snosuid,noexec,nodev%s",
            userns && o->net == NET_HOST ? "rbind," : "", ro);
  if (add_mount (s, "/sys", userns && o->net == NET_HOST ? "bind" : "sysfs",
                 userns && o->net == NET_HOST ? "/sys" : "sysfs", opts, err) < 0)
    return -1;
  snprintf (opts, sizeof opts, "nosuid,noexec,nodev,relatime%s", ro);
  if (add_mount (s, "/sys/fs/cgroup", "cgroup", "cgroup", opts, err) < 0)
    return -1;

  if (!o->privileged)
    {
      for (size_t i = 0; i < N (masked_paths); i++)
        if (strv_push (&s->masked_paths, masked_paths[i]) < 0)
          return oci_error_set (err, ENOMEM, "masked paths");
      for (size_t i = 0; i < N (readonly_paths); i++)
        if (strv_push (&s->readonly_paths, readonly_paths[i]) < 0)
          return oci_error_set (err, ENOMEM, "read-only paths");
    }
  else
    {
      s->devices_allow_all = true;
      if (!userns && add_host_devices (s, "/dev", 0, err) < 0)
        return -1;
    }

  /* docker: in its own network namespace a process may bind any port
     without CAP_NET_BIND_SERVICE (a web server as a non-root user) */
  if (o->net != NET_HOST
      && (strv_push (&s->sysctl_keys, "net.ipv4.ip_unprivileged_port_start") < 0
          || strv_push (&s->sysctl_values, "0") < 0))
    return oci_error_set (err, ENOMEM, "sysctl");

  if (defaults_capabilities (o, &s->caps, err) < 0)
    return -1;
  s->no_new_privileges = o->no_new_privileges;

  /* rlimits: NOFILE by default, --ulimit on top */
  {
    size_t n = 1 + o->n_ulimits;
    s->rlimits = calloc (n, sizeof *s->rlimits);
    if (s->rlimits == NULL)
      return oci_error_set (err, ENOMEM, "rlimits");
    strcpy (s->rlimits[0].type, "RLIMIT_NOFILE");
    s->rlimits[0].soft = s->rlimits[0].hard = defaults_nofile ();
    s->n_rlimits = 1;
    for (size_t i = 0; i < o->n_ulimits; i++)
      {
        size_t j;
        for (j = 0; j < s->n_rlimits; j++)
          if (strcmp (s->rlimits[j].type, o->ulimits[i].type) == 0)
            break;
        s->rlimits[j] = o->ulimits[i];
        if (j == s->n_rlimits)
          s->n_rlimits++;
      }
  }

  /* resources */
  s->memory_limit = o->memory;
  if (o->memory_swap)
    s->memory_swap = o->memory_swap;
  s->cpu_shares = o->cpu_shares;
  s->cpu_quota = o->cpu_quota;
  s->cpu_period = o->cpu_period;
  s->pids_limit = o->pids_limit;
  s->root_readonly = o->read_only;
  s->terminal = o->tty;
  return 0;
}
