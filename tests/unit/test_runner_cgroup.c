/* The cgroup writers against temporary directories laid out like a v1, a
   v2 and a hybrid cgroupfs: every file written, every conversion. In a
   test layout each write appends "value\n", so a file reads back as the
   sequence of writes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../runner/cgroup.h"
#include "../../runner/cgroup_internal.h"
#include "fileutil.h"
#include "json.h"

static char top[64];

static void putf (const char *rel, const char *data)
{
  char p[512];
  snprintf (p, sizeof p, "%s/%s", top, rel);
  FILE *f = fopen (p, "w");
  assert_non_null (f);
  fputs (data, f);
  fclose (f);
}

static void mkd (const char *rel)
{
  char p[512];
  snprintf (p, sizeof p, "%s/%s", top, rel);
  assert_int_equal (mkdir (p, 0755), 0);
}

/* The content of top/REL, or "<missing>". */
static char *rd (const char *fmt, ...)
{
  static char buf[4096];
  char rel[512], p[600];
  va_list ap;
  va_start (ap, fmt);
  vsnprintf (rel, sizeof rel, fmt, ap);
  va_end (ap);
  snprintf (p, sizeof p, "%s/%s", top, rel);
  FILE *f = fopen (p, "r");
  if (f == NULL)
    return strcpy (buf, "<missing>");
  size_t n = fread (buf, 1, sizeof buf - 1, f);
  buf[n] = '\0';
  fclose (f);
  return buf;
}

static bool exists (const char *rel)
{
  char p[512];
  snprintf (p, sizeof p, "%s/%s", top, rel);
  return access (p, F_OK) == 0;
}

static const char *const v1_ctrls[] = { "cpu", "cpuacct", "cpuset", "memory", "devices",
                                        "freezer", "blkio", "pids", "net_cls", "net_prio",
                                        "hugetlb", "rdma" };

static void layout_v1 (bool with_hugetlb)
{
  char p[128];
  for (size_t i = 0; i < sizeof v1_ctrls / sizeof *v1_ctrls; i++)
    {
      if (!with_hugetlb && strcmp (v1_ctrls[i], "hugetlb") == 0)
        continue;
      mkd (v1_ctrls[i]);
      snprintf (p, sizeof p, "%s/cgroup.procs", v1_ctrls[i]);
      putf (p, "");
    }
  mkd ("systemd");
  putf ("systemd/cgroup.procs", "");
}

static void layout_v2 (const char *at)
{
  char p[128];
  if (*at)
    mkd (at);
  snprintf (p, sizeof p, "%s%scgroup.controllers", at, *at ? "/" : "");
  putf (p, *at ? "hugetlb\n" : "cpuset cpu io memory hugetlb pids rdma misc\n");
  snprintf (p, sizeof p, "%s%scgroup.subtree_control", at, *at ? "/" : "");
  putf (p, "");
  snprintf (p, sizeof p, "%s%scgroup.procs", at, *at ? "/" : "");
  putf (p, "");
}

static int setup (void **state)
{
  snprintf (top, sizeof top, "/tmp/ocikit-cg-XXXXXX");
  assert_non_null (mkdtemp (top));
  return 0;
}

static int teardown (void **state)
{
  oci_error *err = NULL;
  remove_tree (top, &err);
  oci_error_free (&err);
  return 0;
}

static yajl_val parse (const char *text)
{
  yajl_val v = NULL;
  oci_error *err = NULL;
  if (json_parse (text, strlen (text), "test", &v, &err) < 0)
    fail_msg ("%s", err->msg);
  return v;
}

