/* The command line `create` and `run` share (runc's create flags; run adds
   --detach, --keep, --no-subreaper). One parser, so the two cannot drift. */
#ifndef RUNNER_CREATE_OPTS_H
#define RUNNER_CREATE_OPTS_H

#include <stdbool.h>

#include "container.h"
#include "error.h"

/* Parse argv of `create` (run = false) or `run` (run = true) into *o
   (o->id is the ID; run sets o->run and o->foreground unless --detach)
   and *keep (run --keep; may be NULL for create). Returns 0, or 2 with a
   usage error in *err. */
int create_opts_parse (int argc, char **argv, bool run, struct container_opts *o, bool *keep,
                       oci_error **err);

#endif
