/* mkbundle: an image config plus user options become an OCI runtime
   config.json (image-spec conversion.md on top of runc-like defaults).
   The work is split by idea: options.c parses option values, users.c
   resolves Config.User inside the rootfs, convert.c applies the
   conversion rules, defaults.c the runtime defaults, seccomp_profile.c
   docker's default profile, etcfiles.c /etc/hosts and friends, spec.c
   writes the JSON, make.c puts it all together. */
#ifndef BUNDLE_BUNDLE_H
#define BUNDLE_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "error.h"

/* A growable list of malloc'd strings. */
typedef struct strv
{
  char **v;
  size_t n;
} strv;

int strv_push (strv *s, const char *str);
int strv_push_take (strv *s, char *str);
void strv_clear (strv *s);
/* Index of `str` in `s`, or -1. */
long strv_index (const strv *s, const char *str);
void strv_remove_at (strv *s, size_t i);
/* Split `str` at every `sep` into `s` (empty fields kept). */
int strv_split (strv *s, const char *str, char sep);
/* Join with `sep` (malloc'd). */
char *strv_join (const strv *s, const char *sep);
/* Is `s` valid UTF-8? (config.json strings must be; yajl would drop a
   string that is not, silently.) */
bool utf8_valid (const char *s);

typedef struct bundle_mount
{
  char *destination;
  char *type;
  char *source;
  strv options;
} bundle_mount;

void bundle_mount_clear (bundle_mount *m);

typedef struct port_mapping
{
  char host_ip[64];   /* "0.0.0.0" when not given */
  unsigned host_port;
  unsigned container_port;
  char protocol[4];   /* "tcp" or "udp" */
} port_mapping;

typedef struct id_mapping
{
  unsigned long long container_id, host_id, size;
} id_mapping;

typedef struct rlimit_value
{
  char type[32]; /* "RLIMIT_NOFILE" */
  unsigned long long soft, hard;
} rlimit_value;

enum net_mode { NET_NONE, NET_HOST, NET_BRIDGE };
enum seccomp_mode { SECCOMP_DEFAULT, SECCOMP_UNCONFINED, SECCOMP_FILE };
enum image_volumes { IMAGE_VOLUMES_IGNORE, IMAGE_VOLUMES_TMPFS };

/* What the user asked for on the command line. */
typedef struct bundle_options
{
  char *rootfs;           /* --rootfs, NULL: BUNDLE/rootfs */
  char *hostname;
  bool tty;
  bool entrypoint_set;
  strv entrypoint;        /* --entrypoint (empty: none) */
  bool args_set;
  strv args;              /* after `--`: replaces Cmd */
  strv env;               /* NAME=VALUE from -e and --env-file, in order */
  char *workdir;
  char *user;
  long long cpu_quota;    /* from --cpus; 0: none */
  long long cpu_period;
  long long cpu_shares;
  long long memory;       /* bytes; 0: none */
  long long memory_swap;  /* bytes, -1 unlimited; 0: none */
  long long pids_limit;   /* 0: none */
  bundle_mount *mounts;   /* -v and --tmpfs, in order */
  size_t n_mounts;
  bool read_only;
  bool privileged;
  bool no_new_privileges;
  strv cap_add, cap_drop; /* "CAP_X" or "ALL" */
  enum seccomp_mode seccomp;
  char *seccomp_file;
  rlimit_value *ulimits;
  size_t n_ulimits;
  enum net_mode net;
  char *network;          /* --net bridge:NAME: netsetup's --network */
  port_mapping *ports;
  size_t n_ports;
  id_mapping *uid_maps, *gid_maps;
  size_t n_uid_maps, n_gid_maps;
  enum image_volumes image_volumes;
} bundle_options;

