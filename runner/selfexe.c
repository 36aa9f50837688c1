#include "selfexe.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

extern char **environ;

bool selfexe_is_sealed (void)
{
  cleanup_close int fd = open ("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  int seals = fd >= 0 ? fcntl (fd, F_GET_SEALS) : -1;
  return seals >= 0 && (seals & SEALS) == SEALS;
}

int selfexe_reexec_sealed (char **argv)
{
  cleanup_close int self = open ("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  cleanup_close int mfd = -1;
  struct stat st;
  off_t off = 0;

  if (self < 0 || fstat (self, &st) < 0)
    return -1;
  mfd = memfd_create ("runner", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
  if (mfd < 0 && errno == EINVAL)
    mfd = memfd_create ("runner", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (mfd < 0)
    return -1;
  while (off < st.st_size)
    {
      ssize_t n = sendfile (mfd, self, &off, st.st_size - off);
      if (n <= 0)
        return -1;
    }
  if (fcntl (mfd, F_ADD_SEALS, SEALS) < 0)
    return -1;
  fexecve (mfd, argv, environ);
  return -1;
}
