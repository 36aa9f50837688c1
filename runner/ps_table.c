/* The `ps -ef` table from /proc (see ps_table.h), and runc's way with
   other ps options. */
#include "ps_table.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "fileutil.h"

/* One process as `ps -ef` shows it. */
struct ps_proc
{
  uid_t euid;
  pid_t ppid;
  char state;
  unsigned long long tty_nr;
  unsigned long long cpu_ticks;  /* utime + stime */
  unsigned long long start_ticks;
  char comm[64];
  char *cmd;                     /* args joined by spaces, or NULL */
};

void ps_format_stime (time_t start, time_t now, char *buf, size_t size)
{
  struct tm t, n;
  const char *fmt = "%H:%M";
  localtime_r (&now, &n);
  localtime_r (&start, &t);
  if (t.tm_yday != n.tm_yday)
    fmt = "%b%d";
  if (t.tm_year != n.tm_year)
    fmt = "%Y";
  if (strftime (buf, size, fmt, &t) == 0 && size)
    buf[0] = '\0';
}

void ps_format_cputime (unsigned long long secs, char *buf, size_t size)
{
  unsigned long long d = secs / 86400, h = secs / 3600 % 24, m = secs / 60 % 60, s = secs % 60;
  if (d)
    snprintf (buf, size, "%llu-%02llu:%02llu:%02llu", d, h, m, s);
  else
    snprintf (buf, size, "%02llu:%02llu:%02llu", h, m, s);
}

void ps_format_tty (unsigned long long tty_nr, char *buf, size_t size)
{
  /* /proc/PID/stat tty_nr: minor in bits 31-20 and 7-0, major 15-8 */
  unsigned maj = (unsigned) ((tty_nr >> 8) & 0xfff);
  unsigned min = (unsigned) ((tty_nr & 0xff) | ((tty_nr >> 12) & 0xfff00));
  if (tty_nr == 0)
    snprintf (buf, size, "?");
  else if (maj >= 136 && maj <= 143)
    snprintf (buf, size, "pts/%u", (maj - 136) * 256 + min);
  else if (maj == 4 && min < 64)
    snprintf (buf, size, "tty%u", min);
  else if (maj == 4)
    snprintf (buf, size, "ttyS%u", min - 64);
  else if (maj == 5 && min == 1)
    snprintf (buf, size, "console");
  else
    snprintf (buf, size, "?");
}

void ps_format_user (uid_t uid, char *buf, size_t size)
{
  struct passwd pw, *res = NULL;
  char tmp[1024];
  if (getpwuid_r (uid, &pw, tmp, sizeof tmp, &res) != 0 || res == NULL)
    {
      snprintf (buf, size, "%u", (unsigned) uid);
      return;
    }
  if (strlen (pw.pw_name) > 8)
    snprintf (buf, size, "%.7s+", pw.pw_name);
  else
    snprintf (buf, size, "%s", pw.pw_name);
}

int ps_pid_column (const char *header)
{
  int col = 0;
  const char *p = header;
  while (*p)
    {
      size_t len;
      while (*p && isspace ((unsigned char) *p))
        p++;
      if (!*p)
        break;
      len = strcspn (p, " \t\n");
      if (len == 3 && strncmp (p, "PID", 3) == 0)
        return col;
      col++;
      p += len;
    }
  return -1;
}

static int pid_width (void)
{
  /* procps sizes PID columns by pid_max's digits, at least 5 */
  char buf[32] = "";
  int fd = open ("/proc/sys/kernel/pid_max", O_RDONLY | O_CLOEXEC), w;
  if (fd >= 0)
    {
      ssize_t r = read (fd, buf, sizeof buf - 1);
      buf[r > 0 ? r : 0] = '\0';
      close (fd);
    }
  w = (int) strcspn (buf, "\n");
  return w < 5 ? 5 : w;
}

/* btime from /proc/stat, uptime from /proc/uptime */
static int read_clock (time_t *btime, double *uptime)
{
  cleanup_free char *stat = NULL, *up = NULL;
  size_t len;
  const char *b;
  if (read_file_at (AT_FDCWD, "/proc/stat", 1 << 20, &stat, &len, NULL) < 0
      || read_file_at (AT_FDCWD, "/proc/uptime", 4096, &up, &len, NULL) < 0)
    return -1;
  b = strstr (stat, "\nbtime ");
  if (b == NULL)
    return -1;
  *btime = (time_t) strtoll (b + 7, NULL, 10);
  *uptime = strtod (up, NULL);
  return 0;
}

