/* The parent cgroups create made for a linux.cgroupsPath like
   "a/b/ID" (runner/a and runner/a/b when they did not exist): kept in the
   container state and removed at delete once empty, so that a container
   leaves the cgroup tree as it found it (runtime.md "delete": the
   resources created at create are deleted). A parent that existed before,
   or that another container still uses, stays. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup_internal.h"
#include "cleanup.h"

int cgroup_note_made_parent (cgroup *cg, char *dir)
{
  char **grown = realloc (cg->made, (cg->nmade + 1) * sizeof *grown);
  if (grown == NULL)
    {
      free (dir);
      return -1;
    }
  cg->made = grown;
  cg->made[cg->nmade++] = dir;
  return 0;
}

size_t cgroup_made_parents (const cgroup *cg, char *const **dirs)
{
  *dirs = cg->made;
  return cg->nmade;
}

/* A recorded path is trusted only below the cgroupfs root, without "..":
   the state file must not steer rmdir anywhere else. */
static bool under_root (const cgroup *cg, const char *dir)
{
  size_t n = strlen (cg->root);
  return strncmp (dir, cg->root, n) == 0 && dir[n] == '/' && strstr (dir, "/../") == NULL
         && (strlen (dir) < 3 || strcmp (dir + strlen (dir) - 3, "/..") != 0);
}

/* The test layouts are plain directories holding the files the writers
   made; a real cgroupfs drops them with the directory. */
static void unlink_fake_files (const char *dir)
{
  cleanup_dir DIR *d = opendir (dir);
  struct dirent *de;
  if (d == NULL)
    return;
  while ((de = readdir (d)) != NULL)
    if (de->d_type == DT_DIR && strcmp (de->d_name, ".") != 0 && strcmp (de->d_name, "..") != 0)
      return; /* a child cgroup: in use, stays */
  rewinddir (d);
  while ((de = readdir (d)) != NULL)
    if (de->d_type == DT_REG)
      unlinkat (dirfd (d), de->d_name, 0);
}

void cgroup_remove_made_parents (const cgroup *cg, char *const *dirs, size_t n)
{
  /* each hierarchy's parents were recorded before its children */
  for (size_t i = n; i-- > 0;)
    {
      if (dirs[i] == NULL || !under_root (cg, dirs[i]))
        continue;
      if (cg->fake)
        unlink_fake_files (dirs[i]);
      /* ENOTEMPTY/EBUSY: another container's cgroup is below it */
      rmdir (dirs[i]);
    }
}
