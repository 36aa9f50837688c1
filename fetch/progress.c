#include "progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "digest.h"

typedef struct blob_progress
{
  char short_digest[13];
  long long size, done;
  int state; /* 0 waiting, 1 running, 2 finished */
} blob_progress;

struct progress
{
  char *image;
  size_t n;
  blob_progress *b;
  long long total, done;
  double start, last_draw;
};

static double now_s (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void human (long long b, char *buf, size_t len)
{
  if (b >= (1LL << 20))
    snprintf (buf, len, "%.1f MiB", b / 1048576.0);
  else if (b >= 1024)
    snprintf (buf, len, "%.1f KiB", b / 1024.0);
  else
    snprintf (buf, len, "%lld B", b);
}

progress *progress_new (bool enabled, const char *image, size_t n_blobs)
{
  progress *p;
  if (!enabled)
    return NULL;
  p = calloc (1, sizeof *p);
  if (p == NULL)
    return NULL;
  p->b = calloc (n_blobs ? n_blobs : 1, sizeof *p->b);
  p->image = strdup (image);
  if (p->b == NULL || p->image == NULL)
    {
      progress_free (p);
      return NULL;
    }
  p->n = n_blobs;
  p->start = now_s ();
  return p;
}

void progress_free (progress *p)
{
  if (p == NULL)
    return;
  free (p->b);
  free (p->image);
  free (p);
}

void progress_blob_size (progress *p, size_t idx, const char *digest, long long size)
{
  if (p == NULL || idx >= p->n)
    return;
  snprintf (p->b[idx].short_digest, sizeof p->b[idx].short_digest, "%s",
            digest_is_valid (digest) ? digest_hex (digest) : digest);
  p->b[idx].size = size;
  p->total += size;
}

static void draw (progress *p, bool force)
{
  char line[512], a[32], b[32], r[32];
  size_t used = 0, finished = 0;
  double t = now_s (), el;
  if (!force && t - p->last_draw < 0.1)
    return;
  p->last_draw = t;
  el = t - p->start;
  for (size_t i = 0; i < p->n; i++)
    finished += p->b[i].state == 2;
  human (p->done, a, sizeof a);
  human (p->total, b, sizeof b);
  human (el > 0.05 ? (long long) (p->done / el) : 0, r, sizeof r);
  used = snprintf (line, sizeof line, "%s: %zu/%zu blobs, %s / %s, %s/s", p->image, finished,
                   p->n, a, b, r);
  for (size_t i = 0; i < p->n && used < sizeof line - 40; i++)
    if (p->b[i].state == 1 && p->b[i].size > 0)
      used += snprintf (line + used, sizeof line - used, " [%.8s %lld%%]", p->b[i].short_digest,
                        p->b[i].done * 100 / p->b[i].size);
  fprintf (stderr, "\r\033[K%s", line);
  fflush (stderr);
}

void progress_bytes (progress *p, size_t idx, long long delta)
{
  if (p == NULL || idx >= p->n)
    return;
  p->b[idx].state = 1;
  p->b[idx].done += delta;
  p->done += delta;
  draw (p, false);
}

void progress_blob_done (progress *p, size_t idx, bool skipped)
{
  char sz[32];
  if (p == NULL || idx >= p->n)
    return;
  p->b[idx].state = 2;
  human (p->b[idx].size, sz, sizeof sz);
  fprintf (stderr, "\r\033[K  blob %s %s %s\n", p->b[idx].short_digest, sz,
           skipped ? "already present" : "done");
  if (skipped)
    {
      p->total -= p->b[idx].size;
    }
  draw (p, true);
}

void progress_finish (progress *p)
{
  if (p == NULL)
    return;
  draw (p, true);
  fputc ('\n', stderr);
}
