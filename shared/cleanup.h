/* Cleanup attributes: every early return frees what it owns (bubblewrap, crun). */
#ifndef OCIKIT_CLEANUP_H
#define OCIKIT_CLEANUP_H

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void cleanup_freep (void *p)
{
  void **pp = (void **) p;
  free (*pp);
}

static inline void cleanup_closep (int *fd)
{
  if (*fd >= 0)
    {
      int saved = errno;
      close (*fd);
      errno = saved;
    }
}

static inline void cleanup_fclosep (FILE **f)
{
  if (*f)
    fclose (*f);
}

static inline void cleanup_closedirp (DIR **d)
{
  if (*d)
    closedir (*d);
}

#define cleanup_free __attribute__ ((cleanup (cleanup_freep)))
#define cleanup_close __attribute__ ((cleanup (cleanup_closep)))
#define cleanup_fclose __attribute__ ((cleanup (cleanup_fclosep)))
#define cleanup_dir __attribute__ ((cleanup (cleanup_closedirp)))

/* Hand ownership on: returns *pp and leaves NULL behind. */
static inline void *steal_pointer_impl (void *pp)
{
  void **p = (void **) pp;
  void *r = *p;
  *p = NULL;
  return r;
}
#define steal_pointer(pp) ((__typeof__ (*(pp))) steal_pointer_impl (pp))

static inline int steal_fd (int *fd)
{
  int r = *fd;
  *fd = -1;
  return r;
}

#endif