#define OK(call)                                                                         \
  do                                                                                     \
    {                                                                                    \
      oci_error *err_ = NULL;                                                            \
      oci_error **err = &err_;                                                           \
      if ((call) < 0)                                                                    \
        fail_msg ("%s: %s", #call, err_ ? err_->msg : "?");                              \
      oci_error_free (&err_);                                                            \
    }                                                                                    \
  while (0)

/* Expect failure; returns the message (static). */
static char errmsg[512];
#define FAILS(call)                                                                      \
  do                                                                                     \
    {                                                                                    \
      oci_error *err_ = NULL;                                                            \
      oci_error **err = &err_;                                                           \
      if ((call) >= 0)                                                                   \
        fail_msg ("%s: succeeded", #call);                                               \
      assert_non_null (err_);                                                            \
      snprintf (errmsg, sizeof errmsg, "%s", err_->msg);                                 \
      oci_error_free (&err_);                                                            \
    }                                                                                    \
  while (0)

static void test_detect (void **state)
{
  enum cgroup_mode mode;
  char sub[128];

  layout_v1 (true);
  OK (cgroup_detect (top, &mode, err));
  assert_int_equal (mode, CGROUP_MODE_V1);
  layout_v2 ("unified");
  OK (cgroup_detect (top, &mode, err));
  assert_int_equal (mode, CGROUP_MODE_HYBRID);

  snprintf (sub, sizeof sub, "%s/v2", top);
  layout_v2 ("v2");
  putf ("v2/cgroup.controllers", "cpu memory\n");
  OK (cgroup_detect (sub, &mode, err));
  assert_int_equal (mode, CGROUP_MODE_V2);

  snprintf (sub, sizeof sub, "%s/empty", top);
  mkdir (sub, 0755);
  FAILS (cgroup_detect (sub, &mode, err));
  assert_non_null (strstr (errmsg, "no cgroup hierarchy"));
}

static void check_path (const char *in, const char *id, bool systemd, const char *want)
{
  char *out = NULL;
  OK (cgroup_resolve_path (in, id, systemd, &out, err));
  assert_string_equal (out, want);
  free (out);
}

static void test_paths (void **state)
{
  char *out = NULL;
  check_path (NULL, "c1", false, "/runner/c1");
  check_path ("", "c1", false, "/runner/c1");
  check_path ("/a/b", "c1", false, "/a/b");
  check_path ("//a///b/", "c1", false, "/a/b");
  check_path ("pod/c", "c1", false, "/runner/pod/c");
  check_path ("system.slice:libpod:abc", "c1", true, "/system.slice/libpod-abc.scope");
  check_path (":runner:abc", "c1", true, "/system.slice/runner-abc.scope");
  check_path ("", "c1", true, "/system.slice/runner-c1.scope");
  check_path ("machine-pod-x.slice:crio:abc", "c1", true,
              "/machine.slice/machine-pod.slice/machine-pod-x.slice/crio-abc.scope");
  check_path ("-.slice::abc", "c1", true, "/abc.scope");
  check_path ("system.slice:p:my-sub.slice", "c1", true, "/my.slice/my-sub.slice");
  FAILS (cgroup_resolve_path ("/a/../../etc", "c1", false, &out, err));
  assert_non_null (strstr (errmsg, ".."));
  FAILS (cgroup_resolve_path ("/a/b", "c1", true, &out, err));
  assert_non_null (strstr (errmsg, "slice:prefix:name"));
  FAILS (cgroup_resolve_path ("system:p:n", "c1", true, &out, err));
  FAILS (cgroup_resolve_path ("a--b.slice:p:n", "c1", true, &out, err));
  FAILS (cgroup_resolve_path ("system.slice:p:", "c1", true, &out, err));
  assert_null (out);
}

static void test_conversions (void **state)
{
  long long out;
  assert_int_equal (cgroup_cpu_shares_to_weight (0), 0);
  assert_int_equal (cgroup_cpu_shares_to_weight (2), 1);
  assert_int_equal (cgroup_cpu_shares_to_weight (1024), 39);
  assert_int_equal (cgroup_cpu_shares_to_weight (262144), 10000);
  assert_int_equal (cgroup_cpu_shares_to_weight (1000000), 10000);
  assert_int_equal (cgroup_blkio_weight_to_io_weight (10), 1);
  assert_int_equal (cgroup_blkio_weight_to_io_weight (500), 4950);
  assert_int_equal (cgroup_blkio_weight_to_io_weight (1000), 10000);
  assert_int_equal (cgroup_blkio_weight_to_io_weight (0), 0);
  OK (cgroup_memory_swap_to_v2 (300, 100, &out, err));
  assert_int_equal (out, 200);
  OK (cgroup_memory_swap_to_v2 (100, 100, &out, err));
  assert_int_equal (out, 0);
  OK (cgroup_memory_swap_to_v2 (-1, 100, &out, err));
  assert_int_equal (out, -1);
  FAILS (cgroup_memory_swap_to_v2 (50, 100, &out, err));
  assert_non_null (strstr (errmsg, "below"));
  FAILS (cgroup_memory_swap_to_v2 (50, 0, &out, err));
  FAILS (cgroup_memory_swap_to_v2 (500, -1, &out, err));
}

static const char *full_resources =
  "{\"memory\":{\"limit\":104857600,\"reservation\":52428800,\"swap\":209715200,"
  "\"kernel\":1,\"kernelTCP\":4096,\"swappiness\":10,\"disableOOMKiller\":true,\"useHierarchy\":true},"
  "\"cpu\":{\"shares\":1024,\"quota\":50000,\"period\":100000,\"burst\":1000,\"idle\":1,"
  "\"cpus\":\"0-1\",\"mems\":\"0\"},"
  "\"pids\":{\"limit\":64},"
  "\"blockIO\":{\"weight\":500,\"leafWeight\":300,"
  "\"weightDevice\":[{\"major\":8,\"minor\":0,\"weight\":600,\"leafWeight\":200}],"
  "\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":0,\"rate\":1048576}],"
  "\"throttleWriteBpsDevice\":[{\"major\":8,\"minor\":0,\"rate\":2097152}],"
  "\"throttleReadIOPSDevice\":[{\"major\":8,\"minor\":16,\"rate\":100}],"
  "\"throttleWriteIOPSDevice\":[{\"major\":8,\"minor\":16,\"rate\":200}]},"
  "\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":4194304},{\"pageSize\":\"1GB\",\"limit\":0}],"
  "\"network\":{\"classID\":1048577,\"priorities\":[{\"name\":\"eth0\",\"priority\":5},{\"name\":\"lo\",\"priority\":1}]},"
  "\"rdma\":{\"mlx5_1\":{\"hcaHandles\":3,\"hcaObjects\":10000}},"
  "\"devices\":[{\"allow\":false,\"access\":\"rwm\"},{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":3,\"access\":\"rw\"},"
  "{\"allow\":false,\"type\":\"b\",\"major\":8,\"access\":\"w\"}]}";

static void test_v1_every_file (void **state)
{
  cgroup *cg = NULL;
  yajl_val res;

  layout_v1 (true);
  putf ("cpuset/cpuset.cpus", "0-1\n");
  putf ("cpuset/cpuset.mems", "0\n");
  res = parse (full_resources);
  OK (cgroup_create (top, "", "c1", false, res, &cg, err));
  assert_string_equal (cgroup_path (cg), "/runner/c1");
  assert_int_equal (cgroup_get_mode (cg), CGROUP_MODE_V1);

  assert_string_equal (rd ("memory/runner/c1/memory.limit_in_bytes"), "104857600\n");
  assert_string_equal (rd ("memory/runner/c1/memory.soft_limit_in_bytes"), "52428800\n");
  assert_string_equal (rd ("memory/runner/c1/memory.memsw.limit_in_bytes"), "209715200\n");
  assert_string_equal (rd ("memory/runner/c1/memory.kmem.limit_in_bytes"), "1\n");
  assert_string_equal (rd ("memory/runner/c1/memory.kmem.tcp.limit_in_bytes"), "4096\n");
  assert_string_equal (rd ("memory/runner/c1/memory.swappiness"), "10\n");
  assert_string_equal (rd ("memory/runner/c1/memory.oom_control"), "1\n");
  assert_string_equal (rd ("memory/runner/c1/memory.use_hierarchy"), "1\n");
  assert_string_equal (rd ("cpu/runner/c1/cpu.shares"), "1024\n");
  assert_string_equal (rd ("cpu/runner/c1/cpu.cfs_period_us"), "100000\n");
  assert_string_equal (rd ("cpu/runner/c1/cpu.cfs_quota_us"), "50000\n");
  assert_string_equal (rd ("cpu/runner/c1/cpu.cfs_burst_us"), "1000\n");
  assert_string_equal (rd ("cpu/runner/c1/cpu.idle"), "1\n");
  assert_string_equal (rd ("cpuset/runner/c1/cpuset.cpus"), "0-1\n");
  assert_string_equal (rd ("cpuset/runner/c1/cpuset.mems"), "0\n");
  assert_string_equal (rd ("pids/runner/c1/pids.max"), "64\n");
  assert_string_equal (rd ("blkio/runner/c1/blkio.weight"), "500\n");
  assert_string_equal (rd ("blkio/runner/c1/blkio.leaf_weight"), "300\n");
  assert_string_equal (rd ("blkio/runner/c1/blkio.weight_device"), "8:0 600\n");
  assert_string_equal (rd ("blkio/runner/c1/blkio.leaf_weight_device"), "8:0 200\n");
  assert_string_equal (rd ("blkio/runner/c1/blkio.throttle.read_bps_device"), "8:0 1048576\n");
  assert_string_equal (rd ("blkio/runner/c1/blkio.throttle.write_bps_device"), "8:0 2097152\n");
  assert_string_equal (rd ("blkio/runner/c1/blkio.throttle.read_iops_device"), "8:16 100\n");
  assert_string_equal (rd ("blkio/runner/c1/blkio.throttle.write_iops_device"), "8:16 200\n");
  assert_string_equal (rd ("hugetlb/runner/c1/hugetlb.2MB.limit_in_bytes"), "4194304\n");
  assert_string_equal (rd ("hugetlb/runner/c1/hugetlb.1GB.limit_in_bytes"), "0\n");
  assert_string_equal (rd ("net_cls/runner/c1/net_cls.classid"), "1048577\n");
  assert_string_equal (rd ("net_prio/runner/c1/net_prio.ifpriomap"), "eth0 5\nlo 1\n");
  assert_string_equal (rd ("rdma/runner/c1/rdma.max"), "mlx5_1 hca_handle=3 hca_object=10000\n");
  /* in order, then the default devices as runc */
  assert_string_equal (rd ("devices/runner/c1/devices.deny"), "a *:* rwm\nb 8:* w\n");
  assert_non_null (strstr (rd ("devices/runner/c1/devices.allow"),
                           "c 1:3 rw\nc *:* m\nb *:* m\nc 1:3 rwm\n"));
  assert_non_null (strstr (rd ("devices/runner/c1/devices.allow"), "c 136:* rwm\n"));
  /* named hierarchies are joined too */
  assert_true (exists ("systemd/runner/c1"));

  OK (cgroup_enter (cg, 4242, err));
  for (size_t i = 0; i < sizeof v1_ctrls / sizeof *v1_ctrls; i++)
    assert_string_equal (rd ("%s/runner/c1/cgroup.procs", v1_ctrls[i]), "4242\n");
  assert_string_equal (rd ("systemd/runner/c1/cgroup.procs"), "4242\n");

  OK (cgroup_destroy (cg, err));
  for (size_t i = 0; i < sizeof v1_ctrls / sizeof *v1_ctrls; i++)
    {
      char p[128];
      snprintf (p, sizeof p, "%s/runner/c1", v1_ctrls[i]);
      assert_false (exists (p));
    }
  cgroup_free (cg);
  yajl_tree_free (res);
}

static void test_v1_cpuset_inherits_parent (void **state)
{
  cgroup *cg = NULL;
  layout_v1 (true);
  putf ("cpuset/cpuset.cpus", "0-3\n");
  putf ("cpuset/cpuset.mems", "0\n");
  /* Pre-create the files a new v1 cpuset has, empty. */
  mkd ("cpuset/runner");
  putf ("cpuset/runner/cpuset.cpus", "\n");
  putf ("cpuset/runner/cpuset.mems", "\n");
  OK (cgroup_create (top, "/runner/x", "x", false, NULL, &cg, err));
  /* an existing but empty level is filled from its parent too */
  assert_string_equal (rd ("cpuset/runner/cpuset.cpus"), "\n0-3\n");
  assert_string_equal (rd ("cpuset/runner/cpuset.mems"), "\n0\n");
  cgroup_free (cg);
}

static void test_v2_every_file (void **state)
{
  cgroup *cg = NULL;
  yajl_val res = parse (
    "{\"memory\":{\"limit\":104857600,\"reservation\":52428800,\"swap\":209715200,"
    "\"kernel\":1,\"swappiness\":10,\"disableOOMKiller\":true},"
    "\"cpu\":{\"shares\":1024,\"quota\":50000,\"period\":100000,\"burst\":1000,\"idle\":0,"
    "\"cpus\":\"0-1\",\"mems\":\"0\"},"
    "\"pids\":{\"limit\":-1},"
    "\"blockIO\":{\"weight\":500,\"leafWeight\":300,"
    "\"weightDevice\":[{\"major\":8,\"minor\":0,\"weight\":1000}],"
    "\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":0,\"rate\":1048576}],"
    "\"throttleWriteBpsDevice\":[{\"major\":8,\"minor\":0,\"rate\":2097152}],"
    "\"throttleReadIOPSDevice\":[{\"major\":8,\"minor\":16,\"rate\":100}],"
    "\"throttleWriteIOPSDevice\":[{\"major\":8,\"minor\":16,\"rate\":200}]},"
    "\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":4194304}],"
    "\"network\":{\"classID\":1},"
    "\"rdma\":{\"mlx5_1\":{\"hcaHandles\":3}},"
    "\"devices\":[{\"allow\":false,\"access\":\"rwm\"}],"
    "\"unified\":{\"memory.high\":\"90000000\",\"cgroup.max.depth\":\"3\"}}");

  layout_v2 ("");
  OK (cgroup_create (top, "/pod/c2", "c2", false, res, &cg, err));
  assert_int_equal (cgroup_get_mode (cg), CGROUP_MODE_V2);
  /* controllers enabled from the root down to the parent */
  assert_string_equal (rd ("cgroup.subtree_control"),
                       "+cpuset +cpu +io +memory +pids +hugetlb +rdma +misc\n");
  assert_string_equal (rd ("pod/cgroup.subtree_control"),
                       "+cpuset +cpu +io +memory +pids +hugetlb +rdma +misc\n");
  assert_false (exists ("pod/c2/cgroup.subtree_control"));

  assert_string_equal (rd ("pod/c2/memory.max"), "104857600\n");
  assert_string_equal (rd ("pod/c2/memory.low"), "52428800\n");
  assert_string_equal (rd ("pod/c2/memory.swap.max"), "104857600\n"); /* swap - limit */
  assert_false (exists ("pod/c2/memory.swappiness"));
  assert_string_equal (rd ("pod/c2/cpu.weight"), "39\n");
  assert_string_equal (rd ("pod/c2/cpu.max"), "50000 100000\n");
  assert_string_equal (rd ("pod/c2/cpu.max.burst"), "1000\n");
  assert_string_equal (rd ("pod/c2/cpu.idle"), "0\n");
  assert_string_equal (rd ("pod/c2/cpuset.cpus"), "0-1\n");
  assert_string_equal (rd ("pod/c2/cpuset.mems"), "0\n");
  assert_string_equal (rd ("pod/c2/pids.max"), "max\n");
  assert_string_equal (rd ("pod/c2/io.weight"), "4950\n8:0 10000\n");
  assert_string_equal (rd ("pod/c2/io.max"),
                       "8:0 rbps=1048576\n8:0 wbps=2097152\n8:16 riops=100\n8:16 wiops=200\n");
  assert_string_equal (rd ("pod/c2/hugetlb.2MB.max"), "4194304\n");
  assert_string_equal (rd ("pod/c2/rdma.max"), "mlx5_1 hca_handle=3\n");
  assert_false (exists ("pod/c2/net_cls.classid"));
  assert_string_equal (rd ("pod/c2/memory.high"), "90000000\n");
  assert_string_equal (rd ("pod/c2/cgroup.max.depth"), "3\n");

  OK (cgroup_enter (cg, 77, err));
  assert_string_equal (rd ("pod/c2/cgroup.procs"), "77\n");

  /* update: quota alone, then memory; period alone keeps "max" here */
  yajl_val upd = parse ("{\"cpu\":{\"quota\":-1,\"period\":50000},\"memory\":{\"limit\":-1},"
                        "\"pids\":{\"limit\":0}}");
  OK (cgroup_update (cg, upd, err));
  assert_string_equal (rd ("pod/c2/cpu.max"), "50000 100000\nmax 50000\n");
  assert_string_equal (rd ("pod/c2/memory.max"), "104857600\nmax\n");
  assert_string_equal (rd ("pod/c2/memory.swap.max"), "104857600\nmax\n");
  assert_string_equal (rd ("pod/c2/pids.max"), "max\n"); /* 0: unchanged */
  yajl_tree_free (upd);
  /* podman's update sends every field, zeros for the unset ones */
  upd = parse ("{\"memory\":{\"limit\":0,\"reservation\":0,\"swap\":0,\"kernel\":0},"
               "\"cpu\":{\"shares\":0,\"quota\":0,\"period\":0,\"realtimeRuntime\":0,"
               "\"realtimePeriod\":0,\"cpus\":\"\",\"mems\":\"\"},\"pids\":{\"limit\":0},"
               "\"blockIO\":{\"weight\":0}}");
  OK (cgroup_update (cg, upd, err));
  assert_string_equal (rd ("pod/c2/memory.max"), "104857600\nmax\n");
  assert_string_equal (rd ("pod/c2/cpu.max"), "50000 100000\nmax 50000\n");
  yajl_tree_free (upd);

  OK (cgroup_destroy (cg, err));
  assert_false (exists ("pod/c2"));
  assert_true (exists ("pod"));
  cgroup_free (cg);
  yajl_tree_free (res);
}

