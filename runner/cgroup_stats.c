/* `events --stats` and OOM notices: runc's stats JSON ("data" of
   {"type":"stats"}, runc events.go types) read from v1 or v2 files. */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "cgroup_internal.h"
#include "cleanup.h"
#include "json.h"

static void gen_u64 (yajl_gen g, const char *key, uint64_t v)
{
  char buf[24];
  int n = snprintf (buf, sizeof buf, "%" PRIu64, v);
  json_gen_key (g, key);
  yajl_gen_number (g, buf, n);
}

/* Go's omitempty: left out when zero. */
static void gen_u64_nz (yajl_gen g, const char *key, uint64_t v)
{
  if (v)
    gen_u64 (g, key, v);
}

/* A number file; "max" reads as the largest value (runc does so too). */
static uint64_t read_u64 (const char *dir, const char *file)
{
  cleanup_free char *text = NULL;
  cleanup_error oci_error *e = NULL;
  if (dir == NULL || cgroup_read (dir, file, &text, &e) < 0)
    return 0;
  if (strncmp (text, "max", 3) == 0)
    return UINT64_MAX;
  return strtoull (text, NULL, 10);
}

static uint64_t read_key (const char *dir, const char *file, const char *key)
{
  cleanup_free char *text = NULL;
  cleanup_error oci_error *e = NULL;
  uint64_t v = 0;
  if (dir == NULL || cgroup_read (dir, file, &text, &e) < 0)
    return 0;
  cgroup_keyed_value (text, key, &v);
  return v;
}

static void gen_memory_entry (yajl_gen g, const char *key, uint64_t limit, uint64_t usage,
                              uint64_t max, uint64_t failcnt)
{
  json_gen_key (g, key);
  yajl_gen_map_open (g);
  gen_u64 (g, "limit", limit);
  gen_u64_nz (g, "usage", usage);
  gen_u64_nz (g, "max", max);
  gen_u64 (g, "failcnt", failcnt);
  yajl_gen_map_close (g);
}

static void gen_raw (yajl_gen g, const char *dir, const char *file)
{
  cleanup_free char *text = NULL;
  cleanup_error oci_error *e = NULL;
  if (dir == NULL || cgroup_read (dir, file, &text, &e) < 0 || *text == '\0')
    return;
  json_gen_key (g, "raw");
  yajl_gen_map_open (g);
  for (char *l = text, *nl; l && *l; l = nl ? nl + 1 : NULL)
    {
      char *sp = strchr (l, ' ');
      nl = strchr (l, '\n');
      if (nl)
        *nl = '\0';
      if (sp == NULL)
        continue;
      *sp = '\0';
      gen_u64 (g, l, strtoull (sp + 1, NULL, 10));
    }
  yajl_gen_map_close (g);
}

static void gen_cpu (yajl_gen g, struct cgroup_hier *cpu, struct cgroup_hier *acct)
{
  const char *cdir = cpu ? cpu->dir : NULL;
  uint64_t total, user, kernel, periods, throttled, ttime;

  json_gen_key (g, "cpu");
  yajl_gen_map_open (g);
  json_gen_key (g, "usage");
  yajl_gen_map_open (g);
  if (cpu && cpu->v2)
    {
      total = read_key (cdir, "cpu.stat", "usage_usec") * 1000;
      user = read_key (cdir, "cpu.stat", "user_usec") * 1000;
      kernel = read_key (cdir, "cpu.stat", "system_usec") * 1000;
      periods = read_key (cdir, "cpu.stat", "nr_periods");
      throttled = read_key (cdir, "cpu.stat", "nr_throttled");
      ttime = read_key (cdir, "cpu.stat", "throttled_usec") * 1000;
      gen_u64_nz (g, "total", total);
    }
  else
    {
      const char *adir = acct ? acct->dir : NULL;
      long hz = sysconf (_SC_CLK_TCK);
      uint64_t tick = hz > 0 ? 1000000000ull / (uint64_t) hz : 10000000ull;
      cleanup_free char *percpu = NULL;
      cleanup_error oci_error *e = NULL;
      total = read_u64 (adir, "cpuacct.usage");
      user = read_key (adir, "cpuacct.stat", "user") * tick;
      kernel = read_key (adir, "cpuacct.stat", "system") * tick;
      gen_u64_nz (g, "total", total);
      if (adir && cgroup_read (adir, "cpuacct.usage_percpu", &percpu, &e) == 0
          && strspn (percpu, " \n") != strlen (percpu))
        {
          json_gen_key (g, "percpu");
          yajl_gen_array_open (g);
          for (char *p = percpu, *end; *p; p = end)
            {
              char buf[24];
              unsigned long long v = strtoull (p, &end, 10);
              if (end == p)
                break;
              int n = snprintf (buf, sizeof buf, "%llu", v);
              yajl_gen_number (g, buf, n);
            }
          yajl_gen_array_close (g);
        }
      periods = read_key (cdir, "cpu.stat", "nr_periods");
      throttled = read_key (cdir, "cpu.stat", "nr_throttled");
      ttime = read_key (cdir, "cpu.stat", "throttled_time");
    }
  gen_u64 (g, "kernel", kernel);
  gen_u64 (g, "user", user);
  yajl_gen_map_close (g);
  json_gen_key (g, "throttling");
  yajl_gen_map_open (g);
  gen_u64_nz (g, "periods", periods);
  gen_u64_nz (g, "throttledPeriods", throttled);
  gen_u64_nz (g, "throttledTime", ttime);
  yajl_gen_map_close (g);
  yajl_gen_map_close (g);
}

