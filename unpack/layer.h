/* One layer blob streamed once (DESIGN.md "Unpacking"): a producer thread
   reads the blob, hashes it (the descriptor's digest) and decompresses it
   into a bounded ring of buffers; the caller's thread hashes the tar (the
   config's rootfs.diff_ids entry) as it consumes it: memory stays
   bounded whatever the layer size, and inflating overlaps with writing the
   tree on a second core. A digest that does not match, a truncated stream or
   a size above the cap make the stream fail, naming the layer. */
#ifndef OCIKIT_UNPACK_LAYER_H
#define OCIKIT_UNPACK_LAYER_H

#include <sys/types.h>

#include "error.h"
#include "image.h"

typedef struct layer_stream layer_stream;

/* `blobfd` is taken over. `index` numbers the layer in messages;
   `*budget` is how many decompressed bytes may still come (--max-size),
   decreased as the stream is read. */
int layer_stream_open (int blobfd, const image_layer *l, size_t index, long long *budget,
                       layer_stream **out, oci_error **err);
/* The next piece of the tar: > 0 bytes at *buf (valid until the next call),
   0 at the end (both digests verified), < 0 on failure (see
   layer_stream_error). */
ssize_t layer_stream_read (layer_stream *ls, const void **buf);
/* Read to the end (the tar may carry padding after its end marker that
   the diff_id covers) and verify; 0 or -1 with *err. */
int layer_stream_finish (layer_stream *ls, oci_error **err);
/* The producer's error, if it failed (moved to *err); 0 if none. */
int layer_stream_error (layer_stream *ls, oci_error **err);
/* Stop the producer (if still running) and free. */
void layer_stream_close (layer_stream *ls);
static inline void layer_stream_closep (layer_stream **ls)
{
  if (*ls)
    layer_stream_close (*ls);
}
#define cleanup_layer_stream __attribute__ ((cleanup (layer_stream_closep)))

#endif
