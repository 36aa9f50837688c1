/* The container's filesystem (config.md "Root", "Mounts"; config-linux.md
   "Rootfs Mount Propagation", "Masked Paths", "Readonly Paths", "Sysctl"):
   every destination is resolved inside the rootfs to an O_PATH fd
   (shared/safepath.h) and mounted through that fd — /proc/self/fd/N for
   new filesystems, open_tree + move_mount for binds — so a symlink swapped
   in by the image can never redirect a mount to the host. Runs in the
   container init, in its new (or joined) mount namespace. */
#ifndef RUNNER_MOUNTS_H
#define RUNNER_MOUNTS_H

#include <stdbool.h>
#include <yajl/yajl_tree.h>

#include "error.h"

/* Set by the init when it created a cgroup namespace: cgroup mounts are
   then fresh mounts (the namespace's root is the container's cgroup). */
extern bool mounts_in_cgroupns;

/* Resolve `path` inside rootfd, creating missing directories (and the
   last component as an empty file when `file`); returns an O_PATH fd. */
int rootfs_mkpath (int rootfd, const char *path, bool file, oci_error **err);

/* Make "/" private to this namespace (rootfsPropagation or rslave), bind
   the rootfs onto itself and return an fd of that mount in *rootfd. */
int mounts_prepare_root (yajl_val config, const char *rootfs, int *rootfd, oci_error **err);
/* config.mounts in order. */
int mounts_apply (yajl_val config, const char *bundle, int rootfd, bool userns, oci_error **err);
/* maskedPaths, readonlyPaths, linux.sysctl (before pivot, inside rootfd). */
int mounts_protect (yajl_val config, int rootfd, oci_error **err);
/* pivot_root into rootfd and detach the old root; with no_pivot, MS_MOVE
   and chroot; with chroot_only (no mount namespace of its own) chroot
   alone. Then root.readonly and rootfsPropagation. */
int mounts_enter_root (yajl_val config, int rootfd, bool no_pivot, bool chroot_only,
                       oci_error **err);

/* config-linux.md "Namespaces": without a mount namespace the container
   inherits the runtime's mount table. Its mounts then go on a private
   bind of the rootfs onto itself, made by the runtime before the init
   starts (the marker STATE_HOST_MOUNT_MARK in the state dir records it),
   and one lazy unmount of that bind on delete removes them all; "/" of
   the host is never pivoted, moved or re-propagated. */
int mounts_host_bind_rootfs (const char *rootfs, int state_dirfd, oci_error **err);
void mounts_host_release (const char *rootfs, int state_dirfd);

#endif
