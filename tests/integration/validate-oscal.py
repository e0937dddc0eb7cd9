#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Validates OSCAL JSON documents against a JSON Schema (draft-07).

Usage: validate-oscal.py SCHEMA FILE...

The OSCAL schemas use \\p{L} and \\p{N} in "pattern" (TokenDatatype), which
Python's re module cannot compile. As tests/data/oscal/SOURCE.md describes,
the "pattern" keyword is therefore checked with the `regex` module
(Debian: python3-regex) instead; the schema file itself stays unchanged.
Prints one line per error (file, JSON path, message); exit status 0 when
every file is valid, 1 otherwise, 2 on a usage error.
"""
import json
import sys

import regex
from jsonschema import Draft7Validator, ValidationError
from jsonschema.validators import extend


def pattern(validator, expr, instance, schema):
    if validator.is_type(instance, "string") and not regex.search(expr, instance):
        yield ValidationError(f"{instance!r} does not match {expr!r}")


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    # The metaschema's "format": "regex" would reject \p{...} too (newer
    # jsonschema releases check it in check_schema), so check without formats.
    meta = Draft7Validator(Draft7Validator.META_SCHEMA)
    for err in meta.iter_errors(schema):
        print(f"{argv[1]}: not a valid draft-07 schema: {err.message}")
        return 1
    validator = extend(Draft7Validator, {"pattern": pattern})(
        schema, format_checker=Draft7Validator.FORMAT_CHECKER)
    bad = 0
    for path in argv[2:]:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        for err in sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path)):
            where = "/".join(str(p) for p in err.absolute_path) or "(root)"
            print(f"{path}: {where}: {err.message}")
            bad += 1
    if bad:
        print(f"{bad} error(s)")
        return 1
    print(f"{len(argv) - 2} document(s) valid")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
