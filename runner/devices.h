/* config-linux.md "Devices" and "Default Devices": /dev/null, zero, full,
   random, urandom, tty and the /dev/ptmx, fd, stdin/out/err links, plus
   linux.devices — mknod, or a bind of the host node inside a user
   namespace where mknod is not allowed. */
#ifndef RUNNER_DEVICES_H
#define RUNNER_DEVICES_H

#include <stdbool.h>
#include <yajl/yajl_tree.h>

#include "error.h"

int devices_create (yajl_val config, int rootfd, bool userns, oci_error **err);

#endif
