# SPDX-License-Identifier: LGPL-2.1-or-later
# Puts tollgate's handlers into RAUC's system.conf (examples/rauc/system.conf):
# RAUC runs the pre-install handler after it verified the bundle and before
# it writes a slot; the post-install handler records the install.
#
# For meta-rauc releases where the rauc recipe installs system.conf. In
# releases that provide it from the separate rauc-conf recipe, rename this
# file to rauc-conf.bbappend (or rauc-conf_%.bbappend).
RDEPENDS:${PN}:append:class-target = " tollgate"

TOLLGATE_RAUC_PRE_INSTALL ?= "${libexecdir}/tollgate/tollgate-rauc-pre-install"
TOLLGATE_RAUC_POST_INSTALL ?= "${libexecdir}/tollgate/tollgate-rauc-post-install"

do_install:append:class-target() {
    conf=${D}${sysconfdir}/rauc/system.conf
    if [ ! -f "$conf" ]; then
        bbfatal "tollgate: $conf was not installed by ${PN}; put this bbappend on the recipe that installs system.conf"
    fi
    if grep -Eq '^(pre|post)-install=' "$conf"; then
        bbfatal "tollgate: $conf names a pre-/post-install handler already; call tollgate's handlers from yours (docs/rauc.md) and drop this bbappend"
    fi
    if grep -q '^\[handlers\]' "$conf"; then
        sed -i "/^\[handlers\]/a pre-install=${TOLLGATE_RAUC_PRE_INSTALL}\npost-install=${TOLLGATE_RAUC_POST_INSTALL}" "$conf"
    else
        printf '\n[handlers]\npre-install=%s\npost-install=%s\n' \
            "${TOLLGATE_RAUC_PRE_INSTALL}" "${TOLLGATE_RAUC_POST_INSTALL}" >>"$conf"
    fi
}
