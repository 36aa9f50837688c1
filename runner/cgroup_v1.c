/* The cgroup v1 writers: one hierarchy per controller, the file names and
   value formats of Documentation/admin-guide/cgroup-v1/. Each function
   writes one linux.resources section (runtime-spec config-linux.md). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup_internal.h"
#include "cleanup.h"
#include "json.h"

static bool get_int (yajl_val sec, const char *key, long long *v)
{
  return json_get_int (sec, key, v);
}

static int write_ll (cgroup *cg, const char *dir, const char *file, long long v,
                     oci_error **err)
{
  return cgroup_writef (cg, dir, file, err, "%lld", v);
}

/* A value of 0 is the kernel's default: a kernel without the file
   (older than the feature) is fine then; any other value needs it. */
int cgroup_write_optional_ll (cgroup *cg, const char *dir, const char *file, long long v,
                              oci_error **err)
{
  char buf[32];
  snprintf (buf, sizeof buf, "%lld", v);
  if (v == 0)
    return cgroup_write_if_exists (cg, dir, file, buf, err) < 0 ? -1 : 0;
  return cgroup_write (cg, dir, file, buf, err);
}

static bool get_bool (yajl_val sec, const char *key, bool *v)
{
  yajl_val b = json_get (sec, key);
  if (b == NULL || !(YAJL_IS_TRUE (b) || YAJL_IS_FALSE (b)))
    return false;
  *v = YAJL_IS_TRUE (b);
  return true;
}

/* config-linux.md "checkBeforeUpdate": refuse a limit below the usage. */
int cgroup_check_limit_above_usage (const char *dir, const char *usage_file,
                                    long long limit, oci_error **err)
{
  cleanup_free char *text = NULL;
  cleanup_error oci_error *e = NULL;
  if (limit <= 0 || cgroup_read (dir, usage_file, &text, &e) < 0)
    return 0;
  unsigned long long usage = strtoull (text, NULL, 10);
  if (usage > (unsigned long long) limit)
    return oci_error_set (err, 0,
                          "linux.resources.memory.limit %lld is below the current usage %llu",
                          limit, usage);
  return 0;
}

int cgroup_v1_set_memory (cgroup *cg, const char *dir, yajl_val sec, bool update,
                          oci_error **err)
{
  long long limit = 0, swap = 0, v;
  /* 0 means unset for these, as in runc (podman's `update` sends zeros) */
  bool has_limit = get_int (sec, "limit", &limit) && limit != 0;
  bool has_swap = get_int (sec, "swap", &swap) && swap != 0;
  bool b;

  if (get_bool (sec, "checkBeforeUpdate", &b) && b && update && has_limit
      && cgroup_check_limit_above_usage (dir, "memory.usage_in_bytes", limit, err) < 0)
    return -1;
  if (get_int (sec, "reservation", &v) && v != 0
      && write_ll (cg, dir, "memory.soft_limit_in_bytes", v, err) < 0)
    return -1;
  if (has_limit)
    {
      /* memory.memsw.limit_in_bytes (memory+swap) may never be below
         memory.limit_in_bytes: raising both needs memsw first, lowering
         both needs the limit first. Try limit first; EINVAL means the
         other order. */
      cleanup_error oci_error *e = NULL;
      if (write_ll (cg, dir, "memory.limit_in_bytes", limit, &e) < 0)
        {
          if (!has_swap || e->errnum != EINVAL)
            {
              *err = steal_pointer (&e);
              return -1;
            }
          if (write_ll (cg, dir, "memory.memsw.limit_in_bytes", swap, err) < 0
              || write_ll (cg, dir, "memory.limit_in_bytes", limit, err) < 0)
            return -1;
          has_swap = false;
        }
      else if (limit == -1 && !has_swap)
        {
          /* runc: an unlimited memory with swap unset means both. */
          cleanup_error oci_error *e2 = NULL;
          cgroup_write_if_exists (cg, dir, "memory.memsw.limit_in_bytes", "-1", &e2);
        }
    }
  /* Without swap accounting there is no memsw file: "unlimited" is then
     what we have anyway (runc ignores it too); a limit is an error. */
  if (has_swap && (swap != -1 || cg->fake || cgroup_file_exists (dir, "memory.memsw.limit_in_bytes"))
      && write_ll (cg, dir, "memory.memsw.limit_in_bytes", swap, err) < 0)
    return -1;
  if (get_int (sec, "kernel", &v) && v != 0)
    {
      /* Deprecated by the spec; Linux 6.x refuses it (EOPNOTSUPP) and runc
         ignores it: best effort. */
      cleanup_error oci_error *e = NULL;
      cgroup_writef (cg, dir, "memory.kmem.limit_in_bytes", &e, "%lld", v);
    }
  if (get_int (sec, "kernelTCP", &v) && v != 0
      && write_ll (cg, dir, "memory.kmem.tcp.limit_in_bytes", v, err) < 0)
    return -1;
  if (get_int (sec, "swappiness", &v) && v >= 0)
    {
      if (v > 100)
        return oci_error_set (err, 0, "linux.resources.memory.swappiness %lld: not in 0..100", v);
      if (write_ll (cg, dir, "memory.swappiness", v, err) < 0)
        return -1;
    }
  if (get_bool (sec, "disableOOMKiller", &b) && (b || update)
      && cgroup_write (cg, dir, "memory.oom_control", b ? "1" : "0", err) < 0)
    return -1;
  if (get_bool (sec, "useHierarchy", &b)
      && cgroup_write (cg, dir, "memory.use_hierarchy", b ? "1" : "0", err) < 0)
    return -1;
  return 0;
}

