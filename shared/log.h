/* Diagnostics on stderr only: stdout carries pipeline tokens. */
#ifndef OCIKIT_LOG_H
#define OCIKIT_LOG_H

enum log_level { LOG_QUIET = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

void log_init (const char *prog, enum log_level level);
const char *log_prog (void);
enum log_level log_level (void);
void log_warn (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
void log_info (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
void log_debug (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
/* Warn once per `key` (e.g. "chown"): rootless degradations say it once. */
void log_warn_once (const char *key, const char *fmt, ...)
  __attribute__ ((format (printf, 2, 3)));

#endif