static void test_v2_errors_leave_nothing (void **state)
{
  cgroup *cg = NULL;
  yajl_val res;
  layout_v2 ("");

  res = parse ("{\"cpu\":{\"realtimeRuntime\":1000}}");
  FAILS (cgroup_create (top, NULL, "rt", false, res, &cg, err));
  assert_non_null (strstr (errmsg, "realtime"));
  assert_non_null (strstr (errmsg, "/runner/rt"));
  assert_false (exists ("runner/rt"));
  yajl_tree_free (res);

  res = parse ("{\"memory\":{\"swap\":100}}");
  FAILS (cgroup_create (top, NULL, "sw", false, res, &cg, err));
  assert_non_null (strstr (errmsg, "swap"));
  assert_false (exists ("runner/sw"));
  yajl_tree_free (res);

  res = parse ("{\"unified\":{\"../escape\":\"1\"}}");
  FAILS (cgroup_create (top, NULL, "u", false, res, &cg, err));
  assert_false (exists ("runner/u"));
  yajl_tree_free (res);

  res = parse ("{\"hugepageLimits\":[{\"pageSize\":\"../x\",\"limit\":1}]}");
  FAILS (cgroup_create (top, NULL, "h", false, res, &cg, err));
  assert_non_null (strstr (errmsg, "pageSize"));
  yajl_tree_free (res);

  res = parse ("{\"devices\":[{\"allow\":true,\"type\":\"x\"}]}");
  FAILS (cgroup_create (top, NULL, "d", false, res, &cg, err));
  assert_non_null (strstr (errmsg, "type"));
  yajl_tree_free (res);

  /* a pre-existing cgroup is never removed by a failed create */
  mkd ("runner/keep");
  res = parse ("{\"memory\":{\"swap\":100}}");
  FAILS (cgroup_create (top, NULL, "keep", false, res, &cg, err));
  assert_true (exists ("runner/keep"));
  yajl_tree_free (res);
}