/* Option identifiers for bundle_options_add (getopt values in main.c). */
enum
{
  OPT_HOSTNAME = 'h',
  OPT_TTY = 't',
  OPT_ENV = 'e',
  OPT_WORKDIR = 'w',
  OPT_USER = 'u',
  OPT_VOLUME = 'v',
  OPT_PUBLISH = 'p',
  OPT_LONG_ONLY = 256,
  OPT_ROOTFS,
  OPT_ENTRYPOINT,
  OPT_ENV_FILE,
  OPT_CPUS,
  OPT_CPU_SHARES,
  OPT_MEMORY,
  OPT_MEMORY_SWAP,
  OPT_PIDS_LIMIT,
  OPT_TMPFS,
  OPT_READ_ONLY,
  OPT_CAP_ADD,
  OPT_CAP_DROP,
  OPT_PRIVILEGED,
  OPT_SECURITY_OPT,
  OPT_ULIMIT,
  OPT_NET,
  OPT_USERNS,
  OPT_UIDMAP,
  OPT_GIDMAP,
  OPT_IMAGE_VOLUMES,
};

void bundle_options_init (bundle_options *o);
void bundle_options_clear (bundle_options *o);
/* Apply one option (`arg` NULL for flags). Errors name the option. */
int bundle_options_add (bundle_options *o, int opt, const char *arg, oci_error **err);
/* Checks across options (-p needs --net bridge, swap needs memory). */
int bundle_options_check (const bundle_options *o, oci_error **err);

/* Single value parsers (unit tested). */
int parse_size (const char *s, long long *out);                 /* 512m, 1g, 100k, 42 */
int parse_cpus (const char *s, long long *quota, long long *period);
int parse_port (const char *s, port_mapping *out, oci_error **err);
int parse_id_mapping (const char *s, id_mapping *out, oci_error **err);
int parse_ulimit (const char *s, rlimit_value *out, oci_error **err);
int parse_volume (const char *s, bundle_mount *out, oci_error **err);
int parse_tmpfs (const char *s, bundle_mount *out, oci_error **err);
/* "net_admin", "CAP_NET_ADMIN", "all" → "CAP_NET_ADMIN" / "ALL". */
int parse_capability (const char *s, char **out, oci_error **err);
/* One -e value, or one env-file line: "NAME=VALUE", or "NAME" taken from
   our environment (skipped when unset: *out = NULL). */
int parse_env (const char *s, char **out, oci_error **err);
/* An --env-file's content appended to `env`. */
int parse_env_file (const char *content, const char *path, strv *env, oci_error **err);

/* Capabilities (defaults.c). */
bool capability_known (const char *name);

/* The user inside the container (users.c). */
typedef struct user_ids
{
  unsigned uid, gid;
  unsigned *additional_gids;
  size_t n_additional_gids;
} user_ids;

void user_ids_clear (user_ids *u);
/* Resolve "user", "uid", "user:group", "uid:gid", ... against the given
   passwd and group contents (NULL: the file is missing). */
int users_resolve_in (const char *passwd, const char *group, const char *spec, user_ids *out,
                      oci_error **err);
/* The same with /etc/passwd and /etc/group read inside `rootfd` through
   the root-confined resolver. */
int users_resolve (int rootfd, const char *spec, user_ids *out, oci_error **err);

/* The runtime configuration being built. */
typedef struct spec_hook
{
  char *path;
  strv args;
} spec_hook;

typedef struct spec_device
{
  char *path;
  char type; /* 'c' or 'b' */
  long long major, minor;
  unsigned file_mode, uid, gid;
} spec_device;

typedef struct seccomp_arg
{
  unsigned index;
  unsigned long long value, value_two;
  char op[24];
} seccomp_arg;

typedef struct seccomp_rule
{
  strv names;
  char *action;
  bool has_errno_ret;
  unsigned errno_ret;
  seccomp_arg args[6];
  size_t n_args;
} seccomp_rule;

typedef struct seccomp_spec
{
  char *default_action;
  bool has_default_errno_ret;
  unsigned default_errno_ret;
  strv architectures;
  strv flags;
  seccomp_rule *rules;
  size_t n_rules;
} seccomp_spec;

void seccomp_spec_free (seccomp_spec *s);

