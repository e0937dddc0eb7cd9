/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* evidence: writes the assessment pack. Reads the policy and the logs
 * only: no state lock, no audit record. */
#include "cli.h"

#include <ftw.h>
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
	gchar *include_logs;
} EvidenceArgs;

static void evidence_args_clear(EvidenceArgs *a)
{
	g_free(a->out);
	g_strfreev(a->logs);
	g_free(a->since);
	g_free(a->until);
	g_free(a->sign);
	g_free(a->include_logs);
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

/* --include-logs all | N: devices per variant whose logs go whole into the
 * pack. */
static gboolean parse_include_logs(const EvidenceArgs *a, guint *ret)
{
	guint64 n = 0;

	*ret = 0;
	if (!a->include_logs)
		return TRUE;
	if (g_str_equal(a->include_logs, "all")) {
		*ret = G_MAXUINT;
		return TRUE;
	}
	if (!g_ascii_string_to_unsigned(a->include_logs, 10, 1, 100000, &n, NULL)) {
		tg_cli_errorf("--include-logs '%s' is neither 'all' nor a number of devices from "
			      "1 to 100000", a->include_logs);
		return FALSE;
	}
	*ret = (guint)n;
	return TRUE;
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

	guint include = 0;

	if (!parse_window(a, &since, &until) || !parse_include_logs(a, &include))
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
				    .sign_key = a->sign, .updaters = updaters, .include_logs = include,
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
		{ "include-logs", 0, 0, G_OPTION_ARG_STRING, &a.include_logs,
		  "devices per variant whose whole logs go into the pack, or 'all' (default "
		  "[evidence] include-logs, else 100; the others bring the cited records)", "N" },
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

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path) == 0 ? 0 : 0;	/* go on: remove what can be removed */
}

/* Removes the temporary pack @dir and everything in it (links not followed). */
static void remove_pack(const char *dir)
{
	(void)nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
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

int tg_cmd_evidence_verify(const TgCliGlobal *g, int argc, char **argv)
{
	g_autofree gchar *key = NULL;
	GOptionEntry entries[] = {
		{ "key", 0, 0, G_OPTION_ARG_FILENAME, &key,
		  "the signer's Ed25519 public key (PEM); without it the key the pack carries "
		  "is used", "PUB" },
		G_OPTION_ENTRY_NULL,
	};
	g_auto(TgEvidenceVerifySummary) sum = { 0 };
	g_autoptr(GError) err = NULL;

	(void)g;
	if (!tg_cli_parse(&argc, &argv, "evidence verify", "PACK",
			  "Checks an evidence pack on its own: every file against "
			  "MANIFEST.sha256, the signature, the hash chain of every included "
			  "audit log, and every record the evidence index and the findings cite "
			  "against those logs. Exit 1 at the first mismatch, naming the file and "
			  "the record.", entries))
		return TG_EXIT_USAGE;
	if (argc != 2) {
		tg_cli_errorf("evidence verify needs the pack's folder: tollgate evidence verify PACK");
		return TG_EXIT_USAGE;
	}
	if (!tg_evidence_verify(argv[1], key, &sum, &err)) {
		tg_cli_error(err);
		return TG_EXIT_ERROR;
	}
	printf("%s verifies: %u files match the manifest; %s; %u audit log%s verified; "
	       "%" G_GUINT64_FORMAT " cited records found with their hash\n", argv[1], sum.files,
	       !sum.signed_pack ? "not signed"
	       : sum.key_given ? "signature verified with the given key"
			       : "signature verified with the key the pack carries (give --key "
				 "to check who signed)",
	       sum.logs, sum.logs == 1 ? "" : "s", sum.cited);
	return TG_EXIT_OK;
}