static void gen_memory (yajl_gen g, struct cgroup_hier *h)
{
  const char *d = h ? h->dir : NULL;
  json_gen_key (g, "memory");
  yajl_gen_map_open (g);
  if (h && h->v2)
    {
      uint64_t usage = read_u64 (d, "memory.current"), limit = read_u64 (d, "memory.max");
      uint64_t swap = read_u64 (d, "memory.swap.current"), slimit = read_u64 (d, "memory.swap.max");
      gen_u64_nz (g, "cache", read_key (d, "memory.stat", "file"));
      gen_memory_entry (g, "usage", limit, usage, read_u64 (d, "memory.peak"),
                        read_key (d, "memory.events", "max"));
      /* runc: v2 swap figures are memory+swap, like v1's memsw. */
      gen_memory_entry (g, "swap",
                        limit == UINT64_MAX || slimit == UINT64_MAX ? UINT64_MAX : limit + slimit,
                        usage + swap, 0, 0);
      gen_memory_entry (g, "kernel", 0, read_key (d, "memory.stat", "kernel"), 0, 0);
      gen_memory_entry (g, "kernelTCP", 0, read_key (d, "memory.stat", "sock"), 0, 0);
    }
  else if (h)
    {
      gen_u64_nz (g, "cache", read_key (d, "memory.stat", "cache"));
      gen_memory_entry (g, "usage", read_u64 (d, "memory.limit_in_bytes"),
                        read_u64 (d, "memory.usage_in_bytes"),
                        read_u64 (d, "memory.max_usage_in_bytes"), read_u64 (d, "memory.failcnt"));
      gen_memory_entry (g, "swap", read_u64 (d, "memory.memsw.limit_in_bytes"),
                        read_u64 (d, "memory.memsw.usage_in_bytes"),
                        read_u64 (d, "memory.memsw.max_usage_in_bytes"),
                        read_u64 (d, "memory.memsw.failcnt"));
      gen_memory_entry (g, "kernel", read_u64 (d, "memory.kmem.limit_in_bytes"),
                        read_u64 (d, "memory.kmem.usage_in_bytes"),
                        read_u64 (d, "memory.kmem.max_usage_in_bytes"),
                        read_u64 (d, "memory.kmem.failcnt"));
      gen_memory_entry (g, "kernelTCP", read_u64 (d, "memory.kmem.tcp.limit_in_bytes"),
                        read_u64 (d, "memory.kmem.tcp.usage_in_bytes"),
                        read_u64 (d, "memory.kmem.tcp.max_usage_in_bytes"),
                        read_u64 (d, "memory.kmem.tcp.failcnt"));
    }
  if (h)
    gen_raw (g, d, "memory.stat");
  yajl_gen_map_close (g);
}

static void gen_hugetlb (yajl_gen g, struct cgroup_hier *h)
{
  cleanup_dir DIR *dir = h ? opendir (h->dir) : NULL;
  const char *suffix = h && h->v2 ? ".current" : ".usage_in_bytes";
  struct dirent *de;

  json_gen_key (g, "hugetlb");
  yajl_gen_map_open (g);
  while (dir && (de = readdir (dir)) != NULL)
    {
      const char *n = de->d_name;
      size_t len = strlen (n), sl = strlen (suffix);
      char size[32], f[64];
      if (strncmp (n, "hugetlb.", 8) != 0 || len <= 8 + sl || strcmp (n + len - sl, suffix) != 0
          || len - 8 - sl >= sizeof size || strstr (n, ".rsvd."))
        continue;
      snprintf (size, sizeof size, "%.*s", (int) (len - 8 - sl), n + 8);
      json_gen_key (g, size);
      yajl_gen_map_open (g);
      gen_u64_nz (g, "usage", read_u64 (h->dir, n));
      if (h->v2)
        {
          snprintf (f, sizeof f, "hugetlb.%s.events", size);
          gen_u64 (g, "failcnt", read_key (h->dir, f, "max"));
        }
      else
        {
          snprintf (f, sizeof f, "hugetlb.%s.max_usage_in_bytes", size);
          gen_u64_nz (g, "max", read_u64 (h->dir, f));
          snprintf (f, sizeof f, "hugetlb.%s.failcnt", size);
          gen_u64 (g, "failcnt", read_u64 (h->dir, f));
        }
      yajl_gen_map_close (g);
    }
  yajl_gen_map_close (g);
}

