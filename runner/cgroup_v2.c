/* The cgroup v2 writers (Documentation/admin-guide/cgroup-v2.rst) and the
   conversions of v1-style linux.resources values to v2 files, as crun(1)
   documents them ("CGROUP v2"). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup_internal.h"
#include "cleanup.h"
#include "json.h"

unsigned long long cgroup_cpu_shares_to_weight (unsigned long long shares)
{
  if (shares == 0)
    return 0;
  if (shares < 2)
    shares = 2;
  if (shares > 262144)
    shares = 262144;
  /* crun(1): y = 1 + ((x - 2) * 9999) / 262142 */
  return 1 + ((shares - 2) * 9999) / 262142;
}

unsigned long long cgroup_blkio_weight_to_io_weight (unsigned long long weight)
{
  if (weight == 0)
    return 0;
  if (weight < 10)
    weight = 10;
  if (weight > 1000)
    weight = 1000;
  /* crun(1): y = 1 + (x - 10) * 9999 / 990 */
  return 1 + (weight - 10) * 9999 / 990;
}

int cgroup_memory_swap_to_v2 (long long swap, long long limit, long long *out,
                              oci_error **err)
{
  if (swap == -1)
    {
      *out = -1;
      return 0;
    }
  if (swap < 0)
    return oci_error_set (err, 0, "linux.resources.memory.swap %lld: invalid", swap);
  if (limit == -1)
    return oci_error_set (err, 0,
                          "linux.resources.memory.swap %lld: cannot be converted to cgroup v2 "
                          "with an unlimited memory.limit",
                          swap);
  if (limit <= 0)
    return oci_error_set (err, 0,
                          "linux.resources.memory.swap %lld: needs memory.limit on cgroup v2 "
                          "(swap is memory+swap)",
                          swap);
  if (swap < limit)
    return oci_error_set (err, 0,
                          "linux.resources.memory.swap %lld is below memory.limit %lld "
                          "(swap is memory+swap)",
                          swap, limit);
  *out = swap - limit;
  return 0;
}

static int write_max (cgroup *cg, const char *dir, const char *file, long long v,
                      oci_error **err)
{
  if (v < 0)
    return cgroup_write (cg, dir, file, "max", err);
  return cgroup_writef (cg, dir, file, err, "%lld", v);
}

int cgroup_v2_set_memory (cgroup *cg, const char *dir, yajl_val sec, bool update,
                          oci_error **err)
{
  long long limit = 0, swap = 0, v;
  /* 0 means unset, as in runc */
  bool has_limit = json_get_int (sec, "limit", &limit) && limit != 0;
  bool has_swap = json_get_int (sec, "swap", &swap) && swap != 0;
  yajl_val b = json_get (sec, "checkBeforeUpdate");

  if (b && YAJL_IS_TRUE (b) && update && has_limit
      && cgroup_check_limit_above_usage (dir, "memory.current", limit, err) < 0)
    return -1;
  if (has_swap)
    {
      long long base = limit;
      if (!has_limit && update)
        {
          /* `update --memory-swap` alone: against the current limit. */
          cleanup_free char *cur = NULL;
          if (cgroup_read (dir, "memory.max", &cur, err) < 0)
            return -1;
          base = strncmp (cur, "max", 3) == 0 ? -1 : strtoll (cur, NULL, 10);
        }
      if (cgroup_memory_swap_to_v2 (swap, base, &swap, err) < 0)
        return -1;
    }
  if (json_get_int (sec, "reservation", &v) && v != 0 && write_max (cg, dir, "memory.low", v, err) < 0)
    return -1;
  if (has_limit && write_max (cg, dir, "memory.max", limit, err) < 0)
    return -1;
  /* no memory.swap.max without swap accounting: "max" is moot then */
  if (has_swap && (swap != -1 || cg->fake || cgroup_file_exists (dir, "memory.swap.max"))
      && write_max (cg, dir, "memory.swap.max", swap, err) < 0)
    return -1;
  if (has_limit && limit == -1 && !has_swap)
    {
      /* runc: unlimited memory with swap unset means both unlimited. */
      if (cgroup_write_if_exists (cg, dir, "memory.swap.max", "max", err) < 0)
        return -1;
    }
  /* kernel, kernelTCP, swappiness, disableOOMKiller and useHierarchy have
     no v2 file; crun and runc ignore them on v2. */
  return 0;
}

int cgroup_v2_set_cpu (cgroup *cg, const char *dir, yajl_val sec, oci_error **err)
{
  long long v, quota = 0, period = 0;
  bool has_quota, has_period;

  if (json_get_int (sec, "shares", &v) && v > 0
      && cgroup_writef (cg, dir, "cpu.weight", err, "%llu",
                        cgroup_cpu_shares_to_weight ((unsigned long long) v)) < 0)
    return -1;
  has_quota = json_get_int (sec, "quota", &quota) && quota != 0;
  has_period = json_get_int (sec, "period", &period) && period != 0;
  if (has_quota || has_period)
    {
      /* cpu.max is "QUOTA PERIOD" in one write; a period alone keeps the
         current quota. */
      char qbuf[32] = "max";
      if (has_quota && quota > 0)
        snprintf (qbuf, sizeof qbuf, "%lld", quota);
      else if (!has_quota && !cg->fake)
        {
          cleanup_free char *cur = NULL;
          cleanup_error oci_error *e = NULL;
          if (cgroup_read (dir, "cpu.max", &cur, &e) == 0)
            snprintf (qbuf, sizeof qbuf, "%.*s", (int) strcspn (cur, " \n"), cur);
        }
      if (has_period
          ? cgroup_writef (cg, dir, "cpu.max", err, "%s %lld", qbuf, period) < 0
          : cgroup_write (cg, dir, "cpu.max", qbuf, err) < 0)
        return -1;
    }
  if (json_get_int (sec, "burst", &v) && cgroup_write_optional_ll (cg, dir, "cpu.max.burst", v, err) < 0)
    return -1;
  if ((json_get_int (sec, "realtimeRuntime", &v) && v != 0)
      || (json_get_int (sec, "realtimePeriod", &v) && v != 0))
    return oci_error_set (err, 0,
                          "linux.resources.cpu.realtimeRuntime/realtimePeriod: cgroup v2 has no "
                          "realtime limits");
  if (json_get_int (sec, "idle", &v) && cgroup_write_optional_ll (cg, dir, "cpu.idle", v, err) < 0)
    return -1;
  return 0;
}

