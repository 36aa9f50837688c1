/* The disk side of blob downloads: a thread that appends received
   buffers to store writers (hashing as it writes) and a few that commit
   finished blobs (verify, fsync, link), so that SHA-256 and fsync run
   beside the network loop instead of stalling every transfer. Buffers come from a
   fixed pool: a slow disk holds the network back instead of growing
   memory. */
#ifndef OCIKIT_FETCH_BLOB_SINK_H
#define OCIKIT_FETCH_BLOB_SINK_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "store.h"

typedef struct blob_sink blob_sink;

/* One blob being written. The fields are the sink's (read them only
   through blob_sink_state); `w` may be used by the caller only while no
   task is pending (after blob_sink_drain). */
typedef struct sink_target
{
  store_writer *w;
  int pending;     /* queued tasks */
  bool committed;  /* the commit task ran (successfully unless err) */
  oci_error *err;  /* first failure */
} sink_target;

/* `wake` (may be NULL) is woken with curl_multi_wakeup when a commit
   finishes. */
int blob_sink_start (size_t nbufs, size_t bufsize, CURLM *wake, blob_sink **out,
                     oci_error **err);
/* Stop the thread (pending tasks are dropped) and free the pool. */
void blob_sink_stop (blob_sink *k);
size_t blob_sink_bufsize (const blob_sink *k);

/* A free buffer; waits while all are in flight. */
char *blob_sink_get_buffer (blob_sink *k);
void blob_sink_put_buffer (blob_sink *k, char *buf);
/* Queue `len` bytes of `buf` for t->w; the buffer goes back to the pool. */
void blob_sink_write (blob_sink *k, sink_target *t, char *buf, size_t len);
/* The same, held back until blob_sink_submit (or any other call that
   queues, drains or waits for a buffer): the buffers of a round of
   transfers reach the writer together, one lock and one wake-up, and it
   can hash them together. Producer side only (one thread). */
void blob_sink_stage (blob_sink *k, sink_target *t, char *buf, size_t len);
void blob_sink_submit (blob_sink *k);
/* Queue the commit of t->w (which the sink then frees). */
void blob_sink_commit (blob_sink *k, sink_target *t);
/* Queue only its seal (store_blob_seal): once `committed`, t->w is the
   sealed, still unnamed writer, for the caller to publish (or NULL with
   the error). */
void blob_sink_seal (blob_sink *k, sink_target *t);
/* Wait until nothing is queued for t. */
void blob_sink_drain (blob_sink *k, sink_target *t);
/* A count that grows with every commit done and every first failure of
   a target: blob_sink_state has news only when it changed (read without
   taking the sink's lock). */
unsigned blob_sink_events (blob_sink *k);
/* Snapshot: failed (the error moves to *err) or committed. */
void blob_sink_state (blob_sink *k, sink_target *t, bool *committed, oci_error **err);

#endif
