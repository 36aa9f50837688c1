/* img-fetch: pull images into the store, print one pinned reference each.
   See man/img-fetch.1. Exit: 0 ok, 1 a pull failed, 2 usage. */
#include <curl/curl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "log.h"
#include "pull.h"
#include "store.h"
#include "transfer.h"

static const char usage[] =
  "Usage: img-fetch [OPTION]... REFERENCE...\n"
  "Pull images into the store; print one pinned reference (NAME@sha256:...) each.\n"
  "REFERENCE: [REGISTRY/]NAME[:TAG][@DIGEST], oci:DIR[:NAME], oci-archive:FILE[:NAME]\n"
  "  --store DIR           the store (default: $OCIKIT_STORE, /var/lib/ocikit/store for root,\n"
  "                        else $XDG_DATA_HOME/ocikit/store)\n"
  "  --platform OS/ARCH[/VARIANT]  platform to choose from an index (default: this host)\n"
  "  --creds USER:PASS     registry credentials\n"
  "  --authfile FILE       credentials file (default: $REGISTRY_AUTH_FILE,\n"
  "                        $XDG_RUNTIME_DIR/containers/auth.json, ~/.docker/config.json)\n"
  "  --tls-verify=false    do not verify the registry's TLS certificate\n"
  "  -j, --parallel N      blobs downloaded at once (default 6)\n"
  "  --verify-store        check every blob of the store and exit\n"
  "  -q, --quiet           no progress display, only errors\n"
  "  -v, --verbose         log retries and requests\n"
  "  -h, --help, --version\n";

enum { OPT_STORE = 256, OPT_PLATFORM, OPT_CREDS, OPT_AUTHFILE, OPT_TLS, OPT_VERIFY, OPT_VERSION };

static int verify (store *s)
{
  cleanup_error oci_error *err = NULL;
  int bad = 0;
  if (store_verify (s, &bad, &err) < 0)
    return oci_error_report ("img-fetch", &err, 1);
  if (bad)
    {
      fprintf (stderr, "img-fetch: store `%s`: %d problem%s\n", store_path (s), bad,
               bad == 1 ? "" : "s");
      return 1;
    }
  return 0;
}

int main (int argc, char **argv)
{
  static const struct option opts[] = {
    { "store", required_argument, NULL, OPT_STORE },
    { "platform", required_argument, NULL, OPT_PLATFORM },
    { "creds", required_argument, NULL, OPT_CREDS },
    { "authfile", required_argument, NULL, OPT_AUTHFILE },
    { "tls-verify", optional_argument, NULL, OPT_TLS },
    { "parallel", required_argument, NULL, 'j' },
    { "verify-store", no_argument, NULL, OPT_VERIFY },
    { "quiet", no_argument, NULL, 'q' },
    { "verbose", no_argument, NULL, 'v' },
    { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, OPT_VERSION },
    { NULL, 0, NULL, 0 },
  };
  pull_opts o = { .reg = { .tls_verify = true }, .parallel = TRANSFER_DEFAULT_PARALLEL };
  cleanup_error oci_error *err = NULL;
  cleanup_free char *store_dir = NULL;
  cleanup_store store *s = NULL;
  const char *store_opt = NULL;
  bool quiet = false, verify_only = false;
  enum log_level level = LOG_WARN;
  int c, status = 0;

  platform_host (&o.want);
  while ((c = getopt_long (argc, argv, "j:qvh", opts, NULL)) != -1)
    switch (c)
      {
      case OPT_STORE: store_opt = optarg; break;
      case OPT_PLATFORM:
        if (platform_parse (optarg, &o.want, &err) < 0)
          return oci_error_report ("img-fetch", &err, 2);
        break;
      case OPT_CREDS: o.reg.creds = optarg; break;
      case OPT_AUTHFILE: o.reg.authfile = optarg; break;
      case OPT_TLS:
        if (optarg == NULL || strcmp (optarg, "true") == 0)
          o.reg.tls_verify = true;
        else if (strcmp (optarg, "false") == 0)
          o.reg.tls_verify = false;
        else
          {
            fprintf (stderr, "img-fetch: --tls-verify: want true or false, not `%s`\n", optarg);
            return 2;
          }
        break;
      case 'j':
        o.parallel = atoi (optarg);
        if (o.parallel < 1 || o.parallel > 32)
          {
            fprintf (stderr, "img-fetch: --parallel: want 1 to 32, not `%s`\n", optarg);
            return 2;
          }
        break;
      case OPT_VERIFY: verify_only = true; break;
      case 'q': quiet = true; level = LOG_QUIET; break;
      case 'v': level = LOG_DEBUG; break;
      case 'h': fputs (usage, stdout); return 0;
      case OPT_VERSION: puts ("img-fetch " OCIKIT_VERSION); return 0;
      default: fputs (usage, stderr); return 2;
      }
  if (optind >= argc && !verify_only)
    {
      fprintf (stderr, "img-fetch: no image reference given\n%s", usage);
      return 2;
    }
  log_init ("img-fetch", level);
  o.show_progress = !quiet && isatty (STDERR_FILENO);

  store_dir = store_default_path (store_opt);
  if (store_dir == NULL)
    return 1;
  if (store_open (store_dir, verify_only ? 0 : STORE_CREATE_BACKGROUND, &s, &err) < 0)
    return oci_error_report ("img-fetch", &err, 1);
  if (verify_only)
    return verify (s);
  if (curl_global_init (CURL_GLOBAL_DEFAULT) != CURLE_OK)
    {
      fprintf (stderr, "img-fetch: cannot initialise libcurl\n");
      return 1;
    }
  for (int i = optind; i < argc; i++)
    {
      cleanup_free char *pinned = NULL;
      if (pull_image (s, argv[i], &o, &pinned, &err) < 0)
        {
          oci_error_report ("img-fetch", &err, 1);
          status = 1;
          continue;
        }
      printf ("%s\n", pinned);
      fflush (stdout);
    }
  curl_global_cleanup ();
  return status;
}
