/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `tollgate rauc-listen`: the arguments; the listener is in
 * handlers/rauc/rauc-listen.c. */
#include "cli.h"

#include "../rauc/rauc-listen.h"

/* --bus wins; else DBUS_STARTER_BUS_TYPE; else the session bus when
 * DBUS_SESSION_BUS_ADDRESS is set; else the system bus (where RAUC runs). */
static gboolean pick_bus(const char *opt, GBusType *ret_type)
{
	const char *choice = opt ? opt : g_getenv("DBUS_STARTER_BUS_TYPE");

	if (g_strcmp0(choice, "session") == 0 || g_strcmp0(choice, "system") == 0) {
		*ret_type = g_str_equal(choice, "session") ? G_BUS_TYPE_SESSION : G_BUS_TYPE_SYSTEM;
		return TRUE;
	}
	if (opt)
		return FALSE;
	*ret_type = g_getenv("DBUS_SESSION_BUS_ADDRESS") ? G_BUS_TYPE_SESSION : G_BUS_TYPE_SYSTEM;
	return TRUE;
}

int tg_cmd_rauc_listen(const TgCliGlobal *g, int argc, char **argv)
{
	g_autofree gchar *bus_opt = NULL, *window_opt = NULL, *system_config = NULL;
	GOptionEntry entries[] = {
		{ "bus", 0, 0, G_OPTION_ARG_STRING, &bus_opt,
		  "system or session (default: see below)", "BUS" },
		{ "system-config", 0, 0, G_OPTION_ARG_FILENAME, &system_config,
		  "RAUC's system.conf, to name the keyring a rejected signature was checked "
		  "against (default /etc/rauc/system.conf)", "PATH" },
		{ "window", 0, 0, G_OPTION_ARG_STRING, &window_opt,
		  "how close to a refusal RAUC's report must be to count as that refusal "
		  "(default 5m)", "DURATION" },
		G_OPTION_ENTRY_NULL,
	};
	TgRaucListenOptions opts = {
		.config_path = g->config,
		.state_dir = g->state_dir,
		.now = g->now,
		.window = TG_RAUC_DEFAULT_WINDOW,
	};
	g_autoptr(GError) err = NULL;

	if (!tg_cli_parse(&argc, &argv, "rauc-listen", NULL,
			  "Records RAUC installs that end in error as update.failed (tollgate's "
			  "own refusals stay refusals). Runs until SIGTERM or SIGINT.\nBus: --bus, "
			  "else DBUS_STARTER_BUS_TYPE, else the session bus when "
			  "DBUS_SESSION_BUS_ADDRESS is set, else the system bus.", entries))
		return TG_EXIT_USAGE;
	if (!pick_bus(bus_opt, &opts.bus)) {
		tg_cli_errorf("--bus '%s' is not a bus; use system or session", bus_opt);
		return TG_EXIT_USAGE;
	}
	if (window_opt && !tg_parse_duration(window_opt, &opts.window)) {
		tg_cli_errorf("--window '%s' is not a duration; use e.g. 5m", window_opt);
		return TG_EXIT_USAGE;
	}
	opts.system_config = system_config;
	if (!tg_rauc_listen(&opts, &err)) {
		tg_cli_error(err);
		return TG_EXIT_ERROR;
	}
	return TG_EXIT_OK;
}
