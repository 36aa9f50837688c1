#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "fileutil.h"
#include "json.h"

int config_check_version (const char *version, oci_error **err)
{
  char *end;
  long major;
  if (version == NULL)
    return oci_error_set (err, 0, "config.json: ociVersion is missing");
  major = strtol (version, &end, 10);
  if (end == version || (*end != '.' && *end != '\0' && *end != '-'))
    return oci_error_set (err, 0, "config.json: invalid ociVersion `%s`", version);
  if (major != 1)
    return oci_error_set (err, 0, "config.json: unsupported ociVersion `%s` (major version 1 only)",
                          version);
  return 0;
}

int config_parse (char *text, size_t len, const char *what, bundle_config *out, oci_error **err)
{
  out->text = text;
  out->len = len;
  if (json_parse (text, len, what, &out->doc, err) < 0)
    return -1;
  if (!YAJL_IS_OBJECT (out->doc))
    return oci_error_set (err, 0, "%s: not a JSON object", what);
  return config_check_version (json_get_string (out->doc, "ociVersion"), err);
}

int config_load (const char *bundle_dir, bundle_config *out, oci_error **err)
{
  char abs[PATH_MAX];
  char *text = NULL;
  size_t len;
  const char *root;
  cleanup_close int dirfd = -1;

  memset (out, 0, sizeof *out);
  if (realpath (bundle_dir, abs) == NULL)
    return oci_error_set (err, errno, "bundle `%s`", bundle_dir);
  out->bundle = strdup (abs);
  dirfd = open (abs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0)
    return oci_error_set (err, errno, "bundle `%s`", abs);
  if (read_file_at (dirfd, "config.json", 4 << 20, &text, &len, err) < 0)
    return oci_error_prefix (err, "bundle `%s`", abs);
  if (config_parse (text, len, "config.json", out, err) < 0)
    return oci_error_prefix (err, "bundle `%s`", abs);
  root = json_get_string (json_get_object (out->doc, "root"), "path");
  if (root == NULL)
    return oci_error_set (err, 0, "bundle `%s`: config.json: root.path is missing", abs);
  if (root[0] == '/')
    out->rootfs = strdup (root);
  else if (asprintf (&out->rootfs, "%s/%s", abs, root) < 0)
    out->rootfs = NULL;
  if (out->rootfs == NULL)
    return oci_error_set (err, ENOMEM, "bundle `%s`", abs);
  if (access (out->rootfs, F_OK) < 0)
    return oci_error_set (err, errno, "bundle `%s`: root.path `%s`", abs, root);
  return 0;
}

void config_clear (bundle_config *c)
{
  free (c->bundle);
  free (c->rootfs);
  free (c->text);
  if (c->doc)
    yajl_tree_free (c->doc);
  memset (c, 0, sizeof *c);
}
