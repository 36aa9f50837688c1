#include "sync.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <stddef.h>

#include "terminal.h"

int sync_send (int fd, int type, int code, const char *text)
{
  struct sync_msg m = { .type = type, .code = code };
  size_t len = offsetof (struct sync_msg, text);
  if (text)
    {
      snprintf (m.text, sizeof m.text, "%s", text);
      len += strlen (m.text) + 1;
    }
  return fd_send (fd, -1, &m, len);
}

ssize_t sync_recv (int fd, struct sync_msg *m, int *passed_fd)
{
  int pfd = -1;
  ssize_t n;
  memset (m, 0, sizeof *m);
  n = fd_recv (fd, m, sizeof m->text + offsetof (struct sync_msg, text) - 1, &pfd);
  if (passed_fd)
    *passed_fd = pfd;
  else if (pfd >= 0)
    close (pfd);
  return n;
}
