/* config.md "POSIX-platform Hooks": each hook is exec'd with its args and
   env, gets the state JSON on stdin, and is killed after `timeout`
   seconds. SIGPIPE is ignored while the state is written, so a hook that
   does not read stdin cannot kill the runtime. */
#ifndef RUNNER_HOOKS_H
#define RUNNER_HOOKS_H

#include <stddef.h>
#include <yajl/yajl_tree.h>

#include "error.h"

/* Run config.hooks.<kind> in order; the first failure stops and fails. */
int hooks_run (yajl_val config, const char *kind, const char *state_json, oci_error **err);
/* Run them all, reporting failures as warnings (poststart, poststop). */
void hooks_run_warn (yajl_val config, const char *kind, const char *state_json);
/* true if config.hooks.<kind> has entries */
int hooks_count (yajl_val config, const char *kind);

#endif
