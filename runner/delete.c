/* runner delete: runtime.md "delete". With --force an unknown container is
   not an error (containerd deletes twice). */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <string.h>

#include "cleanup.h"
#include "cli.h"
#include "container.h"
#include "json.h"
#include "logfile.h"

/* A create killed half-way leaves no state.json, but its config.json (saved
   first) names the cgroup: empty and remove it, as `delete` would. */
static void destroy_orphan_cgroup (int dirfd, const char *id)
{
  container_state st = { .dirfd = dirfd };
  cleanup_config bundle_config cfg = { 0 };
  cleanup_error oci_error *e = NULL;
  cleanup_free char *path = NULL;
  cgroup *cg = NULL;

  if (container_load_config (&st, &cfg, &e) < 0
      || cgroup_resolve_path (json_get_string (json_get_object (cfg.doc, "linux"), "cgroupsPath"), id,
                              runner_globals.systemd_cgroup, &path, &e) < 0
      || strcmp (path, "/") == 0 || cgroup_open (CGROUP_DEFAULT_ROOT, path, &cg, &e) < 0)
    return;
  cgroup_kill_all (cg, SIGKILL, &e);
  oci_error_free (&e);
  if (cgroup_destroy (cg, &e) < 0)
    logfile_warn ("%s", e->msg);
  cgroup_free (cg);
}

int cmd_delete (int argc, char **argv, oci_error **err)
{
  static const struct option opts[] = {
    { "force", no_argument, NULL, 'f' }, { NULL, 0, NULL, 0 },
  };
  cleanup_close int rootfd = -1;
  cleanup_close int dirfd = -1;
  cleanup_state container_state st = { .dirfd = -1 };
  bool force = false;
  int ch;

  while ((ch = getopt_long (argc, argv, "+f", opts, NULL)) != -1)
    if (ch == 'f')
      force = true;
    else
      return cli_usage (err, "delete", "[--force] ID");
  if (optind != argc - 1)
    return cli_usage (err, "delete", "[--force] ID");
  if (state_open_container (runner_globals.root, argv[optind], &rootfd, &st, err) < 0)
    {
      if (force && errno == ENOENT)
        return oci_error_free (err), 0;
      /* a create killed half-way leaves a directory without state */
      if (force && errno == EIO && rootfd >= 0
          && state_dir_open (rootfd, argv[optind], &dirfd, NULL) == 0)
        {
          oci_error_free (err);
          destroy_orphan_cgroup (dirfd, argv[optind]);
          return state_dir_remove (rootfd, argv[optind], dirfd, err) < 0 ? 1 : 0;
        }
      return 1;
    }
  dirfd = st.dirfd;
  return container_delete (rootfd, &st, force, NULL, NULL, err) < 0 ? 1 : 0;
}
