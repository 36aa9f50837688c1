/* runner ps [--format table|json] ID [--] [PS-ARGS…]: the container's
   processes, from its cgroup, or (where the cgroup does not tell) from its
   pid namespace. table is `ps -ef`'s, json the array of pids containerd
   reads; with PS-ARGS, ps(1) runs with them and its lines are kept by PID,
   as runc does (ps_table.h). */
#include <dirent.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "cleanup.h"
#include "cli.h"
#include "ps_table.h"
#include "state.h"

static int pids_by_namespace (pid_t init, pid_t **out, size_t *n)
{
  char path[64];
  struct stat ref, st;
  cleanup_dir DIR *d = opendir ("/proc");
  struct dirent *de;
  size_t cap = 0;
  *out = NULL;
  *n = 0;
  snprintf (path, sizeof path, "/proc/%d/ns/pid", (int) init);
  if (stat (path, &ref) < 0 || d == NULL)
    return 0;
  while ((de = readdir (d)) != NULL)
    {
      char *end;
      long pid = strtol (de->d_name, &end, 10);
      if (*end || pid <= 0)
        continue;
      snprintf (path, sizeof path, "/proc/%ld/ns/pid", pid);
      if (stat (path, &st) < 0 || st.st_ino != ref.st_ino || st.st_dev != ref.st_dev)
        continue;
      if (*n == cap)
        {
          pid_t *g = realloc (*out, (cap = cap ? cap * 2 : 16) * sizeof (pid_t));
          if (g == NULL)
            return -1;
          *out = g;
        }
      (*out)[(*n)++] = (pid_t) pid;
    }
  return 0;
}

int cmd_ps (int argc, char **argv, oci_error **err)
{
  static const struct option opts[] = {
    { "format", required_argument, NULL, 'f' }, { NULL, 0, NULL, 0 },
  };
  const char *use = "[--format table|json] ID [--] [PS-ARGS...]";
  const char *format = "table";
  char **ps_args;
  cleanup_close int rootfd = -1;
  cleanup_close int dirfd = -1;
  cleanup_state container_state st = { .dirfd = -1 };
  /* st.dirfd (the lock) is closed by this */
  cleanup_free pid_t *pids = NULL;
  size_t n = 0;
  cgroup *cg = NULL;
  int ch;

  while ((ch = getopt_long (argc, argv, "+f:", opts, NULL)) != -1)
    if (ch == 'f')
      format = optarg;
    else
      return cli_usage (err, "ps", use);
  if (optind >= argc)
    return cli_usage (err, "ps", use);
  if (strcmp (format, "table") && strcmp (format, "json"))
    return oci_error_set (err, 0, "ps: unknown format `%s`", format), 2;
  ps_args = argv + optind + 1;
  if (*ps_args && strcmp (*ps_args, "--") == 0)
    ps_args++;
  if (state_open_container (runner_globals.root, argv[optind], &rootfd, &st, err) < 0)
    return 1;
  dirfd = st.dirfd;
  if (state_status (&st) == STATUS_STOPPED)
    return oci_error_set (err, 0, "container `%s` is not running", st.id), 1;
  if (st.cgroup_path && cgroup_open (CGROUP_DEFAULT_ROOT, st.cgroup_path, &cg, err) == 0)
    {
      cgroup_pids (cg, &pids, &n, err);
      cgroup_free (cg);
    }
  oci_error_free (err);
  if (n == 0)
    {
      free (pids);
      pids = NULL;
      pids_by_namespace (st.pid, &pids, &n);
    }
  if (strcmp (format, "json") == 0)
    {
      printf ("[");
      for (size_t i = 0; i < n; i++)
        printf ("%s%d", i ? "," : "", (int) pids[i]);
      printf ("]\n");
      return 0;
    }
  /* json ignores PS-ARGS, as runc's does */
  if (*ps_args)
    return ps_filter_print (stdout, ps_args, pids, n, err) < 0 ? 1 : 0;
  return ps_table_print (stdout, pids, n, err) < 0 ? 1 : 0;
}
