/* Joining the container's cgroup without the kernel's slow path.
   Writing a pid to cgroup.procs takes the global cgroup_threadgroup_rwsem
   for writing, which waits for an RCU grace period (~10 ms here, most of
   a container start). Two ways around it, both in the kernel's fast path:
   - v2: clone3 with CLONE_INTO_CGROUP puts the child there at birth;
   - v1: a single-threaded process writing "0" to a hierarchy's `tasks`
     file moves itself without that lock (cgroup_procs_write_start).
   Used when the child can write the host's cgroupfs (no new user
   namespace); otherwise the runtime falls back to cgroup_enter(pid).
   To be folded into cgroup.c by its owner (it reads cgroup_internal.h). */
#ifndef RUNNER_ENTER_H
#define RUNNER_ENTER_H

#include <stdbool.h>

#include "cgroup.h"
#include "error.h"

/* The v2 directory of cg as an fd for clone_args.cgroup, or -1 (no v2
   hierarchy, or a test layout). */
int enter_v2_clone_fd (cgroup *cg);
/* In the child: move ourselves into every v1 hierarchy (all of them when
   `all`, i.e. when CLONE_INTO_CGROUP was not used). */
int enter_self (cgroup *cg, bool all, oci_error **err);

#endif
