# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
# Sourced (bash): which SWUpdate release a source tree is, and which of the
# shipped patches fits it. Used by make-patch.sh, build-swupdate.sh,
# scripts/updaters.sh and tests/integration/test-swupdate-builtin.sh.
#
#   patch                                                SWUpdate          written from
#   0001-handlers-add-tollgate-upto-2023.05.patch        up to 2023.05     Debian's 2022.12
#   0001-handlers-add-tollgate-2023.12-to-2024.05.patch  2023.12-2024.05   2024.05.2
#   0001-handlers-add-tollgate-2024.12-to-2025.05.patch  2024.12-2025.05   Debian's 2024.12.1
#   0001-handlers-add-tollgate-from-2025.12.patch        2025.12 and later 2026.05.1
#
# The ranges follow the lines the patches' context needs: handlers/Config.in
# becomes handlers/Kconfig in 2024.12; the ends of handlers/Makefile (the
# Docker handler) and of Makefile.flags (the GPG signature block) change in
# 2023.12, and the end of Makefile.flags again in 2025.12 (that block moved).
# Each patch applies without fuzz to every release of its range (checked
# against the upstream tags 2021.11 to 2026.05.1).

# swupdate_release TREE: its release, VERSION.PATCHLEVEL[.SUBLEVEL] of its
# top Makefile (empty when the Makefile has no VERSION).
swupdate_release() {
  awk '/^VERSION =/ { v = $3 } /^PATCHLEVEL =/ { p = $3 } /^SUBLEVEL =/ { s = $3 }
       END { if (v != "") printf "%s.%s%s", v, p, (s != "" ? "." s : "") }' "$1/Makefile" 2>/dev/null
}

# swupdate_release_number TREE: VERSION * 100 + PATCHLEVEL (202412 for
# 2024.12.1), for comparisons; status 1 when the Makefile names no release.
swupdate_release_number() {
  local rel
  rel=$(swupdate_release "$1")
  case $rel in
    [0-9][0-9][0-9][0-9].[0-9]*) ;;
    *) return 1 ;;
  esac
  echo $(( 10#${rel%%.*} * 100 + 10#$(echo "$rel" | cut -d. -f2) ))
}

# swupdate_links_ubootenv TREE: whether TREE's SWUpdate always links
# libubootenv and json-c (2023.12 and later, include/swupdate_vars.h).
swupdate_links_ubootenv() {
  local n
  n=$(swupdate_release_number "$1") && [ "$n" -ge 202312 ]
}

# tollgate_patch TREE: the name of the shipped patch that fits TREE; for a
# tree none fits, one sentence on stderr and status 1.
tollgate_patch() {
  local rel n name kc=Config.in
  rel=$(swupdate_release "$1")
  n=$(swupdate_release_number "$1") ||
    { echo "no tollgate patch fits $1: its Makefile names no SWUpdate VERSION and PATCHLEVEL" >&2; return 1; }
  if [ "$n" -le 202305 ]; then name=upto-2023.05
  elif [ "$n" -ge 202312 ] && [ "$n" -le 202405 ]; then name=2023.12-to-2024.05
  elif [ "$n" -ge 202412 ] && [ "$n" -le 202505 ]; then name=2024.12-to-2025.05; kc=Kconfig
  elif [ "$n" -ge 202512 ]; then name=from-2025.12; kc=Kconfig
  fi
  if [ -z "${name:-}" ] || [ ! -f "$1/handlers/$kc" ]; then
    echo "no tollgate patch fits SWUpdate $rel ($1): the patches cover up to 2023.05, 2023.12 to 2024.05, 2024.12 to 2025.05 and 2025.12 on; use Config.in.fragment or Kconfig.fragment and Makefile.fragment" >&2
    return 1
  fi
  echo "0001-handlers-add-tollgate-$name.patch"
}
