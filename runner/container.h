/* The runtime side of a container's life (runtime.md "Lifecycle"):
   create (state dir, cgroup, clone3 into the namespaces, id maps, hooks),
   start, kill and delete. */
#ifndef RUNNER_CONTAINER_H
#define RUNNER_CONTAINER_H

#include <stdbool.h>
#include <sys/types.h>

#include "cgroup.h"
#include "config.h"
#include "error.h"
#include "namespaces.h"
#include "process.h"
#include "seccomp.h"
#include "state.h"

struct container_opts
{
  const char *id;
  const char *bundle;
  const char *pid_file;
  const char *console_socket;
  bool no_pivot;
  bool no_new_keyring;
  int preserve_fds;
  bool run;          /* start comes over the sync socket (run, run -d) */
  bool foreground;   /* run without -d: signals forwarded, pty relayed */
};

typedef struct container
{
  container_state st;
  bundle_config cfg;
  process_plan plan;
  struct ns_plan ns;
  seccomp_program *seccomp;
  cgroup *cg;
  int rootfd;
  int sync_fd;
  int listen_fd;
  int master;        /* pty master kept for the foreground relay */
  int sfd;           /* signalfd (foreground) */
  bool runtime_hooks_ran;
  int init_code;      /* exit status the init asked for when it failed (127, 126) */
} container;

int container_create (const struct container_opts *o, container *c, oci_error **err);
/* run: send start over the sync socket; fails with the init's message
   (and *code, e.g. 127) if exec failed. */
int container_start_sync (container *c, int *code, oci_error **err);
/* Undo a failed create: kill, poststop (if createRuntime ran), cgroup,
   state directory. */
void container_abort (container *c);
void container_release (container *c);

/* The connection to start.sock (path through the state dir fd). */
int container_start_socket_path (int dirfd, char *buf, size_t size);

/* The config.json saved at create. */
int container_load_config (container_state *st, bundle_config *cfg, oci_error **err);
/* Send `sig` to the init, or to every process of the cgroup with `all`. */
int container_kill (container_state *st, int sig, bool all, oci_error **err);
/* Kill (with force), wait, poststop hooks, cgroup, state directory. */
int container_delete (int rootfd, container_state *st, bool force, bundle_config *known_cfg,
                      cgroup *known_cg, oci_error **err);

#endif
