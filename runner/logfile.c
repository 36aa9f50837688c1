#include "logfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "fileutil.h"
#include "json.h"

static int log_fd = -1;
static bool log_json;
static bool log_debug;

int logfile_open (const char *path, const char *format, oci_error **err)
{
  if (format == NULL || strcmp (format, "text") == 0)
    log_json = false;
  else if (strcmp (format, "json") == 0)
    log_json = true;
  else
    return oci_error_set (err, 0, "--log-format `%s`: must be text or json", format);
  if (path == NULL || *path == '\0')
    return 0;
  log_fd = open (path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0)
    return oci_error_set (err, errno, "open log file `%s`", path);
  return 0;
}

bool logfile_debug_enabled (void) { return log_debug; }
void logfile_set_debug (bool on) { log_debug = on; }

static void vwrite_entry (const char *level, const char *fmt, va_list ap)
{
  cleanup_free char *msg = NULL;
  cleanup_free char *line = NULL;
  char when[64];
  struct timespec ts;
  struct tm tm;
  int n;

  if (log_fd < 0 || vasprintf (&msg, fmt, ap) < 0)
    return;
  clock_gettime (CLOCK_REALTIME, &ts);
  gmtime_r (&ts.tv_sec, &tm);
  n = (int) strftime (when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf (when + n, sizeof when - n, ".%09ldZ", ts.tv_nsec);
  if (log_json)
    {
      cleanup_json_gen yajl_gen g = json_gen_new (false);
      const unsigned char *buf;
      size_t len;
      if (g == NULL)
        return;
      yajl_gen_map_open (g);
      json_gen_kv_str (g, "level", level);
      json_gen_kv_str (g, "msg", msg);
      json_gen_kv_str (g, "time", when);
      yajl_gen_map_close (g);
      if (yajl_gen_get_buf (g, &buf, &len) != yajl_gen_status_ok)
        return;
      if (asprintf (&line, "%.*s\n", (int) len, buf) < 0)
        return;
    }
  else if (asprintf (&line, "time=\"%s\" level=%s msg=\"%s\"\n", when, level, msg) < 0)
    return;
  write_all (log_fd, line, strlen (line));
}

void logfile_write (const char *level, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  vwrite_entry (level, fmt, ap);
  va_end (ap);
}

void logfile_warn (const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  fputs ("runner: warning: ", stderr);
  vfprintf (stderr, fmt, ap);
  fputc ('\n', stderr);
  va_end (ap);
  va_start (ap, fmt);
  vwrite_entry ("warning", fmt, ap);
  va_end (ap);
}

void logfile_debug (const char *fmt, ...)
{
  va_list ap;
  if (!log_debug)
    return;
  va_start (ap, fmt);
  vwrite_entry ("debug", fmt, ap);
  va_end (ap);
}
