#include "process.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "json.h"
#include "safepath.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static const struct { const char *name; int res; } rlimit_names[] = {
  { "RLIMIT_AS", RLIMIT_AS }, { "RLIMIT_CORE", RLIMIT_CORE }, { "RLIMIT_CPU", RLIMIT_CPU },
  { "RLIMIT_DATA", RLIMIT_DATA }, { "RLIMIT_FSIZE", RLIMIT_FSIZE },
  { "RLIMIT_LOCKS", RLIMIT_LOCKS }, { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },
  { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE }, { "RLIMIT_NICE", RLIMIT_NICE },
  { "RLIMIT_NOFILE", RLIMIT_NOFILE }, { "RLIMIT_NPROC", RLIMIT_NPROC },
  { "RLIMIT_RSS", RLIMIT_RSS }, { "RLIMIT_RTPRIO", RLIMIT_RTPRIO },
  { "RLIMIT_RTTIME", RLIMIT_RTTIME }, { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
  { "RLIMIT_STACK", RLIMIT_STACK },
};

static int get_uint (yajl_val obj, const char *key, unsigned long long *out, bool *present)
{
  yajl_val v = json_get (obj, key);
  *present = v != NULL && !YAJL_IS_NULL (v);
  if (!*present)
    return 0;
  if (!YAJL_IS_INTEGER (v) || YAJL_GET_INTEGER (v) < 0)
    {
      /* large unsigned values (rlimits near 2^64) arrive as doubles */
      if (YAJL_IS_NUMBER (v) && v->u.number.r && v->u.number.r[0] != '-')
        {
          *out = strtoull (v->u.number.r, NULL, 10);
          return 0;
        }
      return -1;
    }
  *out = (unsigned long long) YAJL_GET_INTEGER (v);
  return 0;
}

