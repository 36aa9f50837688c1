/* Offline sources: an OCI image layout directory (oci:DIR[:NAME], as skopeo
   names it) or a tar of one (oci-archive:FILE[:NAME], read with
   libarchive). Every blob copied into the store is verified on the way in,
   exactly as a download is. */
#include <archive.h>
#include <archive_entry.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "fileutil.h"
#include "json.h"
#include "manifest.h"
#include "mediatype.h"
#include "progress.h"
#include "pull.h"
#include "ref.h"

typedef struct archive_member
{
  char *name;
  char *data;
  size_t len;
} archive_member;

typedef struct layout_src
{
  store *dir;          /* oci: */
  const char *archive; /* oci-archive: */
  /* index.json and the small blobs (manifests, configs) of the archive,
     read in one pass: a tar has no index, and each lookup would read it
     all again */
  archive_member *small;
  size_t n_small;
  bool scanned;
} layout_src;

#define SMALL_MEMBER_MAX (1u << 20)
#define SMALL_TOTAL_MAX (32u << 20)

/* libarchive is loaded only when an oci-archive: source is read: linked in,
   it and its libraries (xml2, lzma, ...) cost every run about 2.6 MiB of
   resident memory (issue 2 asks for under 12 MiB). */
static struct
{
  bool loaded;
  struct archive *(*read_new) (void);
  int (*read_support_format_tar) (struct archive *);
  int (*read_support_filter_all) (struct archive *);
  int (*read_open_filename) (struct archive *, const char *, size_t);
  int (*read_next_header) (struct archive *, struct archive_entry **);
  la_ssize_t (*read_data) (struct archive *, void *, size_t);
  int (*read_free) (struct archive *);
  const char *(*error_string) (struct archive *);
  int (*errno_of) (struct archive *);
  const char *(*entry_pathname) (struct archive_entry *);
  la_int64_t (*entry_size) (struct archive_entry *);
  __LA_MODE_T (*entry_filetype) (struct archive_entry *);
} la;

static int libarchive_load (oci_error **err)
{
  void *h;
  if (la.loaded)
    return 0;
  h = dlopen ("libarchive.so.13", RTLD_NOW | RTLD_LOCAL);
  if (h == NULL)
    return oci_error_set (err, 0, "oci-archive: needs libarchive: %s", dlerror ());
#define SYM(field, name)                                                       \
  if ((*(void **) &la.field = dlsym (h, name)) == NULL)                        \
    return oci_error_set (err, 0, "oci-archive: libarchive lacks %s", name);
  SYM (read_new, "archive_read_new")
  SYM (read_support_format_tar, "archive_read_support_format_tar")
  SYM (read_support_filter_all, "archive_read_support_filter_all")
  SYM (read_open_filename, "archive_read_open_filename")
  SYM (read_next_header, "archive_read_next_header")
  SYM (read_data, "archive_read_data")
  SYM (read_free, "archive_read_free")
  SYM (error_string, "archive_error_string")
  SYM (errno_of, "archive_errno")
  SYM (entry_pathname, "archive_entry_pathname")
  SYM (entry_size, "archive_entry_size")
  SYM (entry_filetype, "archive_entry_filetype")
#undef SYM
  la.loaded = true;
  return 0;
}

bool layout_source_matches (const char *s)
{
  return strncmp (s, "oci:", 4) == 0 || strncmp (s, "oci-archive:", 12) == 0;
}

static void archive_freep (struct archive **a)
{
  if (*a)
    la.read_free (*a);
}
#define cleanup_archive __attribute__ ((cleanup (archive_freep)))

static int archive_open (const char *file, struct archive **out, oci_error **err)
{
  struct archive *a;
  if (libarchive_load (err) < 0)
    return -1;
  a = la.read_new ();
  if (a == NULL)
    return oci_error_set (err, ENOMEM, "archive");
  la.read_support_format_tar (a);
  la.read_support_filter_all (a);
  if (la.read_open_filename (a, file, 1 << 16) != ARCHIVE_OK)
    {
      oci_error_set (err, la.errno_of (a), "open `%s`: %s", file, la.error_string (a));
      la.read_free (a);
      return -1;
    }
  *out = a;
  return 0;
}

