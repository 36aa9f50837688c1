/* --log FILE and --log-format text|json: the file podman and containerd
   read to report a runtime error. JSON lines carry level, msg and time as
   runc writes them; text lines are `time="…" level=… msg="…"`. */
#ifndef RUNNER_LOGFILE_H
#define RUNNER_LOGFILE_H

#include <stdbool.h>

#include "error.h"

/* path may be NULL (no log file). Returns <0 on a bad format name. */
int logfile_open (const char *path, const char *format, oci_error **err);
bool logfile_debug_enabled (void);
void logfile_set_debug (bool on);
/* Write one entry; "error" entries also go to stderr (by main). */
void logfile_write (const char *level, const char *fmt, ...)
  __attribute__ ((format (printf, 2, 3)));
/* A warning: stderr and the log file. */
void logfile_warn (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
void logfile_debug (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

#endif
