/* File writers: small regular files are created, filled and given their
   metadata by a few threads while the tar is still being parsed. Creating
   an inode is the costly step on some filesystems (ext4 scanning its
   inode bitmaps), and it parallelises. The caller keeps the order that
   matters: it drains the pool before anything that could touch a queued
   path (removals, hard links, a path written twice). Memory is bounded:
   submit waits while too many bytes are queued. */
#ifndef OCIKIT_UNPACK_WRITER_H
#define OCIKIT_UNPACK_WRITER_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "meta.h"

/* A directory fd shared by the jobs queued for it and by the parser's
   cache: one fd per directory, not one per queued file. */
typedef struct dir_ref
{
  int fd;
  int refs;
} dir_ref;

/* Takes `fd` over; one reference. NULL when out of memory (fd closed). */
dir_ref *dir_ref_new (int fd);
dir_ref *dir_ref_get (dir_ref *d);
void dir_ref_put (dir_ref *d);

typedef struct file_job
{
  dir_ref *dir; /* a reference to the parent directory */
  char *name;  /* last component, created with O_EXCL|O_NOFOLLOW */
  char *path;  /* for messages */
  unsigned char *data;
  size_t len;
  bool rootless;
  entry_meta meta;
  struct file_job *next;
} file_job;

void file_job_free (file_job *j);
/* Create and fill the file of `j` (also used without a pool). */
int file_job_run (file_job *j, oci_error **err);

typedef struct writer_pool writer_pool;

int writer_pool_new (unsigned threads, size_t max_bytes, writer_pool **out, oci_error **err);
/* Queue `j` (taken over, freed whatever happens). Fails with the error of
   an earlier job, if one failed. */
int writer_pool_submit (writer_pool *p, file_job *j, oci_error **err);
/* Wait until every queued job is done; the first failure, if any. */
int writer_pool_drain (writer_pool *p, oci_error **err);
/* Drop what is queued, stop the threads. */
void writer_pool_free (writer_pool *p);

#endif
