/* The runtime ↔ container-init conversation over a SOCK_SEQPACKET pair
   (and, for `start`, over the connection accepted on start.sock). One
   message per step; errors travel as text so the runtime prints them. */
#ifndef RUNNER_SYNC_H
#define RUNNER_SYNC_H

#include <sys/types.h>

enum sync_type
{
  SYNC_GO = 1,        /* runtime → init: ids mapped, cgroup entered; pid follows */
  SYNC_HOOKS,         /* init → runtime: namespaces and mounts ready, run createRuntime */
  SYNC_HOOKS_DONE,    /* runtime → init */
  SYNC_PTY,           /* init → runtime: pty master attached (SCM_RIGHTS) */
  SYNC_READY,         /* init → runtime: waiting for start */
  SYNC_START,         /* runtime → init: exec now */
  SYNC_ERROR,         /* either way: text is the message, code the exit status */
  SYNC_SECCOMP,       /* init → runtime: the seccomp notify listener (SCM_RIGHTS),
                         at create or exec, for listenerPath (config-linux.md "Seccomp") */
  SYNC_SECCOMP_DONE,  /* runtime → exec'd process: the listener reached listenerPath */
};

struct sync_msg
{
  int type;
  int code;
  pid_t pid;
  char text[4000];
};

int sync_send (int fd, int type, int code, const char *text);
/* Returns the message size, 0 on EOF, <0 on error. */
ssize_t sync_recv (int fd, struct sync_msg *m, int *passed_fd);

#endif
