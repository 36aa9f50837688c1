#include "transfer.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "cleanup.h"
#include "blob_sink.h"
#include "log.h"

enum job_state
{
  JOB_PENDING,
  JOB_ACTIVE,
  JOB_WAITING,    /* backing off before a retry */
  JOB_COMMITTING, /* all bytes in; the sink verifies and links it */
  JOB_DONE
};

typedef struct job
{
  const blob_desc *d;
  store *s;
  size_t idx;
  enum job_state state;
  sink_target t;       /* the store writer, fed by the sink thread */
  blob_sink *sink;
  char *buf;           /* the buffer being filled (from the sink's pool) */
  size_t buffered;
  long long received;  /* bytes accepted since the blob (re)started */
  CURL *e;
  struct curl_slist *hdrs;
  http_reply rep;      /* headers of the current response */
  int attempts;        /* failed attempts so far */
  int reauths;
  double wait_until;
  bool body_started;   /* the current response's first body byte was seen */
  bool discard;        /* a non-2xx body: not blob bytes */
  bool range_mismatch; /* a 206 for another range */
  bool paused;         /* its turn in this round is over (see write_cb) */
  size_t round;        /* bytes taken in this round */
  oci_error *err;      /* from the write callback */
  progress *p;
} job;

#define SINK_BUFFER_SIZE (128u << 10)
#define TURN_BYTES (1 * SINK_BUFFER_SIZE)
#define SINK_BUFFERS 6

/* Hand the filled part of the buffer to the sink. */
static void job_flush (job *j)
{
  if (j->buf && j->buffered > 0)
    {
      blob_sink_stage (j->sink, &j->t, j->buf, j->buffered);
      j->buf = NULL;
      j->buffered = 0;
    }
}

static void job_release_buffer (job *j)
{
  if (j->buf)
    blob_sink_put_buffer (j->sink, j->buf);
  j->buf = NULL;
  j->buffered = 0;
}

/* Drop everything received: the blob starts over. */
static int job_restart (job *j, oci_error **err)
{
  progress_bytes (j->p, j->idx, -j->received);
  j->buffered = 0;
  j->received = 0;
  blob_sink_drain (j->sink, &j->t);
  return j->t.w ? store_blob_restart (j->t.w, err) : 0;
}

/* The blob's file, made when its first bytes arrive rather than before
   the requests go out: a new inode can take a millisecond on a churned
   ext4, and the registry's first byte takes longer still. */
static int job_writer (job *j, oci_error **err)
{
  if (j->t.w)
    return 0;
  if (store_blob_create (j->s, j->d->digest, &j->t.w, err) < 0)
    return -1;
  store_blob_reserve (j->t.w, j->d->size);
  return 0;
}

bool transfer_parse_content_range (const char *v, long long *start, long long *end,
                                   long long *total)
{
  char star;
  if (v == NULL)
    return false;
  if (sscanf (v, "bytes %lld-%lld/%lld", start, end, total) == 3)
    return *start >= 0 && *end >= *start && *total > *end;
  if (sscanf (v, "bytes %lld-%lld/%c", start, end, &star) == 3 && star == '*')
    {
      *total = -1;
      return *start >= 0 && *end >= *start;
    }
  return false;
}