static const char *entry_name (struct archive_entry *e)
{
  const char *n = la.entry_pathname (e);
  while (n && n[0] == '.' && n[1] == '/')
    n += 2;
  return n;
}

/* Read one small member ("index.json" or "blobs/sha256/HEX") whole. */
static int archive_read_member (const char *file, const char *member, size_t max, char **buf,
                                size_t *len, oci_error **err)
{
  cleanup_archive struct archive *a = NULL;
  struct archive_entry *e;
  int r;
  if (archive_open (file, &a, err) < 0)
    return -1;
  while ((r = la.read_next_header (a, &e)) == ARCHIVE_OK)
    {
      const char *n = entry_name (e);
      la_int64_t size = la.entry_size (e);
      cleanup_free char *data = NULL;
      la_ssize_t got;
      if (n == NULL || strcmp (n, member) != 0 || la.entry_filetype (e) != AE_IFREG)
        continue;
      if (size < 0 || (size_t) size > max)
        return oci_error_set (err, 0, "`%s`: %s is larger than %zu bytes", file, member, max);
      data = malloc (size + 1);
      if (data == NULL)
        return oci_error_set (err, ENOMEM, "`%s`", file);
      got = la.read_data (a, data, size);
      if (got != size)
        return oci_error_set (err, 0, "`%s`: short read of %s", file, member);
      data[size] = '\0';
      *buf = steal_pointer (&data);
      *len = size;
      return 0;
    }
  if (r != ARCHIVE_EOF)
    return oci_error_set (err, 0, "`%s`: %s", file, la.error_string (a));
  return oci_error_set (err, 0, "`%s`: no %s in the archive", file, member);
}

static void src_free (layout_src *src)
{
  for (size_t i = 0; i < src->n_small; i++)
    {
      free (src->small[i].name);
      free (src->small[i].data);
    }
  free (src->small);
}

static int archive_scan (layout_src *src, oci_error **err)
{
  cleanup_archive struct archive *a = NULL;
  struct archive_entry *e;
  size_t total = 0;
  int r;
  src->scanned = true;
  if (archive_open (src->archive, &a, err) < 0)
    return -1;
  while ((r = la.read_next_header (a, &e)) == ARCHIVE_OK)
    {
      const char *n = entry_name (e);
      la_int64_t size = la.entry_size (e);
      bool index = n && strcmp (n, "index.json") == 0;
      archive_member *m, *grown;
      if (n == NULL || la.entry_filetype (e) != AE_IFREG || size < 0)
        continue;
      if (!index && (strncmp (n, "blobs/sha256/", 13) != 0 || (size_t) size > SMALL_MEMBER_MAX
                     || total + size > SMALL_TOTAL_MAX))
        continue;
      if (index && (size_t) size > (64u << 20))
        return oci_error_set (err, 0, "`%s`: index.json is too large", src->archive);
      grown = realloc (src->small, (src->n_small + 1) * sizeof *grown);
      if (grown == NULL)
        return oci_error_set (err, ENOMEM, "`%s`", src->archive);
      src->small = grown;
      m = &src->small[src->n_small];
      m->name = strdup (n);
      m->data = malloc (size + 1);
      m->len = size;
      if (m->name == NULL || m->data == NULL)
        {
          free (m->name);
          free (m->data);
          return oci_error_set (err, ENOMEM, "`%s`", src->archive);
        }
      src->n_small++;
      if (la.read_data (a, m->data, size) != size)
        return oci_error_set (err, 0, "`%s`: short read of %s", src->archive, n);
      m->data[size] = '\0';
      if (!index)
        total += size;
    }
  if (r != ARCHIVE_EOF)
    return oci_error_set (err, 0, "`%s`: %s", src->archive, la.error_string (a));
  return 0;
}

