# SPDX-License-Identifier: LGPL-2.1-or-later
"""The command line both shape checks share: one numeric option, folders."""
import os
import sys

DEFAULT_DIRS = ["policy", "plugins", "notify", "evidence", "handlers"]


def usage(msg):
    print(msg, file=sys.stderr)
    sys.exit(2)


def parse(name, option, default, minimum):
    """Returns (value of OPTION, folders); the defaults are relative to the
    source tree (TG_SHAPE_ROOT), which becomes the working directory."""
    args = sys.argv[1:]
    value = default
    dirs = []
    while args:
        a = args.pop(0)
        if a == option:
            if not args or not args[0].isdigit() or int(args[0]) < minimum:
                usage(f"{name}: {option} needs a number of at least {minimum}")
            value = int(args.pop(0))
        elif a.startswith("-"):
            usage(f"usage: {name}.sh [{option} N] [DIR...]")
        else:
            dirs.append(a)
    for d in dirs:
        if not os.path.isdir(d):
            usage(f"{name}: {d}: no such directory")
    if not dirs:
        os.chdir(os.environ["TG_SHAPE_ROOT"])
        dirs = list(DEFAULT_DIRS)
    return value, dirs


def c_files(dirs):
    """Every .c and .h file under DIRS, in a stable order."""
    for d in dirs:
        for root, subdirs, names in os.walk(d):
            subdirs.sort()
            for fn in sorted(names):
                if fn.endswith((".c", ".h")):
                    yield os.path.join(root, fn)
