/* Tar entries to filesystem changes under a root directory fd. Tar is read
   with libarchive's read API; every write is ours and goes through
   safepath: parents are resolved inside the root, last components are
   never followed (O_NOFOLLOW, AT_SYMLINK_NOFOLLOW), metadata is set on
   the fd we created. */
#ifndef OCIKIT_UNPACK_APPLY_H
#define OCIKIT_UNPACK_APPLY_H

#include <archive.h>
#include <stdbool.h>

#include "error.h"

typedef struct apply_ctx apply_ctx;

/* `rootfd` is borrowed. `rootless`: do not chown, skip device nodes and
   privileged xattrs, with one warning each (umoci unpack --rootless).
   `max_entry`: the largest file size accepted. */
int apply_new (int rootfd, bool rootless, long long max_entry, apply_ctx **out,
               oci_error **err);
void apply_free (apply_ctx *c);
static inline void apply_freep (apply_ctx **c)
{
  if (*c)
    apply_free (*c);
}
#define cleanup_apply __attribute__ ((cleanup (apply_freep)))

/* Apply every entry of the tar `a` as layer `index` (whiteouts hide only
   what earlier layers wrote). */
int apply_layer (apply_ctx *c, struct archive *a, size_t index, oci_error **err);

/* After the last layer: directory modes and times (children first changed
   their parents' mtimes, so these come last). */
int apply_finish (apply_ctx *c, oci_error **err);

#endif
