/* Placeholder for the cgroup writers (runner part 2 replaces this file):
   creating, entering and removing succeed without touching the host. */
#include "cgroup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cgroup
{
  char *path;
};

int cgroup_detect (const char *root, enum cgroup_mode *mode, oci_error **err)
{
  *mode = CGROUP_MODE_HYBRID;
  return 0;
}

int cgroup_create (const char *root, const char *cgroups_path, const char *id,
                   bool systemd, yajl_val resources, cgroup **out, oci_error **err)
{
  char *p = NULL;
  if (cgroups_path && *cgroups_path)
    p = strdup (cgroups_path);
  else if (asprintf (&p, "/runner/%s", id) < 0)
    p = NULL;
  return cgroup_open (root, p ? p : "/", out, err) + (free (p), 0);
}

int cgroup_open (const char *root, const char *path, cgroup **out, oci_error **err)
{
  cgroup *cg = calloc (1, sizeof *cg);
  if (cg == NULL || (cg->path = strdup (path)) == NULL)
    {
      free (cg);
      return oci_error_set (err, 12, "cgroup");
    }
  *out = cg;
  return 0;
}

const char *cgroup_path (const cgroup *cg) { return cg->path; }
int cgroup_enter (cgroup *cg, pid_t pid, oci_error **err) { return 0; }
int cgroup_update (cgroup *cg, yajl_val resources, oci_error **err)
{
  return oci_error_set (err, 0, "cgroup update: not implemented yet");
}
int cgroup_freeze (cgroup *cg, bool frozen, oci_error **err)
{
  return oci_error_set (err, 0, "cgroup freeze: not implemented yet");
}
int cgroup_pids (cgroup *cg, pid_t **pids, size_t *n, oci_error **err)
{
  *pids = NULL;
  *n = 0;
  return 0;
}
int cgroup_kill_all (cgroup *cg, int sig, oci_error **err) { return 0; }
int cgroup_destroy (cgroup *cg, oci_error **err) { return 0; }
void cgroup_free (cgroup *cg)
{
  if (cg)
    free (cg->path);
  free (cg);
}
