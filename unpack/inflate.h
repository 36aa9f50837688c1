/* Layer decompression behind one streaming interface (image-spec
   media-types.md: tar, tar+gzip, tar+zstd). gzip goes through zlib, or
   through ISA-L's igzip when it was present at build time (several times
   faster); OCIKIT_INFLATE=zlib picks zlib at run time (tests use it to
   cover both paths). */
#ifndef OCIKIT_UNPACK_INFLATE_H
#define OCIKIT_UNPACK_INFLATE_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

enum compression
{
  COMPRESSION_NONE,
  COMPRESSION_GZIP,
  COMPRESSION_ZSTD,
};

typedef struct inflater inflater;

/* The compression a layer media type implies; -1 for an unknown type. */
int compression_from_media_type (const char *media_type);
const char *compression_name (enum compression c);

int inflater_new (enum compression c, inflater **out, oci_error **err);
void inflater_free (inflater *z);
static inline void inflater_freep (inflater **z)
{
  if (*z)
    inflater_free (*z);
}
#define cleanup_inflater __attribute__ ((cleanup (inflater_freep)))

/* Decompress from in[0..in_len) into out[0..out_cap): *consumed and
   *produced say how much was used; *end becomes true once the stream (all
   gzip members) has ended and no output is pending. Garbage after the end
   is an error. */
int inflater_run (inflater *z, const unsigned char *in, size_t in_len, size_t *consumed,
                  unsigned char *out, size_t out_cap, size_t *produced, oci_error **err);
/* True when everything given so far forms complete stream(s). */
bool inflater_at_end (const inflater *z);
/* Which implementation serves gzip ("zlib" or "isa-l"). */
const char *inflater_backend (const inflater *z);

#endif
