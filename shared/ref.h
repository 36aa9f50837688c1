/* Image references with Docker's normalisation (distribution/reference):
   "alpine" -> docker.io/library/alpine:latest; a first component is a
   registry only if it has '.' or ':' or is "localhost"; index.docker.io is
   docker.io; "name:tag@sha256:..." keeps both, the digest wins. */
#ifndef OCIKIT_REF_H
#define OCIKIT_REF_H

#include <stdbool.h>

#include "error.h"

typedef struct image_ref
{
  char *domain; /* "docker.io", "127.0.0.1:5000" */
  char *path;   /* "library/alpine" */
  char *tag;    /* "latest"; NULL when only a digest was given */
  char *digest; /* "sha256:HEX" or NULL */
} image_ref;

int ref_parse (const char *s, image_ref **out, oci_error **err);
void ref_free (image_ref *r);
static inline void ref_freep (image_ref **r)
{
  if (*r)
    ref_free (*r);
}
#define cleanup_ref __attribute__ ((cleanup (ref_freep)))

/* "domain/path" (malloc'd). */
char *ref_name (const image_ref *r);
/* The normalised reference: "domain/path[:tag][@digest]" (malloc'd). */
char *ref_string (const image_ref *r);
/* The pipeline token for a fetched manifest: "domain/path[:tag]@digest". */
char *ref_pinned (const image_ref *r, const char *digest);
/* The name under which the store's index.json lists the image:
   "domain/path:tag", or "domain/path@digest" when there is no tag. */
char *ref_store_name (const image_ref *r);
/* Host[:port] to connect to: docker.io is served at registry-1.docker.io. */
const char *ref_registry_host (const image_ref *r);
/* localhost, 127.0.0.0/8 and [::1] registries may be plain HTTP. */
bool ref_registry_is_local (const image_ref *r);

bool ref_tag_is_valid (const char *tag);

#endif
