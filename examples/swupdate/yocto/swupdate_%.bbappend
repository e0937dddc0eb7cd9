# SPDX-License-Identifier: LGPL-2.1-or-later
# meta-<yours>/recipes-support/swupdate/swupdate_%.bbappend
# Builds SWUpdate with tollgate's compiled-in handler. Needs a tollgate recipe
# that installs libtollgate-swupdate.a, its headers and tollgate-swupdate.pc
# (meson install does), and the patch from tollgate's examples/swupdate/
# (written for SWUpdate's handlers/Config.in layout; for 2025.12 and later
# put Kconfig.fragment into handlers/Kconfig and enable the layout options in
# tollgate.cfg).
FILESEXTRAPATHS:prepend := "${THISDIR}/${PN}:"

SRC_URI += " \
    file://0001-handlers-add-tollgate.patch \
    file://tollgate.cfg \
"

DEPENDS += "tollgate"

# The precheck for preupdatecmd and the failure listener come with the
# tollgate package itself.
RDEPENDS:${PN} += "tollgate"
