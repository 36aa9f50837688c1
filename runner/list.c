/* runner list: a table, the IDs (-q), or JSON (--format json) as runc
   prints them. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "cli.h"
#include "json.h"
#include "state.h"

int cmd_list (int argc, char **argv, oci_error **err)
{
  static const struct option opts[] = {
    { "format", required_argument, NULL, 'f' }, { "quiet", no_argument, NULL, 'q' },
    { NULL, 0, NULL, 0 },
  };
  const char *format = "table";
  bool quiet = false;
  cleanup_close int rootfd = -1;
  cleanup_dir DIR *d = NULL;
  cleanup_json_gen yajl_gen g = json_gen_new (false);
  struct dirent *de;
  int ch;

  while ((ch = getopt_long (argc, argv, "+f:q", opts, NULL)) != -1)
    switch (ch)
      {
      case 'f': format = optarg; break;
      case 'q': quiet = true; break;
      default: return cli_usage (err, "list", "[--format table|json] [-q]");
      }
  if (strcmp (format, "table") && strcmp (format, "json"))
    return oci_error_set (err, 0, "list: unknown format `%s`", format), 2;
  if (state_root_open (runner_globals.root, false, &rootfd, err) < 0)
    {
      if (errno != ENOENT)
        return 1;
      oci_error_free (err);
    }
  else
    d = fdopendir (dup (rootfd));
  if (!quiet && strcmp (format, "table") == 0)
    printf ("%-12s %-8s %-10s %-40s %-30s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER");
  yajl_gen_array_open (g);
  while (d && (de = readdir (d)) != NULL)
    {
      cleanup_close int dirfd = -1;
      cleanup_state container_state st = { .dirfd = -1 };
      cleanup_error oci_error *e = NULL;
      enum container_status s;
      struct passwd *pw;
      char owner[32];
      if (de->d_name[0] == '.' || state_validate_id (de->d_name, &e) < 0)
        continue;
      dirfd = openat (rootfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (dirfd < 0 || state_load (dirfd, de->d_name, &st, &e) < 0)
        continue;
      s = state_status (&st);
      pw = getpwuid (st.owner);
      snprintf (owner, sizeof owner, "%s", pw ? pw->pw_name : "");
      if (!pw)
        snprintf (owner, sizeof owner, "#%u", st.owner);
      if (quiet)
        printf ("%s\n", st.id);
      else if (strcmp (format, "table") == 0)
        printf ("%-12s %-8d %-10s %-40s %-30s %s\n", st.id, s == STATUS_STOPPED ? 0 : st.pid,
                state_status_name (s), st.bundle ? st.bundle : "", st.created ? st.created : "",
                owner);
      else
        {
          yajl_gen_map_open (g);
          json_gen_kv_str (g, "ociVersion", "1.2.0");
          json_gen_kv_str (g, "id", st.id);
          json_gen_kv_int (g, "pid", s == STATUS_STOPPED ? 0 : st.pid);
          json_gen_kv_str (g, "status", state_status_name (s));
          json_gen_kv_str (g, "bundle", st.bundle ? st.bundle : "");
          json_gen_kv_str (g, "rootfs", st.rootfs ? st.rootfs : "");
          json_gen_kv_str (g, "created", st.created ? st.created : "");
          if (st.annotations)
            {
              json_gen_key (g, "annotations");
              json_gen_value (g, st.annotations);
            }
          json_gen_kv_str (g, "owner", owner);
          yajl_gen_map_close (g);
        }
    }
  yajl_gen_array_close (g);
  if (!quiet && strcmp (format, "json") == 0)
    {
      cleanup_free char *out = NULL;
      if (json_gen_result (g, &out, NULL, err) < 0)
        return 1;
      printf ("%s\n", out);
    }
  return 0;
}