int cgroup_v1_set_cpu (cgroup *cg, const char *dir, yajl_val sec, oci_error **err)
{
  long long v;
  if (get_int (sec, "shares", &v) && v != 0 && write_ll (cg, dir, "cpu.shares", v, err) < 0)
    return -1;
  /* The period first: a quota is a share of it. */
  if (get_int (sec, "period", &v) && v != 0
      && write_ll (cg, dir, "cpu.cfs_period_us", v, err) < 0)
    return -1;
  if (get_int (sec, "quota", &v) && v != 0
      && write_ll (cg, dir, "cpu.cfs_quota_us", v, err) < 0)
    return -1;
  if (get_int (sec, "burst", &v) && cgroup_write_optional_ll (cg, dir, "cpu.cfs_burst_us", v, err) < 0)
    return -1;
  if (get_int (sec, "realtimePeriod", &v) && v != 0
      && write_ll (cg, dir, "cpu.rt_period_us", v, err) < 0)
    return -1;
  if (get_int (sec, "realtimeRuntime", &v) && v != 0
      && write_ll (cg, dir, "cpu.rt_runtime_us", v, err) < 0)
    return -1;
  if (get_int (sec, "idle", &v) && cgroup_write_optional_ll (cg, dir, "cpu.idle", v, err) < 0)
    return -1;
  return 0;
}

int cgroup_v1_set_cpuset (cgroup *cg, const char *dir, yajl_val sec, oci_error **err)
{
  const char *s;
  if ((s = json_get_string (sec, "cpus")) && *s
      && cgroup_write (cg, dir, "cpuset.cpus", s, err) < 0)
    return -1;
  if ((s = json_get_string (sec, "mems")) && *s
      && cgroup_write (cg, dir, "cpuset.mems", s, err) < 0)
    return -1;
  return 0;
}

/* pids.limit < 0 means no limit, 0 leaves it as it is (runc). */
int cgroup_v1_set_pids (cgroup *cg, const char *dir, yajl_val sec, oci_error **err)
{
  long long v;
  if (!get_int (sec, "limit", &v) || v == 0)
    return 0;
  if (v > 0)
    return write_ll (cg, dir, "pids.max", v, err);
  return cgroup_write (cg, dir, "pids.max", "max", err);
}

static int device_pair (yajl_val d, const char *what, long long *maj, long long *min,
                        oci_error **err)
{
  if (!json_get_int (d, "major", maj) || !json_get_int (d, "minor", min) || *maj < 0 || *min < 0)
    return oci_error_set (err, 0, "linux.resources.blockIO.%s: each entry needs major and minor",
                          what);
  return 0;
}

/* "MAJ:MIN VALUE" lines for the throttle files (v1) */
static int v1_throttle (cgroup *cg, const char *dir, yajl_val sec, const char *key,
                        const char *file, oci_error **err)
{
  yajl_val arr = json_get_array (sec, key);
  for (size_t i = 0; i < json_array_len (arr); i++)
    {
      yajl_val d = json_array_at (arr, i);
      long long maj, min, rate;
      if (device_pair (d, key, &maj, &min, err) < 0)
        return -1;
      if (!json_get_int (d, "rate", &rate))
        return oci_error_set (err, 0, "linux.resources.blockIO.%s: entry without rate", key);
      if (cgroup_writef (cg, dir, file, err, "%lld:%lld %lld", maj, min, rate) < 0)
        return -1;
    }
  return 0;
}

