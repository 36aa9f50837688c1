/* The container state kept under --root: ROOT/ID/ holds state.json (ours,
   replaced atomically), config.json (the bundle's config as created) and,
   while the container is `created`, start.sock (the init waits on it for
   `start`). The directory fd is flock'ed for the duration of a command. */
#ifndef RUNNER_STATE_H
#define RUNNER_STATE_H

#include <stdbool.h>
#include <sys/types.h>
#include <yajl/yajl_tree.h>

#include "error.h"

enum container_status
{
  STATUS_CREATING,
  STATUS_CREATED,
  STATUS_RUNNING,
  STATUS_PAUSED,
  STATUS_STOPPED,
};

#define STATE_START_SOCKET "start.sock"
#define STATE_PAUSED_MARK "paused"
/* no mount namespace: the runtime bound the rootfs onto itself (mounts.h) */
#define STATE_HOST_MOUNT_MARK "rootfs.bind"

typedef struct container_state
{
  char *id;
  pid_t pid;
  unsigned long long starttime; /* /proc/PID/stat field 22, against pid reuse */
  char *bundle;
  char *rootfs;
  char *created;                /* RFC 3339, UTC */
  char *cgroup_path;
  char **cgroup_parents;        /* cgroups above ours that create made (cgroup.h) */
  size_t ncgroup_parents;
  bool systemd_cgroup;
  unsigned owner;
  yajl_val doc;                 /* parsed state.json (annotations live here) */
  yajl_val annotations;         /* borrowed from doc or from a config */
  int dirfd;                    /* ROOT/ID, locked */
} container_state;

/* runtime-spec runtime.md: IDs are unique; we also refuse anything that is
   not a safe single path component. */
int state_validate_id (const char *id, oci_error **err);
/* Open (and create with mode 0700 if missing) the --root directory. */
int state_root_open (const char *root, bool create, int *fd, oci_error **err);
/* mkdir ROOT/ID (fails "already exists"), open and lock it. */
int state_dir_create (int rootfd, const char *id, int *dirfd, oci_error **err);
/* Open and lock ROOT/ID; errno ENOENT and "does not exist" if missing. */
int state_dir_open (int rootfd, const char *id, int *dirfd, oci_error **err);
/* Remove ROOT/ID and what it holds. */
int state_dir_remove (int rootfd, const char *id, int dirfd, oci_error **err);

/* Validate, open --root, open+lock ROOT/ID and load its state (st->dirfd
   owns the lock; state_clear does not close it). errno ENOENT when the
   container does not exist. */
int state_open_container (const char *root, const char *id, int *rootfd, container_state *st,
                          oci_error **err);
/* Replace dirfd/path by rename of a sibling temp file; no fsync: state
   lives on tmpfs (/run) and dies with the boot, as runc's does. */
int state_write_atomic (int dirfd, const char *path, const void *buf, size_t len, mode_t mode,
                        oci_error **err);
int state_save (const container_state *st, oci_error **err);
int state_load (int dirfd, const char *id, container_state *st, oci_error **err);
void state_clear (container_state *st);
#define cleanup_state __attribute__ ((cleanup (state_clear)))

/* Process start time from /proc/PID/stat, 0 if the process is gone. */
unsigned long long state_proc_starttime (pid_t pid, char *proc_state);
/* The live status: pid gone, zombie or reused → stopped. */
enum container_status state_status (const container_state *st);
const char *state_status_name (enum container_status s);
/* runtime-spec runtime.md "State": the JSON for `state` and for hooks. */
int state_oci_json (const container_state *st, enum container_status status, bool pretty,
                    char **out, size_t *len, oci_error **err);
/* Current time, RFC 3339 with nanoseconds. */
char *state_now_rfc3339 (void);

#endif