int cgroup_v2_set_cpuset (cgroup *cg, const char *dir, yajl_val sec, oci_error **err)
{
  /* Same files and syntax as v1. */
  return cgroup_v1_set_cpuset (cg, dir, sec, err);
}

int cgroup_v2_set_pids (cgroup *cg, const char *dir, yajl_val sec, oci_error **err)
{
  return cgroup_v1_set_pids (cg, dir, sec, err);
}

static int io_max (cgroup *cg, const char *dir, yajl_val sec, const char *key,
                   const char *field, oci_error **err)
{
  yajl_val arr = json_get_array (sec, key);
  for (size_t i = 0; i < json_array_len (arr); i++)
    {
      yajl_val d = json_array_at (arr, i);
      long long maj, min, rate;
      if (!json_get_int (d, "major", &maj) || !json_get_int (d, "minor", &min)
          || !json_get_int (d, "rate", &rate))
        return oci_error_set (err, 0, "linux.resources.blockIO.%s: each entry needs major, minor and rate", key);
      if (cgroup_writef (cg, dir, "io.max", err, "%lld:%lld %s=%lld", maj, min, field, rate) < 0)
        return -1;
    }
  return 0;
}

int cgroup_v2_set_io (cgroup *cg, const char *dir, yajl_val sec, oci_error **err)
{
  /* io.bfq.weight takes the blkio value as is; io.weight needs it
     converted (crun). */
  bool bfq = !cg->fake && cgroup_file_exists (dir, "io.bfq.weight");
  const char *file = bfq ? "io.bfq.weight" : "io.weight";
  yajl_val arr;
  long long v;

  if (json_get_int (sec, "weight", &v) && v > 0
      && cgroup_writef (cg, dir, file, err, "%llu",
                        bfq ? (unsigned long long) v
                            : cgroup_blkio_weight_to_io_weight ((unsigned long long) v)) < 0)
    return -1;
  arr = json_get_array (sec, "weightDevice");
  for (size_t i = 0; i < json_array_len (arr); i++)
    {
      yajl_val d = json_array_at (arr, i);
      long long maj, min, w;
      if (!json_get_int (d, "major", &maj) || !json_get_int (d, "minor", &min))
        return oci_error_set (err, 0, "linux.resources.blockIO.weightDevice: each entry needs major and minor");
      if (json_get_int (d, "weight", &w) && w > 0
          && cgroup_writef (cg, dir, file, err, "%lld:%lld %llu", maj, min,
                            bfq ? (unsigned long long) w
                                : cgroup_blkio_weight_to_io_weight ((unsigned long long) w)) < 0)
        return -1;
    }
  /* leafWeight has no v2 equivalent (ignored, as crun). */
  if (io_max (cg, dir, sec, "throttleReadBpsDevice", "rbps", err) < 0
      || io_max (cg, dir, sec, "throttleWriteBpsDevice", "wbps", err) < 0
      || io_max (cg, dir, sec, "throttleReadIOPSDevice", "riops", err) < 0
      || io_max (cg, dir, sec, "throttleWriteIOPSDevice", "wiops", err) < 0)
    return -1;
  return 0;
}

/* config-linux.md "Unified": key = a file of the container's cgroup. */
int cgroup_v2_set_unified (cgroup *cg, const char *dir, yajl_val obj, oci_error **err)
{
  struct cgroup_hier *h = cgroup_hier_v2 (cg);
  for (size_t i = 0; i < json_object_len (obj); i++)
    {
      const char *key = json_object_key (obj, i);
      yajl_val val = json_object_value (obj, i);
      const char *dot = strchr (key, '.');
      if (!YAJL_IS_STRING (val))
        return oci_error_set (err, 0, "linux.resources.unified.%s: value is not a string", key);
      if (dot == NULL || dot == key || strchr (key, '/') || key[0] == '.')
        return oci_error_set (err, 0, "linux.resources.unified: `%s` is not a cgroup file name", key);
      if (cg->mode == CGROUP_MODE_HYBRID && strncmp (key, "cgroup.", 7) != 0)
        {
          /* Hybrid: only the controllers on the v2 tree are writable. */
          char ctrl[32];
          snprintf (ctrl, sizeof ctrl, "%.*s", (int) (dot - key), key);
          const char *want = strcmp (ctrl, "io") == 0 ? "blkio" : ctrl;
          bool found = false;
          for (int c = 0; c < CG_NCONTROLLERS; c++)
            if (strcmp (want, cgroup_controller_name (c)) == 0 && (h->ctrls & (1u << c)))
              found = true;
          if (!found)
            return oci_error_set (err, 0,
                                  "linux.resources.unified.%s: the %s controller is not on the "
                                  "cgroup v2 hierarchy of this hybrid host",
                                  key, ctrl);
        }
      if (cgroup_write (cg, dir, key, YAJL_GET_STRING (val), err) < 0)
        return -1;
    }
  return 0;
}
