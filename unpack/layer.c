#include "layer.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "digest.h"
#include "inflate.h"

/* 8 x 256 KiB of tar in flight plus 256 KiB of compressed input: enough to
   keep both cores busy, far below the memory budget. */
#define RING_SLOTS 8
#define SLOT_SIZE (256u << 10)
#define INPUT_SIZE (256u << 10)

struct layer_stream
{
  int fd;
  size_t index;
  enum compression compression;
  char *digest;  /* expected compressed digest */
  char *diff_id; /* expected tar digest */
  long long *budget;

  pthread_t thread;
  bool thread_started;
  pthread_mutex_t mu;
  pthread_cond_t changed;
  unsigned char *slot[RING_SLOTS];
  size_t slot_len[RING_SLOTS];
  unsigned head, tail, count; /* filled slots: tail .. head-1 */
  bool holding;               /* the consumer holds slot[tail] */
  bool done, cancel;
  oci_error *perr; /* producer failure */
  /* the tar's digest is the consumer's work: it balances the two threads
     (the producer's inflate is the longer job) */
  digest_ctx *tar_digest;
  bool verified;
};

static void stream_fail (layer_stream *ls, oci_error *e)
{
  pthread_mutex_lock (&ls->mu);
  if (ls->perr == NULL)
    ls->perr = e;
  else
    oci_error_free (&e);
  ls->done = true;
  pthread_cond_broadcast (&ls->changed);
  pthread_mutex_unlock (&ls->mu);
}

/* Wait for a free slot; NULL when cancelled. */
static unsigned char *slot_acquire (layer_stream *ls)
{
  unsigned char *b = NULL;
  pthread_mutex_lock (&ls->mu);
  while (ls->count == RING_SLOTS && !ls->cancel)
    pthread_cond_wait (&ls->changed, &ls->mu);
  if (!ls->cancel)
    b = ls->slot[ls->head];
  pthread_mutex_unlock (&ls->mu);
  return b;
}

static void slot_publish (layer_stream *ls, size_t len)
{
  pthread_mutex_lock (&ls->mu);
  ls->slot_len[ls->head] = len;
  ls->head = (ls->head + 1) % RING_SLOTS;
  ls->count++;
  pthread_cond_broadcast (&ls->changed);
  pthread_mutex_unlock (&ls->mu);
}

static int produce (layer_stream *ls, oci_error **err)
{
  cleanup_free unsigned char *in = malloc (INPUT_SIZE);
  cleanup_inflater inflater *z = NULL;
  cleanup_digest digest_ctx *cd = digest_new ();
  char got_c[DIGEST_STR_LEN + 1];
  unsigned char *out = NULL;
  size_t out_len = 0, in_len = 0, in_pos = 0;
  bool eof = false;

  if (in == NULL || cd == NULL)
    return oci_error_set (err, ENOMEM, "layer %zu", ls->index);
  if (inflater_new (ls->compression, &z, err) < 0)
    return -1;
  for (;;)
    {
      size_t consumed = 0, produced = 0;
      if (in_pos == in_len && !eof)
        {
          ssize_t n = read (ls->fd, in, INPUT_SIZE);
          if (n < 0 && errno == EINTR)
            continue;
          if (n < 0)
            return oci_error_set (err, errno, "read");
          if (n == 0)
            eof = true;
          else
            digest_update (cd, in, (size_t) n);
          in_len = (size_t) n;
          in_pos = 0;
        }
      if (out == NULL)
        {
          out = slot_acquire (ls);
          if (out == NULL)
            return oci_error_set (err, ECANCELED, "stopped");
          out_len = 0;
        }
      if (in_pos < in_len)
        {
          if (inflater_run (z, in + in_pos, in_len - in_pos, &consumed, out + out_len,
                            SLOT_SIZE - out_len, &produced, err) < 0)
            return -1;
        }
      else if (!inflater_at_end (z) && eof)
        {
          /* input is over: let the decompressor flush what it holds */
          if (inflater_run (z, in, 0, &consumed, out + out_len, SLOT_SIZE - out_len,
                            &produced, err) < 0)
            return -1;
          if (produced == 0 && !inflater_at_end (z))
            return oci_error_set (err, 0, "%s stream is truncated",
                                  compression_name (ls->compression));
        }
      in_pos += consumed;
      out_len += produced;
      if (produced)
        {
          if ((long long) produced > *ls->budget)
            return oci_error_set (err, EFBIG, "uncompressed data exceeds the --max-size limit");
          *ls->budget -= (long long) produced;
        }
      if (out_len == SLOT_SIZE || (eof && in_pos == in_len && inflater_at_end (z)))
        {
          if (out_len)
            {
              slot_publish (ls, out_len);
              out = NULL;
            }
          if (eof && in_pos == in_len && inflater_at_end (z))
            break;
        }
    }
  digest_final (cd, got_c);
  if (strcmp (got_c, ls->digest) != 0)
    return oci_error_set (err, 0, "blob content does not match its digest (got %s)", got_c);
  return 0;
}

