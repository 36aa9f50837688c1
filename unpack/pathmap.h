/* A hash map from cleaned entry paths to small records: the paths one
   layer wrote (image-spec layer.md: whiteouts hide only lower layers) and
   the directory times and modes to set once everything is written. */
#ifndef OCIKIT_UNPACK_PATHMAP_H
#define OCIKIT_UNPACK_PATHMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

typedef struct pathmap_value
{
  unsigned flags;
  mode_t mode;
  dev_t dev;
  ino_t ino;
  struct timespec times[2]; /* atime, mtime */
} pathmap_value;

typedef struct pathmap pathmap;

pathmap *pathmap_new (void);
void pathmap_free (pathmap *m);
void pathmap_clear (pathmap *m);
/* The record for `path`, created zeroed if `create`; NULL if absent (or
   out of memory when creating). */
pathmap_value *pathmap_get (pathmap *m, const char *path, bool create);
size_t pathmap_size (const pathmap *m);
/* Visit every entry (order unspecified). */
void pathmap_each (pathmap *m, void (*fn) (const char *path, pathmap_value *v, void *arg),
                   void *arg);

#endif
