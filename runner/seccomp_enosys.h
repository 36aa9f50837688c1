/* The -ENOSYS stub put in front of a compiled seccomp filter (runc does
   the same, libcontainer/seccomp/patchbpf): a syscall newer than every
   syscall the profile names, for the calling architecture, gets ENOSYS
   instead of the profile's defaultAction. C libraries fall back from a new
   syscall to an older one only on ENOSYS (clone3 → clone, faccessat2 →
   faccessat, openat2 → openat), so an old profile with an EPERM default
   would otherwise break a container built with a newer libc. */
#ifndef RUNNER_SECCOMP_ENOSYS_H
#define RUNNER_SECCOMP_ENOSYS_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_tree.h>

#include "error.h"

/* The instruction limit of one stub: one section per architecture. */
#define SECCOMP_ENOSYS_MAX_INSNS 256
#define SECCOMP_ENOSYS_MAX_ARCHS 24

/* The largest syscall number the profile names for one architecture
   (libseccomp's SCMP_ARCH_* token; x32 numbers carry __X32_SYSCALL_BIT). */
struct seccomp_enosys_max
{
  uint32_t arch;
  uint32_t max_nr;
};

/* Does a profile with this default action (libseccomp SCMP_ACT_* value)
   get the stub? Only when the default refuses (errno other than ENOSYS,
   kill, trap): an allowing default (allow, log, trace) lets new syscalls
   through already, as in runc. */
bool seccomp_enosys_wanted (uint32_t default_action);

/* For the native architecture and each of linux.seccomp.architectures:
   the largest syscall number among every name of linux.seccomp.syscalls
   (whatever its action; names unknown on that architecture are skipped).
   Architectures without any known name are left out. */
int seccomp_enosys_maxima (yajl_val seccomp, struct seccomp_enosys_max *out, size_t cap,
                           size_t *n, oci_error **err);

/* Write the stub for `m` into out (room for `cap` instructions); the
   filter it guards must follow it directly. Returns the number of
   instructions, or <0. */
int seccomp_enosys_stub (const struct seccomp_enosys_max *m, size_t n, struct sock_filter *out,
                         size_t cap, oci_error **err);

#endif
