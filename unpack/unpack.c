#include "unpack.h"

#include <archive.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apply.h"
#include "cleanup.h"
#include "fileutil.h"
#include "image.h"
#include "layer.h"
#include "log.h"
#include "ref.h"
#include "safepath.h"
#include "store.h"

/* "oci:DIR[:NAME]" (the skopeo/umoci transport syntax) or a reference to
   look up in the store. */
static int open_source (const unpack_options *o, store **s, char **name, oci_error **err)
{
  cleanup_free char *path = NULL;
  if (strncmp (o->source, "oci:", 4) == 0)
    {
      const char *spec = o->source + 4;
      const char *colon = strchr (spec, ':');
      path = colon ? strndup (spec, (size_t) (colon - spec)) : strdup (spec);
      if (path == NULL)
        return oci_error_set (err, ENOMEM, "`%s`", o->source);
      if (*path == '\0')
        return oci_error_set (err, 0, "`%s`: no layout directory", o->source);
      if (colon && colon[1] && (*name = strdup (colon + 1)) == NULL)
        return oci_error_set (err, ENOMEM, "`%s`", o->source);
    }
  else
    {
      path = store_default_path (o->store);
      if (path == NULL)
        return oci_error_set (err, ENOMEM, "store");
      if ((*name = strdup (o->source)) == NULL)
        return oci_error_set (err, ENOMEM, "`%s`", o->source);
    }
  return store_open (path, 0, s, err);
}

/* The token for the next stage: the pinned reference when the name parses
   as one, else NAME@digest. */
static char *make_token (const char *source, const char *name, const char *digest)
{
  cleanup_ref image_ref *r = NULL;
  cleanup_error oci_error *e = NULL;
  char *t = NULL;
  if (name && ref_parse (name, &r, &e) == 0)
    return ref_pinned (r, digest);
  if (asprintf (&t, "%s@%s", name ? name : source, digest) < 0)
    return NULL;
  return t;
}

static int dir_is_empty (int fd, bool *empty)
{
  int dfd = openat (fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  cleanup_dir DIR *d = NULL;
  struct dirent *de;
  if (dfd < 0 || (d = fdopendir (dfd)) == NULL)
    {
      if (dfd >= 0)
        close (dfd);
      return -1;
    }
  *empty = true;
  while ((de = readdir (d)) != NULL)
    if (strcmp (de->d_name, ".") && strcmp (de->d_name, ".."))
      {
        *empty = false;
        break;
      }
  return 0;
}

/* Put the target back as we found it: removed when we made it, emptied
   when it was empty. */
static void undo_target (const char *output, bool created)
{
  cleanup_dir DIR *d = NULL;
  struct dirent *de;
  if (created)
    {
      remove_tree (output, NULL);
      return;
    }
  d = opendir (output);
  if (d == NULL)
    return;
  while ((de = readdir (d)) != NULL)
    {
      cleanup_free char *p = NULL;
      if (!strcmp (de->d_name, ".") || !strcmp (de->d_name, ".."))
        continue;
      if (asprintf (&p, "%s/%s", output, de->d_name) >= 0)
        remove_tree (p, NULL);
    }
}

static ssize_t read_cb (struct archive *a, void *data, const void **buf)
{
  ssize_t n = layer_stream_read (data, buf);
  if (n < 0)
    archive_set_error (a, EIO, "layer stream failed");
  return n;
}

static int unpack_layer (store *s, apply_ctx *ac, const image_layer *l, size_t index,
                         long long *budget, oci_error **err)
{
  cleanup_layer_stream layer_stream *ls = NULL;
  struct archive *a = NULL;
  long long size;
  int fd, r;

  if (store_blob_open (s, l->digest, &fd, &size, err) < 0)
    return oci_error_prefix (err, "layer %zu", index);
  if (layer_stream_open (fd, l, index, budget, &ls, err) < 0)
    return -1;
  a = archive_read_new ();
  if (a == NULL)
    return oci_error_set (err, ENOMEM, "layer %zu", index);
  /* tar only (ustar, GNU, PAX): decompression is ours, upstream */
  archive_read_support_format_tar (a);
  if (archive_read_open (a, ls, NULL, read_cb, NULL) != ARCHIVE_OK)
    {
      r = layer_stream_error (ls, err) < 0
              ? -1
              : oci_error_set (err, 0, "layer %zu (%s): tar: %s", index, l->digest,
                               archive_error_string (a));
      archive_read_free (a);
      return r;
    }
  r = apply_layer (ac, a, index, err);
  if (r < 0)
    {
      /* a failing stream explains a failing tar better than the tar does */
      cleanup_error oci_error *serr = NULL;
      if (layer_stream_error (ls, &serr) < 0)
        {
          oci_error_free (err);
          *err = steal_pointer (&serr);
        }
      archive_read_free (a);
      return -1;
    }
  archive_read_free (a);
  return layer_stream_finish (ls, err);
}

int unpack_image (const unpack_options *o, char **token, oci_error **err)
{
  cleanup_store store *s = NULL;
  cleanup_free char *name = NULL;
  cleanup_image image *img = NULL;
  cleanup_apply apply_ctx *ac = NULL;
  cleanup_close int rootfd = -1;
  long long budget = o->max_size;
  bool created = false, empty = false;
  struct stat st;

  /* kernels without openat2 take safepath's own walk; this lets the tests
     drive that walk on any kernel */
  if (getenv ("OCIKIT_SAFEPATH_FALLBACK"))
    safepath_force_fallback (1);
  if (open_source (o, &s, &name, err) < 0)
    return -1;
  if (image_load (s, name, o->platform, &img, err) < 0)
    return -1;

  if (stat (o->output, &st) < 0)
    {
      if (errno != ENOENT)
        return oci_error_set (err, errno, "target `%s`", o->output);
      if (mkdir_p (o->output, 0755, err) < 0)
        return oci_error_prefix (err, "target `%s`", o->output);
      created = true;
    }
  else if (!S_ISDIR (st.st_mode))
    return oci_error_set (err, ENOTDIR, "target `%s`", o->output);
  rootfd = open (o->output, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return oci_error_set (err, errno, "target `%s`", o->output);
  if (!created)
    {
      if (dir_is_empty (rootfd, &empty) < 0)
        return oci_error_set (err, errno, "target `%s`", o->output);
      if (!empty && !o->force)
        return oci_error_set (err, 0, "target `%s` is not empty (--force unpacks over it)",
                              o->output);
    }

  if (apply_new (rootfd, o->rootless, o->max_size, &ac, err) < 0)
    return -1;
  for (size_t i = 0; i < img->n_layers; i++)
    {
      log_info ("layer %zu/%zu %s", i + 1, img->n_layers, img->layers[i].digest);
      if (unpack_layer (s, ac, &img->layers[i], i, &budget, err) < 0)
        goto fail;
    }
  if (apply_finish (ac, err) < 0)
    goto fail;
  *token = make_token (o->source, name, img->manifest_digest);
  if (*token == NULL)
    return oci_error_set (err, ENOMEM, "token");
  return 0;

fail:
  if (created || empty)
    undo_target (o->output, created);
  else
    oci_error_prefix (err, "target `%s` is partly unpacked", o->output);
  return -1;
}
