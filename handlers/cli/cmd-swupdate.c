/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `tollgate swupdate-precheck` and `tollgate swupdate-listen`: the
 * arguments and the output. The precheck is handlers/swupdate/swu-precheck.c,
 * the listener handlers/swupdate/swu-client.c; docs/swupdate.md explains
 * where each fits. */
#include "cli.h"

#include <stdio.h>

#include "tg-swupdate.h"

/* ---- swupdate-precheck ---- */

typedef struct {
	gchar *path;
	gchar *board;
	gchar *select;
	gchar *swupdate_config;
	gboolean check_config;
	gboolean json;
} PrecheckOptions;

static void precheck_options_clear(PrecheckOptions *o)
{
	g_free(o->path);
	g_free(o->board);
	g_free(o->select);
	g_free(o->swupdate_config);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(PrecheckOptions, precheck_options_clear)

static gboolean split_select(const char *text, gchar **ret_set, gchar **ret_mode)
{
	g_auto(GStrv) parts = NULL;

	if (!text)
		return TRUE;
	parts = g_strsplit(text, ",", -1);
	if (g_strv_length(parts) != 2 || !*parts[0] || !*parts[1])
		return FALSE;
	*ret_set = g_strdup(parts[0]);
	*ret_mode = g_strdup(parts[1]);
	return TRUE;
}

/* Returns: (transfer full): the candidate for the sw-description at o->path. */
/* Decides on the sw-description at o->path and says so (exit status). */
static int precheck_gate(const TgCliGlobal *g, const PrecheckOptions *o, const char *set,
			 const char *mode)
{
	TgSwuEngineOptions eo = { .config_path = g->config, .state_dir = g->state_dir,
				  .now = g->now };
	TgSwuSelection sel = { .board = o->board, .software_set = set, .running_mode = mode };
	g_autoptr(GError) err = NULL;
	g_autoptr(TgDecision) d = tg_swu_precheck(&eo, o->path, &sel, &err);

	return tg_cli_finish_gate(d, err, o->json, TRUE);
}

/* SWUpdate logs a command's stderr at its default level, stdout only with -v:
 * refusals and deferrals go to stderr so operators see them. */
int tg_cmd_swupdate_precheck(const TgCliGlobal *g, int argc, char **argv)
{
	g_auto(PrecheckOptions) o = { 0 };
	g_autofree gchar *set = NULL, *mode = NULL;
	const GOptionEntry entries[] = {
		{ "sw-description", 0, 0, G_OPTION_ARG_FILENAME, &o.path,
		  "sw-description to read (default $TMPDIR/sw-description)", "PATH" },
		{ "board", 0, 0, G_OPTION_ARG_STRING, &o.board,
		  "hardware board name, as in SWUpdate's -H BOARD:REV", "BOARD" },
		{ "select", 0, 0, G_OPTION_ARG_STRING, &o.select,
		  "software set and running mode, as in SWUpdate's -e SET,MODE", "SET,MODE" },
		{ "swupdate-config", 0, 0, G_OPTION_ARG_FILENAME, &o.swupdate_config,
		  "SWUpdate's configuration to check for update types without this precheck "
		  "(default: the -f file of the SWUpdate that runs the precheck)", "FILE" },
		{ "check-config", 0, 0, G_OPTION_ARG_NONE, &o.check_config,
		  "only check SWUpdate's configuration (exit 0 or 1), gate nothing", NULL },
		{ "json", 0, 0, G_OPTION_ARG_NONE, &o.json, "print the decision as JSON", NULL },
		G_OPTION_ENTRY_NULL,
	};
	g_autoptr(GError) err = NULL;

	if (!tg_cli_parse(&argc, &argv, "swupdate-precheck", NULL,
			  "Gates the update SWUpdate is about to install (its preupdatecmd): "
			  "reads the verified sw-description, decides and records. First it "
			  "checks that every update type in SWUpdate's configuration runs it "
			  "(SWUpdate 2025.12+).\nExit: 0 allowed, 10 refused, 11 deferred, 1 "
			  "error (never allow).", entries))
		return TG_EXIT_USAGE;
	if (!split_select(o.select, &set, &mode)) {
		tg_cli_errorf("--select '%s' is not SET,MODE; use e.g. --select stable,main",
			      o.select);
		return TG_EXIT_USAGE;
	}
	if (!tg_swu_precheck_config(o.swupdate_config, o.check_config, &err)) {
		if (o.check_config) {
			tg_cli_error(err);
			return TG_EXIT_ERROR;
		}
		return tg_cli_finish_gate(NULL, err, o.json, TRUE);
	}
	if (o.check_config) {
		printf("every update type of SWUpdate's configuration runs the precheck\n");
		return TG_EXIT_OK;
	}
	if (!o.path)
		o.path = tg_swu_description_path();
	return precheck_gate(g, &o, set, mode);
}

/* ---- swupdate-listen ---- */

/* tollgate's INFO payloads, one JSON line each. */
static void print_notice(JsonObject *payload, gpointer data)
{
	g_autoptr(JsonNode) node = json_node_new(JSON_NODE_OBJECT);

	json_node_set_object(node, payload);
	tg_cli_print_json(node);
}

int tg_cmd_swupdate_listen(const TgCliGlobal *g, int argc, char **argv)
{
	g_autofree gchar *socket_path = NULL;
	g_autofree gchar *swu_config = NULL;
	gboolean once = FALSE;
	const GOptionEntry entries[] = {
		{ "socket", 0, 0, G_OPTION_ARG_FILENAME, &socket_path,
		  "SWUpdate's progress socket (default $TMPDIR/swupdateprog)", "PATH" },
		{ "swupdate-config", 0, 0, G_OPTION_ARG_FILENAME, &swu_config,
		  "SWUpdate's configuration, to name the signer it expects when it rejects a "
		  "signature (default /etc/swupdate.cfg)", "PATH" },
		{ "once", 0, 0, G_OPTION_ARG_NONE, &once, "exit after the first finished update",
		  NULL },
		G_OPTION_ENTRY_NULL,
	};
	TgSwuEngineOptions eo = { .config_path = g->config, .state_dir = g->state_dir,
				  .now = g->now };
	g_autoptr(GError) err = NULL;

	if (!tg_cli_parse(&argc, &argv, "swupdate-listen", NULL,
			  "Listens on SWUpdate's progress socket: prints tollgate's INFO "
			  "messages as JSON lines and records installs SWUpdate reports as "
			  "failed (update.failed; never a refusal).", entries))
		return TG_EXIT_USAGE;
	eo.swupdate_config = swu_config;
	if (!tg_swu_listen(&eo, socket_path, once, print_notice, NULL, &err)) {
		tg_cli_error(err);
		return TG_EXIT_ERROR;
	}
	return TG_EXIT_OK;
}
