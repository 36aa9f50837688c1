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
  bool seal_only; /* a commit that leaves the sealed writer in t->w, unnamed */
} task;

/* Commits wait for fsync, which waits for a journal commit: milliseconds
   to tens of milliseconds on a busy disk. They run on their own threads
   so that the appends of the other blobs (and the network) go on, and
   several of them can share one journal commit. */
#define SINK_COMMITTERS 3

/* Buffers of distinct blobs hashed at once (sha256x.h: up to 4 streams
   share the SHA unit), and how far down the queue to look for them. */
#define SHA256X_BATCH 4
#define SINK_SCAN 16

struct blob_sink
{
  pthread_t thread;
  pthread_t committers[SINK_COMMITTERS];
  size_t n_committers;
  bool running, quit;
  pthread_mutex_t mu;
  pthread_cond_t work;   /* a task was queued, or quit */
  pthread_cond_t commit; /* a commit was queued, or quit */
  pthread_cond_t done;   /* a target's last pending task finished */
  pthread_cond_t bufs;   /* buffers came back (see task_done) */
  int buf_waiters;
  task *head, *tail;
  task *chead, *ctail;   /* commits whose appends are all done */
  task *shead, *stail;   /* staged by the producer, not yet queued (no lock) */
  unsigned events;       /* commits done and failures so far (see blob_sink_events) */
  char **free_bufs;
  size_t n_free, n_bufs, bufsize;
  char *pool;
  CURLM *wake;
};

static void submit_locked (blob_sink *k);

static void push (task **head, task **tail, task *tk)
{
  tk->next = NULL;
  if (*tail)
    (*tail)->next = tk;
  else
    *head = tk;
  *tail = tk;
}

static task *pop (task **head, task **tail)
{
  task *tk = *head;
  *head = tk->next;
  if (*head == NULL)
    *tail = NULL;
  return tk;
}

/* Called with the lock held: a task of t is over. */
static void task_done (blob_sink *k, task *tk, oci_error *e)
{
  sink_target *t = tk->t;
  if (e && t->err == NULL)
    {
      t->err = e;
      __atomic_add_fetch (&k->events, 1, __ATOMIC_RELEASE);
    }
  else if (e)
    oci_error_free (&e);
  if (tk->buf)
    {
      k->free_bufs[k->n_free++] = tk->buf;
      /* Wake the network side only once half the pool is free (or the
         append thread goes idle, see sink_main): it then fills several
         buffers per wake-up instead of ping-ponging one at a time
         (measured: ~500 wake-ups per 50 MB pull before). */
      if (k->buf_waiters > 0 && k->n_free >= (k->n_bufs + 1) / 2)
        pthread_cond_signal (&k->bufs);
    }
  else
    {
      t->committed = true;
      __atomic_add_fetch (&k->events, 1, __ATOMIC_RELEASE);
    }
  if (--t->pending == 0)
    pthread_cond_broadcast (&k->done);
  if (tk->buf == NULL && k->wake)
    curl_multi_wakeup (k->wake);
  free (tk);
}

/* Take out of the queue up to `max` - 1 more buffers to hash together
   with `first` (SHA-256 of several blobs at once costs less CPU than one
   by one): each the earliest queued task of its blob, so that every
   blob's bytes still go in order, and of a blob not failed. */
static size_t take_companions (blob_sink *k, task *first, task *batch[], size_t max)
{
  const sink_target *seen[SINK_SCAN];
  size_t n_seen = 0, n = 0;
  task *prev = NULL, *t = k->head;
  batch[n++] = first;
  seen[n_seen++] = first->t;
  while (t && n < max && n_seen < SINK_SCAN)
    {
      task *next = t->next;
      bool dup = false;
      for (size_t i = 0; i < n_seen && !dup; i++)
        dup = seen[i] == t->t;
      if (!dup)
        {
          seen[n_seen++] = t->t;
          if (t->buf && t->t->err == NULL)
            {
              /* unlink t */
              if (prev)
                prev->next = next;
              else
                k->head = next;
              if (k->tail == t)
                k->tail = prev;
              batch[n++] = t;
              t = next;
              continue;
            }
        }
      prev = t;
      t = next;
    }
  return n;
}

