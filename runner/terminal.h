/* Terminals (config.md process.terminal, consoleSize): the pty is created
   inside the container (its devpts), its master handed over with
   SCM_RIGHTS to --console-socket as conmon and containerd expect, or
   relayed by `run` itself to its own terminal. */
#ifndef RUNNER_TERMINAL_H
#define RUNNER_TERMINAL_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

/* In the container: new session, a pty from /dev/ptmx with the slave as
   controlling terminal on 0, 1, 2 (and bound on /dev/console when it
   exists). Returns the master fd. */
int terminal_create (unsigned short rows, unsigned short cols, bool console, int *master,
                     oci_error **err);
int fd_send (int sock, int fd, const void *data, size_t len);
/* Receive one message; *fd gets the passed descriptor or -1. */
ssize_t fd_recv (int sock, void *data, size_t len, int *fd);
/* Connect to the console socket and send the master. */
int terminal_send_to_socket (const char *path, int master, oci_error **err);

#endif
