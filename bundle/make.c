/* mkbundle's job from start to end: image config from the store, rootfs
   checked, the spec built (defaults, /etc files, user mounts, conversion,
   seccomp, network hooks), then BUNDLE/{hosts,hostname,resolv.conf} and
   last BUNDLE/config.json written atomically. Everything is checked
   before the first byte is written, so a refusal leaves the bundle as it
   was. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle.h"
#include "cleanup.h"
#include "fileutil.h"
#include "image.h"
#include "json.h"
#include "log.h"
#include "store.h"

#define MAX_PROFILE (4u << 20)

static const char *const etc_names[] = { "hosts", "hostname", "resolv.conf" };

/* netsetup next to our own binary, else on PATH; absolute. */
static char *find_netsetup (void)
{
  char self[PATH_MAX], cand[PATH_MAX + 16];
  ssize_t n = readlink ("/proc/self/exe", self, sizeof self - 1);
  const char *path = getenv ("PATH");
  if (n > 0)
    {
      char *slash;
      self[n] = '\0';
      slash = strrchr (self, '/');
      if (slash)
        {
          *slash = '\0';
          snprintf (cand, sizeof cand, "%s/netsetup", self);
          if (access (cand, X_OK) == 0)
            return strdup (cand);
        }
    }
  while (path && *path)
    {
      const char *e = strchr (path, ':');
      size_t l = e ? (size_t) (e - path) : strlen (path);
      if (l > 0 && path[0] == '/' && l < PATH_MAX)
        {
          snprintf (cand, sizeof cand, "%.*s/netsetup", (int) l, path);
          if (access (cand, X_OK) == 0)
            return strdup (cand);
        }
      path = e ? e + 1 : NULL;
    }
  return NULL;
}

static int add_hook (spec_hook **hooks, size_t *n, const char *path, const char *verb,
                     const char *network)
{
  spec_hook *nh = realloc (*hooks, (*n + 1) * sizeof *nh);
  if (nh == NULL)
    return -1;
  *hooks = nh;
  nh = &nh[*n];
  memset (nh, 0, sizeof *nh);
  nh->path = strdup (path);
  if (nh->path == NULL || strv_push (&nh->args, "netsetup") < 0 || strv_push (&nh->args, verb) < 0
      || (network
          && (strv_push (&nh->args, "--network") < 0 || strv_push (&nh->args, network) < 0)))
    {
      free (nh->path);
      strv_clear (&nh->args);
      return -1;
    }
  (*n)++;
  return 0;
}

/* --net bridge: netsetup as createRuntime and poststop hook; the ports in
   annotations for it to read (keys agreed with netsetup). */
static int setup_bridge (const bundle_options *o, spec *s, oci_error **err)
{
  cleanup_free char *ns = find_netsetup ();
  cleanup_json_gen yajl_gen g = NULL;
  cleanup_free char *ports = NULL;

  if (ns == NULL)
    return oci_error_set (err, 0, "--net bridge: netsetup not found next to mkbundle or in PATH");
  if (add_hook (&s->create_runtime, &s->n_create_runtime, ns, "up", o->network) < 0
      || add_hook (&s->poststop, &s->n_poststop, ns, "down", o->network) < 0)
    return oci_error_set (err, ENOMEM, "hooks");
  g = json_gen_new (false);
  if (g == NULL)
    return oci_error_set (err, ENOMEM, "ports");
  yajl_gen_array_open (g);
  for (size_t i = 0; i < o->n_ports; i++)
    {
      yajl_gen_map_open (g);
      json_gen_kv_str (g, "hostIP", o->ports[i].host_ip);
      json_gen_kv_int (g, "hostPort", o->ports[i].host_port);
      json_gen_kv_int (g, "containerPort", o->ports[i].container_port);
      json_gen_kv_str (g, "protocol", o->ports[i].protocol);
      yajl_gen_map_close (g);
    }
  yajl_gen_array_close (g);
  if (json_gen_result (g, &ports, NULL, err) < 0)
    return -1;
  if (spec_annotate (s, "org.ocikit.net.mode", "bridge") < 0
      || spec_annotate (s, "org.ocikit.net.ports", ports) < 0)
    return oci_error_set (err, ENOMEM, "annotations");
  return 0;
}