static void test_v1_missing_controller_is_an_error (void **state)
{
  cgroup *cg = NULL;
  yajl_val res = parse ("{\"network\":{\"classID\":1}}");
  mkd ("memory");
  putf ("memory/cgroup.procs", "");
  FAILS (cgroup_create (top, NULL, "n", false, res, &cg, err));
  assert_non_null (strstr (errmsg, "net_cls"));
  assert_false (exists ("memory/runner/n"));
  yajl_tree_free (res);
  /* empty sections are fine */
  res = parse ("{\"network\":{},\"blockIO\":{\"weightDevice\":[]},\"hugepageLimits\":[]}");
  OK (cgroup_create (top, NULL, "n", false, res, &cg, err));
  cgroup_free (cg);
  yajl_tree_free (res);
}

static void test_hybrid (void **state)
{
  cgroup *cg = NULL;
  yajl_val res;

  layout_v1 (false);
  layout_v2 ("unified");
  res = parse ("{\"memory\":{\"limit\":1000000},\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":2097152}],"
               "\"unified\":{\"hugetlb.2MB.rsvd.max\":\"2097152\"},"
               "\"devices\":[{\"allow\":false,\"access\":\"rwm\"}]}");
  OK (cgroup_create (top, NULL, "h1", false, res, &cg, err));
  assert_int_equal (cgroup_get_mode (cg), CGROUP_MODE_HYBRID);
  assert_string_equal (rd ("memory/runner/h1/memory.limit_in_bytes"), "1000000\n");
  assert_string_equal (rd ("unified/runner/h1/hugetlb.2MB.max"), "2097152\n");
  assert_string_equal (rd ("unified/runner/h1/hugetlb.2MB.rsvd.max"), "2097152\n");
  assert_string_equal (rd ("unified/cgroup.subtree_control"), "+hugetlb\n");
  /* devices stay with v1 when v1 has the controller */
  assert_non_null (strstr (rd ("devices/runner/h1/devices.deny"), "a *:* rwm"));
  OK (cgroup_enter (cg, 9, err));
  assert_string_equal (rd ("unified/runner/h1/cgroup.procs"), "9\n");
  assert_string_equal (rd ("pids/runner/h1/cgroup.procs"), "9\n");
  yajl_tree_free (res);

  res = parse ("{\"unified\":{\"memory.high\":\"1\"}}");
  FAILS (cgroup_update (cg, res, err));
  assert_non_null (strstr (errmsg, "memory controller is not on the cgroup v2"));
  yajl_tree_free (res);

  OK (cgroup_destroy (cg, err));
  assert_false (exists ("unified/runner/h1"));
  assert_false (exists ("memory/runner/h1"));
  cgroup_free (cg);

  /* v1 only: unified keys are an error */
  teardown (state);
  setup (state);
  layout_v1 (true);
  res = parse ("{\"unified\":{\"memory.high\":\"1\"}}");
  FAILS (cgroup_create (top, NULL, "v1u", false, res, &cg, err));
  assert_non_null (strstr (errmsg, "needs cgroup v2"));
  yajl_tree_free (res);
}

