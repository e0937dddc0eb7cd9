# SPDX-License-Identifier: LGPL-2.1-or-later
# meta-<yours>/recipes-support/swupdate/swupdate_%.bbappend
# Builds SWUpdate with tollgate's compiled-in handler. Needs a tollgate recipe
# that installs libtollgate-swupdate.a, its headers and tollgate-swupdate.pc
# (meson install does), and the patch from tollgate's examples/swupdate/ that
# fits the SWUpdate release: -upto-2024.05 (handlers/Config.in) or
# -from-2024.12 (handlers/Kconfig).
FILESEXTRAPATHS:prepend := "${THISDIR}/${PN}:"

SRC_URI += " \
    file://0001-handlers-add-tollgate-from-2024.12.patch \
    file://tollgate.cfg \
"

DEPENDS += "tollgate"

# The precheck for preupdatecmd and the failure listener come with the
# tollgate package itself.
RDEPENDS:${PN} += "tollgate"
