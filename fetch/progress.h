/* The progress display on stderr (only when it is a terminal and not -q):
   one line per finished blob, and a status line with the blobs in flight,
   the total bytes and the rate, redrawn at most ten times a second. */
#ifndef OCIKIT_FETCH_PROGRESS_H
#define OCIKIT_FETCH_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>

typedef struct progress progress;

/* NULL (a valid, silent progress) unless `enabled`. */
progress *progress_new (bool enabled, const char *image, size_t n_blobs);
void progress_free (progress *p);
void progress_blob_size (progress *p, size_t idx, const char *digest, long long size);
/* `delta` may be negative (a blob started over). */
void progress_bytes (progress *p, size_t idx, long long delta);
void progress_blob_done (progress *p, size_t idx, bool skipped);
void progress_finish (progress *p);

#endif
