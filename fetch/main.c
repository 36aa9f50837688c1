/* img-fetch: placeholder until its issue lands; see DESIGN.md. */
#include <stdio.h>
#include <string.h>

int main (int argc, char **argv)
{
  if (argc > 1 && strcmp (argv[1], "--version") == 0)
    {
      printf ("img-fetch " OCIKIT_VERSION "\n");
      return 0;
    }
  fprintf (stderr, "img-fetch: not implemented yet\n");
  return 1;
}
