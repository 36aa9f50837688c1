#include "terminal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "cleanup.h"

int terminal_create (unsigned short rows, unsigned short cols, bool console, int *master,
                     oci_error **err)
{
  cleanup_close int m = open ("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  cleanup_close int s = -1;
  int unlock = 0;

  if (m < 0)
    return oci_error_set (err, errno, "open /dev/ptmx");
  if (ioctl (m, TIOCSPTLCK, &unlock) < 0)
    return oci_error_set (err, errno, "unlock pty");
  /* TIOCGPTPEER opens the slave through the master: no path lookup in the
     container's /dev/pts that could be swapped */
  s = ioctl (m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (s < 0)
    return oci_error_set (err, errno, "open pty slave");
  if (rows || cols)
    {
      struct winsize ws = { .ws_row = rows, .ws_col = cols };
      ioctl (s, TIOCSWINSZ, &ws);
    }
  if (console)
    {
      /* /dev/console is the pty (runtime-linux "Default Devices" lists it
         for terminal containers) */
      int fd = open ("/dev/console", O_PATH | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0 && errno == ENOENT)
        {
          int c = open ("/dev/console", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
          if (c >= 0)
            close (c);
          fd = open ("/dev/console", O_PATH | O_NOFOLLOW | O_CLOEXEC);
        }
      if (fd >= 0)
        {
          int tree = open_tree (s, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
          if (tree >= 0)
            {
              move_mount (tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
              close (tree);
            }
          close (fd);
        }
    }
  if (setsid () < 0 && errno != EPERM)
    return oci_error_set (err, errno, "setsid");
  if (ioctl (s, TIOCSCTTY, 0) < 0)
    return oci_error_set (err, errno, "set controlling terminal");
  for (int i = 0; i < 3; i++)
    if (dup2 (s, i) < 0)
      return oci_error_set (err, errno, "dup pty");
  *master = steal_fd (&m);
  return 0;
}

int fd_send (int sock, int fd, const void *data, size_t len)
{
  struct iovec iov = { .iov_base = (void *) data, .iov_len = len };
  union { char buf[CMSG_SPACE (sizeof (int))]; struct cmsghdr align; } u;
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
  if (fd >= 0)
    {
      struct cmsghdr *c;
      memset (&u, 0, sizeof u);
      msg.msg_control = u.buf;
      msg.msg_controllen = sizeof u.buf;
      c = CMSG_FIRSTHDR (&msg);
      c->cmsg_level = SOL_SOCKET;
      c->cmsg_type = SCM_RIGHTS;
      c->cmsg_len = CMSG_LEN (sizeof (int));
      memcpy (CMSG_DATA (c), &fd, sizeof (int));
    }
  ssize_t n;
  do
    n = sendmsg (sock, &msg, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return -1;
  /* a stream socket may take part of it: the rest, without the fd again
     (a SOCK_SEQPACKET message always goes whole) */
  for (size_t done = (size_t) n; done < len; done += (size_t) n)
    {
      do
        n = send (sock, (const char *) data + done, len - done, MSG_NOSIGNAL);
      while (n < 0 && errno == EINTR);
      if (n <= 0)
        {
          if (n == 0)
            errno = EPIPE;
          return -1;
        }
    }
  return 0;
}

ssize_t fd_recv (int sock, void *data, size_t len, int *fd)
{
  struct iovec iov = { .iov_base = data, .iov_len = len };
  union { char buf[CMSG_SPACE (sizeof (int))]; struct cmsghdr align; } u;
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                        .msg_controllen = sizeof u.buf };
  ssize_t n;
  *fd = -1;
  do
    n = recvmsg (sock, &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n >= 0)
    for (struct cmsghdr *c = CMSG_FIRSTHDR (&msg); c; c = CMSG_NXTHDR (&msg, c))
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
        memcpy (fd, CMSG_DATA (c), sizeof (int));
  return n;
}

int terminal_send_to_socket (const char *path, int master, oci_error **err)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  cleanup_close int sock = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (strlen (path) >= sizeof addr.sun_path)
    return oci_error_set (err, ENAMETOOLONG, "console socket `%s`", path);
  strcpy (addr.sun_path, path);
  if (sock < 0 || connect (sock, (struct sockaddr *) &addr, sizeof addr) < 0)
    return oci_error_set (err, errno, "console socket `%s`", path);
  /* conmon reads the name of the pty in the payload */
  if (fd_send (sock, master, "/dev/ptmx", 9) < 0)
    return oci_error_set (err, errno, "send pty to `%s`", path);
  return 0;
}
