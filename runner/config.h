/* A bundle's config.json (runtime-spec config.md): read, parsed, checked
   for a supported ociVersion (major 1). The tree stays as yajl values; the
   pieces are read where they are applied. */
#ifndef RUNNER_CONFIG_H
#define RUNNER_CONFIG_H

#include <stddef.h>
#include <yajl/yajl_tree.h>

#include "error.h"

typedef struct bundle_config
{
  char *bundle;   /* absolute bundle directory */
  char *rootfs;   /* absolute root.path */
  char *text;     /* config.json as read */
  size_t len;
  yajl_val doc;
} bundle_config;

int config_load (const char *bundle_dir, bundle_config *out, oci_error **err);
/* Parse config text already read (for exec, from the state directory). */
int config_parse (char *text, size_t len, const char *what, bundle_config *out, oci_error **err);
int config_check_version (const char *version, oci_error **err);
void config_clear (bundle_config *c);
#define cleanup_config __attribute__ ((cleanup (config_clear)))

#endif