/* A member of the archive: from the one-pass scan, or another pass. */
static int src_archive_member (layout_src *src, const char *member, size_t max, char **buf,
                               size_t *len, oci_error **err)
{
  if (!src->scanned && archive_scan (src, err) < 0)
    return -1;
  for (size_t i = 0; i < src->n_small; i++)
    if (strcmp (src->small[i].name, member) == 0)
      {
        if (src->small[i].len > max)
          return oci_error_set (err, 0, "`%s`: %s is larger than %zu bytes", src->archive,
                                member, max);
        *buf = malloc (src->small[i].len + 1);
        if (*buf == NULL)
          return oci_error_set (err, ENOMEM, "`%s`", src->archive);
        memcpy (*buf, src->small[i].data, src->small[i].len + 1);
        *len = src->small[i].len;
        return 0;
      }
  return archive_read_member (src->archive, member, max, buf, len, err);
}

static int src_read_blob (layout_src *src, const char *digest, size_t max, char **buf, size_t *len,
                          oci_error **err)
{
  char member[96], got[DIGEST_STR_LEN + 1];
  if (src->dir)
    return store_blob_read (src->dir, digest, max, buf, len, err);
  snprintf (member, sizeof member, "blobs/sha256/%s", digest_hex (digest));
  if (src_archive_member (src, member, max, buf, len, err) < 0)
    return -1;
  digest_buffer (*buf, *len, got);
  if (strcmp (got, digest) != 0)
    {
      free (*buf);
      *buf = NULL;
      return oci_error_set (err, 0, "`%s`: blob %s is corrupt: it hashes to %s", src->archive,
                            digest, got);
    }
  return 0;
}

/* Stream `from` (fd or archive) into a verified store writer. */
static int copy_stream (store *dst, const blob_desc *b, int fd, struct archive *a,
                        progress *p, size_t idx, oci_error **err)
{
  store_writer *w;
  static char buf[1 << 17];
  if (store_blob_create (dst, b->digest, &w, err) < 0)
    return -1;
  for (;;)
    {
      ssize_t n = a ? (ssize_t) la.read_data (a, buf, sizeof buf) : read (fd, buf, sizeof buf);
      if (n < 0 && !a && errno == EINTR)
        continue;
      if (n < 0)
        {
          store_blob_abort (w);
          return a ? oci_error_set (err, 0, "read blob %s: %s", b->digest, la.error_string (a))
                   : oci_error_set (err, errno, "read blob %s", b->digest);
        }
      if (n == 0)
        break;
      if (store_writer_size (w) + n > b->size)
        {
          store_blob_abort (w);
          return oci_error_set (err, 0, "blob %s is larger than the %lld bytes declared",
                                b->digest, b->size);
        }
      if (store_blob_append (w, buf, n, err) < 0)
        {
          store_blob_abort (w);
          return -1;
        }
      progress_bytes (p, idx, n);
    }
  if (store_writer_size (w) != b->size)
    {
      long long got = store_writer_size (w);
      store_blob_abort (w);
      return oci_error_set (err, 0, "blob %s has %lld bytes, %lld declared", b->digest, got,
                            b->size);
    }
  if (store_blob_commit (w, NULL, err) < 0)
    return oci_error_prefix (err, "blob %s", b->digest);
  progress_blob_done (p, idx, false);
  return 0;
}