static void test_v1_memory_update_order (void **state)
{
  cgroup *cg = NULL;
  layout_v1 (true);
  OK (cgroup_create (top, NULL, "m", false, NULL, &cg, err));
  yajl_val upd = parse ("{\"memory\":{\"limit\":-1}}");
  OK (cgroup_update (cg, upd, err));
  assert_string_equal (rd ("memory/runner/m/memory.limit_in_bytes"), "-1\n");
  assert_string_equal (rd ("memory/runner/m/memory.memsw.limit_in_bytes"), "-1\n");
  yajl_tree_free (upd);
  upd = parse ("{\"memory\":{\"swappiness\":101}}");
  FAILS (cgroup_update (cg, upd, err));
  assert_non_null (strstr (errmsg, "swappiness"));
  yajl_tree_free (upd);
  /* checkBeforeUpdate: below the usage is refused */
  putf ("memory/runner/m/memory.usage_in_bytes", "5000\n");
  upd = parse ("{\"memory\":{\"limit\":4000,\"checkBeforeUpdate\":true}}");
  FAILS (cgroup_update (cg, upd, err));
  assert_non_null (strstr (errmsg, "below the current usage"));
  yajl_tree_free (upd);
  cgroup_free (cg);
}

static void test_freeze_pids_kill (void **state)
{
  cgroup *cg = NULL;
  pid_t *pids = NULL;
  size_t n = 0;
  bool frozen;

  layout_v1 (true);
  OK (cgroup_create (top, NULL, "f", false, NULL, &cg, err));
  OK (cgroup_freeze (cg, true, err));
  assert_string_equal (rd ("freezer/runner/f/freezer.state"), "FROZEN\n");
  OK (cgroup_is_frozen (cg, &frozen, err));
  assert_true (frozen);
  putf ("pids/runner/f/cgroup.procs", "12\n13\n");
  mkd ("pids/runner/f/sub");
  putf ("pids/runner/f/sub/cgroup.procs", "14\n");
  OK (cgroup_pids (cg, &pids, &n, err));
  assert_int_equal (n, 3);
  assert_int_equal (pids[0], 12);
  assert_int_equal (pids[2], 14);
  free (pids);
  OK (cgroup_destroy (cg, err));
  assert_false (exists ("pids/runner/f"));
  cgroup_free (cg);

  teardown (state);
  setup (state);
  layout_v2 ("");
  OK (cgroup_create (top, NULL, "f", false, NULL, &cg, err));
  putf ("runner/f/cgroup.events", "populated 1\nfrozen 1\n");
  OK (cgroup_freeze (cg, true, err));
  assert_string_equal (rd ("runner/f/cgroup.freeze"), "1\n");
  OK (cgroup_is_frozen (cg, &frozen, err));
  assert_true (frozen);
  putf ("runner/f/cgroup.events", "populated 1\nfrozen 0\n");
  OK (cgroup_freeze (cg, false, err));
  assert_string_equal (rd ("runner/f/cgroup.freeze"), "1\n0\n");
  cgroup_free (cg);
}

/* A cgroup that already holds processes (the same ID under another
   --root) is refused before anything is written into it; what create made
   elsewhere goes; an empty one is used. */
static void test_busy_cgroup_refused (void **state)
{
  cgroup *cg = NULL;
  yajl_val res = parse ("{\"pids\":{\"limit\":7}}");

  layout_v1 (true);
  mkd ("pids/runner");
  mkd ("pids/runner/busy");
  putf ("pids/runner/busy/cgroup.procs", "");
  putf ("pids/runner/busy/pids.max", "50\n");
  mkd ("pids/runner/busy/sub");
  putf ("pids/runner/busy/sub/cgroup.procs", "77\n");
  FAILS (cgroup_create (top, NULL, "busy", false, res, &cg, err));
  assert_non_null (strstr (errmsg, "cgroup `/runner/busy`: already holds 1 process(es)"));
  assert_null (strchr (errmsg, '\n'));
  assert_string_equal (rd ("pids/runner/busy/pids.max"), "50\n");
  assert_true (exists ("pids/runner/busy/sub"));
  assert_false (exists ("memory/runner/busy"));
  assert_false (exists ("cpu/runner/busy"));
  /* empty: used, as runc and crun do */
  putf ("pids/runner/busy/sub/cgroup.procs", "");
  OK (cgroup_create (top, NULL, "busy", false, res, &cg, err));
  assert_true (exists ("memory/runner/busy"));
  cgroup_free (cg);
  yajl_tree_free (res);
}

static void test_open_recorded_path (void **state)
{
  cgroup *cg = NULL;
  layout_v2 ("");
  OK (cgroup_create (top, "/a/b", "x", false, NULL, &cg, err));
  cgroup_free (cg);
  OK (cgroup_open (top, "/a/b", &cg, err));
  assert_string_equal (cgroup_path (cg), "/a/b");
  OK (cgroup_destroy (cg, err));
  assert_false (exists ("a/b"));
  /* destroying again is fine; a gone cgroup has no processes */
  OK (cgroup_destroy (cg, err));
  pid_t *pids = NULL;
  size_t n = 1;
  OK (cgroup_pids (cg, &pids, &n, err));
  assert_int_equal (n, 0);
  free (pids);
  cgroup_free (cg);
  /* the root cgroup is never frozen or killed wholesale */
  OK (cgroup_open (top, "/", &cg, err));
  FAILS (cgroup_freeze (cg, true, err));
  assert_non_null (strstr (errmsg, "root"));
  FAILS (cgroup_kill_all (cg, 9, err));
  assert_non_null (strstr (errmsg, "root"));
  cgroup_free (cg);
}

