/* The error object: library functions return < 0 and fill *err with a
   message naming the thing and the cause; only main prints and exits. */
#ifndef OCIKIT_ERROR_H
#define OCIKIT_ERROR_H

#include <stdarg.h>

typedef struct oci_error
{
  int errnum;  /* errno of the cause, 0 if none */
  char *msg;   /* one line, no trailing newline */
} oci_error;

/* Fill *err (if err and *err is empty) with "fmt: strerror(errnum)" (the
   strerror part only when errnum != 0). Returns -1 always, so callers can
   write `return oci_error_set (err, errno, "open `%s`", path);`. */
int oci_error_set (oci_error **err, int errnum, const char *fmt, ...)
  __attribute__ ((format (printf, 3, 4)));

/* Put "fmt: " in front of the existing message (context from the caller).
   Returns -1. */
int oci_error_prefix (oci_error **err, const char *fmt, ...)
  __attribute__ ((format (printf, 2, 3)));

void oci_error_free (oci_error **err);
/* Print "PROG: message" on stderr, free the error, return `status`. */
int oci_error_report (const char *prog, oci_error **err, int status);

#define cleanup_error __attribute__ ((cleanup (oci_error_free)))

#endif
