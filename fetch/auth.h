/* Registry authentication (distribution token-auth spec): parsing
   WWW-Authenticate challenges, finding credentials in auth files
   (containers-auth.json(5), ~/.docker/config.json), asking a token service
   for a bearer token. */
#ifndef OCIKIT_FETCH_AUTH_H
#define OCIKIT_FETCH_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

typedef struct auth_challenge
{
  char *scheme;  /* "bearer" or "basic" (lowercased) */
  char *realm;
  char *service;
  char *scope;
  char *error;   /* e.g. "insufficient_scope" */
} auth_challenge;

/* Parse the first challenge of a WWW-Authenticate value (RFC 7235:
   scheme then comma-separated auth-params, values quoted or tokens). */
int auth_parse_challenge (const char *header, auth_challenge *out, oci_error **err);
void auth_challenge_clear (auth_challenge *c);

/* How well an auth-file key names `domain`/`path`: -1 no match, else the
   number of characters matched (longer keys are more specific). Keys may
   carry a scheme and a /v1/ suffix (docker's config.json) and may be a
   host/namespace prefix (containers-auth.json); index.docker.io and
   registry-1.docker.io mean docker.io. */
int auth_key_match (const char *key, const char *domain, const char *path);

/* Credentials for domain/path: from `authfile` alone when given, else the
   first of $REGISTRY_AUTH_FILE, $XDG_RUNTIME_DIR/containers/auth.json,
   $XDG_CONFIG_HOME/containers/auth.json (~/.config/...),
   ~/.docker/config.json that has an entry. Returns 0 found (*user, *pass
   malloc'd), 1 none, < 0 on a broken file. */
int auth_find_credentials (const char *authfile, const char *domain, const char *path,
                           char **user, char **pass, oci_error **err);

/* The token service's answer: "token" or "access_token". */
int auth_parse_token_reply (const char *body, size_t len, char **token, oci_error **err);

/* "user:pass" -> base64 for a Basic Authorization header (malloc'd). */
char *auth_basic_value (const char *user, const char *pass);

#endif
