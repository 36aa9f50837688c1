/* Manifests (image-spec manifest.md, image-index.md; Docker schema2 and
   manifest lists): content negotiation, media type checks, platform
   choice, the blobs an image needs. */
#ifndef OCIKIT_FETCH_MANIFEST_H
#define OCIKIT_FETCH_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <yajl/yajl_tree.h>

#include "digest.h"
#include "error.h"
#include "platform.h"

/* The Accept header: all four manifest types we read. */
extern const char manifest_accept[];
#define MANIFEST_MAX_SIZE (4u << 20)

typedef struct manifest
{
  char *raw;
  size_t len;
  char digest[DIGEST_STR_LEN + 1]; /* of the raw bytes */
  char *media_type;
  yajl_val doc;
} manifest;

void manifest_clear (manifest *m);

/* Take `raw` (ownership passes, also on failure: it is freed) as the
   manifest named `what`: hash the raw bytes, parse, settle the media type
   from `content_type` (may be NULL) and the document's mediaType (they
   must agree), refuse schema1 and unknown types. */
int manifest_load (char *raw, size_t len, const char *content_type, const char *what,
                   manifest *out, oci_error **err);

bool manifest_is_index (const manifest *m);

/* From an index: the descriptor for `want`, attestations skipped. */
int manifest_choose (const manifest *index, const platform *want, const char **digest,
                     const char **media_type, oci_error **err);

/* Step from an index to the image for `want`: *digest and *media_type
   (malloc'd) name the chosen entry, and the index is cleared (also on
   failure), so that m can receive the image's manifest. */
int manifest_take_child (manifest *m, const platform *want, char **digest, char **media_type,
                         oci_error **err);

typedef struct blob_desc
{
  char digest[DIGEST_STR_LEN + 1];
  long long size;
  const char *media_type; /* points into the manifest's document */
} blob_desc;

/* Config (first) and layers of an image manifest; non-distributable layers
   with `urls` are left out. Checks digests, sizes and media types. */
int manifest_blobs (const manifest *m, blob_desc **out, size_t *n, oci_error **err);

#endif
