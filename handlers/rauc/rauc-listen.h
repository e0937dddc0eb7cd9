/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The RAUC failure listener (`tollgate rauc-listen`, rauc-listen.c): a
 * D-Bus client of RAUC's Installer that records installs ending in error. */
#pragma once

#include <gio/gio.h>

#include "rauc-candidate.h"

G_BEGIN_DECLS

typedef struct {
	const char *config_path;	/* NULL: $TOLLGATE_CONFIG, else the default */
	const char *state_dir;		/* NULL: from the policy */
	GDateTime *now;			/* NULL: system clock */
	gint64 window;			/* seconds, see tg_rauc_failure_classify() */
	GBusType bus;			/* G_BUS_TYPE_SYSTEM or G_BUS_TYPE_SESSION */
	/* RAUC's system.conf, to name the keyring a rejected signature was
	 * checked against (NULL: /etc/rauc/system.conf). */
	const char *system_config;
} TgRaucListenOptions;

/* Listens until SIGTERM or SIGINT (then TRUE). FALSE with @error when the
 * bus cannot be reached, does not answer or closes the connection. */
gboolean tg_rauc_listen(const TgRaucListenOptions *opts, GError **error);

G_END_DECLS
