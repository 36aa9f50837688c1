/* runner create: runtime.md "create" — the container process waits on
   start.sock until `runner start`. */
#include "cli.h"
#include "container.h"
#include "create_opts.h"

int cmd_create (int argc, char **argv, oci_error **err)
{
  struct container_opts o;
  container c;
  int r = create_opts_parse (argc, argv, false, &o, NULL, err);

  if (r != 0)
    return r;
  if (container_create (&o, &c, err) < 0)
    {
      container_abort (&c);
      container_release (&c);
      return 1;
    }
  container_release (&c);
  return 0;
}