/* The append thread: buffers in queue order per blob (each blob's bytes
   stay in order; several blobs' buffers are hashed together); a commit
   marker passes to the committers once the blob's appends before it are
   done. */
static void *sink_main (void *arg)
{
  blob_sink *k = arg;
  pthread_mutex_lock (&k->mu);
  for (;;)
    {
      task *tk, *batch[SHA256X_BATCH];
      size_t n;
      /* nothing more to append: whoever waits for a buffer gets what is free */
      if (k->head == NULL && k->buf_waiters > 0 && k->n_free > 0)
        pthread_cond_signal (&k->bufs);
      while (k->head == NULL && !k->quit)
        pthread_cond_wait (&k->work, &k->mu);
      if (k->quit)
        break;
      tk = pop (&k->head, &k->tail);
      if (tk->buf == NULL)
        {
          push (&k->chead, &k->ctail, tk);
          pthread_cond_signal (&k->commit);
          continue;
        }
      if (tk->t->err)
        {
          task_done (k, tk, NULL);
          continue;
        }
      n = take_companions (k, tk, batch, SHA256X_BATCH);
      pthread_mutex_unlock (&k->mu);
      {
        store_writer *w[SHA256X_BATCH];
        const void *b[SHA256X_BATCH];
        size_t len[SHA256X_BATCH];
        oci_error *e[SHA256X_BATCH] = { NULL };
        for (size_t i = 0; i < n; i++)
          {
            w[i] = batch[i]->t->w;
            b[i] = batch[i]->buf;
            len[i] = batch[i]->len;
          }
        store_blob_hash_many (w, b, len, n);
        for (size_t i = 0; i < n; i++)
          store_blob_write (w[i], b[i], len[i], &e[i]);
        pthread_mutex_lock (&k->mu);
        for (size_t i = 0; i < n; i++)
          task_done (k, batch[i], e[i]);
      }
    }
  pthread_mutex_unlock (&k->mu);
  return NULL;
}

