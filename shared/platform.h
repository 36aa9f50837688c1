/* Platforms "os/arch[/variant]" (image-spec image-index.md) and matching
   index entries against them. */
#ifndef OCIKIT_PLATFORM_H
#define OCIKIT_PLATFORM_H

#include <stdbool.h>
#include <yajl/yajl_tree.h>

#include "error.h"

typedef struct platform
{
  char os[32];
  char arch[32];
  char variant[16]; /* "" if none */
} platform;

/* The host's platform in Go's names (amd64, arm64/v8, arm/v7, ...). */
void platform_host (platform *p);
/* Parse "os/arch[/variant]"; architecture aliases (x86_64, aarch64) are
   mapped to Go's names. */
int platform_parse (const char *s, platform *p, oci_error **err);
/* "linux/arm64/v8" */
void platform_format (const platform *p, char *buf, size_t len);
/* Does an index entry's "platform" object match? A missing variant on
   either side matches (arm64 with or without v8). */
bool platform_matches (yajl_val entry_platform, const platform *want);
/* Choose from an index's "manifests" array: the entry for `want`, skipping
   attestation entries (vnd.docker.reference.type). NULL if none. */
yajl_val platform_select (yajl_val manifests, const platform *want);

#endif
