/* Signal names ("TERM", "SIGTERM", "15") and forwarding from a foreground
   runtime to the container process. */
#ifndef RUNNER_SIGNALS_H
#define RUNNER_SIGNALS_H

#include <sys/types.h>

#include "error.h"

int signal_parse (const char *s, int *sig, oci_error **err);
/* Block every signal and return a signalfd for them (for the loop). */
int signals_block_all (int *sfd, oci_error **err);
void signals_unblock_all (void);
/* Forward signals to `pid`, relay the pty (master >= 0) with our stdin and
   stdout, until `pid` exits; returns its exit status (128+N if killed). */
int signals_wait_child (int sfd, pid_t pid, int master, oci_error **err);

#endif