static void *committer_main (void *arg)
{
  blob_sink *k = arg;
  pthread_mutex_lock (&k->mu);
  for (;;)
    {
      task *tk;
      oci_error *e = NULL;
      while (k->chead == NULL && !k->quit)
        pthread_cond_wait (&k->commit, &k->mu);
      if (k->quit)
        break;
      tk = pop (&k->chead, &k->ctail);
      if (tk->t->err == NULL)
        {
          store_writer *w = tk->t->w, *keep = NULL;
          tk->t->w = NULL; /* the commit frees it, whatever the outcome */
          pthread_mutex_unlock (&k->mu);
          /* the bytes durable, then the name (without a directory sync:
             store_index_set syncs blobs/sha256 before naming any) */
          if (store_blob_seal (w, NULL, &e) == 0)
            {
              if (tk->seal_only)
                keep = w;
              else
                store_blob_publish (w, &e);
            }
          pthread_mutex_lock (&k->mu);
          tk->t->w = keep;
        }
      task_done (k, tk, e);
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
  pthread_cond_init (&k->commit, NULL);
  pthread_cond_init (&k->done, NULL);
  pthread_cond_init (&k->bufs, NULL);
  {
    /* the threads only hash, write and sync: a small stack will do */
    pthread_attr_t attr;
    int r;
    pthread_attr_init (&attr);
    pthread_attr_setstacksize (&attr, 256 << 10);
    r = pthread_create (&k->thread, &attr, sink_main, k);
    if (r == 0)
      k->running = true;
    for (size_t i = 0; r == 0 && i < SINK_COMMITTERS; i++)
      {
        r = pthread_create (&k->committers[i], &attr, committer_main, k);
        if (r == 0)
          k->n_committers++;
      }
    pthread_attr_destroy (&attr);
    if (r != 0)
      {
        blob_sink_stop (k);
        return oci_error_set (err, r, "start the blob writer threads");
      }
  }
  k->running = true;
  *out = k;
  return 0;
}

static void drop_all (task **head, task **tail)
{
  while (*head)
    {
      task *t = pop (head, tail);
      t->t->pending--;
      free (t);
    }
}

void blob_sink_stop (blob_sink *k)
{
  if (k == NULL)
    return;
  pthread_mutex_lock (&k->mu);
  k->quit = true;
  pthread_cond_broadcast (&k->work);
  pthread_cond_broadcast (&k->commit);
  pthread_mutex_unlock (&k->mu);
  if (k->running)
    pthread_join (k->thread, NULL);
  for (size_t i = 0; i < k->n_committers; i++)
    pthread_join (k->committers[i], NULL);
  drop_all (&k->head, &k->tail);
  drop_all (&k->chead, &k->ctail);
  while (k->shead) /* staged: not counted as pending */
    free (pop (&k->shead, &k->stail));
  pthread_mutex_destroy (&k->mu);
  pthread_cond_destroy (&k->work);
  pthread_cond_destroy (&k->commit);
  pthread_cond_destroy (&k->done);
  pthread_cond_destroy (&k->bufs);
  free (k->pool);
  free (k->free_bufs);
  free (k);
}

size_t blob_sink_bufsize (const blob_sink *k) { return k->bufsize; }

unsigned blob_sink_events (blob_sink *k) { return __atomic_load_n (&k->events, __ATOMIC_ACQUIRE); }

char *blob_sink_get_buffer (blob_sink *k)
{
  char *b;
  pthread_mutex_lock (&k->mu);
  /* none free: the staged ones must go, or nothing ever comes back */
  if (k->n_free == 0)
    submit_locked (k);
  while (k->n_free == 0)
    {
      k->buf_waiters++;
      pthread_cond_wait (&k->bufs, &k->mu);
      k->buf_waiters--;
    }
  b = k->free_bufs[--k->n_free];
  pthread_mutex_unlock (&k->mu);
  return b;
}

void blob_sink_put_buffer (blob_sink *k, char *buf)
{
  pthread_mutex_lock (&k->mu);
  k->free_bufs[k->n_free++] = buf;
  pthread_cond_signal (&k->bufs);
  pthread_mutex_unlock (&k->mu);
}

/* Called with the lock held: the staged tasks join the queue, in order. */
static void submit_locked (blob_sink *k)
{
  if (k->shead == NULL)
    return;
  while (k->shead)
    {
      task *tk = pop (&k->shead, &k->stail);
      tk->t->pending++;
      push (&k->head, &k->tail, tk);
    }
  pthread_cond_signal (&k->work);
}

void blob_sink_submit (blob_sink *k)
{
  if (k->shead == NULL)
    return;
  pthread_mutex_lock (&k->mu);
  submit_locked (k);
  pthread_mutex_unlock (&k->mu);
}

static void enqueue (blob_sink *k, sink_target *t, char *buf, size_t len, bool seal_only,
                     bool stage)
{
  task *tk = calloc (1, sizeof *tk);
  if (tk == NULL)
    {
      /* out of memory for a few bytes: fail the blob, not the process */
      pthread_mutex_lock (&k->mu);
      submit_locked (k);
      if (t->err == NULL)
        {
          oci_error_set (&t->err, ENOMEM, "blob writer");
          __atomic_add_fetch (&k->events, 1, __ATOMIC_RELEASE);
        }
      if (buf)
        k->free_bufs[k->n_free++] = buf;
      pthread_cond_signal (&k->bufs);
      pthread_mutex_unlock (&k->mu);
      return;
    }
  tk->t = t;
  tk->buf = buf;
  tk->len = len;
  tk->seal_only = seal_only;
  if (stage)
    {
      push (&k->shead, &k->stail, tk);
      return;
    }
  pthread_mutex_lock (&k->mu);
  submit_locked (k); /* what was staged goes first */
  t->pending++;
  push (&k->head, &k->tail, tk);
  pthread_cond_signal (&k->work);
  pthread_mutex_unlock (&k->mu);
}

void blob_sink_write (blob_sink *k, sink_target *t, char *buf, size_t len)
{
  enqueue (k, t, buf, len, false, false);
}

void blob_sink_stage (blob_sink *k, sink_target *t, char *buf, size_t len)
{
  enqueue (k, t, buf, len, false, true);
}

void blob_sink_commit (blob_sink *k, sink_target *t) { enqueue (k, t, NULL, 0, false, false); }
void blob_sink_seal (blob_sink *k, sink_target *t) { enqueue (k, t, NULL, 0, true, false); }

void blob_sink_drain (blob_sink *k, sink_target *t)
{
  pthread_mutex_lock (&k->mu);
  submit_locked (k);
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
