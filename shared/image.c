#include "image.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "digest.h"
#include "json.h"
#include "mediatype.h"
#include "ref.h"

#define MAX_MANIFEST (4u << 20)
#define MAX_CONFIG (16u << 20)

void image_free (image *img)
{
  if (img == NULL)
    return;
  free (img->manifest_digest);
  free (img->manifest_media_type);
  if (img->manifest)
    yajl_tree_free (img->manifest);
  free (img->config_digest);
  free (img->config_raw);
  if (img->config)
    yajl_tree_free (img->config);
  for (size_t i = 0; i < img->n_layers; i++)
    {
      free (img->layers[i].digest);
      free (img->layers[i].media_type);
      free (img->layers[i].diff_id);
    }
  free (img->layers);
  free (img);
}

static bool is_index_type (const char *mt)
{
  return mt && (strcmp (mt, MT_OCI_INDEX) == 0 || strcmp (mt, MT_DOCKER_LIST) == 0);
}

/* Find the manifest digest that `ref` names in the store. */
static int resolve (store *s, const char *ref, char **digest, oci_error **err)
{
  cleanup_ref image_ref *r = NULL;
  cleanup_error oci_error *perr = NULL;
  int found;

  if (ref == NULL)
    {
      found = store_index_lookup (s, NULL, digest, NULL, err);
      if (found == 1)
        return oci_error_set (err, 0, "store `%s`: no image name given and the layout "
                              "does not hold exactly one image", store_path (s));
      return found;
    }
  if (ref_parse (ref, &r, &perr) == 0)
    {
      cleanup_free char *name = NULL;
      if (r->digest)
        {
          if (!store_has_blob (s, r->digest))
            return oci_error_set (err, 0, "image `%s` is not in store `%s` (fetch it first)",
                                  ref, store_path (s));
          *digest = strdup (r->digest);
          return 0;
        }
      name = ref_store_name (r);
      found = store_index_lookup (s, name, digest, NULL, err);
      if (found <= 0)
        return found;
    }
  /* an exact name as written by skopeo (oci:DIR:NAME) */
  found = store_index_lookup (s, ref, digest, NULL, err);
  if (found == 1)
    return oci_error_set (err, 0, "image `%s` is not in store `%s` (fetch it first)", ref,
                          store_path (s));
  return found;
}

static int load_layers (image *img, const char *ref, oci_error **err)
{
  yajl_val layers = json_get_array (img->manifest, "layers");
  yajl_val diff_ids = json_path (img->config, "rootfs", "diff_ids", NULL);
  size_t n = json_array_len (layers);

  if (layers == NULL)
    return oci_error_set (err, 0, "image `%s`: manifest has no layers array", ref);
  if (json_array_len (diff_ids) != n)
    return oci_error_set (err, 0, "image `%s`: %zu layers but %zu rootfs.diff_ids in the config",
                          ref, n, json_array_len (diff_ids));
  img->layers = calloc (n ? n : 1, sizeof *img->layers);
  if (img->layers == NULL)
    return oci_error_set (err, ENOMEM, "image `%s`", ref);
  img->n_layers = n;
  for (size_t i = 0; i < n; i++)
    {
      yajl_val l = json_array_at (layers, i);
      yajl_val did = json_array_at (diff_ids, i);
      const char *d = json_get_string (l, "digest");
      const char *mt = json_get_string (l, "mediaType");
      long long size = -1;
      if (d == NULL || !digest_is_valid (d))
        return oci_error_set (err, 0, "image `%s`: layer %zu has a bad digest", ref, i);
      if (did == NULL || !YAJL_IS_STRING (did) || !digest_is_valid (did->u.string))
        return oci_error_set (err, 0, "image `%s`: rootfs.diff_ids[%zu] is not a sha256 digest",
                              ref, i);
      json_get_int (l, "size", &size);
      img->layers[i].digest = strdup (d);
      img->layers[i].media_type = strdup (mt ? mt : MT_OCI_LAYER_GZIP);
      img->layers[i].size = size;
      img->layers[i].diff_id = strdup (did->u.string);
    }
  return 0;
}

