#include "manifest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "mediatype.h"

const char manifest_accept[] = MT_OCI_INDEX ", " MT_OCI_MANIFEST ", " MT_DOCKER_LIST
                               ", " MT_DOCKER_MANIFEST;

void manifest_clear (manifest *m)
{
  free (m->raw);
  free (m->media_type);
  if (m->doc)
    yajl_tree_free (m->doc);
  memset (m, 0, sizeof *m);
}

static bool is_known (const char *mt)
{
  return strcmp (mt, MT_OCI_INDEX) == 0 || strcmp (mt, MT_OCI_MANIFEST) == 0
         || strcmp (mt, MT_DOCKER_LIST) == 0 || strcmp (mt, MT_DOCKER_MANIFEST) == 0;
}

static bool is_schema1 (const char *mt)
{
  return strcmp (mt, MT_DOCKER_SCHEMA1) == 0 || strcmp (mt, MT_DOCKER_SCHEMA1_SIGNED) == 0;
}

/* "type/subtype; charset=..." -> "type/subtype" */
static char *bare_type (const char *ct)
{
  size_t n;
  if (ct == NULL)
    return NULL;
  n = strcspn (ct, ";");
  while (n > 0 && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
    n--;
  return strndup (ct, n);
}

int manifest_load (char *raw, size_t len, const char *content_type, const char *what,
                   manifest *out, oci_error **err)
{
  char *ct = bare_type (content_type);
  const char *body_mt;
  long long ver = 0;
  int rc = -1;

  memset (out, 0, sizeof *out);
  out->raw = raw;
  out->len = len;
  /* distribution-spec: the digest is over the bytes as served */
  digest_buffer (raw, len, out->digest);
  if (ct && is_schema1 (ct))
    {
      oci_error_set (err, 0, "%s: unsupported manifest type (deprecated Docker schema1)", what);
      goto out;
    }
  if (json_parse (raw, len, what, &out->doc, err) < 0)
    goto out;
  if (!YAJL_IS_OBJECT (out->doc))
    {
      oci_error_set (err, 0, "%s is not a JSON object", what);
      goto out;
    }
  json_get_int (out->doc, "schemaVersion", &ver);
  if (ver == 1)
    {
      oci_error_set (err, 0, "%s: unsupported manifest type (deprecated Docker schema1)", what);
      goto out;
    }
  if (ver != 2)
    {
      oci_error_set (err, 0, "%s: unsupported schemaVersion %lld", what, ver);
      goto out;
    }
  body_mt = json_get_string (out->doc, "mediaType");
  /* Content-Type is authoritative; a generic one defers to the body. */
  if (ct && *ct && strcmp (ct, "application/json") != 0 && strcmp (ct, "text/plain") != 0
      && strcmp (ct, "application/octet-stream") != 0)
    {
      if (!is_known (ct))
        {
          oci_error_set (err, 0, "%s: unsupported media type `%s`", what, ct);
          goto out;
        }
      if (body_mt && strcmp (body_mt, ct) != 0)
        {
          oci_error_set (err, 0, "%s: mediaType `%s` disagrees with Content-Type `%s`", what,
                         body_mt, ct);
          goto out;
        }
      out->media_type = strdup (ct);
    }
  else if (body_mt)
    {
      if (!is_known (body_mt))
        {
          oci_error_set (err, 0, "%s: unsupported media type `%s`", what, body_mt);
          goto out;
        }
      out->media_type = strdup (body_mt);
    }
  else if (json_get_array (out->doc, "manifests"))
    out->media_type = strdup (MT_OCI_INDEX); /* image-spec allows mediaType to be absent */
  else if (json_get_object (out->doc, "config"))
    out->media_type = strdup (MT_OCI_MANIFEST);
  else
    {
      oci_error_set (err, 0, "%s: neither a manifest nor an index", what);
      goto out;
    }
  rc = 0;
out:
  free (ct);
  if (rc < 0)
    manifest_clear (out); /* raw with it */
  return rc;
}

bool manifest_is_index (const manifest *m)
{
  return strcmp (m->media_type, MT_OCI_INDEX) == 0 || strcmp (m->media_type, MT_DOCKER_LIST) == 0;
}

int manifest_choose (const manifest *index, const platform *want, const char **digest,
                     const char **media_type, oci_error **err)
{
  yajl_val manifests = json_get_array (index->doc, "manifests");
  yajl_val m = platform_select (manifests, want);
  char pf[96];
  if (m == NULL)
    {
      char have[512] = "";
      size_t used = 0;
      for (size_t i = 0; i < json_array_len (manifests); i++)
        {
          yajl_val e = json_array_at (manifests, i);
          yajl_val p = json_get_object (e, "platform");
          if (p == NULL || json_path (e, "annotations", "vnd.docker.reference.type", NULL))
            continue;
          const char *os = json_get_string (p, "os"), *ar = json_get_string (p, "architecture"),
                     *va = json_get_string (p, "variant");
          int w = snprintf (have + used, sizeof have - used, "%s%s/%s%s%s", used ? ", " : "",
                            os ? os : "?", ar ? ar : "?", va ? "/" : "", va ? va : "");
          if (w < 0 || (size_t) w >= sizeof have - used)
            break;
          used += w;
        }
      platform_format (want, pf, sizeof pf);
      return oci_error_set (err, 0, "no manifest for platform %s (the index has: %s)", pf,
                            used ? have : "none");
    }
  *digest = json_get_string (m, "digest");
  *media_type = json_get_string (m, "mediaType");
  if (*digest == NULL || !digest_is_valid (*digest))
    return oci_error_set (err, 0, "index entry for the platform has a bad digest");
  if (*media_type == NULL)
    *media_type = MT_OCI_MANIFEST;
  return 0;
}

static bool layer_type_known (const char *mt)
{
  static const char *const ok[] = { MT_OCI_LAYER, MT_OCI_LAYER_GZIP, MT_OCI_LAYER_ZSTD,
                                    MT_OCI_LAYER_ND, MT_OCI_LAYER_ND_GZIP,
                                    MT_OCI_LAYER_ND_ZSTD, MT_DOCKER_LAYER_GZIP,
                                    MT_DOCKER_LAYER_FOREIGN };
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
    if (strcmp (mt, ok[i]) == 0)
      return true;
  return false;
}

static int take_desc (yajl_val d, const char *what, blob_desc *out, oci_error **err)
{
  const char *dg = json_get_string (d, "digest");
  const char *mt = json_get_string (d, "mediaType");
  if (dg == NULL || !digest_is_valid (dg))
    return oci_error_set (err, 0, "%s: missing or unsupported digest `%s`", what,
                          dg ? dg : "(none)");
  if (!json_get_int (d, "size", &out->size) || out->size < 0)
    return oci_error_set (err, 0, "%s: missing or negative size", what);
  if (mt == NULL)
    return oci_error_set (err, 0, "%s: no mediaType", what);
  memcpy (out->digest, dg, sizeof out->digest);
  out->media_type = mt;
  return 0;
}

int manifest_take_child (manifest *m, const platform *want, char **digest, char **media_type,
                         oci_error **err)
{
  const char *dg, *mt;
  int rc = -1;
  *digest = *media_type = NULL;
  if (manifest_choose (m, want, &dg, &mt, err) < 0)
    goto out;
  *digest = strdup (dg);
  *media_type = mt ? strdup (mt) : NULL;
  if (*digest == NULL || (mt && *media_type == NULL))
    {
      free (*digest);
      free (*media_type);
      *digest = *media_type = NULL;
      oci_error_set (err, ENOMEM, "manifest");
      goto out;
    }
  rc = 0;
out:
  manifest_clear (m);
  return rc;
}

int manifest_blobs (const manifest *m, blob_desc **out, size_t *n, oci_error **err)
{
  yajl_val layers = json_get_array (m->doc, "layers");
  yajl_val config = json_get_object (m->doc, "config");
  size_t nl = json_array_len (layers), k = 0;
  blob_desc *b;
  if (manifest_is_index (m))
    return oci_error_set (err, 0, "an index has no layers");
  if (config == NULL)
    return oci_error_set (err, 0, "manifest has no config");
  if (layers == NULL)
    return oci_error_set (err, 0, "manifest has no layers array");
  b = calloc (nl + 1, sizeof *b);
  if (b == NULL)
    return oci_error_set (err, ENOMEM, "manifest");
  if (take_desc (config, "manifest config", &b[k++], err) < 0)
    goto fail;
  if (strcmp (b[0].media_type, MT_OCI_CONFIG) != 0
      && strcmp (b[0].media_type, MT_DOCKER_CONFIG) != 0)
    {
      oci_error_set (err, 0, "unsupported config media type `%s` (not a container image)",
                     b[0].media_type);
      goto fail;
    }
  for (size_t i = 0; i < nl; i++)
    {
      yajl_val l = json_array_at (layers, i);
      char what[48];
      snprintf (what, sizeof what, "manifest layer %zu", i + 1);
      if (take_desc (l, what, &b[k], err) < 0)
        goto fail;
      if (!layer_type_known (b[k].media_type))
        {
          oci_error_set (err, 0, "%s: unsupported media type `%s`", what, b[k].media_type);
          goto fail;
        }
      /* image-spec descriptor.md: non-distributable content lives at
         `urls`; registries need not have it. Not fetched by default. */
      if (json_array_len (json_get_array (l, "urls")) > 0)
        continue;
      k++;
    }
  *out = b;
  *n = k;
  return 0;
fail:
  free (b);
  return -1;
}
