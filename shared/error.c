#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *vformat (const char *fmt, va_list ap)
{
  char *s = NULL;
  if (vasprintf (&s, fmt, ap) < 0)
    return NULL;
  return s;
}

int oci_error_set (oci_error **err, int errnum, const char *fmt, ...)
{
  va_list ap;
  char *m;

  if (err == NULL || *err != NULL)
    return -1;
  va_start (ap, fmt);
  m = vformat (fmt, ap);
  va_end (ap);
  *err = calloc (1, sizeof **err);
  if (*err == NULL)
    {
      free (m);
      return -1;
    }
  (*err)->errnum = errnum;
  if (m != NULL && errnum != 0)
    {
      char *full = NULL;
      if (asprintf (&full, "%s: %s", m, strerror (errnum)) >= 0)
        {
          free (m);
          m = full;
        }
    }
  (*err)->msg = m ? m : strdup ("out of memory");
  return -1;
}

int oci_error_prefix (oci_error **err, const char *fmt, ...)
{
  va_list ap;
  char *p, *full = NULL;

  if (err == NULL || *err == NULL)
    return -1;
  va_start (ap, fmt);
  p = vformat (fmt, ap);
  va_end (ap);
  if (p != NULL && asprintf (&full, "%s: %s", p, (*err)->msg) >= 0)
    {
      free ((*err)->msg);
      (*err)->msg = full;
    }
  free (p);
  return -1;
}

void oci_error_free (oci_error **err)
{
  if (err == NULL || *err == NULL)
    return;
  free ((*err)->msg);
  free (*err);
  *err = NULL;
}

int oci_error_report (const char *prog, oci_error **err, int status)
{
  if (err != NULL && *err != NULL)
    fprintf (stderr, "%s: %s\n", prog, (*err)->msg);
  else
    fprintf (stderr, "%s: failed\n", prog);
  oci_error_free (err);
  return status;
}
