/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* evidence: writes the assessment pack. Reads the policy and the logs
 * only: no state lock, no audit record. */
#include "cli.h"

#include <stdio.h>

#include "tollgate/evidence.h"

#include "../rauc/rauc-evidence.h"
#include "../swupdate/swu-evidence.h"

/* The updaters whose configuration the IXIT reads. */
static const TgEvidenceUpdater *const updaters[] = {
	&tg_rauc_evidence_updater,
	&tg_swu_evidence_updater,
	NULL,
};

typedef struct {
	gchar *out;
	gchar **logs;
	gchar *since;
	gchar *until;
	gboolean self;
	gchar *sign;
} EvidenceArgs;

static void evidence_args_clear(EvidenceArgs *a)
{
	g_free(a->out);
	g_strfreev(a->logs);
	g_free(a->since);
	g_free(a->until);
	g_free(a->sign);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(EvidenceArgs, evidence_args_clear)

/* --logs D1 D2 ...: directories after the options count as more --logs.
 * Returns: (transfer full). */
static gchar **log_dirs(const TgCliGlobal *g, EvidenceArgs *a, int argc, char **argv)
{
	g_autoptr(GStrvBuilder) b = g_strv_builder_new();

	if (a->logs)
		g_strv_builder_addv(b, (const char **)a->logs);
	for (int i = 1; i < argc; i++)
		g_strv_builder_add(b, argv[i]);
	if (!a->logs && argc < 2 && g->state_dir) {
		g_autofree gchar *dir = g_build_filename(g->state_dir, "log", NULL);

		g_strv_builder_add(b, dir);
	}
	return g_strv_builder_end(b);
}

static gboolean parse_window(const EvidenceArgs *a, GDateTime **ret_since, GDateTime **ret_until)
{
	g_autoptr(GDateTime) since = NULL;
	g_autoptr(GDateTime) until = NULL;

	if (a->since && !(since = tg_cli_parse_time(a->since))) {
		tg_cli_errorf("--since '%s' is not an RFC 3339 time; use e.g. 2026-01-01T00:00:00Z",
			      a->since);
		return FALSE;
	}
	if (a->until && !(until = tg_cli_parse_time(a->until))) {
		tg_cli_errorf("--until '%s' is not an RFC 3339 time; use e.g. 2026-12-31T23:59:59Z",
			      a->until);
		return FALSE;
	}
	*ret_since = g_steal_pointer(&since);
	*ret_until = g_steal_pointer(&until);
	return TRUE;
}

static void print_summary(const char *out, const TgEvidenceSummary *s, gboolean self,
			  gboolean signed_pack)
{
	printf("evidence written to %s: %u device%s, %" G_GUINT64_FORMAT " records, %u gap%s",
	       out, s->devices, s->devices == 1 ? "" : "s", s->records, s->gaps,
	       s->gaps == 1 ? "" : "s");
	if (s->broken_chains)
		printf(", %u hash chain%s NOT verified", s->broken_chains,
		       s->broken_chains == 1 ? "" : "s");
	printf("%s%s\n", self ? ", self-assessment included" : "",
	       signed_pack ? ", manifest signed" : "");
}

static int run_export(const TgCliGlobal *g, EvidenceArgs *a, gchar **dirs)
{
	g_autoptr(TgPolicy) policy = NULL;
	g_autoptr(GDateTime) since = NULL;
	g_autoptr(GDateTime) until = NULL;
	g_autoptr(GError) err = NULL;
	g_auto(GStrv) expanded = NULL;
	TgEvidenceSummary summary = { 0 };
	TgEvidenceOptions opts = { 0 };

	if (!parse_window(a, &since, &until))
		return TG_EXIT_USAGE;
	policy = tg_policy_load(tg_policy_path(g->config), &err);
	if (policy && dirs[0])
		expanded = tg_evidence_expand_log_dirs((const char *const *)dirs, &err);
	if (!policy || (dirs[0] && !expanded)) {
		tg_cli_error(err);
		return TG_EXIT_ERROR;
	}
	opts = (TgEvidenceOptions){ .out_dir = a->out, .since = since, .until = until,
				    .now = g->now, .self_assessment = a->self,
				    .sign_key = a->sign, .updaters = updaters,
				    .log_dirs = (const char *const *)expanded };
	if (!tg_evidence_export(policy, &opts, &summary, &err)) {
		tg_cli_error(err);
		return TG_EXIT_ERROR;
	}
	print_summary(a->out, &summary, a->self, a->sign != NULL);
	return TG_EXIT_OK;
}

int tg_cmd_evidence(const TgCliGlobal *g, int argc, char **argv)
{
	g_auto(EvidenceArgs) a = { 0 };
	GOptionEntry entries[] = {
		{ "out", 0, 0, G_OPTION_ARG_FILENAME, &a.out, "directory for the pack", "DIR" },
		{ "logs", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &a.logs,
		  "a device's audit directory, or a directory of them (repeatable; more "
		  "directories may follow the options)", "PATH" },
		{ "since", 0, 0, G_OPTION_ARG_STRING, &a.since, "leave out earlier records", "TIME" },
		{ "until", 0, 0, G_OPTION_ARG_STRING, &a.until, "leave out later records", "TIME" },
		{ "self-assessment", 0, 0, G_OPTION_ARG_NONE, &a.self,
		  "add the supplier's own findings, labelled as self-assessment", NULL },
		{ "sign", 0, 0, G_OPTION_ARG_FILENAME, &a.sign,
		  "Ed25519 private key (PEM, mode 0600) to sign MANIFEST.sha256", "KEY" },
		G_OPTION_ENTRY_NULL,
	};
	g_auto(GStrv) dirs = NULL;

	if (!tg_cli_parse(&argc, &argv, "evidence", "[LOG-DIR...]",
			  "Writes the EN 303 645 clause 5.3 / TS 103 701 assessment pack (ICS, "
			  "IXIT, evidence index, gaps, OSCAL, crosswalk, report.html, "
			  "MANIFEST.sha256) from the policy and the audit logs. Without --logs "
			  "the policy's audit directory is read. Takes no lock and writes no "
			  "audit record.", entries))
		return TG_EXIT_USAGE;
	if (!a.out) {
		tg_cli_errorf("evidence needs --out DIR");
		return TG_EXIT_USAGE;
	}
	dirs = log_dirs(g, &a, argc, argv);
	return run_export(g, &a, dirs);
}