int cgroup_v1_set_blkio (cgroup *cg, const char *dir, yajl_val sec, oci_error **err)
{
  /* CFQ's blkio.weight is gone from current kernels; BFQ's has the same
     range [10, 1000] (runc falls back the same way). */
  bool bfq = !cg->fake && !cgroup_file_exists (dir, "blkio.weight")
             && cgroup_file_exists (dir, "blkio.bfq.weight");
  yajl_val arr;
  long long v;

  if (get_int (sec, "weight", &v) && v != 0
      && write_ll (cg, dir, bfq ? "blkio.bfq.weight" : "blkio.weight", v, err) < 0)
    return -1;
  if (get_int (sec, "leafWeight", &v) && v != 0)
    {
      char buf[32];
      snprintf (buf, sizeof buf, "%lld", v);
      if (cgroup_write_if_exists (cg, dir, "blkio.leaf_weight", buf, err) < 0)
        return -1;
    }
  arr = json_get_array (sec, "weightDevice");
  for (size_t i = 0; i < json_array_len (arr); i++)
    {
      yajl_val d = json_array_at (arr, i);
      long long maj, min, w;
      char buf[64];
      if (device_pair (d, "weightDevice", &maj, &min, err) < 0)
        return -1;
      if (json_get_int (d, "weight", &w)
          && cgroup_writef (cg, dir, bfq ? "blkio.bfq.weight_device" : "blkio.weight_device",
                            err, "%lld:%lld %lld", maj, min, w) < 0)
        return -1;
      snprintf (buf, sizeof buf, "%lld:%lld ", maj, min);
      if (json_get_int (d, "leafWeight", &w))
        {
          snprintf (buf + strlen (buf), sizeof buf - strlen (buf), "%lld", w);
          if (cgroup_write_if_exists (cg, dir, "blkio.leaf_weight_device", buf, err) < 0)
            return -1;
        }
    }
  if (v1_throttle (cg, dir, sec, "throttleReadBpsDevice", "blkio.throttle.read_bps_device", err) < 0
      || v1_throttle (cg, dir, sec, "throttleWriteBpsDevice", "blkio.throttle.write_bps_device", err) < 0
      || v1_throttle (cg, dir, sec, "throttleReadIOPSDevice", "blkio.throttle.read_iops_device", err) < 0
      || v1_throttle (cg, dir, sec, "throttleWriteIOPSDevice", "blkio.throttle.write_iops_device", err) < 0)
    return -1;
  return 0;
}

/* A pageSize names a file: "2MB", "1GB", "64KB". */
int cgroup_hugetlb_page_size_ok (const char *s)
{
  size_t n = strspn (s, "0123456789");
  return n > 0 && (strcmp (s + n, "KB") == 0 || strcmp (s + n, "MB") == 0
                   || strcmp (s + n, "GB") == 0);
}

static int hugetlb (cgroup *cg, const char *dir, yajl_val arr, const char *suffix,
                    oci_error **err)
{
  for (size_t i = 0; i < json_array_len (arr); i++)
    {
      yajl_val e = json_array_at (arr, i);
      const char *size = json_get_string (e, "pageSize");
      long long limit;
      char file[64];
      if (size == NULL || !cgroup_hugetlb_page_size_ok (size) || strlen (size) > 20)
        return oci_error_set (err, 0, "linux.resources.hugepageLimits: pageSize `%s` is not like 2MB",
                              size ? size : "");
      if (!json_get_int (e, "limit", &limit))
        return oci_error_set (err, 0, "linux.resources.hugepageLimits[%s]: no limit", size);
      snprintf (file, sizeof file, "hugetlb.%s.%s", size, suffix);
      if (cgroup_writef (cg, dir, file, err, "%lld", limit) < 0)
        return -1;
    }
  return 0;
}

int cgroup_v1_set_hugetlb (cgroup *cg, const char *dir, yajl_val arr, oci_error **err)
{
  return hugetlb (cg, dir, arr, "limit_in_bytes", err);
}

int cgroup_v2_set_hugetlb (cgroup *cg, const char *dir, yajl_val arr, oci_error **err)
{
  return hugetlb (cg, dir, arr, "max", err);
}