static void test_stats (void **state)
{
  cgroup *cg = NULL;
  yajl_gen g = json_gen_new (false);
  char *text = NULL;
  uint64_t oom;
  yajl_val v;

  layout_v2 ("");
  OK (cgroup_create (top, NULL, "s", false, NULL, &cg, err));
  putf ("runner/s/memory.current", "1000\n");
  putf ("runner/s/memory.max", "max\n");
  putf ("runner/s/memory.peak", "2000\n");
  putf ("runner/s/memory.events", "low 0\nhigh 0\nmax 3\noom 1\noom_kill 2\n");
  putf ("runner/s/memory.stat", "anon 10\nfile 20\n");
  putf ("runner/s/pids.current", "4\n");
  putf ("runner/s/pids.max", "64\n");
  putf ("runner/s/cpu.stat", "usage_usec 5\nuser_usec 3\nsystem_usec 2\nnr_periods 7\nnr_throttled 1\nthrottled_usec 9\n");
  putf ("runner/s/hugetlb.2MB.current", "0\n");
  putf ("runner/s/hugetlb.2MB.events", "max 1\n");
  OK (cgroup_stats_json (cg, g, err));
  OK (json_gen_result (g, &text, NULL, err));
  v = parse (text);
  assert_int_equal (YAJL_GET_INTEGER (json_path (v, "memory", "usage", "usage", NULL)), 1000);
  assert_int_equal (YAJL_GET_INTEGER (json_path (v, "memory", "usage", "max", NULL)), 2000);
  assert_int_equal (YAJL_GET_INTEGER (json_path (v, "memory", "usage", "failcnt", NULL)), 3);
  assert_int_equal (YAJL_GET_INTEGER (json_path (v, "memory", "cache", NULL)), 20);
  assert_int_equal (YAJL_GET_INTEGER (json_path (v, "memory", "raw", "anon", NULL)), 10);
  assert_int_equal (YAJL_GET_INTEGER (json_path (v, "pids", "current", NULL)), 4);
  assert_int_equal (YAJL_GET_INTEGER (json_path (v, "pids", "limit", NULL)), 64);
  assert_int_equal (YAJL_GET_INTEGER (json_path (v, "cpu", "usage", "total", NULL)), 5000);
  assert_int_equal (YAJL_GET_INTEGER (json_path (v, "cpu", "usage", "user", NULL)), 3000);
  assert_int_equal (YAJL_GET_INTEGER (json_path (v, "cpu", "usage", "kernel", NULL)), 2000);
  assert_int_equal (YAJL_GET_INTEGER (json_path (v, "cpu", "throttling", "throttledPeriods", NULL)), 1);
  assert_int_equal (YAJL_GET_INTEGER (json_path (v, "cpu", "throttling", "throttledTime", NULL)), 9000);
  assert_int_equal (YAJL_GET_INTEGER (json_path (v, "hugetlb", "2MB", "failcnt", NULL)), 1);
  assert_non_null (json_path (v, "intel_rdt", NULL));
  assert_non_null (json_path (v, "blkio", NULL));
  OK (cgroup_oom_kill_count (cg, &oom, err));
  assert_int_equal (oom, 2);
  /* the notify fd wakes when memory.events changes */
  int nfd = -1;
  OK (cgroup_oom_notify_fd (cg, &nfd, err));
  struct pollfd pfd = { .fd = nfd, .events = POLLIN };
  assert_int_equal (poll (&pfd, 1, 0), 0);
  putf ("runner/s/memory.events", "oom_kill 3\n");
  assert_int_equal (poll (&pfd, 1, 1000), 1);
  close (nfd);
  yajl_tree_free (v);
  free (text);
  yajl_gen_free (g);
  cgroup_free (cg);

  teardown (state);
  setup (state);
  layout_v1 (true);
  OK (cgroup_create (top, NULL, "s", false, NULL, &cg, err));
  putf ("memory/runner/s/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 5\n");
  putf ("memory/runner/s/memory.usage_in_bytes", "4096\n");
  putf ("memory/runner/s/memory.limit_in_bytes", "8192\n");
  putf ("cpuacct/runner/s/cpuacct.usage", "123\n");
  putf ("cpuacct/runner/s/cpuacct.usage_percpu", "100 23 \n");
  putf ("pids/runner/s/pids.current", "2\n");
  putf ("pids/runner/s/pids.max", "max\n");
  g = json_gen_new (false);
  OK (cgroup_stats_json (cg, g, err));
  OK (json_gen_result (g, &text, NULL, err));
  v = parse (text);
  assert_int_equal (YAJL_GET_INTEGER (json_path (v, "memory", "usage", "usage", NULL)), 4096);
  assert_int_equal (YAJL_GET_INTEGER (json_path (v, "memory", "usage", "limit", NULL)), 8192);
  assert_int_equal (YAJL_GET_INTEGER (json_path (v, "cpu", "usage", "total", NULL)), 123);
  assert_int_equal (json_array_len (json_path (v, "cpu", "usage", "percpu", NULL)), 2);
  assert_null (json_path (v, "pids", "limit", NULL));
  OK (cgroup_oom_kill_count (cg, &oom, err));
  assert_int_equal (oom, 5);
  yajl_tree_free (v);
  free (text);
  yajl_gen_free (g);
  cgroup_free (cg);
}

/* ---- the v2 device program, run by a small interpreter of the
   instructions it uses ---- */
static int run_prog (const struct bpf_insn *p, size_t n, int type, int access, int maj, int min)
{
  uint64_t r[11] = { 0 };
  uint32_t ctx[3] = { (uint32_t) (access << 16 | type), (uint32_t) maj, (uint32_t) min };
  for (size_t pc = 0; pc < n; pc++)
    {
      const struct bpf_insn *i = &p[pc];
      uint64_t src = BPF_SRC (i->code) == BPF_X ? r[i->src_reg] : (uint64_t) (int64_t) i->imm;
      switch (BPF_CLASS (i->code))
        {
        case BPF_LDX:
          r[i->dst_reg] = ctx[i->off / 4];
          break;
        case BPF_ALU:
        case BPF_ALU64:
          switch (BPF_OP (i->code))
            {
            case BPF_MOV: r[i->dst_reg] = src; break;
            case BPF_AND: r[i->dst_reg] &= src; break;
            case BPF_RSH: r[i->dst_reg] >>= src; break;
            default: fail_msg ("alu op %x", BPF_OP (i->code));
            }
          if (BPF_CLASS (i->code) == BPF_ALU)
            r[i->dst_reg] &= 0xffffffffu;
          break;
        case BPF_JMP:
          {
            bool jump;
            switch (BPF_OP (i->code))
              {
              case BPF_EXIT: return (int) r[0];
              case BPF_JNE: jump = r[i->dst_reg] != src; break;
              case BPF_JEQ: jump = r[i->dst_reg] == src; break;
              case BPF_JSET: jump = (r[i->dst_reg] & src) != 0; break;
              default: fail_msg ("jmp op %x", BPF_OP (i->code)); return -1;
              }
            if (jump)
              pc += i->off;
            break;
          }
        default:
          fail_msg ("class %x", BPF_CLASS (i->code));
        }
    }
  fail_msg ("fell off the program");
  return -1;
}

#define C BPF_DEVCG_DEV_CHAR
#define B BPF_DEVCG_DEV_BLOCK
#define R BPF_DEVCG_ACC_READ
#define W BPF_DEVCG_ACC_WRITE
#define M BPF_DEVCG_ACC_MKNOD

