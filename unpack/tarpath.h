/* Entry names from a tar header made into clean paths relative to the
   root: leading "/" and "./", empty and "." components dropped, ".."
   applied lexically and never above the root (the way containerd and
   Docker read layer names). The result is then resolved inside the root
   by safepath, so symlinks cannot lead out either. */
#ifndef OCIKIT_UNPACK_TARPATH_H
#define OCIKIT_UNPACK_TARPATH_H

#include <stdbool.h>
#include <stddef.h>

/* Clean `name` into a malloc'd path ("" for the root itself). *escaped
   (if given) becomes true when a ".." tried to climb above the root.
   NULL when out of memory. */
char *tarpath_clean (const char *name, bool *escaped);
/* The last component of a clean path, and its parent ("" for the root). */
const char *tarpath_base (const char *clean);
/* Length of the parent part of a clean path (0 for a top-level name). */
size_t tarpath_parent_len (const char *clean);

#endif
