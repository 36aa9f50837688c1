#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *prog_name = "ocikit";
static enum log_level level = LOG_WARN;

void log_init (const char *prog, enum log_level lvl)
{
  prog_name = prog;
  level = lvl;
}

const char *log_prog (void) { return prog_name; }
enum log_level log_level (void) { return level; }

static void vlog (enum log_level at, const char *tag, const char *fmt, va_list ap)
{
  if (level < at)
    return;
  fprintf (stderr, "%s: %s", prog_name, tag);
  vfprintf (stderr, fmt, ap);
  fputc ('\n', stderr);
}

#define DEFINE_LOG(name, at, tag)                                              \
  void name (const char *fmt, ...)                                             \
  {                                                                            \
    va_list ap;                                                                \
    va_start (ap, fmt);                                                        \
    vlog (at, tag, fmt, ap);                                                   \
    va_end (ap);                                                               \
  }

DEFINE_LOG (log_warn, LOG_WARN, "warning: ")
DEFINE_LOG (log_info, LOG_INFO, "")
DEFINE_LOG (log_debug, LOG_DEBUG, "debug: ")

#define MAX_ONCE 32
static char once_keys[MAX_ONCE][32];
static int n_once;

void log_warn_once (const char *key, const char *fmt, ...)
{
  va_list ap;
  for (int i = 0; i < n_once; i++)
    if (strcmp (once_keys[i], key) == 0)
      return;
  if (n_once < MAX_ONCE)
    snprintf (once_keys[n_once++], sizeof once_keys[0], "%s", key);
  va_start (ap, fmt);
  vlog (LOG_WARN, "warning: ", fmt, ap);
  va_end (ap);
}