static double now_s (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The first body byte of a response decides where the bytes go. */
static int begin_body (job *j)
{
  long status = 0;
  curl_easy_getinfo (j->e, CURLINFO_RESPONSE_CODE, &status);
  j->body_started = true;
  if (status == 206)
    {
      long long start, end, total;
      if (!transfer_parse_content_range (j->rep.content_range, &start, &end, &total)
          || start != j->received || (total >= 0 && total != j->d->size))
        {
          j->range_mismatch = true;
          return -1;
        }
      return job_writer (j, &j->err);
    }
  if (status == 200)
    {
      /* The server ignored Range (or this is the first try): start over. */
      if (j->received > 0 && job_restart (j, &j->err) < 0)
        return -1;
      return job_writer (j, &j->err);
    }
  j->discard = true;
  return 0;
}

static size_t write_cb (char *data, size_t size, size_t n, void *arg)
{
  job *j = arg;
  size_t len = size * n, left = len, bs = blob_sink_bufsize (j->sink);
  if (!j->body_started && begin_body (j) < 0)
    return 0;
  if (j->discard)
    {
      /* keep the start of an error body for the message */
      size_t keep = j->rep.len < 4096 ? 4096 - j->rep.len : 0;
      char *nb;
      if (keep > len)
        keep = len;
      if (keep > 0 && (nb = realloc (j->rep.body, j->rep.len + keep + 1)) != NULL)
        {
          memcpy (nb + j->rep.len, data, keep);
          j->rep.body = nb;
          j->rep.len += keep;
          nb[j->rep.len] = '\0';
        }
      return len;
    }
  if (j->received + (long long) len > j->d->size)
    {
      oci_error_set (&j->err, 0, "blob %s: the registry sent more than the %lld bytes the "
                                 "manifest declares", j->d->digest, j->d->size);
      return 0;
    }
  while (left > 0)
    {
      size_t k;
      if (j->buf == NULL)
        j->buf = blob_sink_get_buffer (j->sink);
      k = bs - j->buffered < left ? bs - j->buffered : left;
      memcpy (j->buf + j->buffered, data, k);
      j->buffered += k;
      data += k;
      left -= k;
      if (j->buffered == bs)
        job_flush (j);
    }
  j->received += len;
  progress_bytes (j->p, j->idx, len);
  /* libcurl reads a connection for as long as it has data (up to 100
     reads): one blob at a time while the others' bytes wait. A turn of
     TURN_BYTES each instead, so that the writer has several blobs'
     buffers to hash together; the buffer goes to it at once. */
  j->round += len;
  if (j->round >= TURN_BYTES && !j->paused)
    {
      curl_easy_pause (j->e, CURLPAUSE_RECV);
      j->paused = true;
      job_flush (j);
    }
  return len;
}

/* A fixed 4 MiB receive buffer for blob connections (the kernel caps it
   at net.core.rmem_max): fewer window updates than autotuning's small
   start, measured at 6-9% less CPU per pull of the bench image. */
#define BLOB_RCVBUF (4 << 20)

static int blob_sockopt (void *arg, curl_socket_t fd, curlsocktype purpose)
{
  int v = BLOB_RCVBUF;
  (void) arg;
  if (purpose == CURLSOCKTYPE_IPCXN)
    setsockopt (fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof v);
  return CURL_SOCKOPT_OK;
}

static int job_start (registry *r, CURLM *multi, job *j, oci_error **err)
{
  cleanup_free char *url = registry_blob_url (r, j->d->digest);
  long long have = j->received;
  const char *authz = registry_authorization (r);

  if (url == NULL)
    return oci_error_set (err, ENOMEM, "blob url");
  if (j->e == NULL && (j->e = curl_easy_init ()) == NULL)
    return oci_error_set (err, ENOMEM, "curl");
  curl_easy_reset (j->e);
  registry_setup_handle (r, j->e);
  curl_slist_free_all (j->hdrs);
  j->hdrs = NULL;
  if (authz)
    j->hdrs = curl_slist_append (j->hdrs, authz);
  if (have > 0)
    {
      char range[64];
      snprintf (range, sizeof range, "Range: bytes=%lld-", have);
      j->hdrs = curl_slist_append (j->hdrs, range);
    }
  http_reply_clear (&j->rep);
  j->body_started = j->discard = j->range_mismatch = false;
  curl_easy_setopt (j->e, CURLOPT_URL, url);
  curl_easy_setopt (j->e, CURLOPT_HTTPHEADER, j->hdrs);
  curl_easy_setopt (j->e, CURLOPT_HEADERFUNCTION, http_reply_header_cb);
  curl_easy_setopt (j->e, CURLOPT_HEADERDATA, &j->rep);
  curl_easy_setopt (j->e, CURLOPT_WRITEFUNCTION, write_cb);
  curl_easy_setopt (j->e, CURLOPT_WRITEDATA, j);
  curl_easy_setopt (j->e, CURLOPT_PRIVATE, j);
  curl_easy_setopt (j->e, CURLOPT_BUFFERSIZE, 128L * 1024);
  curl_easy_setopt (j->e, CURLOPT_SOCKOPTFUNCTION, blob_sockopt);
  if (curl_multi_add_handle (multi, j->e) != CURLM_OK)
    return oci_error_set (err, 0, "curl: cannot add a transfer");
  j->state = JOB_ACTIVE;
  return 0;
}

static int job_retry_later (job *j, CURLcode c, long status, oci_error **err)
{
  long ms;
  if (j->attempts + 1 >= HTTP_MAX_ATTEMPTS)
    {
      if (c != CURLE_OK)
        return oci_error_set (err, 0, "blob %s: %s (gave up after %d attempts)", j->d->digest,
                              curl_easy_strerror (c), j->attempts + 1);
      cleanup_free char *t = http_reply_error_text (&j->rep);
      return oci_error_set (err, 0, "blob %s: %s (gave up after %d attempts)", j->d->digest,
                            t ? t : "error", j->attempts + 1);
    }
  ms = http_retry_delay_ms (j->attempts, c == CURLE_OK ? j->rep.retry_after : -1);
  log_debug ("blob %s: %s, retry in %ld ms from byte %lld", j->d->digest,
             c != CURLE_OK ? curl_easy_strerror (c) : "HTTP error", ms, j->received);
  (void) status;
  j->attempts++;
  j->wait_until = now_s () + ms / 1000.0;
  j->state = JOB_WAITING;
  return 0;
}

/* A transfer ended: commit, schedule a retry, or fail. */
static int job_finished (registry *r, job *j, CURLcode c, oci_error **err)
{
  long status = 0;
  curl_easy_getinfo (j->e, CURLINFO_RESPONSE_CODE, &status);
  j->rep.status = status;
  if (j->err)
    {
      *err = steal_pointer (&j->err);
      return -1;
    }
  if (j->range_mismatch)
    {
      /* A 206 for another range: drop what we have and start over. */
      if (job_restart (j, err) < 0)
        return -1;
      return job_retry_later (j, CURLE_OK, status, err);
    }
  /* what arrived is kept: a retry resumes after it */
  job_flush (j);
  /* complete also when the connection failed after the last byte */
  if ((status == 200 || status == 206)
      && (c == CURLE_OK || (j->received == j->d->size && !j->discard)))
    {
      if (j->received != j->d->size)
        return oci_error_set (err, 0, "blob %s: got %lld bytes, the manifest declares %lld",
                              j->d->digest, j->received, j->d->size);
      /* an empty blob got no bytes, hence no file yet */
      if (job_writer (j, err) < 0)
        return -1;
      /* the sink verifies the digest before the blob becomes visible */
      job_release_buffer (j);
      blob_sink_commit (j->sink, &j->t);
      j->state = JOB_COMMITTING;
      return 0;
    }
  if (c == CURLE_OK && status == 401 && j->reauths++ < 2)
    {
      /* token expired mid-pull: ask for a fresh one and go again */
      if (registry_reauth (r, j->rep.www_authenticate, err) < 0)
        return -1;
      j->wait_until = 0;
      j->state = JOB_WAITING;
      return 0;
    }
  if (c == CURLE_OK && status == 416)
    {
      if (job_restart (j, err) < 0)
        return -1;
      return job_retry_later (j, CURLE_OK, status, err);
    }
  if ((c == CURLE_OK && http_status_retriable (status))
      || (c != CURLE_OK && http_curl_code_retriable (c)))
    return job_retry_later (j, c, status, err);
  if (c != CURLE_OK)
    return oci_error_set (err, 0, "blob %s: %s", j->d->digest, curl_easy_strerror (c));
  {
    cleanup_free char *t = http_reply_error_text (&j->rep);
    return oci_error_set (err, 0, "blob %s: %s", j->d->digest, t ? t : "error");
  }
}

/* Wait for the sealed `last` blob and give it its name. t->w belongs to
   the sink until the drain (a committer holds it while it seals). */
static int publish_last (blob_sink *k, sink_target *t, const char *digest, oci_error **err)
{
  bool committed = false;
  store_writer *w;
  blob_sink_drain (k, t);
  blob_sink_state (k, t, &committed, err);
  if (*err)
    return -1;
  w = steal_pointer (&t->w);
  if (w == NULL)
    return oci_error_set (err, 0, "blob %s: not sealed", digest);
  return store_blob_publish (w, err);
}

/* Write `last` and have the sink seal it (durable, unnamed). */
static int queue_last (store *s, blob_sink *k, const blob_bytes *last, sink_target *t,
                       oci_error **err)
{
  if (store_blob_create (s, last->digest, &t->w, err) < 0
      || store_blob_append (t->w, last->data, last->len, err) < 0)
    return -1;
  blob_sink_seal (k, t);
  return 0;
}

int transfer_blobs (registry *r, store *s, const blob_desc *blobs, size_t n, int parallel,
                    const blob_bytes *last, progress *p, oci_error **err)
{
  sink_target lt = { 0 };
  bool want_last, last_queued = false;
  unsigned events, seen_events = 0;
  CURLM *multi = curl_multi_init ();
  job *jobs = calloc (n ? n : 1, sizeof *jobs);
  blob_sink *sink = NULL;
  size_t remaining = 0;
  int rc = -1;

  if (multi == NULL || jobs == NULL)
    {
      oci_error_set (err, ENOMEM, "transfer");
      goto out;
    }
  if (parallel < 1)
    parallel = 1;
  /* transfers hand their buffer over at the end of each turn, so a few
     suffice whatever the parallelism (each is resident memory) */
  if (blob_sink_start (SINK_BUFFERS, SINK_BUFFER_SIZE, multi, &sink, err) < 0)
    goto out;
  curl_multi_setopt (multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long) parallel);
  for (size_t i = 0; i < n; i++)
    {
      jobs[i].d = &blobs[i];
      jobs[i].idx = i;
      jobs[i].p = p;
      jobs[i].rep.retry_after = -1;
      jobs[i].sink = sink;
      progress_blob_size (p, i, blobs[i].digest, blobs[i].size);
      /* skip what the store has (it was verified when it went in) */
      if (store_has_blob (s, blobs[i].digest))
        {
          jobs[i].state = JOB_DONE;
          progress_blob_done (p, i, true);
          continue;
        }
      /* the same blob twice in one manifest: fetch it once */
      for (size_t k = 0; k < i; k++)
        if (strcmp (blobs[k].digest, blobs[i].digest) == 0)
          jobs[i].state = JOB_DONE;
      if (jobs[i].state == JOB_DONE)
        continue;
      jobs[i].s = s;
      remaining++;
    }
  want_last = last && !store_has_blob (s, last->digest);
  if (remaining > 0 && registry_prepare (r, err) < 0)
    goto out;

  while (remaining > 0)
    {
      int active = 0, running = 0, msgs;
      double now = now_s (), next_wake = now + 1.0;
      CURLMsg *m;

      for (size_t i = 0; i < n; i++)
        active += jobs[i].state == JOB_ACTIVE;
      for (size_t i = 0; i < n && active < parallel; i++)
        {
          job *j = &jobs[i];
          if (j->state == JOB_PENDING || (j->state == JOB_WAITING && j->wait_until <= now))
            {
              if (job_start (r, multi, j, err) < 0)
                goto out;
              active++;
            }
        }
      for (size_t i = 0; i < n; i++)
        if (jobs[i].state == JOB_WAITING && jobs[i].wait_until < next_wake)
          next_wake = jobs[i].wait_until;
      /* the sink's news (commits, failures), only when there are some:
         asking every transfer each round took its lock hundreds of times */
      events = blob_sink_events (sink);
      for (size_t i = 0; i < n && events != seen_events; i++)
        {
          job *j = &jobs[i];
          bool committed;
          if (j->state == JOB_DONE || j->state == JOB_PENDING)
            continue;
          blob_sink_state (sink, &j->t, &committed, err);
          if (*err)
            {
              oci_error_prefix (err, "blob %s", j->d->digest);
              goto out;
            }
          if (j->state == JOB_COMMITTING && committed)
            {
              j->state = JOB_DONE;
              remaining--;
              progress_blob_done (p, i, false);
            }
        }
      seen_events = events;
      if (remaining == 0)
        break;

      /* a new round: every transfer gets its turn again */
      for (size_t i = 0; i < n; i++)
        {
          jobs[i].round = 0;
          if (jobs[i].paused)
            {
              jobs[i].paused = false;
              if (jobs[i].state == JOB_ACTIVE)
                curl_easy_pause (jobs[i].e, CURLPAUSE_CONT);
            }
        }
      if (curl_multi_perform (multi, &running) != CURLM_OK)
        {
          oci_error_set (err, 0, "curl multi failed");
          goto out;
        }
      /* the round's buffers, to the writer together */
      blob_sink_submit (sink);
      /* the requests are out: now the manifest's file (see job_writer) */
      if (want_last && !last_queued && queue_last (s, sink, last, &lt, err) < 0)
        goto out;
      last_queued = want_last;
      while ((m = curl_multi_info_read (multi, &msgs)) != NULL)
        {
          job *j = NULL;
          if (m->msg != CURLMSG_DONE)
            continue;
          curl_easy_getinfo (m->easy_handle, CURLINFO_PRIVATE, (char **) &j);
          curl_multi_remove_handle (multi, m->easy_handle);
          if (job_finished (r, j, m->data.result, err) < 0)
            goto out;
          next_wake = now; /* start the next one at once */
        }
      {
        int wait_ms = (int) ((next_wake - now_s ()) * 1000);
        /* a paused transfer has bytes waiting, but curl no longer watches
           its socket: straight on to the next round */
        for (size_t i = 0; i < n; i++)
          if (jobs[i].paused)
            wait_ms = 0;
        if (wait_ms < 0)
          wait_ms = 0;
        if (wait_ms > 1000)
          wait_ms = 1000;
        if (curl_multi_poll (multi, NULL, 0, wait_ms, NULL) != CURLM_OK)
          {
            oci_error_set (err, 0, "curl multi poll failed");
            goto out;
          }
      }
    }
  if (want_last && !last_queued && queue_last (s, sink, last, &lt, err) < 0)
    goto out;
  if (want_last && publish_last (sink, &lt, last->digest, err) < 0)
    goto out;
  rc = 0;
out:
  /* stop the writer thread before the writers it may be using go */
  blob_sink_stop (sink);
  for (size_t i = 0; jobs && i < n; i++)
    {
      if (jobs[i].e)
        {
          curl_multi_remove_handle (multi, jobs[i].e);
          curl_easy_cleanup (jobs[i].e);
        }
      curl_slist_free_all (jobs[i].hdrs);
      http_reply_clear (&jobs[i].rep);
      store_blob_abort (jobs[i].t.w); /* O_TMPFILE: nothing stays behind */
      oci_error_free (&jobs[i].t.err);
      oci_error_free (&jobs[i].err);
    }
  store_blob_abort (lt.w);
  oci_error_free (&lt.err);
  free (jobs);
  if (multi)
    curl_multi_cleanup (multi);
  return rc;
}
