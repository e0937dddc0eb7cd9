/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tollgate [--config P] [--state-dir D] [--now TIME] COMMAND [OPTIONS] */
#include "cli.h"
#include "tg-crypto.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "checks.h"
#include "notify.h"
#include "tg-config.h"

static const TgCliCommand commands[] = {
	{ "gate", tg_cmd_gate, "decide whether an update may be installed" },
	{ "installed", tg_cmd_installed, "record an installed update and stage its floor" },
	{ "failed", tg_cmd_failed, "record an install that the updater reported as failed" },
	{ "commit", tg_cmd_commit, "after a good boot: raise floors to the installed versions" },
	{ "fell-back", tg_cmd_fell_back, "after a fallback boot: give up the pending floors" },
	{ "postpone", tg_cmd_postpone, "postpone updates of a class (bounded by the policy)" },
	{ "approve", tg_cmd_approve, "approve one update by digest or version" },
	{ "settings", tg_cmd_settings, "show or change automatic installs and notifications" },
	{ "record-check", tg_cmd_record_check, "record that the update client looked for updates" },
	{ "status", tg_cmd_status, "show versions, support period, settings, last decision" },
	{ "config check", tg_cmd_config_check, "check the policy files" },
	{ "state reseed", tg_cmd_state_reseed, "recover lost or tampered state" },
	{ "audit verify", tg_cmd_audit_verify, "verify the audit log's hash chain" },
	{ "audit show", tg_cmd_audit_show, "show audit records" },
	{ "audit anchor", tg_cmd_audit_anchor, "print the latest signed checkpoint, to keep off the device" },
	{ "audit public-key", tg_cmd_audit_public_key, "print the device's checkpoint public key" },
	{ "evidence verify", tg_cmd_evidence_verify, "check a pack: manifest, signature, logs, cited records" },
	{ "evidence check", tg_cmd_evidence_check, "list contradictions and weak evidence in the records" },
	{ "evidence", tg_cmd_evidence, "write the EN 303 645 / TS 103 701 evidence pack" },
	{ "rauc-listen", tg_cmd_rauc_listen, "record RAUC installs that end in error (D-Bus)" },
	{ "swupdate-precheck", tg_cmd_swupdate_precheck, "gate an SWUpdate update (preupdatecmd)" },
	{ "swupdate-listen", tg_cmd_swupdate_listen, "record SWUpdate installs that fail; print notices" },
};

static void usage(FILE *out)
{
	fprintf(out, "Usage: tollgate [--config PATH] [--state-dir DIR] [--now TIME] COMMAND "
		     "[OPTIONS]\n\nCommands:\n");
	for (gsize i = 0; i < G_N_ELEMENTS(commands); i++)
		fprintf(out, "  %-18s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\nGlobal options:\n"
		     "  --config PATH     policy file (default $TOLLGATE_CONFIG or %s)\n"
		     "  --state-dir DIR   state and audit log directory (overrides the policy)\n"
		     "  --now TIME        RFC 3339 time to use (never below the last trusted time)\n"
		     "\nRun `tollgate COMMAND --help` for a command's options.\n"
		     "Exit codes: 0 ok/allowed, 1 error, 2 usage, 10 refused, 11 deferred.\n",
		TG_DEFAULT_CONFIG);
}

/* Takes "--opt VALUE" or "--opt=VALUE" at argv[*i]. */
static gboolean take_value(int argc, char **argv, int *i, const char *opt, gchar **ret)
{
	gsize n = strlen(opt);

	if (strncmp(argv[*i], opt, n) != 0)
		return FALSE;
	if (argv[*i][n] == '=') {
		*ret = g_strdup(argv[*i] + n + 1);
		return TRUE;
	}
	if (argv[*i][n] != '\0' || *i + 1 >= argc)
		return FALSE;
	*ret = g_strdup(argv[++*i]);
	return TRUE;
}

static int parse_global(int argc, char **argv, TgCliGlobal *g, int *ret_next)
{
	g_autofree gchar *now = NULL;
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (g_str_equal(argv[i], "--help") || g_str_equal(argv[i], "-h")) {
			usage(stdout);
			exit(TG_EXIT_OK);
		}
		if (g_str_equal(argv[i], "--version")) {
			printf("tollgate %s\n", TG_VERSION);
			exit(TG_EXIT_OK);
		}
		if (take_value(argc, argv, &i, "--config", &g->config) ||
		    take_value(argc, argv, &i, "--state-dir", &g->state_dir) ||
		    take_value(argc, argv, &i, "--now", &now))
			continue;
		tg_cli_errorf("unknown or incomplete option '%s'; run `tollgate --help`", argv[i]);
		return TG_EXIT_USAGE;
	}
	if (now && !(g->now = tg_cli_parse_time(now))) {
		tg_cli_errorf("--now '%s' is not an RFC 3339 time; use e.g. 2027-01-31T12:00:00Z",
			      now);
		return TG_EXIT_USAGE;
	}
	*ret_next = i;
	return TG_EXIT_OK;
}

/* Finds the command at argv[i] (one or two words). */
static const TgCliCommand *find_command(int argc, char **argv, int i, int *ret_words)
{
	for (gsize c = 0; c < G_N_ELEMENTS(commands); c++) {
		const char *name = commands[c].name;
		const char *space = strchr(name, ' ');

		if (!space && g_str_equal(argv[i], name)) {
			*ret_words = 1;
			return &commands[c];
		}
		if (space && i + 1 < argc && strncmp(argv[i], name, space - name) == 0 &&
		    argv[i][space - name] == '\0' && g_str_equal(argv[i + 1], space + 1)) {
			*ret_words = 2;
			return &commands[c];
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	TgCliGlobal g = { 0 };
	const TgCliCommand *cmd;
	int next = 0, words = 0, ret;

	tg_crypto_init_program();
	setlocale(LC_ALL, "");
	ret = parse_global(argc, argv, &g, &next);
	if (ret != TG_EXIT_OK)
		return ret;
	if (next >= argc) {
		usage(stderr);
		return TG_EXIT_USAGE;
	}
	cmd = find_command(argc, argv, next, &words);
	if (!cmd) {
		tg_cli_errorf("'%s' is not a command; run `tollgate --help` for the list",
			      argv[next]);
		return TG_EXIT_USAGE;
	}
	ret = cmd->func(&g, argc - next - words + 1, argv + next + words - 1);
	g_free(g.config);
	g_free(g.state_dir);
	g_clear_pointer(&g.now, g_date_time_unref);
	return ret;
}

TgEngine *tg_cli_engine(const TgCliGlobal *global, const char *updater, GError **error)
{
	TgEngineOptions opts = {
		.config_path = global->config,
		.state_dir = global->state_dir,
		.now = global->now,
		.checks = tg_checks_builtin(),
		.updater = updater,
		.updater_version = TG_VERSION,
		.notify = tg_notify_ops(),
	};

	return tg_engine_open(&opts, error);
}
