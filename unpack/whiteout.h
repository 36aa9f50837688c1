/* OCI whiteouts (image-spec layer.md "Whiteouts"): ".wh.NAME" removes NAME
   of the lower layers; ".wh..wh..opq" removes every lower-layer entry of its
   directory, wherever it appears among its siblings in the tar. Neither may
   hide what the same layer writes, so the removal walks the tree and keeps
   the paths recorded in `written` (flags below). */
#ifndef OCIKIT_UNPACK_WHITEOUT_H
#define OCIKIT_UNPACK_WHITEOUT_H

#include "error.h"
#include "pathmap.h"

#define WHITEOUT_PREFIX ".wh."
#define WHITEOUT_OPAQUE_NAME ".wh..wh..opq"

/* flags in the `written` map */
#define PATH_WRITTEN 1u  /* this layer has an entry for the path */
#define PATH_ANCESTOR 2u /* a path below it was written by this layer */

enum whiteout_kind
{
  WHITEOUT_NONE,   /* an ordinary name */
  WHITEOUT_FILE,   /* .wh.NAME */
  WHITEOUT_OPAQUE, /* .wh..wh..opq */
  WHITEOUT_META,   /* other .wh..wh.* (AUFS bookkeeping): ignored */
};

/* Classify a base name; for WHITEOUT_FILE *target points at NAME. */
enum whiteout_kind whiteout_parse (const char *base, const char **target);

/* Remove `name` in `dirfd` (whose clean path from the root is `path`) and
   everything below it, except the paths `written` records (NULL: remove
   all). Nothing there is not an error. Never follows symlinks. */
int whiteout_remove (int dirfd, const char *name, const char *path, pathmap *written,
                     oci_error **err);

/* Make directory `dirfd` (clean path `path`) opaque: remove each entry
   that `written` does not keep. */
int whiteout_opaque (int dirfd, const char *path, pathmap *written, oci_error **err);

#endif
