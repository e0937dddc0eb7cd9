/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* record-check: update clients report each look for updates (5.3-5). */
#include "cli.h"

#include <stdio.h>

static gboolean parse_result(const char *text, gboolean *ret_available)
{
	if (!text) {
		tg_cli_errorf("record-check needs --result none or --result available");
		return FALSE;
	}
	if (g_str_equal(text, "none") || g_str_equal(text, "available")) {
		*ret_available = g_str_equal(text, "available");
		return TRUE;
	}
	tg_cli_errorf("--result '%s' is not allowed; use none or available", text);
	return FALSE;
}

int tg_cmd_record_check(const TgCliGlobal *g, int argc, char **argv)
{
	g_autofree gchar *result = NULL, *version = NULL, *component = NULL;
	g_autofree gchar *mechanism = NULL, *client = NULL;
	GOptionEntry entries[] = {
		{ "result", 0, 0, G_OPTION_ARG_STRING, &result,
		  "none (no update offered) or available", "RESULT" },
		{ "version", 0, 0, G_OPTION_ARG_STRING, &version,
		  "version of the offered update (with --result available)", "V" },
		{ "component", 0, 0, G_OPTION_ARG_STRING, &component,
		  "software component (default from the policy)", "C" },
		{ "mechanism", 0, 0, G_OPTION_ARG_STRING, &mechanism,
		  "update mechanism ID (default from the policy)", "ID" },
		{ "client", 0, 0, G_OPTION_ARG_STRING, &client,
		  "update client that checked, e.g. hawkbit or suricatta", "NAME" },
		G_OPTION_ENTRY_NULL,
	};
	g_autoptr(TgEngine) engine = NULL;
	g_autoptr(GError) err = NULL;
	TgUpdateCheck check = { 0 };

	if (!tg_cli_parse(&argc, &argv, "record-check", NULL,
			  "Records that the update client looked for updates (update.check), "
			  "as evidence of checks after initialization and periodically.",
			  entries) || !parse_result(result, &check.available))
		return TG_EXIT_USAGE;
	if (argc != 1) {
		tg_cli_errorf("record-check takes no arguments besides its options");
		return TG_EXIT_USAGE;
	}
	check.version = version;
	check.component = component;
	check.mechanism = mechanism;
	check.client = client;
	engine = tg_cli_engine(g, "cli", &err);
	if (!engine || !tg_engine_record_check(engine, &check, &err)) {
		tg_cli_error(err);
		return TG_EXIT_ERROR;
	}
	printf("recorded update check: %s%s%s\n", result, version ? " " : "",
	       version ? version : "");
	return TG_EXIT_OK;
}