int cgroup_v1_set_net_cls (cgroup *cg, const char *dir, yajl_val sec, oci_error **err)
{
  long long v;
  if (get_int (sec, "classID", &v))
    return write_ll (cg, dir, "net_cls.classid", v, err);
  return 0;
}

int cgroup_v1_set_net_prio (cgroup *cg, const char *dir, yajl_val sec, oci_error **err)
{
  yajl_val arr = json_get_array (sec, "priorities");
  for (size_t i = 0; i < json_array_len (arr); i++)
    {
      yajl_val p = json_array_at (arr, i);
      const char *name = json_get_string (p, "name");
      long long prio;
      if (name == NULL || !*name || strpbrk (name, " \n") || !json_get_int (p, "priority", &prio))
        return oci_error_set (err, 0, "linux.resources.network.priorities: entry %zu needs name and priority", i);
      if (cgroup_writef (cg, dir, "net_prio.ifpriomap", err, "%s %lld", name, prio) < 0)
        return -1;
    }
  return 0;
}

/* rdma.max has one format on v1 and v2: "DEV hca_handle=N hca_object=M". */
int cgroup_rdma_set (cgroup *cg, const char *dir, yajl_val sec, oci_error **err)
{
  for (size_t i = 0; i < json_object_len (sec); i++)
    {
      const char *dev = json_object_key (sec, i);
      yajl_val lim = json_object_value (sec, i);
      long long h, o;
      char line[256];
      int n = snprintf (line, sizeof line, "%s", dev);
      if (!*dev || strpbrk (dev, " \n/"))
        return oci_error_set (err, 0, "linux.resources.rdma: bad device name `%s`", dev);
      if (json_get_int (lim, "hcaHandles", &h))
        n += snprintf (line + n, sizeof line - n, " hca_handle=%lld", h);
      if (json_get_int (lim, "hcaObjects", &o))
        n += snprintf (line + n, sizeof line - n, " hca_object=%lld", o);
      if ((size_t) n >= sizeof line)
        return oci_error_set (err, 0, "linux.resources.rdma: device name too long");
      if (strchr (line, '=') && cgroup_write (cg, dir, "rdma.max", line, err) < 0)
        return -1;
    }
  return 0;
}

/* One v1 device rule: "TYPE MAJ:MIN ACCESS", -1 or absent = "*". */
int cgroup_device_rule_string (yajl_val rule, char *buf, size_t len, bool *allow,
                               oci_error **err)
{
  yajl_val a = json_get (rule, "allow");
  const char *type = json_get_string (rule, "type");
  const char *access = json_get_string (rule, "access");
  long long maj = -1, min = -1;
  char smaj[24] = "*", smin[24] = "*";

  if (a == NULL || !(YAJL_IS_TRUE (a) || YAJL_IS_FALSE (a)))
    return oci_error_set (err, 0, "linux.resources.devices: a rule without `allow`");
  *allow = YAJL_IS_TRUE (a);
  if (type == NULL || *type == '\0')
    type = "a";
  if (strcmp (type, "a") && strcmp (type, "b") && strcmp (type, "c"))
    return oci_error_set (err, 0, "linux.resources.devices: type `%s` is not a, b or c", type);
  if (access == NULL || *access == '\0')
    access = "rwm";
  if (strspn (access, "rwm") != strlen (access))
    return oci_error_set (err, 0, "linux.resources.devices: access `%s` is not made of r, w, m",
                          access);
  if (json_get_int (rule, "major", &maj) && maj >= 0)
    snprintf (smaj, sizeof smaj, "%lld", maj);
  if (json_get_int (rule, "minor", &min) && min >= 0)
    snprintf (smin, sizeof smin, "%lld", min);
  snprintf (buf, len, "%s %s:%s %s", type, smaj, smin, access);
  return 0;
}

int cgroup_v1_set_devices (cgroup *cg, const char *dir, yajl_val rules, oci_error **err)
{
  /* In order: the kernel keeps an ordered exception list, so a leading
     "deny all" followed by allows gives the usual whitelist. */
  for (size_t i = 0; i < json_array_len (rules); i++)
    {
      char line[96];
      bool allow;
      if (cgroup_device_rule_string (json_array_at (rules, i), line, sizeof line, &allow, err) < 0
          || cgroup_write (cg, dir, allow ? "devices.allow" : "devices.deny", line, err) < 0)
        return -1;
    }
  return 0;
}
