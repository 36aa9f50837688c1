/* Pulling one image into the store, from a registry or from an OCI layout
   (oci:DIR[:NAME]) or archive (oci-archive:FILE[:NAME]): manifest (the
   platform's, when the reference names an index), then config and layers,
   then the manifest blob, then the index.json entry — so the store never
   names an image whose blobs are missing. */
#ifndef OCIKIT_FETCH_PULL_H
#define OCIKIT_FETCH_PULL_H

#include <stdbool.h>

#include "error.h"
#include "platform.h"
#include "registry.h"
#include "store.h"

typedef struct pull_opts
{
  registry_opts reg;
  platform want;
  bool show_progress; /* stderr is a terminal and not -q */
  int parallel;
} pull_opts;

/* Pull `source`; *pinned gets the pipeline token NAME@sha256:... of the
   platform manifest. Errors name the image. */
int pull_image (store *s, const char *source, const pull_opts *o, char **pinned,
                oci_error **err);

/* From a layout_source.c: oci: and oci-archive: sources. */
bool layout_source_matches (const char *source);
int layout_source_pull (store *s, const char *source, const pull_opts *o, char **pinned,
                        oci_error **err);

#endif
