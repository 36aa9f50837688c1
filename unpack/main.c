/* img-unpack: apply an image's layers into a directory (DESIGN.md
   "Unpacking"); prints the pinned reference for the next stage. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "error.h"
#include "image.h"
#include "log.h"
#include "platform.h"
#include "unpack.h"

#define PROG "img-unpack"

static const char usage[] =
  "Usage: " PROG " [OPTIONS] [REFERENCE|-] -o DIR\n"
  "Apply the layers of an image from the store (or oci:LAYOUT[:NAME]) into DIR\n"
  "and print its pinned reference. REFERENCE defaults to the first line of stdin.\n"
  "\n"
  "  -o, --output DIR      target directory (created if missing)\n"
  "      --store DIR       the store (default $OCIKIT_STORE, then " "/var/lib/ocikit/store\n"
  "                        for root, $XDG_DATA_HOME/ocikit/store otherwise)\n"
  "      --platform P      os/arch[/variant] to pick from an index (default: host)\n"
  "  -f, --force           unpack into a non-empty DIR\n"
  "      --max-size SIZE   stop past SIZE bytes of uncompressed layers\n"
  "                        (suffix K, M, G, T; default 256G)\n"
  "      --rootless        do not chown or create devices (default when not root)\n"
  "  -q, --quiet           no warnings\n"
  "  -v, --verbose         say what is done\n"
  "  -h, --help            this help\n"
  "      --version         print the version\n";

static int parse_size (const char *s, long long *out)
{
  char *end;
  long long v = strtoll (s, &end, 10);
  int shift = 0;
  if (end == s || v < 0)
    return -1;
  switch (*end)
    {
    case 'k': case 'K': shift = 10; end++; break;
    case 'm': case 'M': shift = 20; end++; break;
    case 'g': case 'G': shift = 30; end++; break;
    case 't': case 'T': shift = 40; end++; break;
    }
  if (*end == 'B' || *end == 'b')
    end++;
  if (*end || v > (LLONG_MAX >> shift))
    return -1;
  *out = v << shift;
  return 0;
}

int main (int argc, char **argv)
{
  enum { OPT_STORE = 256, OPT_PLATFORM, OPT_MAX_SIZE, OPT_ROOTLESS, OPT_VERSION };
  static const struct option longopts[] = {
    { "output", required_argument, NULL, 'o' },
    { "store", required_argument, NULL, OPT_STORE },
    { "platform", required_argument, NULL, OPT_PLATFORM },
    { "force", no_argument, NULL, 'f' },
    { "max-size", required_argument, NULL, OPT_MAX_SIZE },
    { "rootless", no_argument, NULL, OPT_ROOTLESS },
    { "quiet", no_argument, NULL, 'q' },
    { "verbose", no_argument, NULL, 'v' },
    { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, OPT_VERSION },
    { NULL, 0, NULL, 0 },
  };
  cleanup_error oci_error *err = NULL;
  cleanup_free char *source = NULL;
  cleanup_free char *token = NULL;
  unpack_options o = { .max_size = UNPACK_DEFAULT_MAX_SIZE, .rootless = geteuid () != 0 };
  enum log_level level = LOG_WARN;
  platform plat;
  int c;

  while ((c = getopt_long (argc, argv, "o:fqvh", longopts, NULL)) != -1)
    switch (c)
      {
      case 'o': o.output = optarg; break;
      case OPT_STORE: o.store = optarg; break;
      case OPT_PLATFORM:
        if (platform_parse (optarg, &plat, &err) < 0)
          return oci_error_report (PROG, &err, 2);
        o.platform = &plat;
        break;
      case 'f': o.force = true; break;
      case OPT_MAX_SIZE:
        if (parse_size (optarg, &o.max_size) < 0)
          {
            fprintf (stderr, PROG ": --max-size `%s`: not a size\n", optarg);
            return 2;
          }
        break;
      case OPT_ROOTLESS: o.rootless = true; break;
      case 'q': level = LOG_QUIET; break;
      case 'v': level = LOG_INFO; break;
      case 'h': fputs (usage, stdout); return 0;
      case OPT_VERSION: printf (PROG " " OCIKIT_VERSION "\n"); return 0;
      default: fputs (usage, stderr); return 2;
      }
  log_init (PROG, level);
  if (o.output == NULL || argc - optind > 1)
    {
      fprintf (stderr, PROG ": %s\n", o.output ? "one image at a time" : "-o DIR is required");
      return 2;
    }
  if (image_read_token (optind < argc ? argv[optind] : NULL, &source, &err) < 0)
    return oci_error_report (PROG, &err, 2);
  o.source = source;
  umask (0); /* modes come from the image (and 0755 for implied parents) */
  if (unpack_image (&o, &token, &err) < 0)
    return oci_error_report (PROG, &err, 1);
  printf ("%s\n", token);
  return fflush (stdout) == 0 ? 0 : 1;
}
