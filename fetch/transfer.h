/* Blob downloads (distribution-spec "Pulling blobs"): several at once over
   the curl multi interface, each streamed into a store writer that hashes
   while writing and makes the blob visible only once its digest matches;
   blobs already in the store are skipped; a cut transfer is resumed with
   Range (accepted only as a 206 with a matching Content-Range, a 200 starts
   over); connection errors, 5xx and 429 are retried with backoff. */
#ifndef OCIKIT_FETCH_TRANSFER_H
#define OCIKIT_FETCH_TRANSFER_H

#include <stddef.h>

#include "error.h"
#include "manifest.h"
#include "progress.h"
#include "registry.h"
#include "store.h"

#define TRANSFER_DEFAULT_PARALLEL 6

/* Parse "bytes START-END/TOTAL" (RFC 9110 14.4); false if malformed. */
bool transfer_parse_content_range (const char *v, long long *start, long long *end,
                                   long long *total);

/* `last` (may be NULL): a blob whose bytes are at hand (the manifest),
   sealed beside the downloads and named only after all of them, so that
   a manifest in the store always has its blobs there too. */
typedef struct blob_bytes
{
  const char *digest;
  const void *data;
  size_t len;
} blob_bytes;

int transfer_blobs (registry *r, store *s, const blob_desc *blobs, size_t n, int parallel,
                    const blob_bytes *last, progress *p, oci_error **err);

#endif
