# SPDX-License-Identifier: LGPL-2.1-or-later
# meta-<yours>/recipes-support/swupdate/swupdate_%.bbappend
# Builds SWUpdate with tollgate's compiled-in handler. Needs a tollgate recipe
# that installs libtollgate-swupdate.a, its headers and tollgate-swupdate.pc
# (meson install does), and the patch from tollgate's examples/swupdate/ that
# fits the SWUpdate release (PV), the same choice as patches.sh:
#   up to 2023.05      0001-handlers-add-tollgate-upto-2023.05.patch
#   2023.12 - 2024.05  0001-handlers-add-tollgate-2023.12-to-2024.05.patch
#   2024.12 - 2025.05  0001-handlers-add-tollgate-2024.12-to-2025.05.patch
#   2025.12 and later  0001-handlers-add-tollgate-from-2025.12.patch
FILESEXTRAPATHS:prepend := "${THISDIR}/${PN}:"

def tollgate_swupdate_patch(d):
    import re
    pv = d.getVar('PV')
    m = re.match(r'(\d{4})\.(\d+)', pv)
    if not m:
        bb.fatal("tollgate: no patch fits SWUpdate PV '%s' (no YYYY.MM release in it)" % pv)
    n = int(m.group(1)) * 100 + int(m.group(2))
    if n <= 202305:
        return 'upto-2023.05'
    if 202312 <= n <= 202405:
        return '2023.12-to-2024.05'
    if 202412 <= n <= 202505:
        return '2024.12-to-2025.05'
    if n >= 202512:
        return 'from-2025.12'
    bb.fatal("tollgate: no patch fits SWUpdate %s: the patches cover up to 2023.05, "
             "2023.12 to 2024.05, 2024.12 to 2025.05 and 2025.12 on" % pv)

SRC_URI += " \
    file://0001-handlers-add-tollgate-${@tollgate_swupdate_patch(d)}.patch \
    file://tollgate.cfg \
"

DEPENDS += "tollgate"

# The precheck for preupdatecmd and the failure listener come with the
# tollgate package itself.
RDEPENDS:${PN} += "tollgate"
