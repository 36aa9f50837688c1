#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fileutil.h"
#include "json.h"
#include "log.h"
#include "mediatype.h"

#define LAYOUT_FILE "oci-layout"
#define INDEX_FILE "index.json"
#define MAX_INDEX_SIZE (64u << 20)
#define STORE_WRITEBACK_CHUNK (4LL << 20)
/* within the last chunk of a blob of known size: smaller steps, so that
   the commit's fsync waits for at most this much (it is on a pull's
   critical path when the blob is the last to arrive) */
#define STORE_WRITEBACK_TAIL (1LL << 20)

struct store
{
  char *path;
  int dirfd;
  /* STORE_CREATE_BACKGROUND: the thread that makes a new layout durable,
     joined (under init_mu) before anything is named in the store */
  pthread_mutex_t init_mu;
  pthread_t init_thread;
  bool init_running;
  bool created;          /* this open laid the store out */
  int init_rc;
  char init_msg[512];
};

struct store_writer
{
  store *s;
  int fd;
  bool tmpfile;          /* O_TMPFILE: no name until linked */
  char tmpname[128];     /* blobs/tmp/NAME when not O_TMPFILE */
  char expected[DIGEST_STR_LEN + 1];
  digest_ctx *dg;
  char sealed[DIGEST_STR_LEN + 1]; /* verified and durable, not yet named */
  long long size;
  long long flushed;     /* bytes handed to writeback (sync_file_range) */
  long long expected_size; /* from store_blob_reserve, 0 if unknown */
};

char *store_default_path (const char *opt)
{
  const char *env = getenv ("OCIKIT_STORE");
  char *p = NULL;
  if (opt && *opt)
    return strdup (opt);
  if (env && *env)
    return strdup (env);
  if (geteuid () == 0)
    return strdup ("/var/lib/ocikit/store");
  env = getenv ("XDG_DATA_HOME");
  if (env && *env)
    {
      if (asprintf (&p, "%s/ocikit/store", env) < 0)
        return NULL;
      return p;
    }
  env = getenv ("HOME");
  if (asprintf (&p, "%s/.local/share/ocikit/store", env ? env : "/tmp") < 0)
    return NULL;
  return p;
}

const char *store_path (const store *s) { return s->path; }
bool store_is_new (const store *s) { return s->created; }
int store_dirfd (const store *s) { return s->dirfd; }

static const char layout_doc[] = "{\"imageLayoutVersion\":\"1.0.0\"}";

