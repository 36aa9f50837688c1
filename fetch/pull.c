#include "pull.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "manifest.h"
#include "progress.h"
#include "ref.h"
#include "transfer.h"

/* GET a manifest by tag or digest and check its bytes: against the digest
   asked for (`expected`) and the registry's Docker-Content-Digest. */
static int fetch_manifest (registry *reg, const char *reference, const char *expected,
                           manifest *m, oci_error **err)
{
  http_reply rep = { .retry_after = -1 };
  int rc = -1;
  if (registry_get (reg, "manifests", reference, manifest_accept, false, MANIFEST_MAX_SIZE,
                    &rep, err)
      < 0)
    goto out;
  if (rep.status != 200)
    {
      cleanup_free char *t = http_reply_error_text (&rep);
      oci_error_set (err, 0, "manifest %s: %s", reference, t ? t : "error");
      goto out;
    }
  if (rep.body == NULL)
    {
      oci_error_set (err, 0, "manifest %s: empty answer", reference);
      goto out;
    }
  /* distribution-spec: the digest is over the bytes as served; check it
     before believing anything they say */
  {
    char got[DIGEST_STR_LEN + 1];
    digest_buffer (rep.body, rep.len, got);
    if (expected && strcmp (got, expected) != 0)
      {
        oci_error_set (err, 0, "manifest digest mismatch: asked for %s, the bytes served hash to %s",
                       expected, got);
        goto out;
      }
    if (rep.docker_digest && strcmp (rep.docker_digest, got) != 0)
      {
        oci_error_set (err, 0, "manifest digest mismatch: Docker-Content-Digest says %s, the "
                       "bytes served hash to %s", rep.docker_digest, got);
        goto out;
      }
  }
  /* the body is the manifest's now, whatever the outcome */
  if (manifest_load (steal_pointer (&rep.body), rep.len, rep.content_type, "manifest", m, err)
      < 0)
    goto out;
  rc = 0;
out:
  http_reply_clear (&rep);
  return rc;
}

/* The manifest for `reference`: from the store when the registry's HEAD
   (or the reference itself) names a digest the store has — no GET, which
   registries such as Docker Hub count against pull limits (NOTES.md) —
   else fetched. Indexes are kept in the store too, so that the next pull
   of a multi-platform tag needs nothing but the HEAD. */
static int get_manifest (registry *reg, store *s, const char *reference, const char *expected,
                         manifest *m, oci_error **err)
{
  cleanup_free char *known = expected ? strdup (expected) : NULL;
  /* a store this run created holds no manifest: the HEAD would only cost
     a round trip */
  if (known == NULL && !store_is_new (s))
    {
      http_reply rep = { .retry_after = -1 };
      if (registry_get (reg, "manifests", reference, manifest_accept, true, 0, &rep, err) < 0)
        return -1;
      if (rep.status == 200 && rep.docker_digest && digest_is_valid (rep.docker_digest))
        known = strdup (rep.docker_digest);
      http_reply_clear (&rep);
    }
  if (known && store_has_blob (s, known))
    {
      char *raw = NULL;
      size_t len;
      /* store_blob_read checks the bytes against the digest */
      if (store_blob_read (s, known, MANIFEST_MAX_SIZE, &raw, &len, err) < 0)
        return -1;
      return manifest_load (raw, len, NULL, "manifest", m, err);
    }
  if (fetch_manifest (reg, reference, expected, m, err) < 0)
    return -1;
  if (manifest_is_index (m) && store_put_blob (s, m->raw, m->len, m->digest, NULL, err) < 0)
    {
      manifest_clear (m);
      return -1;
    }
  return 0;
}

/* A digest reference whose manifest and blobs are all in the store needs
   no registry at all (pipelines re-run with pinned references offline). */
static bool complete_in_store (store *s, const char *digest, const platform *want, manifest *m)
{
  cleanup_free blob_desc *blobs = NULL;
  size_t n;
  char *raw = NULL;
  size_t len;
  if (!store_has_blob (s, digest)
      || store_blob_read (s, digest, MANIFEST_MAX_SIZE, &raw, &len, NULL) < 0
      || manifest_load (raw, len, NULL, "manifest", m, NULL) < 0)
    return false;
  if (manifest_is_index (m))
    {
      cleanup_free char *child = NULL, *child_mt = NULL;
      if (manifest_take_child (m, want, &child, &child_mt, NULL) < 0)
        return false;
      return complete_in_store (s, child, want, m);
    }
  if (manifest_blobs (m, &blobs, &n, NULL) < 0)
    {
      manifest_clear (m);
      return false;
    }
  for (size_t i = 0; i < n; i++)
    if (!store_has_blob (s, blobs[i].digest))
      {
        manifest_clear (m);
        return false;
      }
  return true;
}

static int registry_pull (store *s, const image_ref *ref, const char *what, const pull_opts *o,
                          char **pinned, oci_error **err)
{
  cleanup_registry registry *reg = NULL;
  cleanup_free blob_desc *blobs = NULL;
  cleanup_free char *name = NULL;
  manifest m = { 0 };
  size_t n = 0;
  progress *p = NULL;
  int rc = -1;

  if (ref->digest && complete_in_store (s, ref->digest, &o->want, &m))
    goto have_all;
  if (registry_open (ref, &o->reg, &reg, err) < 0)
    return -1;
  if (get_manifest (reg, s, ref->digest ? ref->digest : ref->tag, ref->digest, &m, err) < 0)
    return -1;
  if (manifest_is_index (&m))
    {
      cleanup_free char *child = NULL, *child_mt = NULL;
      if (manifest_take_child (&m, &o->want, &child, &child_mt, err) < 0
          || get_manifest (reg, s, child, child, &m, err) < 0)
        return -1;
      if (manifest_is_index (&m))
        {
          oci_error_set (err, 0, "the platform entry %s is itself an index", child);
          goto out;
        }
    }
  if (manifest_blobs (&m, &blobs, &n, err) < 0)
    goto out;
  p = progress_new (o->show_progress, what, n);
  {
    blob_bytes mb = { .digest = m.digest, .data = m.raw, .len = m.len };
    if (transfer_blobs (reg, s, blobs, n, o->parallel, &mb, p, err) < 0)
      goto out;
  }
  progress_finish (p);
have_all:
  name = ref_store_name (ref);
  *pinned = ref_pinned (ref, m.digest);
  if (name == NULL || *pinned == NULL)
    {
      oci_error_set (err, ENOMEM, "%s", what);
      goto out;
    }
  if (store_index_set (s, name, m.media_type, m.digest, (long long) m.len, err) < 0)
    goto out;
  rc = 0;
out:
  if (rc < 0 && p)
    fputc ('\n', stderr);
  progress_free (p);
  manifest_clear (&m);
  return rc;
}

int pull_image (store *s, const char *source, const pull_opts *o, char **pinned,
                oci_error **err)
{
  cleanup_ref image_ref *ref = NULL;
  cleanup_free char *what = NULL;
  if (layout_source_matches (source))
    return layout_source_pull (s, source, o, pinned, err);
  if (strncmp (source, "docker://", 9) == 0)
    source += 9;
  if (ref_parse (source, &ref, err) < 0)
    return -1;
  what = ref_string (ref);
  if (what == NULL)
    return oci_error_set (err, ENOMEM, "%s", source);
  if (registry_pull (s, ref, what, o, pinned, err) < 0)
    return oci_error_prefix (err, "%s", what);
  return 0;
}