int process_plan_parse (yajl_val process, process_plan *plan, oci_error **err)
{
  yajl_val args, env, user, rl, cs;
  unsigned long long v;
  bool present;

  memset (plan, 0, sizeof *plan);
  plan->umask = -1;
  if (!YAJL_IS_OBJECT (process))
    return oci_error_set (err, 0, "config.json: process is missing");
  args = json_get_array (process, "args");
  if (args == NULL || json_array_len (args) == 0)
    return oci_error_set (err, 0, "config.json: process.args must not be empty");
  plan->args = calloc (json_array_len (args) + 1, sizeof (char *));
  if (plan->args == NULL)
    return oci_error_set (err, ENOMEM, "process.args");
  for (size_t i = 0; i < json_array_len (args); i++)
    {
      yajl_val a = json_array_at (args, i);
      if (!YAJL_IS_STRING (a))
        return oci_error_set (err, 0, "config.json: process.args[%zu] is not a string", i);
      plan->args[i] = a->u.string;
    }
  env = json_get_array (process, "env");
  plan->env = calloc (1, sizeof (char *));
  if (plan->env == NULL)
    return oci_error_set (err, ENOMEM, "process.env");
  for (size_t i = 0; env && i < json_array_len (env); i++)
    {
      yajl_val e = json_array_at (env, i);
      if (!YAJL_IS_STRING (e) || strchr (e->u.string, '=') == NULL)
        return oci_error_set (err, 0, "config.json: process.env[%zu] is not NAME=VALUE", i);
      if (process_plan_setenv (plan, e->u.string, err) < 0)
        return -1;
    }
  plan->cwd = json_get_string (process, "cwd");
  if (plan->cwd == NULL || plan->cwd[0] != '/')
    return oci_error_set (err, 0, "config.json: process.cwd must be an absolute path");
  plan->terminal = YAJL_IS_TRUE (json_get (process, "terminal"));
  if ((cs = json_get_object (process, "consoleSize")))
    {
      if (get_uint (cs, "height", &v, &present) == 0 && present)
        plan->console_height = (unsigned short) v;
      if (get_uint (cs, "width", &v, &present) == 0 && present)
        plan->console_width = (unsigned short) v;
    }
  plan->no_new_privileges = YAJL_IS_TRUE (json_get (process, "noNewPrivileges"));
  if ((user = json_get_object (process, "user")))
    {
      yajl_val groups = json_get_array (user, "additionalGids");
      if (get_uint (user, "uid", &v, &present) < 0)
        return oci_error_set (err, 0, "config.json: process.user.uid is invalid");
      plan->uid = (uid_t) v;
      if (get_uint (user, "gid", &v, &present) < 0)
        return oci_error_set (err, 0, "config.json: process.user.gid is invalid");
      plan->gid = (gid_t) v;
      if (get_uint (user, "umask", &v, &present) < 0)
        return oci_error_set (err, 0, "config.json: process.user.umask is invalid");
      if (present)
        plan->umask = (long) (v & 07777);
      if (groups && json_array_len (groups) > 0)
        {
          plan->groups = calloc (json_array_len (groups), sizeof (gid_t));
          if (plan->groups == NULL)
            return oci_error_set (err, ENOMEM, "additionalGids");
          for (size_t i = 0; i < json_array_len (groups); i++)
            {
              yajl_val g = json_array_at (groups, i);
              if (!YAJL_IS_INTEGER (g) || YAJL_GET_INTEGER (g) < 0)
                return oci_error_set (err, 0, "config.json: process.user.additionalGids[%zu] is invalid", i);
              plan->groups[plan->ngroups++] = (gid_t) YAJL_GET_INTEGER (g);
            }
        }
    }
  if (caps_parse (json_get (process, "capabilities"), &plan->caps, err) < 0)
    return -1;
  if ((rl = json_get_array (process, "rlimits")) && json_array_len (rl) > 0)
    {
      plan->rlimits = calloc (json_array_len (rl), sizeof *plan->rlimits);
      if (plan->rlimits == NULL)
        return oci_error_set (err, ENOMEM, "rlimits");
      for (size_t i = 0; i < json_array_len (rl); i++)
        {
          yajl_val r = json_array_at (rl, i);
          const char *type = json_get_string (r, "type");
          unsigned long long soft, hard;
          bool p1, p2;
          int res = -1;
          for (size_t k = 0; type && k < sizeof rlimit_names / sizeof rlimit_names[0]; k++)
            if (strcmp (rlimit_names[k].name, type) == 0)
              res = rlimit_names[k].res;
          if (res < 0)
            return oci_error_set (err, 0, "config.json: process.rlimits: unknown type `%s`",
                                  type ? type : "");
          if (get_uint (r, "soft", &soft, &p1) < 0 || get_uint (r, "hard", &hard, &p2) < 0
              || !p1 || !p2)
            return oci_error_set (err, 0, "config.json: process.rlimits: %s needs soft and hard",
                                  type);
          plan->rlimits[plan->nrlimits].resource = res;
          plan->rlimits[plan->nrlimits].limit.rlim_cur = soft;
          plan->rlimits[plan->nrlimits].limit.rlim_max = hard;
          plan->nrlimits++;
        }
    }
  {
    long long adj;
    if (json_get_int (process, "oomScoreAdj", &adj))
      {
        plan->has_oom_score_adj = true;
        plan->oom_score_adj = (int) adj;
      }
  }
  return 0;
}

int process_plan_setenv (process_plan *plan, const char *kv, oci_error **err)
{
  size_t namelen = strcspn (kv, "=");
  char **grown;
  for (size_t i = 0; i < plan->nenv; i++)
    if (strncmp (plan->env[i], kv, namelen) == 0 && plan->env[i][namelen] == '=')
      {
        plan->env[i] = (char *) kv;
        return 0;
      }
  grown = realloc (plan->env, (plan->nenv + 2) * sizeof (char *));
  if (grown == NULL)
    return oci_error_set (err, ENOMEM, "process.env");
  plan->env = grown;
  plan->env[plan->nenv++] = (char *) kv;
  plan->env[plan->nenv] = NULL;
  return 0;
}

void process_plan_none (process_plan *plan)
{
  memset (plan, 0, sizeof *plan);
  plan->umask = -1;
}

void process_plan_clear (process_plan *plan)
{
  free (plan->args);
  free (plan->env);
  free (plan->groups);
  free (plan->rlimits);
  memset (plan, 0, sizeof *plan);
}

/* Go's (runc's) wording, lower case: podman maps "no such file or
   directory" to 127 and "permission denied" to 126 by matching the text */
