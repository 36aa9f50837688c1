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

#endif