static void test_bpf_device_program (void **state)
{
  struct bpf_insn *p = NULL;
  size_t n;
  yajl_val rules = parse ("[{\"allow\":false,\"access\":\"rwm\"},"
                          "{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":3,\"access\":\"rw\"},"
                          "{\"allow\":true,\"type\":\"c\",\"major\":136,\"access\":\"rwm\"},"
                          "{\"allow\":true,\"type\":\"b\",\"access\":\"m\"},"
                          "{\"allow\":false,\"type\":\"c\",\"major\":136,\"minor\":5,\"access\":\"w\"}]");
  OK (cgroup_bpf_devices_program (rules, &p, &n, err));
  assert_int_equal (run_prog (p, n, C, R | W, 1, 3), 1);  /* /dev/null rw */
  assert_int_equal (run_prog (p, n, C, R, 1, 3), 1);
  assert_int_equal (run_prog (p, n, C, M, 1, 3), 0);      /* not mknod */
  assert_int_equal (run_prog (p, n, C, R, 1, 5), 0);      /* /dev/zero: denied */
  assert_int_equal (run_prog (p, n, B, R, 1, 3), 0);      /* block 1:3 */
  assert_int_equal (run_prog (p, n, C, R | W, 136, 9), 1); /* any pts */
  assert_int_equal (run_prog (p, n, C, W, 136, 5), 0);    /* later deny wins */
  assert_int_equal (run_prog (p, n, C, R, 136, 5), 1);    /* deny was only w */
  assert_int_equal (run_prog (p, n, B, M, 8, 0), 1);      /* mknod of blocks */
  assert_int_equal (run_prog (p, n, B, R, 8, 0), 0);
  free (p);
  yajl_tree_free (rules);

  /* no deny-all: as a new v1 cgroup, everything else is allowed */
  rules = parse ("[{\"allow\":false,\"type\":\"c\",\"major\":1,\"minor\":5}]");
  OK (cgroup_bpf_devices_program (rules, &p, &n, err));
  assert_int_equal (run_prog (p, n, C, R, 1, 5), 0);
  assert_int_equal (run_prog (p, n, C, R, 1, 3), 1);
  free (p);
  yajl_tree_free (rules);
}

static void test_update_options (void **state)
{
  long long v;
  yajl_val base, out = NULL;
  assert_int_equal (cgroup_parse_size ("512m", &v), 0);
  assert_int_equal (v, 536870912);
  assert_int_equal (cgroup_parse_size ("1g", &v), 0);
  assert_int_equal (v, 1073741824);
  assert_int_equal (cgroup_parse_size ("1.5k", &v), 0);
  assert_int_equal (v, 1536);
  assert_int_equal (cgroup_parse_size ("64MiB", &v), 0);
  assert_int_equal (v, 67108864);
  assert_int_equal (cgroup_parse_size ("100", &v), 0);
  assert_int_equal (v, 100);
  assert_int_equal (cgroup_parse_size ("-1", &v), 0);
  assert_int_equal (v, -1);
  assert_int_equal (cgroup_parse_size ("12q", &v), -1);
  assert_int_equal (cgroup_parse_size ("", &v), -1);

  base = parse ("{\"memory\":{\"limit\":1,\"swap\":5},\"pids\":{\"limit\":3},\"unified\":{\"a.b\":\"1\"}}");
  const char *names[] = { "memory", "--cpu-quota", "cpuset-cpus", "pids-limit" };
  const char *values[] = { "64m", "50000", "0-1", "20" };
  OK (cgroup_update_resources (base, names, values, 4, &out, err));
  assert_int_equal (YAJL_GET_INTEGER (json_path (out, "memory", "limit", NULL)), 67108864);
  assert_int_equal (YAJL_GET_INTEGER (json_path (out, "memory", "swap", NULL)), 5);
  assert_int_equal (YAJL_GET_INTEGER (json_path (out, "cpu", "quota", NULL)), 50000);
  assert_string_equal (YAJL_GET_STRING (json_path (out, "cpu", "cpus", NULL)), "0-1");
  assert_int_equal (YAJL_GET_INTEGER (json_path (out, "pids", "limit", NULL)), 20);
  assert_string_equal (YAJL_GET_STRING (json_path (out, "unified", "a.b", NULL)), "1");
  yajl_tree_free (out);
  /* no document: options alone */
  OK (cgroup_update_resources (NULL, names, values, 1, &out, err));
  assert_int_equal (json_object_len (out), 1);
  yajl_tree_free (out);
  const char *bad[] = { "memory-swap" }, *badv[] = { "lots" };
  FAILS (cgroup_update_resources (base, bad, badv, 1, &out, err));
  assert_non_null (strstr (errmsg, "--memory-swap `lots`"));
  const char *unk[] = { "cpu-turbo" };
  FAILS (cgroup_update_resources (base, unk, badv, 1, &out, err));
  assert_non_null (strstr (errmsg, "cpu-turbo"));
  const char *pl[] = { "pids-limit" }, *plv[] = { "ten" };
  FAILS (cgroup_update_resources (base, pl, plv, 1, &out, err));
  yajl_tree_free (base);
}

static void test_stats_event_line (void **state)
{
  cgroup *cg = NULL;
  char *line = NULL;
  layout_v2 ("");
  OK (cgroup_create (top, NULL, "ev", false, NULL, &cg, err));
  OK (cgroup_stats_event (cg, "ev", &line, err));
  yajl_val v = parse (line);
  assert_string_equal (YAJL_GET_STRING (json_get (v, "type")), "stats");
  assert_string_equal (YAJL_GET_STRING (json_get (v, "id")), "ev");
  assert_non_null (json_path (v, "data", "memory", NULL));
  assert_non_null (json_path (v, "data", "pids", NULL));
  assert_null (strchr (line, '\n'));
  yajl_gen g = json_gen_new (false);
  char *f = NULL;
  cgroup_features_json (g);
  OK (json_gen_result (g, &f, NULL, err));
  assert_string_equal (f, "{\"v1\":true,\"v2\":true,\"systemd\":true,\"systemdUser\":false,\"rdma\":true}");
  free (f);
  yajl_gen_free (g);
  yajl_tree_free (v);
  free (line);
  cgroup_free (cg);
}

/* Debian/systemd v1: "cpu,cpuacct" mounted once, "cpu" and "cpuacct" links */
static void test_v1_combined_mounts (void **state)
{
  cgroup *cg = NULL;
  char l[256];
  mkd ("cpu,cpuacct");
  putf ("cpu,cpuacct/cgroup.procs", "");
  mkd ("memory");
  putf ("memory/cgroup.procs", "");
  snprintf (l, sizeof l, "%s/cpu", top);
  assert_int_equal (symlink ("cpu,cpuacct", l), 0);
  snprintf (l, sizeof l, "%s/cpuacct", top);
  assert_int_equal (symlink ("cpu,cpuacct", l), 0);
  yajl_val res = parse ("{\"cpu\":{\"shares\":100}}");
  OK (cgroup_create (top, NULL, "cc", false, res, &cg, err));
  assert_int_equal (cg->nhiers, 2);
  assert_non_null (strstr (cgroup_hier_of (cg, CG_CPUACCT)->dir, "cpu,cpuacct/runner/cc"));
  assert_string_equal (rd ("cpu,cpuacct/runner/cc/cpu.shares"), "100\n");
  OK (cgroup_enter (cg, 5, err));
  assert_string_equal (rd ("cpu,cpuacct/runner/cc/cgroup.procs"), "5\n"); /* once */
  yajl_tree_free (res);
  cgroup_free (cg);
}

