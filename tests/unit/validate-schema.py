#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Validates every line of JSON Lines files against a JSON Schema (draft 2020-12).

Usage: validate-schema.py SCHEMA FILE...

Exits 0 when every line of every file is valid, 1 naming file:line and the
error of each invalid line (at most 20), 2 on usage errors, and 77 (the
conventional "skip" status) when the jsonschema module is not installed.
"""
import json
import sys

MAX_REPORTED = 20


def reject_constant(name):
    raise ValueError(f"{name} is not valid JSON")


def load_validator(path):
    from jsonschema import Draft202012Validator

    with open(path, encoding="utf-8") as f:
        schema = json.load(f)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def check_file(validator, path, problems):
    records = 0
    with open(path, "rb") as f:
        for number, raw in enumerate(f, start=1):
            where = f"{path}:{number}"
            if not raw.endswith(b"\n"):
                problems.append(f"{where}: line does not end with a newline")
                continue
            try:
                record = json.loads(raw.decode("utf-8"), parse_constant=reject_constant)
            except (UnicodeDecodeError, ValueError) as e:
                problems.append(f"{where}: not valid JSON: {e}")
                continue
            records += 1
            for error in sorted(validator.iter_errors(record), key=lambda e: list(e.path)):
                member = "/".join(str(p) for p in error.absolute_path) or "(record)"
                problems.append(f"{where}: {member}: {error.message}")
    return records


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        validator = load_validator(argv[1])
    except ImportError:
        print("python3 jsonschema is not installed (apt-get install python3-jsonschema)",
              file=sys.stderr)
        return 77
    problems = []
    records = 0
    for path in argv[2:]:
        records += check_file(validator, path, problems)
    for p in problems[:MAX_REPORTED]:
        print(p, file=sys.stderr)
    if len(problems) > MAX_REPORTED:
        print(f"... and {len(problems) - MAX_REPORTED} more problems", file=sys.stderr)
    if problems:
        return 1
    print(f"{records} records valid in {len(argv) - 2} files")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
