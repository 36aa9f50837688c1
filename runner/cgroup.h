/* cgroups for runner: v1, v2 and hybrid hosts, detected at run time.
   The interface between the runtime (create/exec/kill/delete/…) and the
   cgroup writers (cgroup.c, cgroup_v1.c, cgroup_v2.c). `root` is the
   cgroupfs mount root, normally "/sys/fs/cgroup"; unit tests pass a
   temporary directory laid out like a cgroupfs. */
#ifndef RUNNER_CGROUP_H
#define RUNNER_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <yajl/yajl_tree.h>

#include "error.h"

#define CGROUP_DEFAULT_ROOT "/sys/fs/cgroup"

enum cgroup_mode
{
  CGROUP_MODE_V1,     /* only v1 hierarchies */
  CGROUP_MODE_V2,     /* unified only */
  CGROUP_MODE_HYBRID, /* v1 hierarchies plus a v2 tree (root/unified) */
};

typedef struct cgroup cgroup;

int cgroup_detect (const char *root, enum cgroup_mode *mode, oci_error **err);

/* Create the container's cgroup from linux.cgroupsPath (NULL or "" means
   a default derived from `id`; `systemd` selects "slice:prefix:name"
   syntax) and apply linux.resources (may be NULL). */
int cgroup_create (const char *root, const char *cgroups_path, const char *id,
                   bool systemd, yajl_val resources, cgroup **out, oci_error **err);
/* Re-open the cgroup of an existing container from the path recorded by
   cgroup_path() (for kill, pause, ps, delete, update, events). */
int cgroup_open (const char *root, const char *path, cgroup **out, oci_error **err);
/* The resolved path, the same in every hierarchy ("/runner/ID"). */
const char *cgroup_path (const cgroup *cg);

/* Move `pid` into the cgroup in every hierarchy. */
int cgroup_enter (cgroup *cg, pid_t pid, oci_error **err);
int cgroup_update (cgroup *cg, yajl_val resources, oci_error **err);
int cgroup_freeze (cgroup *cg, bool frozen, oci_error **err);
/* The pids in the cgroup (malloc'd array). */
int cgroup_pids (cgroup *cg, pid_t **pids, size_t *n, oci_error **err);
/* Signal every process in the cgroup. */
int cgroup_kill_all (cgroup *cg, int sig, oci_error **err);
/* Remove the cgroup in every hierarchy (processes must be gone; retries
   briefly on EBUSY). Missing directories are fine. */
int cgroup_destroy (cgroup *cg, oci_error **err);
void cgroup_free (cgroup *cg);

#endif
