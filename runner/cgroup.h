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

/* ---- additions (runner part 2) ---- */
#include <stdint.h>
#include <yajl/yajl_gen.h>

/* The path cgroup_create uses for (linux.cgroupsPath, id, systemd):
   - "" or NULL: "/runner/ID" (runc uses "/ID"; we keep every container
     under one parent so the tree is easy to audit and clean);
   - absolute "/a/b": itself; relative "a/b": "/runner/a/b";
   - systemd ("slice:prefix:name", --systemd-cgroup): the cgroupfs path
     systemd would use, e.g. "system.slice:runner:x" →
     "/system.slice/runner-x.scope", "a-b.slice:p:x" →
     "/a.slice/a-b.slice/p-x.scope"; empty slice = system.slice; a name
     ending in ".slice" is that slice itself. systemd is never called:
     the equivalent directories are written directly.
   `..` components are refused. *out is malloc'd. */
int cgroup_resolve_path (const char *cgroups_path, const char *id, bool systemd,
                         char **out, oci_error **err);

/* cgroup_create, plus linux.devices (may be NULL): each configured device
   and the runtime's default devices (null, zero, full, random, urandom,
   tty, ptmx, pts, tun, and mknod of any device) get an allow rule after
   the rules of linux.resources.devices, as runc does (config-linux.md
   "Default Devices"). Without linux.resources.devices the list starts with
   "deny all" (runc's default too). cgroup_create = this with NULL.
   A cgroup that exists already and holds processes is refused (nothing
   is written into it, what was made is removed): "already holds N
   process(es)". */
int cgroup_create_with_devices (const char *root, const char *cgroups_path,
                                const char *id, bool systemd, yajl_val resources,
                                yajl_val linux_devices, cgroup **out, oci_error **err);

/* The directories above the container's own cgroup that create made
   (full paths under the cgroupfs, parents before children), to keep in
   the container state: runner's shared parent "/runner" is never among
   them. *dirs is borrowed from cg. */
size_t cgroup_made_parents (const cgroup *cg, char *const **dirs);
/* At delete, after cgroup_destroy: remove each of `dirs` (as recorded
   from cgroup_made_parents), deepest first, that is empty now; a parent
   that another container still uses stays. Only directories under cg's
   cgroupfs root are touched; failures are not errors. */
void cgroup_remove_made_parents (const cgroup *cg, char *const *dirs, size_t n);

enum cgroup_mode cgroup_get_mode (const cgroup *cg);
/* True when the freezer says FROZEN (v1) or cgroup.events has "frozen 1". */
int cgroup_is_frozen (cgroup *cg, bool *frozen, oci_error **err);
/* Times the kernel OOM-killed a process in the cgroup (v1
   memory.oom_control "oom_kill", v2 memory.events "oom_kill"); `events`
   reports {"type":"oom"} when it grows. */
int cgroup_oom_kill_count (cgroup *cg, uint64_t *count, oci_error **err);
/* An fd (O_CLOEXEC, non-blocking) that becomes readable when something in
   the cgroup meets its memory limit: v1 an eventfd registered on
   memory.oom_control through cgroup.event_control, v2 an inotify watch on
   memory.events. Poll it, drain it (read), then compare
   cgroup_oom_kill_count; `events` can wait on it instead of polling. */
int cgroup_oom_notify_fd (cgroup *cg, int *fd, oci_error **err);
/* Generate the "data" object of runc's `events --stats` JSON
   ({"cpu":…,"memory":…,"pids":…,"blkio":…,"hugetlb":…,"intel_rdt":{}})
   into `g`, which the caller wraps in {"type":"stats","id":…,"data":…}. */
int cgroup_stats_json (cgroup *cg, yajl_gen g, oci_error **err);

/* runtime-spec features.md "linux.cgroup": {"v1":true,"v2":true,
   "systemd":true,"systemdUser":false,"rdma":true} into `g` (systemd: the
   slice:prefix:name syntax, written as its cgroupfs equivalent). */
void cgroup_features_json (yajl_gen g);

/* runc's `events --stats` line: {"type":"stats","id":ID,"data":{…}}
   (malloc'd, no newline). */
int cgroup_stats_event (cgroup *cg, const char *id, char **line, oci_error **err);

/* `runner update` options with runc's names ("memory", "memory-swap",
   "memory-reservation", "kernel-memory", "kernel-memory-tcp",
   "cpu-share", "cpu-quota", "cpu-period", "cpu-rt-period",
   "cpu-rt-runtime", "cpu-idle", "cpuset-cpus", "cpuset-mems",
   "blkio-weight", "pids-limit"; a leading "--" is fine) and their values
   (sizes take k/m/g/t suffixes, -1 = unlimited), merged over `base` (the
   --resources document, may be NULL; options win), as a new
   linux.resources tree for cgroup_update. An unknown option or a bad value
   is an error naming it. */
int cgroup_update_resources (yajl_val base, const char *const *names,
                             const char *const *values, size_t n, yajl_val *out,
                             oci_error **err);
/* "512m" → 536870912 (binary units, optional b/ib), "-1" → -1. */
int cgroup_parse_size (const char *s, long long *out);

#endif
