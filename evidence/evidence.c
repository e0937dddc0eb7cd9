/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The evidence export: declarations, one pass over each device's logs,
 * then every file of the pack, the manifest and its signature. */
#include "evidence-private.h"

#include <errno.h>
#include <string.h>
#include <glib/gstdio.h>

#include "tg-path.h"

#include "policy-private.h"

/* ------------------------------------------------------------------ */
/* Log directories */

static gboolean has_audit_files(const char *dir)
{
	g_auto(GStrv) files = tg_audit_list_files(dir, NULL);

	return files && files[0];
}

/* Subdirectories of @dir in byte order of their names. Returns: (transfer full). */
static GPtrArray *subdirectories(const char *dir, GError **error)
{
	g_autoptr(GPtrArray) subs = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GError) local = NULL;
	g_autoptr(GDir) d = g_dir_open(dir, 0, &local);
	const char *name;

	if (!d) {
		g_set_error(error, TG_EVIDENCE_ERROR, TG_EVIDENCE_ERROR_INPUT,
			    "cannot list the log directory %s: %s", dir, local->message);
		return NULL;
	}
	while ((name = g_dir_read_name(d))) {
		g_autofree gchar *path = g_build_filename(dir, name, NULL);

		if (name[0] != '.' && g_file_test(path, G_FILE_TEST_IS_DIR))
			g_ptr_array_add(subs, g_steal_pointer(&path));
	}
	return g_steal_pointer(&subs);
}