int process_exec_error (oci_error **err, int errnum, const char *path)
{
  char msg[128];
  snprintf (msg, sizeof msg, "%s", strerror (errnum));
  if (msg[0] >= 'A' && msg[0] <= 'Z')
    msg[0] = (char) (msg[0] - 'A' + 'a');
  return oci_error_set (err, 0, "exec `%s`: %s", path, msg);
}

static int check_file (const char *path, int *exit_code, oci_error **err)
{
  struct stat st;
  if (stat (path, &st) < 0)
    {
      *exit_code = errno == ENOENT ? 127 : 126;
      return process_exec_error (err, errno, path);
    }
  if (S_ISDIR (st.st_mode))
    {
      *exit_code = 126;
      return process_exec_error (err, EACCES, path);
    }
  if (access (path, X_OK) < 0 || !(st.st_mode & 0111))
    {
      *exit_code = 126;
      return process_exec_error (err, EACCES, path);
    }
  return 0;
}

int process_find_executable (const process_plan *plan, char **path, int *exit_code,
                             oci_error **err)
{
  const char *name = plan->args[0];
  const char *search = DEFAULT_PATH;
  *exit_code = 127;
  if (strchr (name, '/'))
    {
      if (check_file (name, exit_code, err) < 0)
        return -1;
      *path = strdup (name);
      return 0;
    }
  for (size_t i = 0; i < plan->nenv; i++)
    if (strncmp (plan->env[i], "PATH=", 5) == 0)
      search = plan->env[i] + 5;
  for (const char *p = search;;)
    {
      const char *colon = strchr (p, ':');
      size_t n = colon ? (size_t) (colon - p) : strlen (p);
      cleanup_free char *cand = NULL;
      struct stat st;
      if (asprintf (&cand, "%.*s/%s", (int) n, n ? p : ".", name) < 0)
        return oci_error_set (err, ENOMEM, "exec");
      if (stat (cand, &st) == 0 && S_ISREG (st.st_mode) && (st.st_mode & 0111))
        {
          *path = steal_pointer (&cand);
          return 0;
        }
      if (colon == NULL)
        break;
      p = colon + 1;
    }
  return oci_error_set (err, 0, "exec: \"%s\": executable file not found in $PATH", name);
}

int process_apply_rlimits (const process_plan *plan, oci_error **err)
{
  for (size_t i = 0; i < plan->nrlimits; i++)
    if (setrlimit (plan->rlimits[i].resource, &plan->rlimits[i].limit) < 0)
      return oci_error_set (err, errno, "setrlimit %d", plan->rlimits[i].resource);
  return 0;
}

int process_apply_identity (const process_plan *plan, oci_error **err)
{
  if (caps_apply_bounding (&plan->caps, err) < 0)
    return -1;
  if (prctl (PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
    return oci_error_set (err, errno, "keep capabilities");
  if (setgroups (plan->ngroups, plan->groups) < 0 && !(errno == EPERM && plan->ngroups == 0))
    return oci_error_set (err, errno, "set additional groups");
  if (setresgid (plan->gid, plan->gid, plan->gid) < 0)
    return oci_error_set (err, errno, "set gid %u", (unsigned) plan->gid);
  if (setresuid (plan->uid, plan->uid, plan->uid) < 0)
    return oci_error_set (err, errno, "set uid %u", (unsigned) plan->uid);
  if (prctl (PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
    return oci_error_set (err, errno, "keep capabilities");
  if (caps_apply_sets (&plan->caps, err) < 0)
    return -1;
  umask (plan->umask >= 0 ? (mode_t) plan->umask : 022);
  if (plan->no_new_privileges && prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return oci_error_set (err, errno, "set no_new_privs");
  return 0;
}

int process_chdir (const process_plan *plan, oci_error **err)
{
  /* CVE-2024-21626: the cwd is resolved inside the root (no magic links,
     no escape through a leaked fd), then entered by fd */
  cleanup_close int rootfd = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  cleanup_close int fd = -1;
  if (rootfd < 0)
    return oci_error_set (err, errno, "open /");
  fd = safepath_open (rootfd, plan->cwd, O_PATH | O_DIRECTORY, 0);
  if (fd < 0)
    return oci_error_set (err, errno, "cwd `%s`", plan->cwd);
  if (fchdir (fd) < 0)
    return oci_error_set (err, errno, "cwd `%s`", plan->cwd);
  return 0;
}
