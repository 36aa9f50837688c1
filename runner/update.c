/* runner update: change the resources of a running container (runc's
   `update`): --resources FILE|- (a linux.resources document, runtime-spec
   config-linux.md "Control groups"), and/or runc's per-value options,
   which win over the document. conmon passes `--resources=FILE`,
   containerd's shim `--resources -` with the JSON on stdin. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "cleanup.h"
#include "cli.h"
#include "fileutil.h"
#include "json.h"
#include "state.h"

#define UPDATE_USAGE "[--resources FILE|-] [--memory SIZE] [--memory-swap SIZE] [--memory-reservation SIZE] " \
  "[--kernel-memory SIZE] [--kernel-memory-tcp SIZE] [--cpu-share N] [--cpu-quota N] [--cpu-period N] " \
  "[--cpu-rt-period N] [--cpu-rt-runtime N] [--cpu-idle N] [--cpuset-cpus LIST] [--cpuset-mems LIST] " \
  "[--blkio-weight N] [--pids-limit N] ID"

static int load_resources (const char *file, yajl_val *out, oci_error **err)
{
  cleanup_free char *text = NULL;
  cleanup_close int fd = -1;
  size_t len;
  int in = 0;

  if (strcmp (file, "-") != 0)
    {
      in = fd = open (file, O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        return oci_error_set (err, errno, "--resources `%s`", file);
    }
  if (read_all_fd (in, 1 << 20, file, &text, &len, err) < 0)
    return -1;
  return json_parse (text, len, strcmp (file, "-") == 0 ? "--resources (stdin)" : file, out, err);
}

int cmd_update (int argc, char **argv, oci_error **err)
{
  /* runc's option names; cgroup_update_resources knows their keys */
  static const struct option opts[] = {
    { "resources", required_argument, NULL, 'r' },
    { "memory", required_argument, NULL, 'o' }, { "memory-swap", required_argument, NULL, 'o' },
    { "memory-reservation", required_argument, NULL, 'o' },
    { "kernel-memory", required_argument, NULL, 'o' }, { "kernel-memory-tcp", required_argument, NULL, 'o' },
    { "cpu-share", required_argument, NULL, 'o' }, { "cpu-quota", required_argument, NULL, 'o' },
    { "cpu-period", required_argument, NULL, 'o' }, { "cpu-rt-period", required_argument, NULL, 'o' },
    { "cpu-rt-runtime", required_argument, NULL, 'o' }, { "cpu-idle", required_argument, NULL, 'o' },
    { "cpuset-cpus", required_argument, NULL, 'o' }, { "cpuset-mems", required_argument, NULL, 'o' },
    { "blkio-weight", required_argument, NULL, 'o' }, { "pids-limit", required_argument, NULL, 'o' },
    { "l3-cache-schema", required_argument, NULL, 'i' }, { "mem-bw-schema", required_argument, NULL, 'i' },
    { NULL, 0, NULL, 0 },
  };
  const char *names[sizeof opts / sizeof *opts], *values[sizeof opts / sizeof *opts];
  const char *resources_file = NULL;
  cleanup_json yajl_val base = NULL;
  cleanup_json yajl_val resources = NULL;
  cleanup_close int rootfd = -1;
  cleanup_close int dirfd = -1;
  cleanup_state container_state st = { .dirfd = -1 };
  cgroup *cg = NULL;
  size_t n = 0;
  int ch, idx, r;

  while ((ch = getopt_long (argc, argv, "+r:", opts, &idx)) != -1)
    switch (ch)
      {
      case 'r': resources_file = optarg; break;
      case 'o':
        if (n == sizeof names / sizeof *names)
          return cli_usage (err, "update", UPDATE_USAGE);
        names[n] = opts[idx].name;
        values[n++] = optarg;
        break;
      case 'i':
        return oci_error_set (err, 0, "update --%s: Intel RDT is not supported", opts[idx].name), 1;
      default: return cli_usage (err, "update", UPDATE_USAGE);
      }
  if (optind != argc - 1)
    return cli_usage (err, "update", UPDATE_USAGE);
  if (resources_file && load_resources (resources_file, &base, err) < 0)
    return 1;
  if (cgroup_update_resources (base, names, values, n, &resources, err) < 0)
    return 1;
  if (state_open_container (runner_globals.root, argv[optind], &rootfd, &st, err) < 0)
    return 1;
  dirfd = st.dirfd;
  if (state_status (&st) == STATUS_STOPPED)
    return oci_error_set (err, 0, "cannot update container `%s`: it is stopped", st.id), 1;
  if (st.cgroup_path == NULL)
    return oci_error_set (err, 0, "cannot update container `%s`: it has no cgroup", st.id), 1;
  if (cgroup_open (CGROUP_DEFAULT_ROOT, st.cgroup_path, &cg, err) < 0)
    return 1;
  r = cgroup_update (cg, resources, err);
  cgroup_free (cg);
  if (r < 0)
    return oci_error_prefix (err, "update container `%s`", st.id), 1;
  return 0;
}