static int setup_seccomp (const bundle_options *o, spec *s, oci_error **err)
{
  if (o->seccomp == SECCOMP_UNCONFINED || (o->privileged && o->seccomp == SECCOMP_DEFAULT))
    return 0;
  if (o->seccomp == SECCOMP_FILE)
    {
      cleanup_free char *buf = NULL;
      cleanup_json yajl_val v = NULL;
      cleanup_free char *what = NULL;
      size_t len;
      if (asprintf (&what, "seccomp profile `%s`", o->seccomp_file) < 0)
        return oci_error_set (err, ENOMEM, "seccomp");
      if (read_file_at (AT_FDCWD, o->seccomp_file, MAX_PROFILE, &buf, &len, err) < 0)
        return oci_error_prefix (err, "--security-opt seccomp");
      if (json_parse (buf, len, what, &v, err) < 0)
        return -1;
      return seccomp_profile_from_json (v, &s->caps, what, &s->seccomp, err);
    }
  return seccomp_default_profile (&s->caps, &s->seccomp, err);
}

static int add_etc_mounts (spec *s, const char *bundle_abs, oci_error **err)
{
  for (size_t i = 0; i < 3; i++)
    {
      char dst[64], src[PATH_MAX + 32];
      bundle_mount m = { .destination = dst, .type = "bind", .source = src };
      int r;
      snprintf (dst, sizeof dst, "/etc/%s", etc_names[i]);
      snprintf (src, sizeof src, "%s/%s", bundle_abs, etc_names[i]);
      if (strv_push (&m.options, "rbind") < 0 || strv_push (&m.options, "rprivate") < 0)
        {
          strv_clear (&m.options);
          return oci_error_set (err, ENOMEM, "mounts");
        }
      r = spec_add_mount (s, &m, true, err);
      strv_clear (&m.options);
      if (r < 0)
        return -1;
    }
  return 0;
}

/* The /etc files are derived data, rewritten on every run: replaced by
   rename (never seen half-written) but not fsync'd, which would cost
   milliseconds per file; config.json gets the full write_file_atomic. */
/* Is dfd/name a regular file holding exactly `content`? (Running mkbundle
   again on a bundle then creates no file at all.) */
