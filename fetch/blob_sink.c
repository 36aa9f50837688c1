#include "blob_sink.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct task
{
  struct task *next;
  sink_target *t;
  char *buf;  /* NULL: commit */
  size_t len;
} task;

struct blob_sink
{
  pthread_t thread;
  bool running, quit;
  pthread_mutex_t mu;
  pthread_cond_t work;  /* a task was queued, or quit */
  pthread_cond_t done;  /* a buffer came back, or a task finished */
  task *head, *tail;
  char **free_bufs;
  size_t n_free, n_bufs, bufsize;
  char *pool;
  CURLM *wake;
};

static void *sink_main (void *arg)
{
  blob_sink *k = arg;
  pthread_mutex_lock (&k->mu);
  for (;;)
    {
      task *tk;
      sink_target *t;
      bool failed;
      oci_error *e = NULL;
      while (k->head == NULL && !k->quit)
        pthread_cond_wait (&k->work, &k->mu);
      if (k->quit)
        break;
      tk = k->head;
      k->head = tk->next;
      if (k->head == NULL)
        k->tail = NULL;
      t = tk->t;
      failed = t->err != NULL;
      pthread_mutex_unlock (&k->mu);

      /* the disk work, outside the lock */
      if (!failed && tk->buf)
        store_blob_append (t->w, tk->buf, tk->len, &e);
      else if (!failed)
        {
          store_writer *w = t->w;
          t->w = NULL; /* the commit frees it, whatever the outcome */
          store_blob_commit (w, NULL, &e);
        }

      pthread_mutex_lock (&k->mu);
      if (e && t->err == NULL)
        t->err = e;
      else if (e)
        oci_error_free (&e);
      if (tk->buf)
        k->free_bufs[k->n_free++] = tk->buf;
      else
        t->committed = true;
      t->pending--;
      pthread_cond_broadcast (&k->done);
      if (tk->buf == NULL && k->wake)
        curl_multi_wakeup (k->wake);
      free (tk);
    }
  pthread_mutex_unlock (&k->mu);
  return NULL;
}

int blob_sink_start (size_t nbufs, size_t bufsize, CURLM *wake, blob_sink **out,
                     oci_error **err)
{
  blob_sink *k = calloc (1, sizeof *k);
  if (k == NULL)
    return oci_error_set (err, ENOMEM, "blob writer");
  k->pool = malloc (nbufs * bufsize);
  k->free_bufs = calloc (nbufs, sizeof *k->free_bufs);
  if (k->pool == NULL || k->free_bufs == NULL)
    {
      free (k->pool);
      free (k->free_bufs);
      free (k);
      return oci_error_set (err, ENOMEM, "blob writer buffers");
    }
  for (size_t i = 0; i < nbufs; i++)
    k->free_bufs[i] = k->pool + i * bufsize;
  k->n_free = k->n_bufs = nbufs;
  k->bufsize = bufsize;
  k->wake = wake;
  pthread_mutex_init (&k->mu, NULL);
  pthread_cond_init (&k->work, NULL);
  pthread_cond_init (&k->done, NULL);
  {
    /* the thread only hashes and writes: a small stack will do */
    pthread_attr_t attr;
    int r;
    pthread_attr_init (&attr);
    pthread_attr_setstacksize (&attr, 256 << 10);
    r = pthread_create (&k->thread, &attr, sink_main, k);
    pthread_attr_destroy (&attr);
    if (r != 0)
      {
        blob_sink_stop (k);
        return oci_error_set (err, r, "start the blob writer thread");
      }
  }
  k->running = true;
  *out = k;
  return 0;
}

void blob_sink_stop (blob_sink *k)
{
  if (k == NULL)
    return;
  if (k->running)
    {
      pthread_mutex_lock (&k->mu);
      k->quit = true;
      pthread_cond_broadcast (&k->work);
      pthread_mutex_unlock (&k->mu);
      pthread_join (k->thread, NULL);
    }
  while (k->head)
    {
      task *t = k->head;
      k->head = t->next;
      t->t->pending--;
      free (t);
    }
  pthread_mutex_destroy (&k->mu);
  pthread_cond_destroy (&k->work);
  pthread_cond_destroy (&k->done);
  free (k->pool);
  free (k->free_bufs);
  free (k);
}

size_t blob_sink_bufsize (const blob_sink *k) { return k->bufsize; }

char *blob_sink_get_buffer (blob_sink *k)
{
  char *b;
  pthread_mutex_lock (&k->mu);
  while (k->n_free == 0)
    pthread_cond_wait (&k->done, &k->mu);
  b = k->free_bufs[--k->n_free];
  pthread_mutex_unlock (&k->mu);
  return b;
}

void blob_sink_put_buffer (blob_sink *k, char *buf)
{
  pthread_mutex_lock (&k->mu);
  k->free_bufs[k->n_free++] = buf;
  pthread_cond_broadcast (&k->done);
  pthread_mutex_unlock (&k->mu);
}

static void enqueue (blob_sink *k, sink_target *t, char *buf, size_t len)
{
  task *tk = calloc (1, sizeof *tk);
  if (tk == NULL)
    {
      /* out of memory for a few bytes: fail the blob, not the process */
      pthread_mutex_lock (&k->mu);
      if (t->err == NULL)
        oci_error_set (&t->err, ENOMEM, "blob writer");
      if (buf)
        k->free_bufs[k->n_free++] = buf;
      pthread_cond_broadcast (&k->done);
      pthread_mutex_unlock (&k->mu);
      return;
    }
  tk->t = t;
  tk->buf = buf;
  tk->len = len;
  pthread_mutex_lock (&k->mu);
  t->pending++;
  if (k->tail)
    k->tail->next = tk;
  else
    k->head = tk;
  k->tail = tk;
  pthread_cond_signal (&k->work);
  pthread_mutex_unlock (&k->mu);
}

void blob_sink_write (blob_sink *k, sink_target *t, char *buf, size_t len)
{
  enqueue (k, t, buf, len);
}

void blob_sink_commit (blob_sink *k, sink_target *t) { enqueue (k, t, NULL, 0); }

void blob_sink_drain (blob_sink *k, sink_target *t)
{
  pthread_mutex_lock (&k->mu);
  while (t->pending > 0)
    pthread_cond_wait (&k->done, &k->mu);
  pthread_mutex_unlock (&k->mu);
}

void blob_sink_state (blob_sink *k, sink_target *t, bool *committed, oci_error **err)
{
  pthread_mutex_lock (&k->mu);
  *committed = t->committed;
  if (t->err && err && *err == NULL)
    {
      *err = t->err;
      t->err = NULL;
      t->committed = true; /* nothing more will happen to it */
    }
  pthread_mutex_unlock (&k->mu);
}
