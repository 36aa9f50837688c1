/* runner events: runc's `events` — one JSON object per line on stdout:
   {"type":"stats","id":…,"data":{…}} every --interval (default 5s) and
   {"type":"oom","id":…} when the kernel OOM-kills in the container's
   cgroup; `--stats` prints the stats once and exits. Ends (status 0) when
   the container stops. The state lock is dropped after reading the state
   so that other commands (kill, delete) are not held up. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "cleanup.h"
#include "cli.h"
#include "state.h"

#define EVENTS_USAGE "[--stats] [--interval DURATION] ID"

/* Go-style durations as runc takes them: "5s", "500ms", "1m", "1h";
   a bare number is seconds. */
static int parse_interval (const char *s, long long *ms)
{
  char *end;
  double v;
  errno = 0;
  v = strtod (s, &end);
  if (errno || end == s || v <= 0)
    return -1;
  if (*end == '\0' || strcmp (end, "s") == 0)
    v *= 1000;
  else if (strcmp (end, "ms") == 0)
    ;
  else if (strcmp (end, "m") == 0)
    v *= 60000;
  else if (strcmp (end, "h") == 0)
    v *= 3600000;
  else
    return -1;
  *ms = v < 1 ? 1 : (long long) v;
  return 0;
}

static long long now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int print_stats (cgroup *cg, const char *id, oci_error **err)
{
  cleanup_free char *line = NULL;
  if (cgroup_stats_event (cg, id, &line, err) < 0)
    return -1;
  printf ("%s\n", line);
  fflush (stdout);
  return 0;
}

static int watch (cgroup *cg, const container_state *st, long long interval, oci_error **err)
{
  cleanup_close int oomfd = -1;
  cleanup_error oci_error *e = NULL;
  uint64_t ooms = 0, now;
  long long next = now_ms () + interval;

  /* without a notification fd (no memory controller) OOMs are polled */
  if (cgroup_oom_notify_fd (cg, &oomfd, &e) < 0)
    oomfd = -1;
  cgroup_oom_kill_count (cg, &ooms, &e);
  oci_error_free (&e);
  for (;;)
    {
      struct pollfd p = { .fd = oomfd, .events = POLLIN };
      long long wait = next - now_ms ();
      char drain[64];
      if (wait < 0)
        wait = 0;
      /* wake at least every second to notice that the container stopped */
      if (poll (&p, 1, (int) (wait < 1000 ? wait : 1000)) < 0 && errno != EINTR)
        return oci_error_set (err, errno, "events: poll");
      if (oomfd >= 0 && (p.revents & POLLIN))
        while (read (oomfd, drain, sizeof drain) > 0)
          ;
      if (cgroup_oom_kill_count (cg, &now, &e) == 0 && now > ooms)
        {
          for (; ooms < now; ooms++)
            printf ("{\"type\":\"oom\",\"id\":\"%s\"}\n", st->id);
          fflush (stdout);
        }
      oci_error_free (&e);
      if (state_status (st) == STATUS_STOPPED)
        return 0;
      if (now_ms () >= next)
        {
          if (print_stats (cg, st->id, err) < 0)
            return -1;
          next += interval;
        }
    }
}

int cmd_events (int argc, char **argv, oci_error **err)
{
  static const struct option opts[] = {
    { "stats", no_argument, NULL, 's' }, { "interval", required_argument, NULL, 'i' },
    { NULL, 0, NULL, 0 },
  };
  cleanup_close int rootfd = -1;
  cleanup_state container_state st = { .dirfd = -1 };
  long long interval = 5000;
  bool stats_once = false;
  cgroup *cg = NULL;
  int ch, r;

  while ((ch = getopt_long (argc, argv, "+", opts, NULL)) != -1)
    switch (ch)
      {
      case 's': stats_once = true; break;
      case 'i':
        if (parse_interval (optarg, &interval) < 0)
          return oci_error_set (err, 0, "events: --interval `%s`: not a duration (like 5s, 500ms)", optarg), 2;
        break;
      default: return cli_usage (err, "events", EVENTS_USAGE);
      }
  if (optind != argc - 1)
    return cli_usage (err, "events", EVENTS_USAGE);
  if (state_open_container (runner_globals.root, argv[optind], &rootfd, &st, err) < 0)
    return 1;
  /* the lock is not held while watching */
  close (st.dirfd);
  st.dirfd = -1;
  if (state_status (&st) == STATUS_STOPPED)
    return oci_error_set (err, 0, "container `%s` is not running", st.id), 1;
  if (st.cgroup_path == NULL)
    return oci_error_set (err, 0, "container `%s` has no cgroup", st.id), 1;
  if (cgroup_open (CGROUP_DEFAULT_ROOT, st.cgroup_path, &cg, err) < 0)
    return 1;
  r = stats_once ? print_stats (cg, st.id, err) : watch (cg, &st, interval, err);
  cgroup_free (cg);
  return r < 0 ? 1 : 0;
}
