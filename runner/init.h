/* The container init: the child of clone3 in the new namespaces. It sets
   up the root (mounts, devices, pivot_root), reports to the runtime over
   the sync socket, waits for `start` and execs process.args. It is never
   a re-exec of runner: it runs from the runtime's sealed memfd image and
   its last act is execve of the container's own program. */
#ifndef RUNNER_INIT_H
#define RUNNER_INIT_H

#include <stdbool.h>

#include "cgroup.h"
#include "config.h"
#include "namespaces.h"
#include "process.h"
#include "seccomp.h"
#include "state.h"

struct init_ctx
{
  const char *id;
  bundle_config *cfg;
  process_plan *plan;
  struct ns_plan *ns;
  seccomp_program *seccomp;
  cgroup *cg;              /* join it ourselves (enter.h), or NULL */
  bool cg_all;             /* also the v2 hierarchy (no CLONE_INTO_CGROUP) */
  container_state *st;     /* id, bundle, annotations for the hooks' state */
  int sync_fd;
  int close_fds[4];        /* the runtime's (state dir holds its lock): -1 ends */
  int listen_fd;           /* start.sock, or -1 when start comes on sync_fd */
  int preserve_fds;
  int unshare_flags;       /* created after the runtime moved us into the cgroup */
  bool userns;
  bool mountns;            /* a new or joined mount namespace, not the runtime's */
  bool no_pivot;
  bool no_new_keyring;
  bool runtime_hooks;      /* the runtime runs prestart/createRuntime */
};

_Noreturn void init_main (struct init_ctx *c);

/* The final steps shared with `exec`: rlimits are applied by the caller;
   this sets identity, seccomp, closes leaked fds and execs. On failure it
   fills *err and *code (126/127/1). */
int init_exec_process (const process_plan *plan, const char *path, seccomp_program *seccomp,
                       int preserve_fds, int *code, oci_error **err);
/* init_exec_process in two halves: identity, cwd and seccomp (the
   listener fd, when the profile notifies, in *listener: the caller hands
   it over and closes it), then the fds closed and execve. */
int init_finalize_process (const process_plan *plan, seccomp_program *seccomp, int *listener,
                           int *code, oci_error **err);
int init_exec_finalized (const process_plan *plan, const char *path, int preserve_fds, int *code,
                         oci_error **err);

#endif
