/* An image read back from a store: the manifest (platform chosen when the
   reference names an index), its config and its layers. Used by
   img-unpack and mkbundle. */
#ifndef OCIKIT_IMAGE_H
#define OCIKIT_IMAGE_H

#include <stddef.h>
#include <yajl/yajl_tree.h>

#include "error.h"
#include "platform.h"
#include "store.h"

typedef struct image_layer
{
  char *digest;     /* compressed blob digest */
  char *media_type; /* e.g. application/vnd.oci.image.layer.v1.tar+gzip */
  long long size;
  char *diff_id;    /* from the config's rootfs.diff_ids */
} image_layer;

typedef struct image
{
  char *manifest_digest;
  char *manifest_media_type;
  yajl_val manifest;
  char *config_digest;
  char *config_raw;
  size_t config_len;
  yajl_val config; /* the image config (config.json of image-spec) */
  size_t n_layers;
  image_layer *layers;
} image;

/* Resolve `ref` in the store: a pinned "NAME@sha256:..." (the digest
   names the manifest or an index), a reference normalised and looked up
   in index.json, or (for layouts written by other tools) an exact
   index.json name; NULL means the only image of the layout. When the
   result is an index, the manifest for `want` (NULL: the host) is chosen. */
int image_load (store *s, const char *ref, const platform *want, image **out,
                oci_error **err);
void image_free (image *img);
static inline void image_freep (image **i)
{
  if (*i)
    image_free (*i);
}
#define cleanup_image __attribute__ ((cleanup (image_freep)))

/* Read the pipeline token: the argument if given and not "-", else the
   first line of stdin (trimmed). malloc'd. */
int image_read_token (const char *arg, char **out, oci_error **err);

#endif