typedef struct spec
{
  /* process */
  strv args, env;
  char *cwd;
  bool terminal;
  user_ids user;
  strv caps;
  bool no_new_privileges;
  rlimit_value *rlimits;
  size_t n_rlimits;
  /* root, hostname, mounts */
  char *root_path;
  bool root_readonly;
  char *hostname;
  bundle_mount *mounts;
  size_t n_mounts;
  /* annotations, in insertion order */
  strv ann_keys, ann_values;
  spec_hook *create_runtime, *poststop;
  size_t n_create_runtime, n_poststop;
  /* linux */
  strv namespaces;
  id_mapping *uid_maps, *gid_maps;
  size_t n_uid_maps, n_gid_maps;
  strv masked_paths, readonly_paths;
  strv sysctl_keys, sysctl_values;
  long long memory_limit, memory_swap, cpu_shares, cpu_quota, cpu_period, pids_limit;
  bool devices_allow_all;
  spec_device *devices;
  size_t n_devices;
  seccomp_spec *seccomp;
  /* said on stderr only once the bundle is written, so that a refusal
     stays one line */
  strv warnings, notes;
} spec;

void spec_init (spec *s);
void spec_clear (spec *s);
/* Set (replace or append) an annotation. */
int spec_annotate (spec *s, const char *key, const char *value);
const char *spec_annotation (const spec *s, const char *key);
/* Add a mount; replaces an earlier mount at the same destination when
   `replace`, else a duplicate destination is an error. */
int spec_add_mount (spec *s, const bundle_mount *m, bool replace, oci_error **err);
long spec_find_mount (const spec *s, const char *destination);
/* The oldest runtime-spec version that has every field we use. */
const char *spec_oci_version (const spec *s);
/* Write config.json (pretty). */
int spec_to_json (const spec *s, char **out, size_t *len, oci_error **err);

/* Conversion rules (convert.c): `config` is the whole image config
   (with "config", "os", "architecture", ...). `rootfd` is used for
   Config.User names (-1: only numeric users). */
int convert_image_config (yajl_val config, const bundle_options *o, int rootfd, spec *s,
                          oci_error **err);
/* Entrypoint/Cmd merge alone (for tests): image values and overrides. */
int convert_args (yajl_val entrypoint, yajl_val cmd, const bundle_options *o, strv *out,
                  oci_error **err);
/* Env merge alone. */
int convert_env (yajl_val image_env, const bundle_options *o, const char *hostname, strv *out,
                 oci_error **err);

/* Defaults (defaults.c): namespaces, mounts, masked/readonly paths,
   capabilities, rlimits, devices, resources. */
int defaults_apply (const bundle_options *o, spec *s, oci_error **err);
/* The capability set after --cap-add/--cap-drop/--privileged. */
int defaults_capabilities (const bundle_options *o, strv *out, oci_error **err);
/* The default RLIMIT_NOFILE: min(1048576, our hard limit). */
unsigned long long defaults_nofile (void);

/* Seccomp (seccomp_profile.c): docker's default profile filtered for the
   capability set `caps` and the host architecture and kernel. */
int seccomp_default_profile (const strv *caps, seccomp_spec **out, oci_error **err);
/* A profile file: docker's format (archMap, includes/excludes) or OCI
   linux.seccomp; filtered the same way. */
int seccomp_profile_from_json (yajl_val profile, const strv *caps, const char *what,
                               seccomp_spec **out, oci_error **err);
/* Filter parameters, overridable for tests. */
void seccomp_set_host (const char *machine, int kernel_major, int kernel_minor);

/* /etc/hosts, /etc/hostname, /etc/resolv.conf (etcfiles.c). */
typedef struct etc_files
{
  char *hosts, *hostname, *resolv_conf;
} etc_files;
void etc_files_clear (etc_files *f);
/* `host_hosts` and `host_resolv` are the host's files (may be NULL). */
int etc_files_build (enum net_mode net, const char *hostname, const char *host_hosts,
                     const char *host_resolv, etc_files *out, oci_error **err);
/* A hostname derived from the bundle directory's name (valid label). */
char *etc_default_hostname (const char *bundle_dir);

/* The whole job (make.c): read the image config from the store, build
   the spec, write BUNDLE/{hosts,hostname,resolv.conf,config.json}. */
int bundle_make (const char *store_path, const char *ref, const char *bundle_dir,
                 const bundle_options *o, oci_error **err);
/* The part without the store, for tests: `image_config` is the parsed
   image config. */
int bundle_make_from_config (yajl_val image_config, const char *bundle_dir,
                             const bundle_options *o, oci_error **err);

#endif
