# SPDX-License-Identifier: LGPL-2.1-or-later
SUMMARY = "Update-policy gate for devices updating with SWUpdate or RAUC"
DESCRIPTION = "tollgate decides whether an update may be installed (version \
floors that only rise, support period, security and feature classes, \
deferral and maintenance windows, approval of disruptive updates), records \
every decision in a hash-chained audit log and exports ETSI EN 303 645 \
clause 5.3 evidence."
SECTION = "admin"
LICENSE = "LGPL-2.1-or-later"
# The license text of the tree.
LIC_FILES_CHKSUM = "file://COPYING;md5=4fbd65380cdd255951079008b364516c"

# Where tollgate comes from. tollgate has no public repository yet, so the
# integrator must set both of these (local.conf, distro or a bbappend):
#   TOLLGATE_GIT_URI = "git://git.example.com/tollgate.git;protocol=https;branch=main"
#   SRCREV:pn-tollgate = "<the 40-hex commit you tested>"
# TOLLGATE_GIT_URI is the git URL with its protocol and branch parameters.
# SRCREV: to be set by the integrator (a 40-hex commit id, not a moving one).
# Until both are set the recipe is skipped with a message saying so.
TOLLGATE_GIT_URI ??= ""
# destsuffix=${BP} unpacks the checkout where the default S points on every
# series in LAYERSERIES_COMPAT: ${WORKDIR}/${BP} on scarthgap,
# ${UNPACKDIR}/${BP} from whinlatter on. So the recipe sets no S.
SRC_URI = "${@'${TOLLGATE_GIT_URI};destsuffix=${BP}' if d.getVar('TOLLGATE_GIT_URI') else ''}"
PV = "0.1.0+git"

python () {
    if not d.getVar('TOLLGATE_GIT_URI'):
        raise bb.parse.SkipRecipe("TOLLGATE_GIT_URI is not set; set it to the git URL of your tollgate repository (see the recipe)")
    if d.getVar('SRCREV') == 'INVALID':
        raise bb.parse.SkipRecipe("SRCREV is not set; pin SRCREV:pn-tollgate to the tollgate commit you tested")
}

# Where file:// entries of SRC_URI land, for bbappends that ship files:
# ${UNPACKDIR} from styhead on; scarthgap has no UNPACKDIR and unpacks them
# into ${WORKDIR}.
TOLLGATE_UNPACKDIR = "${@d.getVar('UNPACKDIR') or d.getVar('WORKDIR')}"

inherit meson pkgconfig systemd

DEPENDS = "glib-2.0 json-glib openssl"

# swupdate:        sw-description parser (libconfig) for `tollgate swupdate-precheck`
#                  (preupdatecmd) and the static libtollgate-swupdate.a that the
#                  compiled-in handler links (dynamic-layers/swupdate bbappend).
# swupdate-listen: `tollgate swupdate-listen`, the progress client. It links
#                  libswupdate, so tollgate then depends on swupdate while the
#                  swupdate bbappend makes swupdate depend on tollgate: use
#                  it only without the compiled-in handler.
# lua:             Lua module for SWUpdate's Lua handlers, built for
#                  oe-core's Lua 5.4 (the Lua SWUpdate links there); the
#                  compiled-in handler needs no Lua.
# rauc:            pre-/post-install handlers, commit helper and units.
# manpages:        tollgate(1) and tollgate.conf(5); needs scdoc-native.
PACKAGECONFIG ??= "swupdate rauc"
PACKAGECONFIG[swupdate] = "-Dlibconfig=enabled,-Dlibconfig=disabled,libconfig"
PACKAGECONFIG[swupdate-listen] = "-Dswupdate_progress=enabled,-Dswupdate_progress=disabled,swupdate"
PACKAGECONFIG[lua] = "-Dlua=5.4,-Dlua=disabled,lua"
PACKAGECONFIG[rauc] = "-Drauc=true,-Drauc=false"
PACKAGECONFIG[manpages] = "-Dman=enabled,-Dman=disabled,scdoc-native"

# The persistent partition (surviving updates and slot switches) where the
# default state, audit log and keys go: DIR/tollgate, DIR/tollgate-keys.
# Never a directory inside a rootfs slot; /var/lib only when it is mounted
# from the data partition.
TOLLGATE_PERSISTENT_DIR ??= "/data"

EXTRA_OEMESON = " \
    -Dpersistent_dir=${TOLLGATE_PERSISTENT_DIR} \
    -Dtests=false \
    -Dfault_injection=false \
    ${@bb.utils.contains('DISTRO_FEATURES', 'systemd', \
        '-Dsystemdsystemunitdir=${systemd_system_unitdir} -Dtmpfilesdir=${nonarch_libdir}/tmpfiles.d', \
        '-Dsystemdsystemunitdir=no -Dtmpfilesdir=no', d)} \
"

# The commit unit that fits the updater: RAUC systems mark the slot good and
# skip fallback boots (tollgate-rauc-commit), others commit after
# boot-complete.target (tollgate-commit). The two conflict.
SYSTEMD_PACKAGES = "${PN}"
SYSTEMD_SERVICE:${PN} = "${@bb.utils.contains('PACKAGECONFIG', 'rauc', \
    'tollgate-rauc-commit.service tollgate-rauc-listen.service', 'tollgate-commit.service', d)} \
    ${@bb.utils.contains('PACKAGECONFIG', 'swupdate-listen', 'tollgate-swupdate-listen.service', '', d)}"

FILES:${PN} += " \
    ${libexecdir}/tollgate \
    ${prefix}/lib/lua/5.3 \
    ${datadir}/lua/5.3 \
    ${datadir}/dbus-1 \
    ${datadir}/tollgate \
    ${nonarch_libdir}/tmpfiles.d \
    ${systemd_system_unitdir} \
"
# The example policy (examples/policies/consumer.conf). Ship your own from a
# bbappend: SRC_URI += "file://tollgate.conf" and
#   do_install:append() { install -m 0644 ${TOLLGATE_UNPACKDIR}/tollgate.conf ${D}${sysconfdir}/tollgate/ }
CONFFILES:${PN} = "${sysconfdir}/tollgate/tollgate.conf"

RRECOMMENDS:${PN} += "${@bb.utils.contains('PACKAGECONFIG', 'rauc', 'rauc', '', d)}"
