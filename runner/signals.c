#include "signals.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "fileutil.h"

static const struct { const char *name; int sig; } names[] = {
  { "HUP", SIGHUP },   { "INT", SIGINT },     { "QUIT", SIGQUIT },   { "ILL", SIGILL },
  { "TRAP", SIGTRAP }, { "ABRT", SIGABRT },   { "IOT", SIGIOT },     { "BUS", SIGBUS },
  { "FPE", SIGFPE },   { "KILL", SIGKILL },   { "USR1", SIGUSR1 },   { "SEGV", SIGSEGV },
  { "USR2", SIGUSR2 }, { "PIPE", SIGPIPE },   { "ALRM", SIGALRM },   { "TERM", SIGTERM },
  { "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD }, { "CONT", SIGCONT }, { "STOP", SIGSTOP },
  { "TSTP", SIGTSTP }, { "TTIN", SIGTTIN },   { "TTOU", SIGTTOU },   { "URG", SIGURG },
  { "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ },   { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF },
  { "WINCH", SIGWINCH }, { "IO", SIGIO },     { "POLL", SIGPOLL },   { "PWR", SIGPWR },
  { "SYS", SIGSYS },
};

int signal_parse (const char *s, int *sig, oci_error **err)
{
  char *end;
  long n = strtol (s, &end, 10);
  if (*s && *end == '\0')
    {
      if (n <= 0 || n > SIGRTMAX)
        return oci_error_set (err, 0, "invalid signal `%s`", s);
      *sig = (int) n;
      return 0;
    }
  const char *name = strncasecmp (s, "SIG", 3) == 0 ? s + 3 : s;
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcasecmp (name, names[i].name) == 0)
      {
        *sig = names[i].sig;
        return 0;
      }
  if (strncasecmp (name, "RTMIN", 5) == 0 || strncasecmp (name, "RTMAX", 5) == 0)
    {
      int base = strncasecmp (name, "RTMIN", 5) == 0 ? SIGRTMIN : SIGRTMAX;
      int off = name[5] ? atoi (name + 5) : 0;
      *sig = base + off;
      if (*sig >= SIGRTMIN && *sig <= SIGRTMAX)
        return 0;
    }
  return oci_error_set (err, 0, "unknown signal `%s`", s);
}

int signals_block_all (int *sfd, oci_error **err)
{
  sigset_t all;
  sigfillset (&all);
  if (sigprocmask (SIG_BLOCK, &all, NULL) < 0)
    return oci_error_set (err, errno, "block signals");
  *sfd = signalfd (-1, &all, SFD_CLOEXEC | SFD_NONBLOCK);
  if (*sfd < 0)
    return oci_error_set (err, errno, "signalfd");
  return 0;
}

void signals_unblock_all (void)
{
  sigset_t none;
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
}

static void copy_winsize (int master)
{
  struct winsize ws;
  if (ioctl (0, TIOCGWINSZ, &ws) == 0)
    ioctl (master, TIOCSWINSZ, &ws);
}

int signals_wait_child (int sfd, pid_t pid, int master, oci_error **err)
{
  struct termios saved, raw;
  bool restore = false;
  bool in_open = master >= 0;
  int status;

  if (master >= 0)
    {
      copy_winsize (master);
      if (tcgetattr (0, &saved) == 0)
        {
          raw = saved;
          cfmakeraw (&raw);
          raw.c_oflag |= OPOST;
          restore = tcsetattr (0, TCSANOW, &raw) == 0;
        }
    }
  for (;;)
    {
      struct pollfd p[3] = { { .fd = sfd, .events = POLLIN },
                             { .fd = master, .events = POLLIN },
                             { .fd = in_open ? 0 : -1, .events = POLLIN } };
      int n = poll (p, master >= 0 ? 3 : 1, -1);
      if (n < 0 && errno != EINTR)
        break;
      if (n <= 0)
        continue;
      if (p[0].revents & POLLIN)
        {
          struct signalfd_siginfo si;
          while (read (sfd, &si, sizeof si) == sizeof si)
            {
              if (si.ssi_signo == SIGCHLD)
                {
                  pid_t r = waitpid (pid, &status, WNOHANG);
                  if (r == pid)
                    goto done;
                  continue;
                }
              if (si.ssi_signo == SIGWINCH && master >= 0)
                {
                  copy_winsize (master);
                  continue;
                }
              kill (pid, (int) si.ssi_signo);
            }
        }
      if (master >= 0 && (p[1].revents & (POLLIN | POLLHUP)))
        {
          char buf[8192];
          ssize_t r = read (master, buf, sizeof buf);
          if (r > 0)
            write_all (1, buf, r);
          else if (r == 0 || (r < 0 && errno == EIO))
            {
              /* slave closed: keep waiting for the exit only */
              master = -1;
              in_open = false;
            }
        }
      if (in_open && (p[2].revents & (POLLIN | POLLHUP)))
        {
          char buf[8192];
          ssize_t r = read (0, buf, sizeof buf);
          if (r > 0)
            write_all (master, buf, r);
          else
            in_open = false;
        }
    }
  /* the loop ends only on poll failure: wait plainly */
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      {
        if (restore)
          tcsetattr (0, TCSANOW, &saved);
        return oci_error_set (err, errno, "wait for container process");
      }
done:
  if (master >= 0)
    {
      char buf[8192];
      ssize_t r;
      fcntl (master, F_SETFL, fcntl (master, F_GETFL) | O_NONBLOCK);
      while ((r = read (master, buf, sizeof buf)) > 0)
        write_all (1, buf, r);
    }
  if (restore)
    tcsetattr (0, TCSANOW, &saved);
  if (WIFEXITED (status))
    return WEXITSTATUS (status);
  return 128 + WTERMSIG (status);
}
