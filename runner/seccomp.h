/* linux.seccomp for runner. The filter is compiled (libseccomp) in the
   runtime before the container process is started, so the child only
   installs a ready BPF program as its last step before exec (after
   no_new_privileges). */
#ifndef RUNNER_SECCOMP_H
#define RUNNER_SECCOMP_H

#include <stdbool.h>
#include <yajl/yajl_tree.h>

#include "error.h"

typedef struct seccomp_program seccomp_program;

/* Compile linux.seccomp (may be NULL: *out = NULL, nothing to install). */
int seccomp_program_build (yajl_val seccomp, seccomp_program **out, oci_error **err);
/* Install in the calling process. When the profile has SCMP_ACT_NOTIFY,
   *listener_fd gets the notification fd (else -1). Async-signal-safe
   enough for the child after clone: no allocation. */
int seccomp_program_install (const seccomp_program *p, int *listener_fd, oci_error **err);
/* linux.seccomp.listenerPath, or NULL. */
const char *seccomp_program_listener_path (const seccomp_program *p);
void seccomp_program_free (seccomp_program *p);

/* ---- additions (runner part 2) ---- */
#include <stddef.h>
#include <sys/types.h>

/* seccomp_program_build with a cache of compiled filters in `cache_dir`
   (e.g. "<--root>/seccomp-cache"; NULL = no cache), keyed by the sha256
   of the seccomp section (canonical JSON) + libseccomp version + kernel
   API level + machine: repeated containers with one profile skip
   libseccomp's compile. A cache that cannot be read or written is not an
   error (the filter is compiled). */
int seccomp_program_build_cached (yajl_val seccomp, const char *cache_dir,
                                  seccomp_program **out, oci_error **err);
/* True when the program came from the cache (tests, benchmarks). */
bool seccomp_program_from_cache (const seccomp_program *p);
/* Number of BPF instructions. */
size_t seccomp_program_length (const seccomp_program *p);
/* Some rule of the profile is SCMP_ACT_NOTIFY: install yields a listener
   fd that must reach listenerPath (seccomp_notify_handover). */
bool seccomp_program_uses_notify (const seccomp_program *p);
/* linux.seccomp.listenerMetadata, or NULL. */
const char *seccomp_program_listener_metadata (const seccomp_program *p);
/* config-linux.md "Seccomp": send the notify fd over SCM_RIGHTS to the
   UNIX socket at listener_path, with `state` (the containerProcessState
   JSON, fds: ["seccompFd"]) as the message. */
int seccomp_notify_send (const char *listener_path, int listener_fd, const char *state,
                         size_t state_len, oci_error **err);
/* The runtime's half of the hand-over, at create: `state` is the
   container's state JSON (runtime.md "State", status creating), `pid` the
   container process as the runtime sees it. Builds the
   containerProcessState {ociVersion, fds:["seccompFd"], pid, metadata,
   state} and sends it with `listener_fd` to p's listenerPath. */
int seccomp_notify_handover (const seccomp_program *p, const char *state, pid_t pid,
                             int listener_fd, oci_error **err);

/* runtime-spec features.md "linux.seccomp": {"enabled":true,"actions":[…],
   "operators":[…],"archs":[…],"knownFlags":[…],"supportedFlags":[…]}
   (supportedFlags probed on this kernel), generated into `g` as one
   object for `runner features`. */
#include <yajl/yajl_gen.h>
void seccomp_features_json (yajl_gen g);

#endif