static char *read_cmdline (pid_t pid)
{
  char path[64];
  char *buf = NULL;
  size_t len = 0;
  snprintf (path, sizeof path, "/proc/%d/cmdline", (int) pid);
  if (read_file_at (AT_FDCWD, path, 1 << 20, &buf, &len, NULL) < 0)
    return NULL;
  while (len > 0 && buf[len - 1] == '\0')
    len--;
  if (len == 0)
    {
      free (buf);
      return NULL;
    }
  buf[len] = '\0';
  /* args joined by spaces; what a terminal would misread becomes `?` */
  for (size_t i = 0; i < len; i++)
    if (buf[i] == '\0')
      buf[i] = ' ';
    else if ((unsigned char) buf[i] < 0x20 || buf[i] == 0x7f)
      buf[i] = '?';
  return buf;
}

static int read_proc (pid_t pid, struct ps_proc *p)
{
  char path[64];
  cleanup_free char *stat = NULL, *status = NULL;
  size_t len;
  const char *open_paren, *close_paren, *u;
  unsigned long long f[20];
  int ppid;

  memset (p, 0, sizeof *p);
  snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
  if (read_file_at (AT_FDCWD, path, 8192, &stat, &len, NULL) < 0)
    return -1;
  open_paren = strchr (stat, '(');
  close_paren = strrchr (stat, ')');
  if (open_paren == NULL || close_paren == NULL || close_paren < open_paren)
    return -1;
  snprintf (p->comm, sizeof p->comm, "%.*s", (int) (close_paren - open_paren - 1), open_paren + 1);
  /* proc(5): fields 3.. after the comm; f[k] is field k+4 */
  if (sscanf (close_paren + 2, "%c %d %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu "
              "%llu %llu %llu %llu %llu %llu %llu",
              &p->state, &ppid, &f[1], &f[2], &f[3], &f[4], &f[5], &f[6], &f[7], &f[8], &f[9],
              &f[10], &f[11], &f[12], &f[13], &f[14], &f[15], &f[16], &f[17], &f[18])
      != 20)
    return -1;
  p->ppid = ppid;
  p->tty_nr = f[3];          /* field 7 */
  p->cpu_ticks = f[10] + f[11]; /* fields 14, 15 */
  p->start_ticks = f[18];    /* field 22 */
  snprintf (path, sizeof path, "/proc/%d/status", (int) pid);
  if (read_file_at (AT_FDCWD, path, 1 << 16, &status, &len, NULL) < 0)
    return -1;
  u = strstr (status, "\nUid:");
  if (u == NULL)
    return -1;
  {
    unsigned ruid, euid;
    if (sscanf (u + 5, "%u %u", &ruid, &euid) != 2)
      return -1;
    p->euid = euid;
  }
  p->cmd = read_cmdline (pid);
  return 0;
}

static int cmp_pid (const void *a, const void *b)
{
  pid_t x = *(const pid_t *) a, y = *(const pid_t *) b;
  return (x > y) - (x < y);
}

int ps_table_print (FILE *out, pid_t *pids, size_t n, oci_error **err)
{
  long hz = sysconf (_SC_CLK_TCK);
  int w = pid_width ();
  time_t btime, now = time (NULL);
  double uptime;

  if (hz <= 0)
    hz = 100;
  if (read_clock (&btime, &uptime) < 0)
    return oci_error_set (err, errno, "ps: read /proc/stat and /proc/uptime");
  qsort (pids, n, sizeof *pids, cmp_pid);
  /* procps `ps -ef`: UID left in 8, PIDs right in pid_max's width, C in
     2, STIME in 5, TTY left in 8, TIME in 8, then the command */
  fprintf (out, "%-8s %*s %*s %2s %5s %-8s %8s %s\n", "UID", w, "PID", w, "PPID", "C", "STIME",
           "TTY", "TIME", "CMD");
  for (size_t i = 0; i < n; i++)
    {
      struct ps_proc p;
      char user[64], stime[32], tty[32], cputime[32];
      double elapsed;
      unsigned pcpu = 0;
      if (read_proc (pids[i], &p) < 0)
        continue;
      /* C: integer percent of CPU over the process' life, at most 99;
         procps divides whole CPU centiseconds by fractional seconds */
      elapsed = uptime - (double) p.start_ticks / hz;
      if (elapsed > 0)
        pcpu = (unsigned) ((double) (p.cpu_ticks * 100ULL / (unsigned long long) hz) / elapsed);
      if (pcpu > 99)
        pcpu = 99;
      ps_format_user (p.euid, user, sizeof user);
      ps_format_stime (btime + (time_t) (p.start_ticks / (unsigned long long) hz), now, stime,
                       sizeof stime);
      ps_format_tty (p.tty_nr, tty, sizeof tty);
      ps_format_cputime (p.cpu_ticks / (unsigned long long) hz, cputime, sizeof cputime);
      fprintf (out, "%-8s %*d %*d %2u %5s %-8s %8s ", user, w, (int) pids[i], w, (int) p.ppid,
               pcpu, stime, tty, cputime);
      if (p.cmd)
        fprintf (out, "%s\n", p.cmd);
      else
        fprintf (out, "[%s]%s\n", p.comm, p.state == 'Z' ? " <defunct>" : "");
      free (p.cmd);
    }
  return 0;
}