static gint compare_paths(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

gchar **tg_evidence_expand_log_dirs(const char *const *paths, GError **error)
{
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func(g_free);

	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	for (const char *const *p = paths; p && *p; p++) {
		g_autoptr(GPtrArray) subs = NULL;

		if (!g_file_test(*p, G_FILE_TEST_IS_DIR)) {
			g_set_error(error, TG_EVIDENCE_ERROR, TG_EVIDENCE_ERROR_INPUT,
				    "the log directory %s does not exist or is not a directory; "
				    "give --logs a device's audit directory or a directory of "
				    "them", *p);
			return NULL;
		}
		if (has_audit_files(*p)) {
			g_ptr_array_add(out, g_strdup(*p));
			continue;
		}
		subs = subdirectories(*p, error);
		if (!subs)
			return NULL;
		g_ptr_array_sort(subs, compare_paths);
		if (subs->len == 0)
			g_ptr_array_add(out, g_strdup(*p));
		for (guint i = 0; i < subs->len; i++)
			g_ptr_array_add(out, g_strdup(g_ptr_array_index(subs, i)));
	}
	g_ptr_array_add(out, NULL);
	return (gchar **)g_ptr_array_free(g_steal_pointer(&out), FALSE);
}

/* ------------------------------------------------------------------ */
/* The pack */

static void pack_clear(TgEvPack *pack)
{
	g_clear_pointer(&pack->ixit, tg_ev_ixit_free);
	g_clear_pointer(&pack->ics, tg_ev_ics_free);
	g_clear_pointer(&pack->gaps, g_ptr_array_unref);
	g_clear_pointer(&pack->fleet, tg_ev_fleet_free);
	g_clear_pointer(&pack->logs, tg_ev_logs_free);
	g_clear_pointer(&pack->now, g_date_time_unref);
	g_free(pack->generated);
	g_free(pack->since);
	g_free(pack->until);
	g_free(pack->release);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(TgEvPack, pack_clear)

static gboolean check_options(const TgEvidenceOptions *opts, GError **error)
{
	g_autoptr(GError) local = NULL;

	if (!opts->out_dir || !*opts->out_dir) {
		g_set_error(error, TG_EVIDENCE_ERROR, TG_EVIDENCE_ERROR_INPUT,
			    "no output directory; give --out DIR");
		return FALSE;
	}
	if (opts->since && opts->until && g_date_time_compare(opts->since, opts->until) > 0) {
		g_set_error(error, TG_EVIDENCE_ERROR, TG_EVIDENCE_ERROR_INPUT,
			    "--since is after --until: the window is empty; swap them");
		return FALSE;
	}
	if (g_mkdir_with_parents(opts->out_dir, 0755) != 0) {
		g_set_error(error, TG_EVIDENCE_ERROR, TG_EVIDENCE_ERROR_IO,
			    "cannot create the output directory %s: %s", opts->out_dir,
			    g_strerror(errno));
		return FALSE;
	}
	/* Someone else who can write there could swap the pack's files. */
	if (!tg_path_check_owner(opts->out_dir, "the output directory", &local)) {
		g_set_error_literal(error, TG_EVIDENCE_ERROR, TG_EVIDENCE_ERROR_IO, local->message);
		return FALSE;
	}
	return TRUE;
}

/* The release under assessment: declared, else the installed version of
 * the default component on a single device. */
static void pick_release(TgEvPack *pack)
{
	const char *v = NULL;

	if (pack->decl->release) {
		pack->release = g_strdup(pack->decl->release);
		return;
	}
	if (pack->logs->devices->len == 1)
		v = tg_ev_device_version(g_ptr_array_index(pack->logs->devices, 0), pack->policy);
	pack->release_derived = v != NULL;
	pack->release = v ? g_strdup_printf("%s (derived: installed %s)", v,
					    pack->policy->default_component)
			  : g_strdup("not declared");
}

static gboolean scan(TgEvPack *pack, const char *const *dirs, GError **error)
{
	guint n = g_strv_length((gchar **)dirs);
	guint limit = pack->decl->index_limit ? pack->decl->index_limit
		      : n > 1 ? TG_EV_FLEET_LIMIT : TG_EV_DEFAULT_LIMIT;

	pack->logs = tg_ev_logs_new(limit);
	pack->logs->since = g_strdup(pack->since);
	pack->logs->until = g_strdup(pack->until);
	if (!tg_ev_logs_open_spool(pack->logs, pack->opts->out_dir, error))
		return FALSE;
	for (guint i = 0; i < n; i++)
		if (!tg_ev_scan_device(pack->logs, pack->policy, pack->decl, dirs[i], n == 1, error))
			return FALSE;
	return TRUE;
}

static void analyse(TgEvPack *pack)
{
	GDateTime *at = pack->opts->until ? pack->opts->until : pack->now;

	pick_release(pack);
	tg_ev_findings_collect(pack, pack->logs->findings);
	pack->ixit = tg_ev_ixit_build(pack->policy, pack->decl, pack->logs, pack->opts->updaters);
	pack->ics = tg_ev_ics_build(pack->policy, pack->decl, pack->logs, pack->ixit);
	tg_ev_findings_collect_ics(pack, pack->logs->findings);
	pack->ics->self_assessment = pack->opts->self_assessment;
	pack->fleet = tg_ev_fleet_compute(pack->logs, pack->policy, at);
	pack->gaps = tg_ev_gaps_new();
	tg_ev_gaps_collect(pack, pack->gaps);
}

static gboolean write_text(const char *dir, const char *name, gchar *text, GError **error)
{
	g_autofree gchar *owned = text;

	return tg_ev_write(dir, name, owned, strlen(owned), error);
}

static gboolean write_node(const char *dir, const char *name, JsonNode *node, GError **error)
{
	g_autoptr(JsonNode) owned = node;

	return tg_ev_write_json(dir, name, owned, error);
}

static gboolean write_pack(const TgEvPack *pack, GError **error)
{
	const char *dir = pack->opts->out_dir;

	return write_node(dir, "ics.json", tg_ev_ics_to_json(pack->ics, pack->policy, pack->decl),
			  error) &&
	       write_text(dir, "ics.md", tg_ev_ics_to_md(pack->ics, pack->policy, pack->decl),
			  error) &&
	       write_node(dir, "ixit.json", tg_ev_ixit_to_json(pack->ixit), error) &&
	       write_text(dir, "ixit.md", tg_ev_ixit_to_md(pack->ixit, pack->policy), error) &&
	       tg_ev_index_write(pack, error) &&
	       write_text(dir, "gaps.md", tg_ev_gaps_to_md(pack), error) &&
	       write_node(dir, "findings.json", tg_ev_findings_to_json(pack->logs->findings), error) &&
	       write_text(dir, "findings.md", tg_ev_findings_to_md(pack->logs->findings), error) &&
	       write_text(dir, "crosswalk.md", tg_ev_crosswalk_to_md(pack), error) &&
	       write_node(dir, "oscal-assessment-results.json", tg_ev_oscal_build(pack), error) &&
	       write_text(dir, "report.html", tg_ev_html_build(pack), error);
}

static void fill_summary(const TgEvPack *pack, TgEvidenceSummary *ret)
{
	TgEvidenceSummary s = { 0 };

	s.devices = pack->logs->devices->len;
	for (guint i = 0; i < s.devices; i++)
		s.records += ((const TgEvDevice *)g_ptr_array_index(pack->logs->devices, i))->in_window;
	s.gaps = pack->gaps->len;
	s.broken_chains = tg_ev_logs_broken_chains(pack->logs);
	s.findings = pack->logs->findings->len;
	s.contradictions = tg_ev_findings_contradictions(pack->logs->findings);
	*ret = s;
}

gboolean tg_evidence_export(const TgPolicy *policy, const TgEvidenceOptions *opts,
			    TgEvidenceSummary *ret_summary, GError **error)
{
	g_auto(TgEvPack) pack = { .policy = policy, .opts = opts };
	g_autoptr(TgEvDecl) decl = NULL;
	const char *const own[] = { policy->audit_dir, NULL };
	TgEvidenceSummary summary;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	g_return_val_if_fail(policy != NULL && opts != NULL, FALSE);
	decl = tg_ev_decl_parse(policy, error);
	if (!decl || !check_options(opts, error))
		return FALSE;
	pack.decl = decl;
	pack.now = opts->now ? g_date_time_to_utc(opts->now) : g_date_time_new_now_utc();
	pack.generated = tg_ev_time_text(pack.now);
	pack.since = opts->since ? tg_ev_time_text(opts->since) : NULL;
	pack.until = opts->until ? tg_ev_time_text(opts->until) : NULL;
	if (!scan(&pack, opts->log_dirs ? opts->log_dirs : own, error))
		return FALSE;
	analyse(&pack);
	if (!write_pack(&pack, error))
		return FALSE;
	fill_summary(&pack, &summary);
	g_clear_pointer(&pack.logs, tg_ev_logs_free);	/* removes the spool */
	if (!tg_ev_write_manifest(opts->out_dir, opts->sign_key, error))
		return FALSE;
	if (ret_summary)
		*ret_summary = summary;
	return TRUE;
}
