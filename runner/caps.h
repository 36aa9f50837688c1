/* Capabilities (config.md process.capabilities): the five sets as 64-bit
   masks, applied with prctl and capset — no libcap. */
#ifndef RUNNER_CAPS_H
#define RUNNER_CAPS_H

#include <stdbool.h>
#include <stdint.h>
#include <yajl/yajl_tree.h>

#include "error.h"

enum cap_set { CAP_SET_BOUNDING, CAP_SET_EFFECTIVE, CAP_SET_PERMITTED, CAP_SET_INHERITABLE,
               CAP_SET_AMBIENT, CAP_SET_COUNT };

struct cap_sets
{
  bool given;                 /* process.capabilities present */
  uint64_t set[CAP_SET_COUNT];
};

/* "CAP_SYS_ADMIN" (or "SYS_ADMIN", any case) → number; -1 if unknown. */
int cap_from_name (const char *name);
const char *cap_name (int cap);
int cap_last (void);
/* Unknown names are skipped with a warning, as runc does. */
int caps_parse (yajl_val caps, struct cap_sets *out, oci_error **err);
/* Drop the bounding set (needs CAP_SETPCAP: before changing uid). */
int caps_apply_bounding (const struct cap_sets *c, oci_error **err);
/* effective/permitted/inheritable then ambient (after changing uid with
   PR_SET_KEEPCAPS). Inheritable is exactly the config's set, never more
   (CVE-2022-27650). */
int caps_apply_sets (const struct cap_sets *c, oci_error **err);

#endif
