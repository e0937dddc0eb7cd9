################################################################################
#
# tollgate
#
################################################################################

TOLLGATE_VERSION = 0.1.0
# The default builds the tollgate tree this external tree lives in
# (examples/buildroot inside the source). For a release, use the tarball
# and its hash (tollgate.hash), e.g.
#   TOLLGATE_SITE = https://downloads.example.com/tollgate
#   TOLLGATE_SOURCE = tollgate-$(TOLLGATE_VERSION).tar.xz
# and drop TOLLGATE_SITE_METHOD.
TOLLGATE_SITE = $(BR2_EXTERNAL_TOLLGATE_PATH)/../..
TOLLGATE_SITE_METHOD = local
# Build directories inside the tree are not part of the source.
TOLLGATE_OVERRIDE_SRCDIR_RSYNC_EXCLUSIONS = --exclude /_build --exclude '/build-*'
TOLLGATE_LICENSE = LGPL-2.1+
TOLLGATE_LICENSE_FILES = COPYING
TOLLGATE_INSTALL_STAGING = YES
TOLLGATE_DEPENDENCIES = host-pkgconf libglib2 json-glib openssl

TOLLGATE_PERSISTENT_DIR = $(call qstrip,$(BR2_PACKAGE_TOLLGATE_PERSISTENT_DIR))

TOLLGATE_CONF_OPTS = \
	-Dtests=false \
	-Dfault_injection=false \
	-Dman=disabled \
	-Dswupdate_progress=disabled \
	-Dpersistent_dir=$(TOLLGATE_PERSISTENT_DIR)

# swupdate-listen (the progress client) would link SWUpdate's libswupdate,
# while SWUpdate's compiled-in handler links tollgate: it stays off here.

ifeq ($(BR2_PACKAGE_TOLLGATE_SWUPDATE),y)
TOLLGATE_DEPENDENCIES += libconfig
TOLLGATE_CONF_OPTS += -Dlibconfig=enabled
else
TOLLGATE_CONF_OPTS += -Dlibconfig=disabled
endif

ifeq ($(BR2_PACKAGE_TOLLGATE_LUA),y)
TOLLGATE_DEPENDENCIES += lua
# The Lua SWUpdate links: Buildroot builds one Lua version.
TOLLGATE_CONF_OPTS += -Dlua=$(if $(BR2_PACKAGE_LUA_5_4),5.4,5.3)
else
TOLLGATE_CONF_OPTS += -Dlua=disabled
endif

ifeq ($(BR2_PACKAGE_TOLLGATE_RAUC),y)
TOLLGATE_CONF_OPTS += -Drauc=true
else
TOLLGATE_CONF_OPTS += -Drauc=false
endif

ifeq ($(BR2_INIT_SYSTEMD),y)
TOLLGATE_CONF_OPTS += \
	-Dsystemdsystemunitdir=/usr/lib/systemd/system \
	-Dtmpfilesdir=/usr/lib/tmpfiles.d
else
TOLLGATE_CONF_OPTS += -Dsystemdsystemunitdir=no -Dtmpfilesdir=no

# Without systemd-tmpfiles: the state and log directories with their modes
# in the image.
define TOLLGATE_INSTALL_STATE_DIRS
	$(INSTALL) -d -m 0700 $(TARGET_DIR)$(TOLLGATE_PERSISTENT_DIR)/tollgate
	$(INSTALL) -d -m 0750 $(TARGET_DIR)$(TOLLGATE_PERSISTENT_DIR)/tollgate/log
	$(INSTALL) -d -m 0700 $(TARGET_DIR)$(TOLLGATE_PERSISTENT_DIR)/tollgate-keys
endef
TOLLGATE_POST_INSTALL_TARGET_HOOKS += TOLLGATE_INSTALL_STATE_DIRS
endif

$(eval $(meson-package))