static void *producer_main (void *arg)
{
  layer_stream *ls = arg;
  oci_error *e = NULL;
  if (produce (ls, &e) < 0)
    {
      oci_error_prefix (&e, "layer %zu (%s)", ls->index, ls->digest);
      stream_fail (ls, e);
      return NULL;
    }
  pthread_mutex_lock (&ls->mu);
  ls->done = true;
  pthread_cond_broadcast (&ls->changed);
  pthread_mutex_unlock (&ls->mu);
  return NULL;
}

int layer_stream_open (int blobfd, const image_layer *l, size_t index, long long *budget,
                       layer_stream **out, oci_error **err)
{
  cleanup_close int fd = blobfd;
  layer_stream *ls;
  int c = compression_from_media_type (l->media_type);
  int r;

  if (c < 0)
    return oci_error_set (err, 0, "layer %zu (%s): unsupported media type `%s`", index,
                          l->digest, l->media_type);
  ls = calloc (1, sizeof *ls);
  if (ls == NULL)
    return oci_error_set (err, ENOMEM, "layer %zu", index);
  ls->fd = steal_fd (&fd);
  ls->index = index;
  ls->compression = (enum compression) c;
  ls->digest = strdup (l->digest);
  ls->diff_id = strdup (l->diff_id);
  ls->budget = budget;
  pthread_mutex_init (&ls->mu, NULL);
  pthread_cond_init (&ls->changed, NULL);
  for (int i = 0; i < RING_SLOTS; i++)
    if ((ls->slot[i] = malloc (SLOT_SIZE)) == NULL)
      {
        layer_stream_close (ls);
        return oci_error_set (err, ENOMEM, "layer %zu", index);
      }
  ls->tar_digest = digest_new ();
  if (ls->digest == NULL || ls->diff_id == NULL || ls->tar_digest == NULL)
    {
      layer_stream_close (ls);
      return oci_error_set (err, ENOMEM, "layer %zu", index);
    }
  posix_fadvise (ls->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  r = pthread_create (&ls->thread, NULL, producer_main, ls);
  if (r != 0)
    {
      layer_stream_close (ls);
      return oci_error_set (err, r, "layer %zu: start the decompressor thread", index);
    }
  ls->thread_started = true;
  *out = ls;
  return 0;
}

ssize_t layer_stream_read (layer_stream *ls, const void **buf)
{
  ssize_t n;
  pthread_mutex_lock (&ls->mu);
  if (ls->holding)
    {
      ls->tail = (ls->tail + 1) % RING_SLOTS;
      ls->count--;
      ls->holding = false;
      pthread_cond_broadcast (&ls->changed);
    }
  while (ls->count == 0 && !ls->done)
    pthread_cond_wait (&ls->changed, &ls->mu);
  if (ls->perr)
    n = -1;
  else if (ls->count > 0)
    {
      *buf = ls->slot[ls->tail];
      n = (ssize_t) ls->slot_len[ls->tail];
      ls->holding = true;
    }
  else
    n = 0;
  pthread_mutex_unlock (&ls->mu);
  if (n > 0)
    digest_update (ls->tar_digest, *buf, (size_t) n);
  else if (n == 0 && !ls->verified)
    {
      char got[DIGEST_STR_LEN + 1];
      digest_final (ls->tar_digest, got);
      ls->verified = true;
      if (strcmp (got, ls->diff_id) != 0)
        {
          oci_error *e = NULL;
          oci_error_set (&e, 0, "layer %zu (%s): uncompressed content does not match "
                         "rootfs.diff_ids[%zu] %s (got %s)", ls->index, ls->digest, ls->index,
                         ls->diff_id, got);
          stream_fail (ls, e);
          return -1;
        }
    }
  return n;
}

int layer_stream_error (layer_stream *ls, oci_error **err)
{
  int r = 0;
  pthread_mutex_lock (&ls->mu);
  if (ls->perr)
    {
      if (err && *err == NULL)
        *err = ls->perr;
      else
        oci_error_free (&ls->perr);
      ls->perr = NULL;
      r = -1;
    }
  pthread_mutex_unlock (&ls->mu);
  return r;
}

int layer_stream_finish (layer_stream *ls, oci_error **err)
{
  const void *buf;
  ssize_t n;
  while ((n = layer_stream_read (ls, &buf)) > 0)
    ;
  if (n < 0)
    return layer_stream_error (ls, err);
  return 0;
}

void layer_stream_close (layer_stream *ls)
{
  if (ls->thread_started)
    {
      pthread_mutex_lock (&ls->mu);
      ls->cancel = true;
      pthread_cond_broadcast (&ls->changed);
      pthread_mutex_unlock (&ls->mu);
      pthread_join (ls->thread, NULL);
    }
  if (ls->perr)
    oci_error_free (&ls->perr);
  for (int i = 0; i < RING_SLOTS; i++)
    free (ls->slot[i]);
  pthread_mutex_destroy (&ls->mu);
  pthread_cond_destroy (&ls->changed);
  if (ls->fd >= 0)
    close (ls->fd);
  if (ls->tar_digest)
    digest_free (ls->tar_digest);
  free (ls->digest);
  free (ls->diff_id);
  free (ls);
}
