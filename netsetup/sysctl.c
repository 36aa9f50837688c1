#include "sysctl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "fileutil.h"

int sysctl_write (const char *key, const char *value, oci_error **err)
{
  char path[256], cur[64];
  cleanup_close int fd = -1;
  ssize_t n;
  size_t len = strlen (value);

  snprintf (path, sizeof path, "/proc/sys/%s", key);
  fd = open (path, O_RDWR | O_CLOEXEC);
  if (fd < 0)
    return oci_error_set (err, errno, "sysctl %s", key);
  n = read (fd, cur, sizeof cur - 1);
  if (n > 0)
    {
      cur[n] = '\0';
      cur[strcspn (cur, "\n")] = '\0';
      if (strcmp (cur, value) == 0)
        return 0;
    }
  if (lseek (fd, 0, SEEK_SET) < 0 || write_all (fd, value, len) < 0)
    return oci_error_set (err, errno, "sysctl %s=%s", key, value);
  return 0;
}
