/* Entry metadata (owner, mode, extended attributes, times) copied out of
   a tar header, and applied to what we created: on the fd where there is
   one, else on a name in its directory without following it. Rootless (or
   refused by the kernel), ownership and privileged xattrs degrade with one
   warning per kind, as umoci unpack --rootless does. Thread-safe: the
   file writers (writer.c) apply metadata too. */
#ifndef OCIKIT_UNPACK_META_H
#define OCIKIT_UNPACK_META_H

#include <archive_entry.h>
#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include "error.h"

typedef struct meta_xattr
{
  char *key;
  void *value;
  size_t len;
} meta_xattr;

typedef struct entry_meta
{
  uid_t uid;
  gid_t gid;
  mode_t mode; /* permission bits incl. setuid/setgid/sticky */
  struct timespec times[2]; /* atime, mtime */
  size_t n_xattrs;
  meta_xattr *xattrs;
} entry_meta;

int meta_from_entry (struct archive_entry *e, entry_meta *m, oci_error **err);
void meta_clear (entry_meta *m);

/* `fd` >= 0, or `dirfd` + `name` (never followed). */
int meta_set_owner (const entry_meta *m, bool rootless, int fd, int dirfd, const char *name,
                    const char *path, oci_error **err);
int meta_set_xattrs (const entry_meta *m, bool rootless, int fd, int dirfd, const char *name,
                     const char *path, oci_error **err);
/* A regular file's metadata after its data: owner, then mode (chown
   clears setuid), then xattrs (writes and chown clear
   security.capability), then times. */
int meta_apply_file (const entry_meta *m, bool rootless, int fd, const char *path,
                     oci_error **err);

/* log_warn_once, serialised between threads. */
void meta_warn_once (const char *key, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

#endif
