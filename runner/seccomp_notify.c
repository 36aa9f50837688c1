/* SCMP_ACT_NOTIFY hand-over (runtime-spec config-linux.md "Seccomp",
   listenerPath / listenerMetadata; runtime.md "Container process state").
   The container's init installs the filter at create time and passes the
   listener fd to the runtime over the sync socket (SYNC_SECCOMP); the
   runtime sends it here, once per connection, to the agent listening on
   listenerPath, before the container process is started. */
#include "seccomp.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cleanup.h"
#include "json.h"
#include "terminal.h"

int seccomp_notify_send (const char *listener_path, int listener_fd, const char *state,
                         size_t state_len, oci_error **err)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  cleanup_close int s = -1;

  if (strlen (listener_path) >= sizeof addr.sun_path)
    return oci_error_set (err, 0, "linux.seccomp.listenerPath `%s`: too long", listener_path);
  strcpy (addr.sun_path, listener_path);
  /* config-linux.md: the socket is AF_UNIX, SOCK_STREAM */
  s = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0)
    return oci_error_set (err, errno, "linux.seccomp.listenerPath: socket");
  if (connect (s, (struct sockaddr *) &addr, sizeof addr) < 0)
    return oci_error_set (err, errno, "linux.seccomp.listenerPath: connect to `%s`", listener_path);
  /* the whole state, the fd with its first bytes */
  if (fd_send (s, listener_fd, state, state_len) < 0)
    return oci_error_set (err, errno, "linux.seccomp.listenerPath: send to `%s`", listener_path);
  /* config-linux.md: one state per connection, closed after sending */
  return 0;
}

int seccomp_notify_handover (const seccomp_program *p, const char *state, pid_t pid,
                             int listener_fd, oci_error **err)
{
  cleanup_json_gen yajl_gen g = NULL;
  cleanup_json yajl_val st = NULL;
  cleanup_free char *out = NULL;
  const char *path = seccomp_program_listener_path (p);
  const char *meta = seccomp_program_listener_metadata (p);
  size_t len;

  if (path == NULL)
    return oci_error_set (err, 0, "linux.seccomp: SCMP_ACT_NOTIFY needs listenerPath");
  if (json_parse (state, strlen (state), "container state", &st, err) < 0)
    return -1;
  g = json_gen_new (false);
  if (g == NULL)
    return oci_error_set (err, ENOMEM, "container process state");
  yajl_gen_map_open (g);
  /* the same version the state carries */
  json_gen_kv_str (g, "ociVersion", json_get_string (st, "ociVersion") ?: "1.2.0");
  json_gen_key (g, "fds");
  yajl_gen_array_open (g);
  json_gen_str (g, "seccompFd"); /* index 0 of the SCM_RIGHTS array */
  yajl_gen_array_close (g);
  json_gen_kv_int (g, "pid", pid);
  json_gen_kv_str (g, "metadata", meta ? meta : "");
  json_gen_key (g, "state");
  json_gen_value (g, st);
  yajl_gen_map_close (g);
  if (json_gen_result (g, &out, &len, err) < 0)
    return -1;
  return seccomp_notify_send (path, listener_fd, out, len, err);
}