static int fsync_dir_at (int dfd, const char *name)
{
  cleanup_close int d = openat (dfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (d < 0 || fsync (d) < 0)
    return -1;
  return 0;
}

/* A temporary file in the store's top directory holding `buf`, its
   writeback started (so that one journal commit can carry several). */
static int tmp_file (int dfd, const char *name, char tmp[64], const char *buf, size_t len)
{
  int fd;
  snprintf (tmp, 64, ".%s.tmp%d", name, (int) getpid ());
  fd = openat (dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return -1;
  if (write_all (fd, buf, len) < 0)
    {
      int e = errno;
      close (fd);
      unlinkat (dfd, tmp, 0);
      errno = e;
      return -1;
    }
  sync_file_range (fd, 0, 0, SYNC_FILE_RANGE_WRITE);
  return fd;
}

/* renameat2 NOREPLACE, or a plain rename where the file system has none */
static int rename_noreplace (int dfd, const char *from, const char *to)
{
  if (renameat2 (dfd, from, dfd, to, RENAME_NOREPLACE) == 0)
    return 0;
  if (errno != EINVAL && errno != ENOSYS)
    return -1;
  if (faccessat (dfd, to, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
    {
      errno = EEXIST;
      return -1;
    }
  return renameat (dfd, from, dfd, to);
}

/* The durable part of a new layout: index.json, then oci-layout, whose
   presence marks a complete layout (so index.json's name must be durable
   before oci-layout's can be). Both files' data share one sync pass, the
   two directory syncs are the ordering barriers: 3 journal commits
   instead of 4 on ext4. */
static int layout_finish (int dfd, const char *path, char *msg, size_t msglen)
{
  static const char index[] = "{\"schemaVersion\":2,\"manifests\":[]}";
  char ti[64] = "", tl[64];
  cleanup_close int fi = -1;
  cleanup_close int fl = -1;
  const char *what = "write index.json";
  bool need_index = faccessat (dfd, INDEX_FILE, F_OK, 0) < 0;

  if (need_index && (fi = tmp_file (dfd, INDEX_FILE, ti, index, sizeof index - 1)) < 0)
    goto fail;
  what = "write oci-layout";
  if ((fl = tmp_file (dfd, LAYOUT_FILE, tl, layout_doc, sizeof layout_doc - 1)) < 0)
    goto fail;
  what = "sync";
  if ((fi >= 0 && fsync (fi) < 0) || fsync (fl) < 0)
    goto fail;
  /* NOREPLACE: a concurrent creator's index.json may have entries by now */
  what = "rename index.json";
  if (need_index && rename_noreplace (dfd, ti, INDEX_FILE) < 0)
    {
      if (errno != EEXIST)
        goto fail;
      unlinkat (dfd, ti, 0);
    }
  ti[0] = '\0';
  /* blobs/sha256, blobs and index.json named for good before oci-layout */
  what = "sync";
  if (fsync_dir_at (dfd, "blobs") < 0 || fsync_dir_at (dfd, ".") < 0)
    goto fail;
  what = "rename oci-layout";
  if (rename_noreplace (dfd, tl, LAYOUT_FILE) < 0)
    {
      if (errno != EEXIST)
        goto fail;
      unlinkat (dfd, tl, 0);
    }
  what = "sync";
  if (fsync_dir_at (dfd, ".") < 0)
    goto fail;
  return 0;
fail:
  snprintf (msg, msglen, "store `%s`: %s: %s", path, what, strerror (errno));
  if (ti[0])
    unlinkat (dfd, ti, 0);
  if (fl >= 0)
    unlinkat (dfd, tl, 0);
  return -1;
}

static int layout_dirs (int dfd, const char *path, oci_error **err)
{
  if (mkdirat (dfd, "blobs", 0755) < 0 && errno != EEXIST)
    return oci_error_set (err, errno, "store `%s`: mkdir blobs", path);
  if (mkdirat (dfd, "blobs/sha256", 0755) < 0 && errno != EEXIST)
    return oci_error_set (err, errno, "store `%s`: mkdir blobs/sha256", path);
  return 0;
}

static void *layout_thread (void *arg)
{
  store *s = arg;
  s->init_rc = layout_finish (s->dirfd, s->path, s->init_msg, sizeof s->init_msg);
  return NULL;
}

/* Wait for a background layout_finish; its failure is every caller's. */
static int layout_ready (store *s, oci_error **err)
{
  pthread_mutex_lock (&s->init_mu);
  if (s->init_running)
    {
      pthread_join (s->init_thread, NULL);
      s->init_running = false;
    }
  pthread_mutex_unlock (&s->init_mu);
  if (s->init_rc < 0)
    return oci_error_set (err, 0, "%s", s->init_msg);
  return 0;
}

static store *store_new (const char *path, int dfd)
{
  store *s = calloc (1, sizeof *s);
  if (s == NULL || (s->path = strdup (path)) == NULL)
    {
      free (s);
      return NULL;
    }
  s->dirfd = dfd;
  pthread_mutex_init (&s->init_mu, NULL);
  return s;
}

int store_open (const char *path, int flags, store **out, oci_error **err)
{
  cleanup_close int dfd = -1;
  cleanup_free char *buf = NULL;
  cleanup_json yajl_val doc = NULL;
  const char *ver;
  store *s;

  if (flags & STORE_CREATE_BACKGROUND)
    flags |= STORE_CREATE;
  dfd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0 && errno == ENOENT && (flags & STORE_CREATE))
    {
      if (mkdir_p (path, 0755, err) < 0)
        return oci_error_prefix (err, "store `%s`", path);
      dfd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    }
  if (dfd < 0)
    return oci_error_set (err, errno, "store `%s`", path);
  if (faccessat (dfd, LAYOUT_FILE, F_OK, 0) < 0)
    {
      char msg[512];
      if (!(flags & STORE_CREATE))
        return oci_error_set (err, 0, "store `%s`: not an OCI image layout (no oci-layout file)",
                              path);
      if (layout_dirs (dfd, path, err) < 0)
        return -1;
      if ((s = store_new (path, dfd)) == NULL)
        return oci_error_set (err, ENOMEM, "store `%s`", path);
      dfd = -1;
      s->created = true;
      if (flags & STORE_CREATE_BACKGROUND)
        {
          /* the syncs overlap the caller's first network round trips */
          if (pthread_create (&s->init_thread, NULL, layout_thread, s) == 0)
            {
              s->init_running = true;
              *out = s;
              return 0;
            }
        }
      if (layout_finish (s->dirfd, path, msg, sizeof msg) < 0)
        {
          store_close (s);
          return oci_error_set (err, 0, "%s", msg);
        }
      *out = s;
      return 0;
    }
  if (read_file_at (dfd, LAYOUT_FILE, 4096, &buf, NULL, err) < 0)
    return oci_error_prefix (err, "store `%s`", path);
  if (json_parse (buf, strlen (buf), "oci-layout", &doc, err) < 0)
    return oci_error_prefix (err, "store `%s`", path);
  ver = json_get_string (doc, "imageLayoutVersion");
  if (ver == NULL || strncmp (ver, "1.", 2) != 0)
    return oci_error_set (err, 0, "store `%s`: unsupported imageLayoutVersion `%s`", path,
                          ver ? ver : "(none)");
  if ((s = store_new (path, dfd)) == NULL)
    return oci_error_set (err, ENOMEM, "store `%s`", path);
  dfd = -1;
  *out = s;
  return 0;
}

int store_wait (store *s, oci_error **err) { return layout_ready (s, err); }

void store_close (store *s)
{
  if (s == NULL)
    return;
  layout_ready (s, NULL);
  pthread_mutex_destroy (&s->init_mu);
  if (s->dirfd >= 0)
    close (s->dirfd);
  free (s->path);
  free (s);
}

static int blob_path (const char *digest, char *buf, size_t len, oci_error **err)
{
  if (!digest_is_valid (digest))
    return oci_error_set (err, 0, "invalid digest `%s`", digest ? digest : "(null)");
  snprintf (buf, len, "blobs/sha256/%s", digest_hex (digest));
  return 0;
}

bool store_has_blob (store *s, const char *digest)
{
  char p[128];
  if (blob_path (digest, p, sizeof p, NULL) < 0)
    return false;
  return faccessat (s->dirfd, p, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

int store_blob_open (store *s, const char *digest, int *fd, long long *size,
                     oci_error **err)
{
  char p[128];
  struct stat st;
  int f;
  if (blob_path (digest, p, sizeof p, err) < 0)
    return -1;
  f = openat (s->dirfd, p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (f < 0)
    return oci_error_set (err, errno, "blob %s in store `%s`", digest, s->path);
  if (fstat (f, &st) < 0 || !S_ISREG (st.st_mode))
    {
      close (f);
      return oci_error_set (err, EINVAL, "blob %s in store `%s`: not a regular file",
                            digest, s->path);
    }
  if (size)
    *size = st.st_size;
  *fd = f;
  return 0;
}

int store_blob_read (store *s, const char *digest, size_t max, char **buf, size_t *len,
                     oci_error **err)
{
  cleanup_close int fd = -1;
  cleanup_free char *data = NULL;
  char got[DIGEST_STR_LEN + 1];
  size_t n;
  if (store_blob_open (s, digest, &fd, NULL, err) < 0)
    return -1;
  if (read_all_fd (fd, max, digest, &data, &n, err) < 0)
    return oci_error_prefix (err, "store `%s`", s->path);
  digest_buffer (data, n, got);
  if (strcmp (got, digest) != 0)
    return oci_error_set (err, 0, "blob %s in store `%s` is corrupt: its content hashes to %s",
                          digest, s->path, got);
  *buf = steal_pointer (&data);
  if (len)
    *len = n;
  return 0;
}

static int ensure_tmpdir (store *s, oci_error **err)
{
  if (mkdirat (s->dirfd, "blobs/tmp", 0700) < 0 && errno != EEXIST)
    return oci_error_set (err, errno, "store `%s`: mkdir blobs/tmp", s->path);
  return 0;
}

int store_blob_create (store *s, const char *expected, store_writer **out, oci_error **err)
{
  store_writer *w;
  if (expected && !digest_is_valid (expected))
    return oci_error_set (err, 0, "invalid digest `%s`", expected);
  w = calloc (1, sizeof *w);
  if (w == NULL || (w->dg = digest_new ()) == NULL)
    {
      free (w);
      return oci_error_set (err, ENOMEM, "store `%s`", s->path);
    }
  w->s = s;
  if (expected)
    snprintf (w->expected, sizeof w->expected, "%s", expected);
  /* O_TMPFILE: a killed writer leaves nothing behind, and the file has
     no name until linked, so it can live in blobs/sha256 itself (no
     blobs/tmp to create: on a churned ext4 every new inode is dear). */
  w->fd = openat (s->dirfd, "blobs/sha256", O_TMPFILE | O_RDWR | O_CLOEXEC, 0644);
  if (w->fd >= 0)
    w->tmpfile = true;
  else if (ensure_tmpdir (s, err) < 0)
    {
      digest_free (w->dg);
      free (w);
      return -1;
    }
  else
    {
      snprintf (w->tmpname, sizeof w->tmpname, "blobs/tmp/%d.%lx.%p", (int) getpid (),
                (unsigned long) random (), (void *) w);
      w->fd = openat (s->dirfd, w->tmpname, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0644);
    }
  if (w->fd < 0)
    {
      int e = errno;
      digest_free (w->dg);
      free (w);
      return oci_error_set (err, e, "store `%s`: create temporary blob", s->path);
    }
  *out = w;
  return 0;
}

int store_blob_append (store_writer *w, const void *buf, size_t len, oci_error **err)
{
  store_blob_hash_many (&w, &buf, &len, 1);
  return store_blob_write (w, buf, len, err);
}

void store_blob_hash_many (store_writer *w[], const void *buf[], const size_t len[], size_t n)
{
  digest_ctx *dg[8];
  for (size_t i = 0; i < n; i += 8)
    {
      size_t k = n - i < 8 ? n - i : 8;
      for (size_t j = 0; j < k; j++)
        dg[j] = w[i + j]->dg;
      digest_update_many (dg, buf + i, len + i, k);
    }
}

int store_blob_write (store_writer *w, const void *buf, size_t len, oci_error **err)
{
  if (write_all (w->fd, buf, len) < 0)
    return oci_error_set (err, errno, "store `%s`: write blob", w->s->path);
  w->size += len;
  /* Start writeback as the blob grows so that commit's fsync has little
     left to wait for (it would otherwise stall every other transfer). */
  if (w->size - w->flushed >= STORE_WRITEBACK_CHUNK
      || (w->expected_size > 0 && w->expected_size - w->size < STORE_WRITEBACK_CHUNK
          && w->size - w->flushed >= STORE_WRITEBACK_TAIL))
    {
      sync_file_range (w->fd, w->flushed, w->size - w->flushed, SYNC_FILE_RANGE_WRITE);
      w->flushed = w->size;
    }
  return 0;
}

long long store_writer_size (const store_writer *w) { return w->size; }

void store_blob_reserve (store_writer *w, long long size)
{
  /* KEEP_SIZE: the file still grows only with what is written (and
     hashed); the blocks exist already, so the writes skip ext4's delayed
     allocation (3-4 ms less CPU per 50 MB). Where the file system cannot,
     nothing changes. */
  w->expected_size = size;
  if (size > 0)
    fallocate (w->fd, FALLOC_FL_KEEP_SIZE, 0, size);
}

int store_blob_restart (store_writer *w, oci_error **err)
{
  digest_ctx *d = digest_new ();
  if (d == NULL)
    return oci_error_set (err, ENOMEM, "store");
  if (ftruncate (w->fd, 0) < 0 || lseek (w->fd, 0, SEEK_SET) < 0)
    {
      digest_free (d);
      return oci_error_set (err, errno, "store `%s`: truncate blob", w->s->path);
    }
  digest_free (w->dg);
  w->dg = d;
  w->size = 0;
  w->flushed = 0;
  return 0;
}

static void writer_free (store_writer *w)
{
  if (w->fd >= 0)
    close (w->fd);
  if (!w->tmpfile && w->tmpname[0])
    unlinkat (w->s->dirfd, w->tmpname, 0);
  digest_free (w->dg);
  free (w);
}

void store_blob_abort (store_writer *w)
{
  if (w)
    writer_free (w);
}

int store_blob_seal (store_writer *w, char out[DIGEST_STR_LEN + 1], oci_error **err)
{
  char got[DIGEST_STR_LEN + 1];
  store *s = w->s;

  digest_final (w->dg, got);
  if (w->expected[0] && strcmp (got, w->expected) != 0)
    {
      oci_error_set (err, 0, "digest mismatch: expected %s, got %s", w->expected, got);
      writer_free (w);
      return -1;
    }
  /* the bytes are durable before the blob has a name: a power cut never
     leaves a visible blob empty or short */
  if (fsync (w->fd) < 0)
    {
      oci_error_set (err, errno, "store `%s`: fsync blob", s->path);
      writer_free (w);
      return -1;
    }
  memcpy (w->sealed, got, sizeof got);
  if (out)
    memcpy (out, got, sizeof got);
  return 0;
}

int store_blob_publish (store_writer *w, oci_error **err)
{
  char dst[128];
  store *s = w->s;
  int r;

  if (!w->sealed[0])
    {
      oci_error_set (err, EINVAL, "store `%s`: blob published before it was sealed", s->path);
      writer_free (w);
      return -1;
    }
  if (layout_ready (s, err) < 0)
    {
      writer_free (w);
      return -1;
    }
  blob_path (w->sealed, dst, sizeof dst, NULL);
  if (w->tmpfile)
    {
      char proc[64];
      snprintf (proc, sizeof proc, "/proc/self/fd/%d", w->fd);
      r = linkat (AT_FDCWD, proc, s->dirfd, dst, AT_SYMLINK_FOLLOW);
    }
  else
    {
      /* rename would replace a blob written concurrently: same bytes. */
      r = renameat (s->dirfd, w->tmpname, s->dirfd, dst);
      if (r == 0)
        w->tmpname[0] = '\0';
    }
  if (r < 0 && errno != EEXIST)
    {
      oci_error_set (err, errno, "store `%s`: add blob %s", s->path, w->sealed);
      writer_free (w);
      return -1;
    }
  writer_free (w);
  return 0;
}

int store_sync_blobs (store *s, oci_error **err)
{
  if (fsync_dir_at (s->dirfd, "blobs/sha256") < 0)
    return oci_error_set (err, errno, "store `%s`: sync blobs/sha256", s->path);
  return 0;
}

int store_blob_commit (store_writer *w, char out[DIGEST_STR_LEN + 1], oci_error **err)
{
  store *s = w->s;
  if (store_blob_seal (w, out, err) < 0 || store_blob_publish (w, err) < 0)
    return -1;
  return store_sync_blobs (s, err);
}

int store_put_blob (store *s, const void *buf, size_t len, const char *expected,
                    char out[DIGEST_STR_LEN + 1], oci_error **err)
{
  store_writer *w;
  char got[DIGEST_STR_LEN + 1];
  digest_buffer (buf, len, got);
  if (expected && strcmp (expected, got) != 0)
    return oci_error_set (err, 0, "digest mismatch: expected %s, got %s", expected, got);
  if (out)
    memcpy (out, got, sizeof got);
  if (store_has_blob (s, got))
    return 0;
  if (store_blob_create (s, got, &w, err) < 0)
    return -1;
  if (store_blob_append (w, buf, len, err) < 0)
    {
      store_blob_abort (w);
      return -1;
    }
  return store_blob_commit (w, NULL, err);
}

int store_lock (store *s, oci_error **err)
{
  int fd;
  if (layout_ready (s, err) < 0)
    return -1;
  /* The lock is an flock on oci-layout: a file every layout has and that
     is never replaced (created once, NOREPLACE), so locking creates no
     inode (they are dear on a churned ext4: 16% of a fresh pull's CPU
     went to allocating 15 of them). */
  fd = openat (s->dirfd, LAYOUT_FILE, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return oci_error_set (err, errno, "store `%s`: open lock", s->path);
  while (flock (fd, LOCK_EX) < 0)
    if (errno != EINTR)
      {
        int e = errno;
        close (fd);
        return oci_error_set (err, e, "store `%s`: lock", s->path);
      }
  return fd;
}

void store_unlock (store *s, int lockfd)
{
  (void) s;
  if (lockfd >= 0)
    close (lockfd);
}

static int index_load (store *s, yajl_val *doc, oci_error **err)
{
  cleanup_free char *buf = NULL;
  size_t len;
  if (layout_ready (s, err) < 0)
    return -1;
  if (read_file_at (s->dirfd, INDEX_FILE, MAX_INDEX_SIZE, &buf, &len, err) < 0)
    return oci_error_prefix (err, "store `%s`", s->path);
  if (json_parse (buf, len, "index.json", doc, err) < 0)
    return oci_error_prefix (err, "store `%s`", s->path);
  if (!YAJL_IS_OBJECT (*doc))
    {
      yajl_tree_free (*doc);
      *doc = NULL;
      return oci_error_set (err, 0, "store `%s`: index.json is not an object", s->path);
    }
  return 0;
}

/* Replace index.json atomically: its data durable before the rename, and
   every blob name in blobs/sha256 durable before the new index can name
   it (blobs are published without a directory sync of their own). The
   blobs' sync comes after the new file's: on ext4 that journal commit has
   carried the blob names already, so it costs nothing more. */
static int index_replace (store *s, const char *buf, size_t len, oci_error **err)
{
  char tmp[64];
  cleanup_close int fd = tmp_file (s->dirfd, INDEX_FILE, tmp, buf, len);
  if (fd < 0)
    return oci_error_set (err, errno, "store `%s`: write index.json", s->path);
  if (fsync (fd) < 0)
    {
      int e = errno;
      unlinkat (s->dirfd, tmp, 0);
      return oci_error_set (err, e, "store `%s`: write index.json", s->path);
    }
  if (store_sync_blobs (s, err) < 0)
    {
      unlinkat (s->dirfd, tmp, 0);
      return -1;
    }
  if (renameat (s->dirfd, tmp, s->dirfd, INDEX_FILE) < 0)
    {
      int e = errno;
      unlinkat (s->dirfd, tmp, 0);
      return oci_error_set (err, e, "store `%s`: rename into index.json", s->path);
    }
  if (fsync_dir_at (s->dirfd, ".") < 0)
    return oci_error_set (err, errno, "store `%s`: sync index.json", s->path);
  return 0;
}

static const char *entry_name (yajl_val m)
{
  return json_get_string (json_get_object (m, "annotations"), ANNOT_REF_NAME);
}

/* Rewrite index.json: every entry of `doc` except those named `drop`, then
   the new one (if new_digest). */
static int index_write (store *s, yajl_val doc, const char *drop, const char *name,
                        const char *media_type, const char *new_digest, long long size,
                        oci_error **err)
{
  cleanup_json_gen yajl_gen g = json_gen_new (false);
  cleanup_free char *out = NULL;
  size_t len;
  yajl_val manifests = json_get_array (doc, "manifests");

  if (g == NULL)
    return oci_error_set (err, ENOMEM, "store");
  yajl_gen_map_open (g);
  json_gen_kv_int (g, "schemaVersion", 2);
  /* keep other top-level members (mediaType, annotations) as they were */
  for (size_t i = 0; i < json_object_len (doc); i++)
    {
      const char *k = json_object_key (doc, i);
      if (strcmp (k, "schemaVersion") == 0 || strcmp (k, "manifests") == 0)
        continue;
      json_gen_key (g, k);
      json_gen_value (g, json_object_value (doc, i));
    }
  json_gen_key (g, "manifests");
  yajl_gen_array_open (g);
  for (size_t i = 0; i < json_array_len (manifests); i++)
    {
      yajl_val m = json_array_at (manifests, i);
      const char *n = entry_name (m);
      if (drop && n && strcmp (n, drop) == 0)
        continue;
      json_gen_value (g, m);
    }
  if (new_digest)
    {
      yajl_gen_map_open (g);
      json_gen_kv_str (g, "mediaType", media_type);
      json_gen_kv_str (g, "digest", new_digest);
      json_gen_kv_int (g, "size", size);
      json_gen_key (g, "annotations");
      yajl_gen_map_open (g);
      json_gen_kv_str (g, ANNOT_REF_NAME, name);
      yajl_gen_map_close (g);
      yajl_gen_map_close (g);
    }
  yajl_gen_array_close (g);
  yajl_gen_map_close (g);
  if (json_gen_result (g, &out, &len, err) < 0)
    return -1;
  return index_replace (s, out, len, err);
}

int store_index_set (store *s, const char *name, const char *media_type,
                     const char *digest, long long size, oci_error **err)
{
  cleanup_json yajl_val doc = NULL;
  int lock, r;
  if (!digest_is_valid (digest))
    return oci_error_set (err, 0, "invalid digest `%s`", digest);
  if (!store_has_blob (s, digest))
    return oci_error_set (err, 0, "store `%s`: cannot name %s `%s`: blob missing", s->path,
                          digest, name);
  lock = store_lock (s, err);
  if (lock < 0)
    return -1;
  r = index_load (s, &doc, err);
  if (r == 0)
    r = index_write (s, doc, name, name, media_type, digest, size, err);
  store_unlock (s, lock);
  return r;
}

int store_index_remove (store *s, const char *name, oci_error **err)
{
  cleanup_json yajl_val doc = NULL;
  int lock, r;
  lock = store_lock (s, err);
  if (lock < 0)
    return -1;
  r = index_load (s, &doc, err);
  if (r == 0)
    r = index_write (s, doc, name, NULL, NULL, NULL, 0, err);
  store_unlock (s, lock);
  return r;
}

int store_index_lookup (store *s, const char *name, char **digest, char **media_type,
                        oci_error **err)
{
  cleanup_json yajl_val doc = NULL;
  yajl_val manifests, found = NULL;
  if (index_load (s, &doc, err) < 0)
    return -1;
  manifests = json_get_array (doc, "manifests");
  if (name == NULL)
    {
      if (json_array_len (manifests) != 1)
        return 1;
      found = json_array_at (manifests, 0);
    }
  else
    for (size_t i = 0; i < json_array_len (manifests); i++)
      {
        yajl_val m = json_array_at (manifests, i);
        const char *n = entry_name (m);
        if (n && strcmp (n, name) == 0)
          found = m; /* the last one wins, as in skopeo */
      }
  if (found == NULL)
    return 1;
  {
    const char *d = json_get_string (found, "digest");
    const char *mt = json_get_string (found, "mediaType");
    if (d == NULL || !digest_is_valid (d))
      return oci_error_set (err, 0, "store `%s`: index.json entry `%s` has a bad digest",
                            s->path, name ? name : "(only)");
    *digest = strdup (d);
    if (media_type)
      *media_type = strdup (mt ? mt : "");
  }
  return 0;
}

int store_verify (store *s, int *bad, oci_error **err)
{
  cleanup_json yajl_val doc = NULL;
  cleanup_dir DIR *d = NULL;
  struct dirent *de;
  int dfd;
  *bad = 0;
  dfd = openat (s->dirfd, "blobs/sha256", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return oci_error_set (err, errno, "store `%s`: blobs/sha256", s->path);
  d = fdopendir (dfd);
  if (d == NULL)
    {
      close (dfd);
      return oci_error_set (err, errno, "store `%s`: blobs/sha256", s->path);
    }
  while ((de = readdir (d)) != NULL)
    {
      char want[DIGEST_STR_LEN + 1], got[DIGEST_STR_LEN + 1];
      cleanup_close int fd = -1;
      if (de->d_name[0] == '.')
        continue;
      if (strlen (de->d_name) != DIGEST_HEX_LEN
          || (snprintf (want, sizeof want, "sha256:%.64s", de->d_name), !digest_is_valid (want)))
        {
          log_warn ("store `%s`: stray file blobs/sha256/%s", s->path, de->d_name);
          (*bad)++;
          continue;
        }
      fd = openat (dfd, de->d_name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
      if (fd < 0 || digest_fd (fd, got, NULL, NULL) < 0 || strcmp (got, want) != 0)
        {
          log_warn ("store `%s`: blob %s is corrupt", s->path, want);
          (*bad)++;
        }
    }
  if (index_load (s, &doc, err) < 0)
    return -1;
  {
    yajl_val manifests = json_get_array (doc, "manifests");
    for (size_t i = 0; i < json_array_len (manifests); i++)
      {
        const char *dg = json_get_string (json_array_at (manifests, i), "digest");
        if (dg == NULL || !store_has_blob (s, dg))
          {
            log_warn ("store `%s`: index.json entry %zu names a missing blob %s", s->path, i,
                      dg ? dg : "(none)");
            (*bad)++;
          }
      }
  }
  return 0;
}
