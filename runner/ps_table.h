/* `runner ps` output as a runc user sees it. runc runs `ps -ef` and keeps
   the lines whose PID is in the container's cgroup; runner writes the
   same columns (UID PID PPID C STIME TTY TIME CMD, laid out as procps
   does) from /proc itself. With ps options after the ID, runc's way:
   ps(1) runs with them and its lines are kept by their PID column. */
#ifndef RUNNER_PS_TABLE_H
#define RUNNER_PS_TABLE_H

#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#include "error.h"

/* The `ps -ef` table of `pids` (sorted here) on `out`. Processes gone
   meanwhile are left out. */
int ps_table_print (FILE *out, pid_t *pids, size_t n, oci_error **err);
/* Run `ps ARGS…` (PATH lookup), print its header and the lines whose PID
   column names one of `pids`. */
int ps_filter_print (FILE *out, char *const *ps_args, const pid_t *pids, size_t n,
                     oci_error **err);

/* Column formatters, exposed for the unit tests. */
/* STIME: HH:MM today, MonDD this year, else the year (procps). */
void ps_format_stime (time_t start, time_t now, char *buf, size_t size);
/* TIME: [DD-]HH:MM:SS of CPU time. */
void ps_format_cputime (unsigned long long secs, char *buf, size_t size);
/* TTY: pts/N, ttyN, ttySN, console, or ? for none. */
void ps_format_tty (unsigned long long tty_nr, char *buf, size_t size);
/* UID: the user name, cut to 7 characters and `+` when longer than 8, or
   the number when it has no name. */
void ps_format_user (uid_t uid, char *buf, size_t size);
/* Index of the PID column in a ps header line, -1 if none. */
int ps_pid_column (const char *header);

#endif