static void test_default_device_allowlist (void **state)
{
  cgroup *cg = NULL;
  layout_v1 (true);
  yajl_val devs = parse ("[{\"path\":\"/dev/fuse\",\"type\":\"c\",\"major\":10,\"minor\":229},"
                         "{\"path\":\"/dev/sdz\",\"type\":\"b\",\"major\":8,\"minor\":400}]");
  /* no linux.resources at all: closed list, then linux.devices, then defaults */
  OK (cgroup_create_with_devices (top, NULL, "d0", false, NULL, devs, &cg, err));
  assert_string_equal (rd ("devices/runner/d0/devices.deny"), "a *:* rwm\n");
  assert_non_null (strstr (rd ("devices/runner/d0/devices.allow"),
                           "c 10:229 rwm\nb 8:400 rwm\nc *:* m\nb *:* m\nc 1:3 rwm\n"));
  cgroup_free (cg);
  /* privileged: allow all stays allow all (defaults only add) */
  yajl_val res = parse ("{\"devices\":[{\"allow\":true,\"access\":\"rwm\"}]}");
  OK (cgroup_create (top, NULL, "d1", false, res, &cg, err));
  assert_string_equal (rd ("devices/runner/d1/devices.deny"), "<missing>");
  assert_true (strncmp (rd ("devices/runner/d1/devices.allow"), "a *:* rwm\n", 10) == 0);
  cgroup_free (cg);
  yajl_tree_free (res);
  yajl_tree_free (devs);
}

/* Parents that create made for a relative/absolute cgroupsPath are
   recorded and removed at delete once empty; those that were there, or
   still hold another container, stay; runner's own /runner stays. */
static void test_made_parents_removed (void **state)
{
  cgroup *cg = NULL;
  char *const *made;
  size_t n;

  layout_v2 ("");
  OK (cgroup_create (top, "/a/b", "x", false, NULL, &cg, err));
  n = cgroup_made_parents (cg, &made);
  assert_int_equal (n, 1);
  assert_non_null (strstr (made[0], "/a"));
  assert_string_equal (made[0] + strlen (top), "/a");
  OK (cgroup_destroy (cg, err));
  cgroup_remove_made_parents (cg, made, n);
  assert_false (exists ("a"));
  cgroup_free (cg);
}

static void test_made_parents_shared (void **state)
{
  cgroup *cg = NULL, *other = NULL;
  char *const *made;
  size_t n;
  char **copy;

  /* v1, with runner/keep there before: keep/x is made, keep is not */
  layout_v1 (false);
  mkd ("memory/runner");
  mkd ("memory/runner/keep");
  putf ("memory/runner/keep/memory.limit_in_bytes", "max\n");
  OK (cgroup_create (top, "keep/x/c1", "c1", false, NULL, &cg, err));
  n = cgroup_made_parents (cg, &made);
  for (size_t i = 0; i < n; i++)
    {
      const char *rel = made[i] + strlen (top);
      assert_true (strstr (rel, "/runner/keep") != NULL);
      assert_string_not_equal (rel, "/memory/runner/keep");
      assert_true (strlen (rel) < 7 || strcmp (rel + strlen (rel) - 7, "/runner") != 0);
    }
  assert_true (exists ("pids/runner/keep/x"));
  /* the state keeps a copy: delete works from that */
  copy = calloc (n, sizeof *copy);
  for (size_t i = 0; i < n; i++)
    copy[i] = strdup (made[i]);
  /* a second container below the same parents makes none */
  OK (cgroup_create (top, "keep/x/c2", "c2", false, NULL, &other, err));
  assert_int_equal (cgroup_made_parents (other, &made), 0);
  OK (cgroup_destroy (cg, err));
  cgroup_remove_made_parents (cg, copy, n);
  assert_true (exists ("pids/runner/keep/x/c2"));
  assert_true (exists ("memory/runner/keep/x"));
  OK (cgroup_destroy (other, err));
  /* c2 is gone now: c1's record removes what c1 made */
  cgroup_remove_made_parents (cg, copy, n);
  assert_false (exists ("pids/runner/keep"));
  assert_false (exists ("memory/runner/keep/x"));
  assert_true (exists ("memory/runner/keep"));
  assert_true (exists ("pids/runner"));
  cgroup_free (other);

  /* a state file naming something outside the cgroupfs is ignored */
  {
    char outside[600], dotdot[600];
    snprintf (outside, sizeof outside, "%s-outside", top);
    assert_int_equal (mkdir (outside, 0755), 0);
    snprintf (dotdot, sizeof dotdot, "%s/pids/../../%s", top, strrchr (outside, '/') + 1);
    char *bad[] = { outside, dotdot, NULL };
    cgroup_remove_made_parents (cg, bad, 3);
    assert_int_equal (access (outside, F_OK), 0);
    rmdir (outside);
  }
  for (size_t i = 0; i < n; i++)
    free (copy[i]);
  free (copy);
  cgroup_free (cg);
}

int main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_detect, setup, teardown),
    cmocka_unit_test (test_paths),
    cmocka_unit_test (test_conversions),
    cmocka_unit_test_setup_teardown (test_v1_every_file, setup, teardown),
    cmocka_unit_test_setup_teardown (test_v1_combined_mounts, setup, teardown),
    cmocka_unit_test_setup_teardown (test_v1_cpuset_inherits_parent, setup, teardown),
    cmocka_unit_test_setup_teardown (test_v2_every_file, setup, teardown),
    cmocka_unit_test_setup_teardown (test_v2_errors_leave_nothing, setup, teardown),
    cmocka_unit_test_setup_teardown (test_v1_missing_controller_is_an_error, setup, teardown),
    cmocka_unit_test_setup_teardown (test_hybrid, setup, teardown),
    cmocka_unit_test_setup_teardown (test_v1_memory_update_order, setup, teardown),
    cmocka_unit_test_setup_teardown (test_freeze_pids_kill, setup, teardown),
    cmocka_unit_test_setup_teardown (test_open_recorded_path, setup, teardown),
    cmocka_unit_test_setup_teardown (test_busy_cgroup_refused, setup, teardown),
    cmocka_unit_test_setup_teardown (test_stats, setup, teardown),
    cmocka_unit_test (test_bpf_device_program),
    cmocka_unit_test (test_update_options),
    cmocka_unit_test_setup_teardown (test_default_device_allowlist, setup, teardown),
    cmocka_unit_test_setup_teardown (test_stats_event_line, setup, teardown),
    cmocka_unit_test_setup_teardown (test_made_parents_removed, setup, teardown),
    cmocka_unit_test_setup_teardown (test_made_parents_shared, setup, teardown),
  };
  return cmocka_run_group_tests_name ("runner cgroup", tests, NULL, NULL);
}