int image_load (store *s, const char *ref, const platform *want, image **out,
                oci_error **err)
{
  cleanup_free char *digest = NULL;
  cleanup_free char *raw = NULL;
  size_t len;
  platform host;
  image *img;
  const char *what = ref ? ref : store_path (s);

  if (resolve (s, ref, &digest, err) < 0)
    return -1;
  img = calloc (1, sizeof *img);
  if (img == NULL)
    return oci_error_set (err, ENOMEM, "image `%s`", what);
#define FAIL(...)                                                              \
  do                                                                           \
    {                                                                          \
      image_free (img);                                                        \
      return __VA_ARGS__;                                                      \
    }                                                                          \
  while (0)

  for (int depth = 0;; depth++)
    {
      const char *mt;
      if (store_blob_read (s, digest, MAX_MANIFEST, &raw, &len, err) < 0)
        FAIL (oci_error_prefix (err, "image `%s`", what));
      if (json_parse (raw, len, "manifest", &img->manifest, err) < 0)
        FAIL (oci_error_prefix (err, "image `%s`", what));
      mt = json_get_string (img->manifest, "mediaType");
      if (mt == NULL && json_get_array (img->manifest, "manifests"))
        mt = MT_OCI_INDEX;
      if (!is_index_type (mt))
        break;
      if (depth > 2)
        FAIL (oci_error_set (err, 0, "image `%s`: indexes nested too deep", what));
      {
        yajl_val m;
        const char *next;
        char pbuf[96];
        if (want == NULL)
          {
            platform_host (&host);
            want = &host;
          }
        m = platform_select (json_get_array (img->manifest, "manifests"), want);
        platform_format (want, pbuf, sizeof pbuf);
        if (m == NULL)
          FAIL (oci_error_set (err, 0, "image `%s`: no manifest for platform %s", what, pbuf));
        next = json_get_string (m, "digest");
        if (next == NULL || !digest_is_valid (next))
          FAIL (oci_error_set (err, 0, "image `%s`: index entry for %s has a bad digest", what,
                               pbuf));
        free (digest);
        digest = strdup (next);
        yajl_tree_free (img->manifest);
        img->manifest = NULL;
        free (raw);
        raw = NULL;
      }
    }
  {
    const char *mt = json_get_string (img->manifest, "mediaType");
    const char *cd = json_path (img->manifest, "config", "digest", NULL)
                       ? json_get_string (json_get_object (img->manifest, "config"), "digest")
                       : NULL;
    if (mt && (strcmp (mt, MT_DOCKER_SCHEMA1) == 0 || strcmp (mt, MT_DOCKER_SCHEMA1_SIGNED) == 0))
      FAIL (oci_error_set (err, 0, "image `%s`: unsupported manifest (deprecated schema1)", what));
    if (cd == NULL || !digest_is_valid (cd))
      FAIL (oci_error_set (err, 0, "image `%s`: manifest has no valid config digest", what));
    img->manifest_media_type = strdup (mt ? mt : MT_OCI_MANIFEST);
    img->manifest_digest = steal_pointer (&digest);
    img->config_digest = strdup (cd);
    if (store_blob_read (s, cd, MAX_CONFIG, &img->config_raw, &img->config_len, err) < 0)
      FAIL (oci_error_prefix (err, "image `%s`: config", what));
    if (json_parse (img->config_raw, img->config_len, "image config", &img->config, err) < 0)
      FAIL (oci_error_prefix (err, "image `%s`", what));
    if (load_layers (img, what, err) < 0)
      FAIL (-1);
  }
#undef FAIL
  *out = img;
  return 0;
}

int image_read_token (const char *arg, char **out, oci_error **err)
{
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  if (arg && strcmp (arg, "-") != 0)
    {
      *out = strdup (arg);
      return *out ? 0 : oci_error_set (err, ENOMEM, "reference");
    }
  n = getline (&line, &cap, stdin);
  if (n <= 0)
    {
      free (line);
      return oci_error_set (err, 0, "no image reference: give one as argument or on stdin");
    }
  while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' '))
    line[--n] = '\0';
  if (n == 0)
    {
      free (line);
      return oci_error_set (err, 0, "no image reference: the first line of stdin is empty");
    }
  *out = line;
  return 0;
}