static int src_copy_blobs (layout_src *src, store *dst, const blob_desc *b, size_t n, progress *p,
                           oci_error **err)
{
  size_t missing = 0;
  cleanup_free bool *done = calloc (n ? n : 1, sizeof *done);
  if (done == NULL)
    return oci_error_set (err, ENOMEM, "copy");
  for (size_t i = 0; i < n; i++)
    {
      progress_blob_size (p, i, b[i].digest, b[i].size);
      if (store_has_blob (dst, b[i].digest))
        {
          done[i] = true;
          progress_blob_done (p, i, true);
        }
      else
        missing++;
    }
  if (src->dir)
    {
      for (size_t i = 0; i < n; i++)
        {
          cleanup_close int fd = -1;
          if (done[i] || store_has_blob (dst, b[i].digest))
            continue;
          if (store_blob_open (src->dir, b[i].digest, &fd, NULL, err) < 0)
            return -1;
          if (copy_stream (dst, &b[i], fd, NULL, p, i, err) < 0)
            return -1;
        }
      return 0;
    }
  /* small blobs were read by the scan already */
  for (size_t i = 0; i < n && missing > 0; i++)
    for (size_t k = 0; !done[i] && k < src->n_small; k++)
      if (strncmp (src->small[k].name, "blobs/sha256/", 13) == 0
          && strcmp (src->small[k].name + 13, digest_hex (b[i].digest)) == 0)
        {
          if ((long long) src->small[k].len != b[i].size)
            return oci_error_set (err, 0, "`%s`: blob %s has %zu bytes, %lld declared",
                                  src->archive, b[i].digest, src->small[k].len, b[i].size);
          if (store_put_blob (dst, src->small[k].data, src->small[k].len, b[i].digest, NULL, err)
              < 0)
            return oci_error_prefix (err, "`%s`: blob %s", src->archive, b[i].digest);
          progress_bytes (p, i, b[i].size);
          progress_blob_done (p, i, false);
          for (size_t j = 0; j < n; j++)
            if (!done[j] && strcmp (b[j].digest, b[i].digest) == 0)
              {
                done[j] = true;
                missing--;
              }
        }
  if (missing > 0)
    {
      cleanup_archive struct archive *a = NULL;
      struct archive_entry *e;
      int r;
      if (archive_open (src->archive, &a, err) < 0)
        return -1;
      while (missing > 0 && (r = la.read_next_header (a, &e)) == ARCHIVE_OK)
        {
          const char *nm = entry_name (e);
          if (nm == NULL || strncmp (nm, "blobs/sha256/", 13) != 0)
            continue;
          for (size_t i = 0; i < n; i++)
            if (!done[i] && strcmp (nm + 13, digest_hex (b[i].digest)) == 0)
              {
                if (copy_stream (dst, &b[i], -1, a, p, i, err) < 0)
                  return oci_error_prefix (err, "`%s`", src->archive);
                for (size_t k = 0; k < n; k++)
                  if (!done[k] && strcmp (b[k].digest, b[i].digest) == 0)
                    {
                      done[k] = true;
                      missing--;
                    }
                break;
              }
        }
      if (missing > 0)
        for (size_t i = 0; i < n; i++)
          if (!done[i])
            return oci_error_set (err, 0, "`%s`: blob %s is missing", src->archive, b[i].digest);
    }
  return 0;
}

/* The index.json entry: by name (as written, or normalised like ours),
   or the only one. */
static int src_lookup (layout_src *src, const char *name, char **digest, char **mt,
                       char **found_name, oci_error **err)
{
  cleanup_free char *buf = NULL;
  cleanup_json yajl_val doc = NULL;
  cleanup_ref image_ref *ref = NULL;
  cleanup_free char *norm = NULL;
  size_t len;
  yajl_val ms, hit = NULL;
  if (src->dir)
    {
      if (read_file_at (store_dirfd (src->dir), "index.json", 64 << 20, &buf, &len, err) < 0)
        return -1;
    }
  else if (src_archive_member (src, "index.json", 64 << 20, &buf, &len, err) < 0)
    return -1;
  if (json_parse (buf, len, "index.json", &doc, err) < 0)
    return -1;
  ms = json_get_array (doc, "manifests");
  if (name && ref_parse (name, &ref, NULL) == 0)
    norm = ref_store_name (ref);
  for (size_t i = 0; i < json_array_len (ms); i++)
    {
      yajl_val m = json_array_at (ms, i);
      const char *n = json_get_string (json_get_object (m, "annotations"), ANNOT_REF_NAME);
      if (name == NULL)
        {
          if (json_array_len (ms) == 1)
            hit = m;
        }
      else if (n && (strcmp (n, name) == 0 || (norm && strcmp (n, norm) == 0)))
        hit = m;
    }
  /* one unnamed image: the name on the command line names it */
  if (hit == NULL && name && json_array_len (ms) == 1
      && json_get_string (json_get_object (json_array_at (ms, 0), "annotations"), ANNOT_REF_NAME)
           == NULL)
    hit = json_array_at (ms, 0);
  if (hit == NULL)
    {
      if (name)
        return oci_error_set (err, 0, "no image named `%s` in the layout", name);
      return oci_error_set (err, 0, "the layout holds %zu images: name one (oci:DIR:NAME)",
                            json_array_len (ms));
    }
  {
    const char *d = json_get_string (hit, "digest");
    const char *t = json_get_string (hit, "mediaType");
    const char *n = json_get_string (json_get_object (hit, "annotations"), ANNOT_REF_NAME);
    if (d == NULL || !digest_is_valid (d))
      return oci_error_set (err, 0, "index.json entry has a bad digest");
    *digest = strdup (d);
    *mt = t ? strdup (t) : NULL;
    *found_name = n ? strdup (n) : NULL;
  }
  return 0;
}

