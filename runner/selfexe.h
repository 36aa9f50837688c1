/* CVE-2019-5736: a container process must never be able to open the
   runtime's binary for writing through /proc/PID/exe. The commands that
   start container processes run from a sealed memfd copy of runner, so
   /proc/PID/exe names an anonymous, unwritable file. */
#ifndef RUNNER_SELFEXE_H
#define RUNNER_SELFEXE_H

#include <stdbool.h>

/* true if /proc/self/exe is already a sealed memfd. */
bool selfexe_is_sealed (void);
/* Re-exec from a sealed memfd copy (returns only on failure, with errno). */
int selfexe_reexec_sealed (char **argv);

#endif