/* ps ARGS with stdout and stderr into one buffer (runc reads both). */
static int run_ps (char *const *ps_args, char **output, int *status, oci_error **err)
{
  size_t nargs = 0, len;
  int pfd[2];
  pid_t pid;
  cleanup_free char **argv = NULL;

  while (ps_args[nargs])
    nargs++;
  argv = calloc (nargs + 2, sizeof *argv);
  if (argv == NULL)
    return oci_error_set (err, ENOMEM, "ps");
  argv[0] = (char *) "ps";
  memcpy (argv + 1, ps_args, nargs * sizeof *argv);
  if (pipe2 (pfd, O_CLOEXEC) < 0)
    return oci_error_set (err, errno, "ps: pipe");
  pid = fork ();
  if (pid < 0)
    {
      close (pfd[0]);
      close (pfd[1]);
      return oci_error_set (err, errno, "ps: fork");
    }
  if (pid == 0)
    {
      dup2 (pfd[1], 1);
      dup2 (pfd[1], 2);
      execvp ("ps", argv);
      dprintf (2, "exec ps: %s\n", strerror (errno));
      _exit (127);
    }
  close (pfd[1]);
  if (read_all_fd (pfd[0], 64 << 20, "ps output", output, &len, err) < 0)
    {
      close (pfd[0]);
      kill (pid, SIGKILL);
      waitpid (pid, NULL, 0);
      return -1;
    }
  close (pfd[0]);
  while (waitpid (pid, status, 0) < 0)
    if (errno != EINTR)
      return oci_error_set (err, errno, "ps: wait");
  return 0;
}

int ps_filter_print (FILE *out, char *const *ps_args, const pid_t *pids, size_t n,
                     oci_error **err)
{
  cleanup_free char *output = NULL;
  char *line, *save = NULL;
  int status, col;

  if (run_ps (ps_args, &output, &status, err) < 0)
    return -1;
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    {
      /* ps' own complaint, on one line */
      char cmd[512];
      size_t used = snprintf (cmd, sizeof cmd, "ps");
      for (size_t i = 0; ps_args[i] && used < sizeof cmd; i++)
        used += snprintf (cmd + used, sizeof cmd - used, " %s", ps_args[i]);
      output[strcspn (output, "\n")] = '\0';
      return oci_error_set (err, 0, "`%s` failed: %s", cmd, *output ? output : "no output");
    }
  line = strtok_r (output, "\n", &save);
  if (line == NULL || (col = ps_pid_column (line)) < 0)
    return oci_error_set (err, 0, "ps: no PID column in the output of ps (add -o pid)");
  fprintf (out, "%s\n", line);
  while ((line = strtok_r (NULL, "\n", &save)) != NULL)
    {
      const char *p = line;
      long v;
      char *end;
      /* the PID column's field, as runc splits the line */
      for (int k = 0; k < col && *p; k++)
        {
          while (*p && isspace ((unsigned char) *p))
            p++;
          p += strcspn (p, " \t");
        }
      v = strtol (p, &end, 10);
      if (end == p)
        continue;
      for (size_t i = 0; i < n; i++)
        if (pids[i] == (pid_t) v)
          {
            fprintf (out, "%s\n", line);
            break;
          }
    }
  return 0;
}