static int load (layout_src *src, const char *digest, const char *mt, manifest *m, oci_error **err)
{
  char *raw = NULL;
  size_t len;
  if (src_read_blob (src, digest, MANIFEST_MAX_SIZE, &raw, &len, err) < 0)
    return -1;
  return manifest_load (raw, len, mt, "manifest", m, err);
}

static int do_pull (store *s, layout_src *src, const char *name, const pull_opts *o, char **pinned,
                    oci_error **err)
{
  cleanup_free char *digest = NULL, *mt = NULL, *found = NULL, *store_name = NULL;
  cleanup_free blob_desc *blobs = NULL;
  cleanup_ref image_ref *ref = NULL;
  manifest m = { 0 };
  progress *p = NULL;
  size_t n;
  int rc = -1;

  if (src_lookup (src, name, &digest, &mt, &found, err) < 0)
    return -1;
  /* The store names images by normalised reference. */
  if (name == NULL && found == NULL)
    return oci_error_set (err, 0, "the image has no name in the layout: give one (%s:PATH:NAME)",
                          src->archive ? "oci-archive" : "oci");
  if (ref_parse (name ? name : found, &ref, err) < 0)
    return oci_error_prefix (err, "cannot name the image in the store");
  if (load (src, digest, mt, &m, err) < 0)
    return -1;
  if (manifest_is_index (&m))
    {
      cleanup_free char *child = NULL, *child_mt = NULL;
      if (manifest_take_child (&m, &o->want, &child, &child_mt, err) < 0
          || load (src, child, child_mt, &m, err) < 0)
        return -1;
      if (manifest_is_index (&m))
        {
          oci_error_set (err, 0, "the platform entry %s is itself an index", child);
          goto out;
        }
    }
  if (manifest_blobs (&m, &blobs, &n, err) < 0)
    goto out;
  p = progress_new (o->show_progress, name ? name : found, n);
  if (src_copy_blobs (src, s, blobs, n, p, err) < 0)
    goto out;
  progress_finish (p);
  if (store_put_blob (s, m.raw, m.len, m.digest, NULL, err) < 0)
    goto out;
  store_name = ref_store_name (ref);
  *pinned = ref_pinned (ref, m.digest);
  if (store_name == NULL || *pinned == NULL)
    {
      oci_error_set (err, ENOMEM, "pull");
      goto out;
    }
  if (store_index_set (s, store_name, m.media_type, m.digest, (long long) m.len, err) < 0)
    goto out;
  rc = 0;
out:
  progress_free (p);
  manifest_clear (&m);
  return rc;
}

int layout_source_pull (store *s, const char *source, const pull_opts *o, char **pinned,
                        oci_error **err)
{
  bool is_archive = strncmp (source, "oci-archive:", 12) == 0;
  const char *rest = source + (is_archive ? 12 : 4);
  const char *colon = strchr (rest, ':');
  cleanup_free char *path = colon ? strndup (rest, colon - rest) : strdup (rest);
  const char *name = colon && colon[1] ? colon + 1 : NULL;
  cleanup_store store *dir = NULL;
  layout_src src = { 0 };
  int r;

  if (path == NULL)
    return oci_error_set (err, ENOMEM, "%s", source);
  if (*path == '\0')
    return oci_error_set (err, 0, "%s: no path (want %s:PATH[:NAME])", source,
                          is_archive ? "oci-archive" : "oci");
  if (is_archive)
    {
      if (access (path, R_OK) < 0)
        return oci_error_set (err, errno, "%s", source);
      src.archive = path;
    }
  else
    {
      if (store_open (path, 0, &dir, err) < 0)
        return oci_error_prefix (err, "%s", source);
      src.dir = dir;
    }
  r = do_pull (s, &src, name, o, pinned, err);
  src_free (&src);
  if (r < 0)
    return oci_error_prefix (err, "%s", source);
  return 0;
}
