#!/usr/bin/env python3
"""bundle_schema_check.py CONFIG.json...: validate runtime configurations
against the OCI runtime-spec JSON schema that Debian ships in
golang-github-opencontainers-specs-dev. Prints one line per problem and
exits 1 if any file does not validate."""
import json
import os
import sys
import warnings

import jsonschema

SCHEMA_DIR = os.environ.get(
    "OCI_RUNTIME_SCHEMA_DIR",
    "/usr/share/gocode/src/github.com/opencontainers/runtime-spec/schema")


def validator():
    path = os.path.join(SCHEMA_DIR, "config-schema.json")
    with open(path) as f:
        schema = json.load(f)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        resolver = jsonschema.RefResolver("file://" + SCHEMA_DIR + "/", schema)
        return jsonschema.Draft4Validator(schema, resolver=resolver)


def main(paths):
    v = validator()
    bad = 0
    for p in paths:
        with open(p) as f:
            doc = json.load(f)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            errors = sorted(v.iter_errors(doc), key=lambda e: list(e.absolute_path))
        for e in errors:
            bad += 1
            where = "/".join(str(x) for x in e.absolute_path)
            print("%s: /%s: %s" % (p, where, e.message.splitlines()[0][:200]))
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1:]))
