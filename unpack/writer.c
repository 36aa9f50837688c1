#include "writer.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "fileutil.h"

#define MAX_THREADS 8
/* What a queued job counts against the budget besides its data, so that
   their number stays bounded (8 MiB: at most 2048) even for a layer of
   empty files. */
#define JOB_OVERHEAD (4u << 10)

static size_t job_cost (const file_job *j) { return j->len + JOB_OVERHEAD; }

struct writer_pool
{
  pthread_mutex_t mu;
  pthread_cond_t changed;
  pthread_t threads[MAX_THREADS];
  unsigned n_threads;
  file_job *head, *tail;
  size_t queued_bytes, max_bytes;
  unsigned active;
  bool stop;
  oci_error *err; /* the first failure */
};

dir_ref *dir_ref_new (int fd)
{
  dir_ref *d = malloc (sizeof *d);
  if (d == NULL)
    {
      close (fd);
      return NULL;
    }
  d->fd = fd;
  d->refs = 1;
  return d;
}

dir_ref *dir_ref_get (dir_ref *d)
{
  __atomic_add_fetch (&d->refs, 1, __ATOMIC_RELAXED);
  return d;
}

void dir_ref_put (dir_ref *d)
{
  if (d && __atomic_sub_fetch (&d->refs, 1, __ATOMIC_ACQ_REL) == 0)
    {
      close (d->fd);
      free (d);
    }
}

void file_job_free (file_job *j)
{
  if (j == NULL)
    return;
  dir_ref_put (j->dir);
  free (j->name);
  free (j->path);
  free (j->data);
  meta_clear (&j->meta);
  free (j);
}

int file_job_run (file_job *j, oci_error **err)
{
  cleanup_close int fd = openat (j->dir->fd, j->name,
                                 O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    return oci_error_set (err, errno, "`%s`: create", j->path);
  if (j->len && write_all (fd, j->data, j->len) < 0)
    return oci_error_set (err, errno, "`%s`: write", j->path);
  return meta_apply_file (&j->meta, j->rootless, fd, j->path, err);
}

static void *worker_main (void *arg)
{
  writer_pool *p = arg;
  for (;;)
    {
      file_job *j;
      oci_error *e = NULL;
      bool skip;
      pthread_mutex_lock (&p->mu);
      while (p->head == NULL && !p->stop)
        pthread_cond_wait (&p->changed, &p->mu);
      if (p->head == NULL)
        {
          pthread_mutex_unlock (&p->mu);
          return NULL;
        }
      j = p->head;
      p->head = j->next;
      if (p->head == NULL)
        p->tail = NULL;
      p->active++;
      skip = p->err != NULL; /* after a failure, finish quickly */
      pthread_mutex_unlock (&p->mu);

      if (!skip && file_job_run (j, &e) < 0)
        {
          pthread_mutex_lock (&p->mu);
          if (p->err == NULL)
            p->err = e;
          else
            oci_error_free (&e);
          pthread_mutex_unlock (&p->mu);
        }
      pthread_mutex_lock (&p->mu);
      p->active--;
      p->queued_bytes -= job_cost (j);
      pthread_cond_broadcast (&p->changed);
      pthread_mutex_unlock (&p->mu);
      file_job_free (j);
    }
}

int writer_pool_new (unsigned threads, size_t max_bytes, writer_pool **out, oci_error **err)
{
  writer_pool *p = calloc (1, sizeof *p);
  if (p == NULL)
    return oci_error_set (err, ENOMEM, "file writers");
  pthread_mutex_init (&p->mu, NULL);
  pthread_cond_init (&p->changed, NULL);
  p->max_bytes = max_bytes;
  if (threads > MAX_THREADS)
    threads = MAX_THREADS;
  for (unsigned i = 0; i < threads; i++)
    {
      int r = pthread_create (&p->threads[i], NULL, worker_main, p);
      if (r != 0)
        {
          writer_pool_free (p);
          return oci_error_set (err, r, "start file writers");
        }
      p->n_threads++;
    }
  *out = p;
  return 0;
}

static int take_error (writer_pool *p, oci_error **err)
{
  /* called locked */
  if (p->err == NULL)
    return 0;
  if (err && *err == NULL)
    *err = p->err;
  else
    oci_error_free (&p->err);
  p->err = NULL;
  return -1;
}

int writer_pool_submit (writer_pool *p, file_job *j, oci_error **err)
{
  int r;
  pthread_mutex_lock (&p->mu);
  while (p->err == NULL && p->queued_bytes > 0 && p->queued_bytes + job_cost (j) > p->max_bytes)
    pthread_cond_wait (&p->changed, &p->mu);
  r = take_error (p, err);
  if (r == 0)
    {
      j->next = NULL;
      if (p->tail)
        p->tail->next = j;
      else
        p->head = j;
      p->tail = j;
      p->queued_bytes += job_cost (j);
      pthread_cond_broadcast (&p->changed);
      j = NULL;
    }
  pthread_mutex_unlock (&p->mu);
  file_job_free (j);
  return r;
}

int writer_pool_drain (writer_pool *p, oci_error **err)
{
  int r;
  pthread_mutex_lock (&p->mu);
  while (p->head || p->active)
    pthread_cond_wait (&p->changed, &p->mu);
  r = take_error (p, err);
  pthread_mutex_unlock (&p->mu);
  return r;
}

void writer_pool_free (writer_pool *p)
{
  if (p == NULL)
    return;
  pthread_mutex_lock (&p->mu);
  p->stop = true;
  while (p->head)
    {
      file_job *j = p->head;
      p->head = j->next;
      file_job_free (j);
    }
  p->tail = NULL;
  pthread_cond_broadcast (&p->changed);
  pthread_mutex_unlock (&p->mu);
  for (unsigned i = 0; i < p->n_threads; i++)
    pthread_join (p->threads[i], NULL);
  if (p->err)
    oci_error_free (&p->err);
  pthread_mutex_destroy (&p->mu);
  pthread_cond_destroy (&p->changed);
  free (p);
}
