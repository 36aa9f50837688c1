/* img-unpack's work: find the image (store or oci:DIR[:NAME]), prepare the
   target directory, stream each layer into it, and say which image it was. */
#ifndef OCIKIT_UNPACK_UNPACK_H
#define OCIKIT_UNPACK_UNPACK_H

#include <stdbool.h>

#include "error.h"
#include "platform.h"

#define UNPACK_DEFAULT_MAX_SIZE (256LL << 30) /* 256 GiB of tar per image */

typedef struct unpack_options
{
  const char *store;     /* --store (NULL: $OCIKIT_STORE, then the default) */
  const char *source;    /* a reference, a pinned reference or oci:DIR[:NAME] */
  const char *output;    /* -o DIR */
  const platform *platform; /* NULL: the host's, when the image is an index */
  bool force;            /* unpack into a non-empty directory */
  bool rootless;         /* no chown, no device nodes (default: not root) */
  long long max_size;    /* cap on the decompressed bytes of all layers */
} unpack_options;

/* Unpack; *token gets the pinned reference to print (malloc'd). On failure
   a target that was empty (or created) is emptied again. */
int unpack_image (const unpack_options *o, char **token, oci_error **err);

#endif
