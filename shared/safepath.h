/* Root-confined path resolution (DESIGN.md "Unpacking", STYLE.md "File
   descriptors, not paths"): every path that comes from an image, a bundle or
   a user is resolved under a directory fd as if that directory were "/":
   "..", absolute names and symlinks can never leave it. openat2 with
   RESOLVE_IN_ROOT where the kernel has it, else a per-component O_NOFOLLOW
   walk that resolves symlinks itself, the same way. */
#ifndef OCIKIT_SAFEPATH_H
#define OCIKIT_SAFEPATH_H

#include <sys/types.h>

/* Open `path` inside `rootfd`. Symlinks in every component, including the
   last unless `flags` has O_NOFOLLOW, are followed inside the root; magic
   links (/proc/PID/fd/...) are refused. `flags` as for openat (O_CREAT
   creates the last component; O_CLOEXEC is always added). Returns an fd, or
   -1 with errno set. */
int safepath_open (int rootfd, const char *path, int flags, mode_t mode);

/* Open the parent directory of `path` inside `rootfd` and point *last at
   the final component of `path` (in place, no copy): for operations that
   must not follow the last component (unlinkat, mknodat, symlinkat,
   fchownat with AT_SYMLINK_NOFOLLOW). Fails with EINVAL for "/" and names
   whose last component is "." or "..". Returns an O_PATH|O_DIRECTORY fd or
   -1 with errno. */
int safepath_open_parent (int rootfd, const char *path, const char **last);

/* mkdir -p inside `rootfd`: every missing component of `path` is created
   with `mode` (umask applies) in its parent resolved inside the root;
   existing components, symlinks among them, are followed inside the root.
   A component that exists and is not a directory (or a dangling symlink)
   fails with ENOTDIR / ENOENT. Returns an O_PATH|O_DIRECTORY fd of the
   final directory, or -1 with errno. */
int safepath_mkdir_p (int rootfd, const char *path, mode_t mode);

/* Force the fallback walk even where openat2 exists (for tests). */
void safepath_force_fallback (int on);

#endif
