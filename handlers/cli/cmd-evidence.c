/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* evidence: writes the assessment pack. Reads the policy and the logs
 * only: no state lock, no audit record. */
#include "cli.h"

#include <stdio.h>
#include <glib/gstdio.h>

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
	gboolean strict;
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
	printf("evidence written to %s: %u device%s in %u variant%s, %" G_GUINT64_FORMAT
	       " records, %u gap%s", out, s->devices, s->devices == 1 ? "" : "s", s->variants,
	       s->variants == 1 ? "" : "s", s->records, s->gaps, s->gaps == 1 ? "" : "s");
	if (s->broken_chains)
		printf(", %u hash chain%s NOT verified", s->broken_chains,
		       s->broken_chains == 1 ? "" : "s");
	printf("%s%s\n", self ? ", self-assessment included" : "",
	       signed_pack ? ", manifest signed" : "");
}

/* With --strict: a contradiction or a log that does not verify fails. */
static int strict_status(const TgEvidenceSummary *s, const char *findings)
{
	if (!s->contradictions && !s->broken_chains)
		return TG_EXIT_OK;
	tg_cli_errorf("--strict: %u contradiction%s and %u audit log%s that do not verify; "
		      "resolve them (%s)", s->contradictions, s->contradictions == 1 ? "" : "s",
		      s->broken_chains, s->broken_chains == 1 ? "" : "s", findings);
	return TG_EXIT_ERROR;
}

/* Writes the pack of @a into @out; FALSE after printing the error. */
static gboolean export_to(const TgCliGlobal *g, EvidenceArgs *a, gchar **dirs, const char *out,
			  TgEvidenceSummary *ret_summary)
{
	g_autoptr(TgPolicy) policy = NULL;
	g_autoptr(GDateTime) since = NULL;
	g_autoptr(GDateTime) until = NULL;
	g_autoptr(GError) err = NULL;
	g_auto(GStrv) expanded = NULL;
	TgEvidenceOptions opts = { 0 };

	if (!parse_window(a, &since, &until))
		return FALSE;
	policy = tg_policy_load(tg_policy_path(g->config), &err);
	if (policy && dirs[0])
		expanded = tg_evidence_expand_log_dirs((const char *const *)dirs, &err);
	if (!policy || (dirs[0] && !expanded)) {
		tg_cli_error(err);
		return FALSE;
	}
	opts = (TgEvidenceOptions){ .out_dir = out, .since = since, .until = until,
				    .now = g->now, .self_assessment = a->self,
				    .sign_key = a->sign, .updaters = updaters,
				    .log_dirs = (const char *const *)expanded };
	if (!tg_evidence_export(policy, &opts, ret_summary, &err)) {
		tg_cli_error(err);
		return FALSE;
	}
	return TRUE;
}

static int run_export(const TgCliGlobal *g, EvidenceArgs *a, gchar **dirs)
{
	TgEvidenceSummary summary = { 0 };
	g_autofree gchar *findings = g_build_filename(a->out, "findings.md", NULL);

	if (!export_to(g, a, dirs, a->out, &summary))
		return TG_EXIT_ERROR;
	print_summary(a->out, &summary, a->self, a->sign != NULL);
	return a->strict ? strict_status(&summary, findings) : TG_EXIT_OK;
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
		{ "strict", 0, 0, G_OPTION_ARG_NONE, &a.strict,
		  "exit 1 when findings.md lists a contradiction or a log does not verify", NULL },
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

/* Removes the flat directory @dir and its files. */
static void remove_pack(const char *dir)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *name;

	while (d && (name = g_dir_read_name(d))) {
		g_autofree gchar *path = g_build_filename(dir, name, NULL);

		(void)g_unlink(path);
	}
	(void)g_rmdir(dir);
}

int tg_cmd_evidence_check(const TgCliGlobal *g, int argc, char **argv)
{
	g_auto(EvidenceArgs) a = { 0 };
	GOptionEntry entries[] = {
		{ "logs", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &a.logs,
		  "a device's audit directory, or a directory of them (repeatable)", "PATH" },
		{ "since", 0, 0, G_OPTION_ARG_STRING, &a.since, "leave out earlier records", "TIME" },
		{ "until", 0, 0, G_OPTION_ARG_STRING, &a.until, "leave out later records", "TIME" },
		{ "strict", 0, 0, G_OPTION_ARG_NONE, &a.strict,
		  "exit 1 on a contradiction or a log that does not verify", NULL },
		G_OPTION_ENTRY_NULL,
	};
	g_autoptr(GError) err = NULL;
	g_autofree gchar *tmp = NULL, *md = NULL, *path = NULL;
	g_auto(GStrv) dirs = NULL;
	TgEvidenceSummary summary = { 0 };
	gboolean ok;

	if (!tg_cli_parse(&argc, &argv, "evidence check", "[LOG-DIR...]",
			  "Lists what an assessor would send back: records that contradict the "
			  "policy or the declarations, claims on declarations alone, logs that "
			  "do not verify or hold nothing, records of other policies. The same "
			  "list is findings.md of every pack.", entries))
		return TG_EXIT_USAGE;
	tmp = g_dir_make_tmp("tollgate-check-XXXXXX", &err);
	if (!tmp) {
		tg_cli_error(err);
		return TG_EXIT_ERROR;
	}
	dirs = log_dirs(g, &a, argc, argv);
	ok = export_to(g, &a, dirs, tmp, &summary);
	path = g_build_filename(tmp, "findings.md", NULL);
	if (ok && g_file_get_contents(path, &md, NULL, NULL))
		fputs(md, stdout);
	remove_pack(tmp);
	if (!ok)
		return TG_EXIT_ERROR;
	return a.strict ? strict_status(&summary, "see the list above") : TG_EXIT_OK;
}