static bool same_content (int dfd, const char *name, const char *content)
{
  size_t len = strlen (content);
  cleanup_close int fd = openat (dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  cleanup_free char *buf = NULL;
  struct stat st;
  if (fd < 0 || fstat (fd, &st) < 0 || !S_ISREG (st.st_mode) || (size_t) st.st_size != len
      || (st.st_mode & 07777) != 0644)
    return false;
  buf = malloc (len + 1);
  return buf && read (fd, buf, len + 1) == (ssize_t) len && memcmp (buf, content, len) == 0;
}

/* Returns 1 when the file is new (to be removed if a later step fails),
   0 when it existed, <0 on error. */
static int write_etc_file (int dfd, const char *name, const char *content, oci_error **err)
{
  char tmp[64];
  cleanup_close int fd = -1;
  bool existed;
  if (same_content (dfd, name, content))
    return 0;
  existed = faccessat (dfd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
  snprintf (tmp, sizeof tmp, ".%s.tmp%d", name, (int) getpid ());
  fd = openat (dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return oci_error_set (err, errno, "write `%s`", name);
  if (write_all (fd, content, strlen (content)) < 0 || renameat (dfd, tmp, dfd, name) < 0)
    {
      int e = errno;
      unlinkat (dfd, tmp, 0);
      return oci_error_set (err, e, "write `%s`", name);
    }
  return existed ? 0 : 1;
}

static char *read_host_file (const char *path)
{
  char *buf = NULL;
  cleanup_error oci_error *e = NULL;
  if (read_file_at (AT_FDCWD, path, 1 << 20, &buf, NULL, &e) < 0)
    return NULL;
  return buf;
}

/* hosts, hostname, resolv.conf, then config.json (which makes the
   bundle); if a step fails, the /etc files this run created go again. */
static int write_bundle (int dfd, const etc_files *etc, const char *json, size_t len,
                         oci_error **err)
{
  const char *content[3] = { etc->hosts, etc->hostname, etc->resolv_conf };
  bool created[3] = { false, false, false };
  size_t i;
  for (i = 0; i < 3; i++)
    {
      int w = write_etc_file (dfd, etc_names[i], content[i], err);
      if (w < 0)
        break;
      created[i] = w == 1;
    }
  if (i == 3 && write_file_atomic (dfd, "config.json", json, len, 0644, err) == 0)
    return 0;
  for (size_t j = 0; j < i; j++)
    if (created[j])
      unlinkat (dfd, etc_names[j], 0);
  return -1;
}

/* Build the whole spec; nothing is written. */
static int build_spec (yajl_val config, const char *bundle_abs, const bundle_options *o,
                       int rootfd, spec *s, oci_error **err)
{
  if (o->rootfs)
    {
      s->root_path = realpath (o->rootfs, NULL);
      if (s->root_path == NULL)
        return oci_error_set (err, errno, "rootfs `%s`", o->rootfs);
    }
  else if ((s->root_path = strdup ("rootfs")) == NULL)
    return oci_error_set (err, ENOMEM, "root");

  if (o->hostname)
    s->hostname = strdup (o->hostname);
  else if (o->net == NET_HOST)
    {
      char h[256] = "";
      gethostname (h, sizeof h - 1);
      s->hostname = strdup (h[0] ? h : "localhost");
    }
  else
    s->hostname = etc_default_hostname (bundle_abs);
  if (s->hostname == NULL)
    return oci_error_set (err, ENOMEM, "hostname");

  if (defaults_apply (o, s, err) < 0)
    return -1;
  if (add_etc_mounts (s, bundle_abs, err) < 0)
    return -1;
  /* user mounts replace a default at the same place (-v /x:/etc/hosts) */
  for (size_t i = 0; i < o->n_mounts; i++)
    if (spec_add_mount (s, &o->mounts[i], true, err) < 0)
      return -1;
  if (convert_image_config (config, o, rootfd, s, err) < 0)
    return -1;
  if (setup_seccomp (o, s, err) < 0)
    return -1;
  if (o->net == NET_BRIDGE && setup_bridge (o, s, err) < 0)
    return -1;
  return 0;
}

int bundle_make_from_config (yajl_val config, const char *bundle_dir, const bundle_options *o,
                             oci_error **err)
{
  cleanup_free char *rootfs_path = NULL;
  cleanup_free char *bundle_abs = NULL;
  cleanup_free char *json = NULL;
  cleanup_close int rootfd = -1;
  cleanup_close int bundlefd = -1;
  etc_files etc = { 0 };
  spec s;
  size_t len;
  int r = -1;

  if (bundle_options_check (o, err) < 0)
    return -1;
  if (o->rootfs == NULL && asprintf (&rootfs_path, "%s/rootfs", bundle_dir) < 0)
    return oci_error_set (err, ENOMEM, "rootfs");
  rootfd = open (o->rootfs ? o->rootfs : rootfs_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return oci_error_set (err, errno, "rootfs `%s` (unpack the image there first)",
                          o->rootfs ? o->rootfs : rootfs_path);
  if (o->rootfs && mkdir_p (bundle_dir, 0755, err) < 0)
    return oci_error_prefix (err, "bundle");
  bundle_abs = realpath (bundle_dir, NULL);
  if (bundle_abs == NULL)
    return oci_error_set (err, errno, "bundle `%s`", bundle_dir);
  bundlefd = open (bundle_abs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (bundlefd < 0)
    return oci_error_set (err, errno, "bundle `%s`", bundle_dir);

  spec_init (&s);
  if (build_spec (config, bundle_abs, o, rootfd, &s, err) < 0)
    goto out;
  if (spec_to_json (&s, &json, &len, err) < 0)
    goto out;
  {
    /* a string that was not valid UTF-8 would leave a hole: check */
    cleanup_json yajl_val check = NULL;
    if (json_parse (json, len, "generated config.json", &check, err) < 0)
      goto out;
  }
  {
    cleanup_free char *hh = read_host_file ("/etc/hosts");
    cleanup_free char *hr = read_host_file ("/etc/resolv.conf");
    if (etc_files_build (o->net, s.hostname, hh, hr, &etc, err) < 0)
      goto out;
  }
  if (write_bundle (bundlefd, &etc, json, len, err) < 0)
    {
      oci_error_prefix (err, "bundle `%s`", bundle_dir);
      goto out;
    }
  for (size_t j = 0; j < s.warnings.n; j++)
    log_warn ("%s", s.warnings.v[j]);
  for (size_t j = 0; j < s.notes.n; j++)
    log_info ("%s", s.notes.v[j]);
  r = 0;
out:
  etc_files_clear (&etc);
  spec_clear (&s);
  return r;
}

int bundle_make (const char *store_path, const char *ref, const char *bundle_dir,
                 const bundle_options *o, oci_error **err)
{
  cleanup_store store *st = NULL;
  cleanup_image image *img = NULL;
  if (store_open (store_path, 0, &st, err) < 0)
    return -1;
  if (image_load (st, ref, NULL, &img, err) < 0)
    return -1;
  return bundle_make_from_config (img->config, bundle_dir, o, err);
}
