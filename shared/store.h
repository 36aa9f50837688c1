/* The store: an OCI image layout (image-spec image-layout.md) —
   oci-layout, index.json, blobs/sha256/HEX — readable by skopeo and umoci.
   Invariants (DESIGN.md "The store"): a blob is visible only after its
   digest was verified (written as an O_TMPFILE, or under blobs/tmp/,
   then fsync, link/rename);
   index.json is replaced atomically under an flock; a crash at any point
   leaves a store that verifies clean. */
#ifndef OCIKIT_STORE_H
#define OCIKIT_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "digest.h"
#include "error.h"

typedef struct store store;
typedef struct store_writer store_writer;

enum
{
  STORE_CREATE = 1 << 0, /* lay out a new store if the directory has none */
  /* STORE_CREATE whose syncs run on a thread while the caller goes on:
     blobs can be written at once; whatever names something in the store
     (publish, index, lock, verify) waits for the layout to be durable */
  STORE_CREATE_BACKGROUND = 1 << 1,
};

/* The store path from an option (may be NULL), then $OCIKIT_STORE, then
   /var/lib/ocikit/store for root or $XDG_DATA_HOME/ocikit/store. */
char *store_default_path (const char *opt);

int store_open (const char *path, int flags, store **out, oci_error **err);
void store_close (store *s);
static inline void store_closep (store **s)
{
  if (*s)
    store_close (*s);
}
#define cleanup_store __attribute__ ((cleanup (store_closep)))
const char *store_path (const store *s);
/* This open created the layout (nothing was in it before). */
bool store_is_new (const store *s);
int store_dirfd (const store *s);

/* Blobs. */
bool store_has_blob (store *s, const char *digest);
/* Open a blob read-only; *size gets its length. */
int store_blob_open (store *s, const char *digest, int *fd, long long *size,
                     oci_error **err);
/* Read a small blob (manifest, config) whole and check its digest. */
int store_blob_read (store *s, const char *digest, size_t max, char **buf, size_t *len,
                     oci_error **err);

/* Streamed write: create, append..., commit (verifies against `expected`
   when given, then makes the blob visible) or abort. commit and abort
   free the writer. A blob that exists already is a successful commit. */
int store_blob_create (store *s, const char *expected, store_writer **w, oci_error **err);
int store_blob_append (store_writer *w, const void *buf, size_t len, oci_error **err);
/* append = hash + write, in two halves for callers that hash several
   blobs' next bytes together (digest_update_many: less CPU); the w[i]
   distinct, each blob's bytes hashed and written in order. */
void store_blob_hash_many (store_writer *w[], const void *buf[], const size_t len[], size_t n);
int store_blob_write (store_writer *w, const void *buf, size_t len, oci_error **err);
long long store_writer_size (const store_writer *w);
/* Reserve the disk space of a blob whose size is known (the manifest
   says it): a best effort, errors are ignored (a full disk still shows
   at append). */
void store_blob_reserve (store_writer *w, long long size);
/* Start over (a server that ignored Range). */
int store_blob_restart (store_writer *w, oci_error **err);
int store_blob_commit (store_writer *w, char out[DIGEST_STR_LEN + 1], oci_error **err);
/* The same in two steps, for callers that name many blobs: seal verifies
   (like commit) and makes the bytes durable, the blob still unnamed (on
   failure the writer is freed); publish names it and frees the writer.
   A published blob is visible at once and its name durable after the next
   store_sync_blobs, which store_index_set does before writing the index,
   so an index entry never outlives its blobs in a power cut. */
int store_blob_seal (store_writer *w, char out[DIGEST_STR_LEN + 1], oci_error **err);
int store_blob_publish (store_writer *w, oci_error **err);
int store_sync_blobs (store *s, oci_error **err);
void store_blob_abort (store_writer *w);
/* Whole-buffer put; `expected` may be NULL. */
int store_put_blob (store *s, const void *buf, size_t len, const char *expected,
                    char out[DIGEST_STR_LEN + 1], oci_error **err);

/* index.json. Add or replace the entry named `name` (annotation
   org.opencontainers.image.ref.name), under the store lock. */
int store_index_set (store *s, const char *name, const char *media_type,
                     const char *digest, long long size, oci_error **err);
/* Find the entry named `name`. When `name` is NULL or not found and the
   index has exactly one entry and `name` was NULL, that entry. Sets
   *digest and *media_type (malloc'd). Returns 0 found, 1 not found, <0 error. */
int store_index_lookup (store *s, const char *name, char **digest, char **media_type,
                        oci_error **err);
/* Remove the entry named `name` (blobs stay; see store_gc). */
int store_index_remove (store *s, const char *name, oci_error **err);

/* Check every blob's digest and that index entries point at blobs.
   *bad counts the problems (each logged as a warning). */
int store_verify (store *s, int *bad, oci_error **err);

/* Wait for a STORE_CREATE_BACKGROUND layout to be durable (its error). */
int store_wait (store *s, oci_error **err);

/* Exclusive lock over the store (for index updates and gc). */
int store_lock (store *s, oci_error **err);
void store_unlock (store *s, int lockfd);

#endif
