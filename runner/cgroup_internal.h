/* Shared between the cgroup writers (cgroup.c, cgroup_v1.c, cgroup_v2.c,
   cgroup_bpf_devices.c, cgroup_stats.c); not part of the runtime's
   interface (that is cgroup.h). */
#ifndef RUNNER_CGROUP_INTERNAL_H
#define RUNNER_CGROUP_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "cgroup.h"

/* Controllers, by their v1 names; on v2 "io" is CG_BLKIO and "cpu" also
   provides what v1's cpuacct does. */
enum cgroup_controller
{
  CG_CPU,
  CG_CPUACCT,
  CG_CPUSET,
  CG_MEMORY,
  CG_DEVICES,
  CG_FREEZER,
  CG_BLKIO,
  CG_PIDS,
  CG_NET_CLS,
  CG_NET_PRIO,
  CG_HUGETLB,
  CG_RDMA,
  CG_PERF_EVENT,
  CG_MISC,
  CG_NCONTROLLERS
};

/* One mounted hierarchy and the container's directory in it. */
struct cgroup_hier
{
  char *mount;     /* e.g. /sys/fs/cgroup/memory or /sys/fs/cgroup/unified */
  char *dir;       /* mount + path */
  unsigned ctrls;  /* bit (1u << enum cgroup_controller) per controller */
  bool v2;
  bool created;    /* we made `dir` (undo removes it) */
};

#define CG_MAX_HIERS 24

struct cgroup
{
  char *root;
  char *path; /* "/runner/ID", the same in every hierarchy */
  enum cgroup_mode mode;
  /* The test layouts are plain directories: files are created and each
     write appends "value\n", so a test reads back every write in order. */
  bool fake;
  size_t nhiers;
  struct cgroup_hier hiers[CG_MAX_HIERS];
  /* directories above the container's that create made (full paths,
     parents first in each hierarchy): cgroup_made_parents */
  char **made;
  size_t nmade;
};

/* Record `dir` (malloc'd, taken) as made by create. */
int cgroup_note_made_parent (cgroup *cg, char *dir);

const char *cgroup_controller_name (enum cgroup_controller c);

/* The hierarchy that carries controller `c`, or NULL. */
struct cgroup_hier *cgroup_hier_of (cgroup *cg, enum cgroup_controller c);
/* The v2 hierarchy (pure v2 root, or the hybrid root/unified), or NULL. */
struct cgroup_hier *cgroup_hier_v2 (cgroup *cg);

/* Write `value` to DIR/FILE. The error names the file, the value and the
   cause. */
int cgroup_write (const cgroup *cg, const char *dir, const char *file,
                  const char *value, oci_error **err);
int cgroup_writef (const cgroup *cg, const char *dir, const char *file,
                   oci_error **err, const char *fmt, ...)
  __attribute__ ((format (printf, 5, 6)));
/* Like cgroup_write, but a missing file (kernel without the feature) is
   not an error: returns 1 when the write happened, 0 when the file is
   absent. */
int cgroup_write_if_exists (const cgroup *cg, const char *dir, const char *file,
                            const char *value, oci_error **err);
/* Read DIR/FILE (malloc'd, NUL-terminated). */
int cgroup_read (const char *dir, const char *file, char **out, oci_error **err);
/* A "KEY VALUE" line of a flat-keyed file (memory.stat, cpu.stat,
   cgroup.events, memory.events, memory.oom_control). */
bool cgroup_keyed_value (const char *text, const char *key, uint64_t *out);
bool cgroup_file_exists (const char *dir, const char *file);

/* linux.resources sections, one setter per controller and version. `sec`
   is the section object (never NULL here). `update` is true for `runner
   update` (existing values may matter for the order of writes). */
int cgroup_v1_set_memory (cgroup *cg, const char *dir, yajl_val sec, bool update, oci_error **err);
int cgroup_v1_set_cpu (cgroup *cg, const char *dir, yajl_val sec, oci_error **err);
int cgroup_v1_set_cpuset (cgroup *cg, const char *dir, yajl_val sec, oci_error **err);
int cgroup_v1_set_pids (cgroup *cg, const char *dir, yajl_val sec, oci_error **err);
int cgroup_v1_set_blkio (cgroup *cg, const char *dir, yajl_val sec, oci_error **err);
int cgroup_v1_set_hugetlb (cgroup *cg, const char *dir, yajl_val arr, oci_error **err);
int cgroup_v1_set_net_cls (cgroup *cg, const char *dir, yajl_val sec, oci_error **err);
int cgroup_v1_set_net_prio (cgroup *cg, const char *dir, yajl_val sec, oci_error **err);
int cgroup_v1_set_devices (cgroup *cg, const char *dir, yajl_val arr, oci_error **err);
int cgroup_rdma_set (cgroup *cg, const char *dir, yajl_val sec, oci_error **err);

int cgroup_v2_set_memory (cgroup *cg, const char *dir, yajl_val sec, bool update, oci_error **err);
int cgroup_v2_set_cpu (cgroup *cg, const char *dir, yajl_val sec, oci_error **err);
int cgroup_v2_set_cpuset (cgroup *cg, const char *dir, yajl_val sec, oci_error **err);
int cgroup_v2_set_pids (cgroup *cg, const char *dir, yajl_val sec, oci_error **err);
int cgroup_v2_set_io (cgroup *cg, const char *dir, yajl_val sec, oci_error **err);
int cgroup_v2_set_hugetlb (cgroup *cg, const char *dir, yajl_val arr, oci_error **err);
int cgroup_v2_set_unified (cgroup *cg, const char *dir, yajl_val obj, oci_error **err);

/* v2 device control: an eBPF BPF_PROG_TYPE_CGROUP_DEVICE program emulating
   the ordered v1 rule list, attached to DIR (replacing ours from before). */
int cgroup_bpf_devices_apply (cgroup *cg, const char *dir, yajl_val rules, oci_error **err);


/* Helpers shared by the writers (cgroup_v1.c). */
int cgroup_check_limit_above_usage (const char *dir, const char *usage_file,
                                    long long limit, oci_error **err);
int cgroup_hugetlb_page_size_ok (const char *s);
int cgroup_write_optional_ll (cgroup *cg, const char *dir, const char *file, long long v,
                              oci_error **err);
int cgroup_device_rule_string (yajl_val rule, char *buf, size_t len, bool *allow,
                               oci_error **err);

/* v1 → v2 conversions (crun(1) "CGROUP v2"). */
/* cpu.shares [2, 262144] → cpu.weight [1, 10000]; 0 stays 0 (unset). */
unsigned long long cgroup_cpu_shares_to_weight (unsigned long long shares);
/* blkio weight [10, 1000] → io.weight [1, 10000]. */
unsigned long long cgroup_blkio_weight_to_io_weight (unsigned long long weight);
/* memory.swap (memory+swap) → memory.swap.max (swap alone): -1 = "max". */
int cgroup_memory_swap_to_v2 (long long swap, long long limit, long long *out,
                              oci_error **err);

struct bpf_insn;
/* The device program for an ordered rule list (for tests: run it). */
int cgroup_bpf_devices_program (yajl_val rules, struct bpf_insn **out, size_t *count,
                                oci_error **err);

#endif
