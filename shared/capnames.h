/* Linux capability names (linux/capability.h), shared by mkbundle (which
   writes them into config.json) and runner (which applies them). */
#ifndef OCIKIT_CAPNAMES_H
#define OCIKIT_CAPNAMES_H

#include <stddef.h>

/* "CAP_CHOWN" ... in number order; *n gets the count. */
const char *const *capnames_all (size_t *n);
/* "CAP_SYS_ADMIN" (or "SYS_ADMIN", any case) -> number; -1 if unknown. */
int capnames_lookup (const char *name);
/* The name of capability `cap`, or NULL. */
const char *capnames_name (int cap);

#endif