int cgroup_stats_json (cgroup *cg, yajl_gen g, oci_error **err)
{
  struct cgroup_hier *pids = cgroup_hier_of (cg, CG_PIDS);
  uint64_t limit;

  yajl_gen_map_open (g);
  gen_cpu (g, cgroup_hier_of (cg, CG_CPU), cgroup_hier_of (cg, CG_CPUACCT));
  gen_memory (g, cgroup_hier_of (cg, CG_MEMORY));
  json_gen_key (g, "pids");
  yajl_gen_map_open (g);
  if (pids)
    {
      gen_u64_nz (g, "current", read_u64 (pids->dir, "pids.current"));
      limit = read_u64 (pids->dir, "pids.max");
      /* runc reports "max" as 0 (omitted) */
      gen_u64_nz (g, "limit", limit == UINT64_MAX ? 0 : limit);
    }
  yajl_gen_map_close (g);
  json_gen_key (g, "blkio");
  yajl_gen_map_open (g);
  yajl_gen_map_close (g);
  gen_hugetlb (g, cgroup_hier_of (cg, CG_HUGETLB));
  json_gen_key (g, "intel_rdt");
  yajl_gen_map_open (g);
  yajl_gen_map_close (g);
  yajl_gen_map_close (g);
  return 0;
}

int cgroup_oom_kill_count (cgroup *cg, uint64_t *count, oci_error **err)
{
  struct cgroup_hier *h = cgroup_hier_of (cg, CG_MEMORY);
  cleanup_free char *text = NULL;
  *count = 0;
  if (h == NULL)
    return 0;
  if (cgroup_read (h->dir, h->v2 ? "memory.events" : "memory.oom_control", &text, err) < 0)
    return oci_error_prefix (err, "OOM events of cgroup `%s`", cg->path);
  cgroup_keyed_value (text, "oom_kill", count);
  return 0;
}

int cgroup_oom_notify_fd (cgroup *cg, int *fd, oci_error **err)
{
  struct cgroup_hier *h = cgroup_hier_of (cg, CG_MEMORY);
  cleanup_close int efd = -1, ofd = -1;
  cleanup_free char *p = NULL;

  *fd = -1;
  if (h == NULL)
    return oci_error_set (err, 0, "cgroup `%s`: no memory controller", cg->path);
  if (h->v2)
    {
      efd = inotify_init1 (IN_CLOEXEC | IN_NONBLOCK);
      if (efd < 0)
        return oci_error_set (err, errno, "cgroup `%s`: inotify", cg->path);
      if (asprintf (&p, "%s/memory.events", h->dir) < 0)
        return oci_error_set (err, ENOMEM, "cgroup");
      /* cgroupfs sends IN_MODIFY when a counter of memory.events moves */
      if (inotify_add_watch (efd, p, IN_MODIFY) < 0)
        return oci_error_set (err, errno, "cgroup: watch `%s`", p);
      *fd = steal_fd (&efd);
      return 0;
    }
  /* cgroup-v1/memory.rst "OOM Control": "<event_fd> <fd of memory.oom_control>" */
  efd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (efd < 0)
    return oci_error_set (err, errno, "cgroup `%s`: eventfd", cg->path);
  if (asprintf (&p, "%s/memory.oom_control", h->dir) < 0)
    return oci_error_set (err, ENOMEM, "cgroup");
  ofd = open (p, O_RDONLY | O_CLOEXEC);
  if (ofd < 0)
    return oci_error_set (err, errno, "cgroup: open `%s`", p);
  if (cgroup_writef (cg, h->dir, "cgroup.event_control", err, "%d %d", efd, ofd) < 0)
    return -1;
  /* the kernel holds its own reference to memory.oom_control */
  *fd = steal_fd (&efd);
  return 0;
}
