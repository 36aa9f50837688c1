/* Small file helpers over directory fds. */
#ifndef OCIKIT_FILEUTIL_H
#define OCIKIT_FILEUTIL_H

#include <stddef.h>
#include <sys/types.h>

#include "error.h"

/* Read all of fd into a malloc'd NUL-terminated buffer (at most `max` bytes;
   more is an error naming `what`). */
int read_all_fd (int fd, size_t max, const char *what, char **out, size_t *len,
                 oci_error **err);
/* Read a file relative to dirfd (AT_FDCWD for paths). */
int read_file_at (int dirfd, const char *path, size_t max, char **out, size_t *len,
                  oci_error **err);
/* Write all of buf to fd, retrying short writes and EINTR. */
int write_all (int fd, const void *buf, size_t len);
/* Replace dirfd/name atomically: temp file in the same dir, fsync, rename,
   fsync of the directory. */
int write_file_atomic (int dirfd, const char *name, const void *buf, size_t len,
                       mode_t mode, oci_error **err);
/* mkdir -p for a trusted path (not for image-controlled paths: use safepath). */
int mkdir_p (const char *path, mode_t mode, oci_error **err);
/* rm -rf for a trusted path; does not cross mount points. */
int remove_tree (const char *path, oci_error **err);

#endif
