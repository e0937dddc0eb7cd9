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
/* One variant's part of the pack */

static void pack_free(TgEvPack *pack)
{
	if (!pack)
		return;
	g_clear_pointer(&pack->ixit, tg_ev_ixit_free);
	g_clear_pointer(&pack->ics, tg_ev_ics_free);
	g_clear_pointer(&pack->gaps, g_ptr_array_unref);
	g_clear_pointer(&pack->fleet, tg_ev_fleet_free);
	g_clear_pointer(&pack->logs, tg_ev_logs_free);
	g_clear_pointer(&pack->own_decl, tg_ev_decl_free);
	g_clear_pointer(&pack->now, g_date_time_unref);
	g_free(pack->generated);
	g_free(pack->since);
	g_free(pack->until);
	g_free(pack->release);
	g_free(pack->dir);
	g_free(pack->rel);
	g_free(pack->anchor);
	g_free(pack->html);
	g_free(pack);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgEvPack, pack_free)

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

static gint compare_versions(gconstpointer a, gconstpointer b, gpointer scheme)
{
	gint cmp = 0;

	if (!tg_version_compare_strings(GPOINTER_TO_INT(scheme), *(const char *const *)a,
					*(const char *const *)b, &cmp, NULL))
		return strcmp(*(const char *const *)a, *(const char *const *)b);
	return cmp;
}

/* The release of a variant: the versions of the default component its
 * devices ran, as their records say. A declared release none of them ran
 * is a finding. */
static void pick_release(TgEvPack *pack)
{
	g_autoptr(GPtrArray) seen = g_ptr_array_new();
	const char *declared = pack->decl->release;
	gboolean declared_seen = FALSE;
	GString *text = g_string_new(NULL);

	for (guint i = 0; i < pack->logs->devices->len; i++) {
		const char *v = tg_ev_device_version(g_ptr_array_index(pack->logs->devices, i),
						     pack->policy);

		if (v && !g_ptr_array_find_with_equal_func(seen, v, g_str_equal, NULL))
			g_ptr_array_add(seen, (gpointer)v);
		declared_seen |= v && declared && g_str_equal(v, declared);
	}
	g_ptr_array_sort_with_data(seen, compare_versions, GINT_TO_POINTER(pack->policy->scheme));
	for (guint i = 0; i < seen->len; i++)
		g_string_append_printf(text, "%s%s", i ? ", " : "", (const char *)seen->pdata[i]);
	if (!seen->len)
		g_string_append(text, "unknown (no record names the installed version)");
	pack->release = g_string_free(text, FALSE);
	pack->release_derived = TRUE;
	if (declared && !declared_seen)
		tg_ev_finding_add(pack->logs->findings, "release-not-run", NULL, NULL,
				  "[evidence] release declares %s, but no device of this variant "
				  "records running it (they ran: %s); declare the release the "
				  "devices ran, or export the logs of devices that run %s",
				  declared, pack->release, declared);
}

static gboolean scan(TgEvPack *pack, const TgEvVariant *v, GError **error)
{
	guint n = v->dirs->len;
	guint limit = pack->decl->index_limit ? pack->decl->index_limit
		      : n > 1 ? TG_EV_FLEET_LIMIT : TG_EV_DEFAULT_LIMIT;

	pack->logs = tg_ev_logs_new(limit);
	pack->logs->since = g_strdup(pack->since);
	pack->logs->until = g_strdup(pack->until);
	pack->logs->variant = v;
	pack->logs->labels = pack->labels;
	if (!tg_ev_logs_open_spool(pack->logs, pack->dir, error))
		return FALSE;
	for (guint i = 0; i < n; i++)
		if (!tg_ev_scan_device(pack->logs, pack->policy, pack->decl, v->dirs->pdata[i],
				       n == 1, error))
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
	for (guint i = 0; i < pack->logs->findings->len; i++)
		((TgEvFinding *)g_ptr_array_index(pack->logs->findings, i))->variant =
			pack->variant->id;
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

/* variants/<id>/policy/<n>-<base name>: the files of the policy the
 * variant ran, byte for byte, when the devices recorded them (or the
 * exported policy has their hash). */
static gboolean write_policy_files(const TgEvPack *pack, GError **error)
{
	const TgPolicy *p = pack->policy;
	g_autofree gchar *dir = g_build_filename(pack->dir, "policy", NULL);

	if (pack->variant->policy_problem)
		return TRUE;
	if (g_mkdir_with_parents(dir, 0755) != 0) {
		g_set_error(error, TG_EVIDENCE_ERROR, TG_EVIDENCE_ERROR_IO,
			    "cannot create %s: %s", dir, g_strerror(errno));
		return FALSE;
	}
	for (guint i = 0; i < p->files->len; i++) {
		g_autofree gchar *base = g_path_get_basename(p->files->pdata[i]);
		g_autofree gchar *name = g_strdup_printf("%u-%s", i + 1, base);
		gsize len = 0;
		const char *data = g_bytes_get_data(p->contents->pdata[i], &len);

		if (!tg_ev_write(dir, name, data, len, error))
			return FALSE;
	}
	return TRUE;
}

/* variants/<id>/updater-config/<mechanism>.txt (the configuration lines the
 * IXIT's cryptographic details and signing certificates were read from) and
 * <mechanism>.pem (those certificates), for each declared mechanism whose
 * updater configuration the exporter could read. */
static gboolean write_one_updater(const char *dir, const TgEvMechanism *m,
				  const TgEvidenceUpdater *const *updaters, GError **error)
{
	g_autofree gchar *excerpt = tg_ev_updater_excerpt(m, updaters);
	g_autofree gchar *certs = tg_ev_updater_certificates(m, updaters);
	g_autofree gchar *pem = NULL;
	g_autofree gchar *text = NULL;
	g_autofree gchar *name = NULL;
	gsize len = 0;

	if (!excerpt)
		return TRUE;
	if (g_mkdir_with_parents(dir, 0755) != 0) {
		g_set_error(error, TG_EVIDENCE_ERROR, TG_EVIDENCE_ERROR_IO,
			    "cannot create %s: %s", dir, g_strerror(errno));
		return FALSE;
	}
	text = g_strdup_printf("# %s (mechanism %s): the lines its IXIT fields were read from\n%s",
			       m->updater_config, m->id, excerpt);
	name = g_strdup_printf("%s.txt", m->id);
	if (!tg_ev_write(dir, name, text, strlen(text), error))
		return FALSE;
	if (!certs || !g_file_get_contents(certs, &pem, &len, NULL))
		return TRUE;
	g_free(name);
	name = g_strdup_printf("%s.pem", m->id);
	return tg_ev_write(dir, name, pem, len, error);
}

static gboolean write_updater_files(const TgEvPack *pack, GError **error)
{
	g_autofree gchar *dir = g_build_filename(pack->dir, "updater-config", NULL);

	for (guint i = 0; i < pack->decl->mechanisms->len; i++)
		if (!write_one_updater(dir, pack->decl->mechanisms->pdata[i], pack->opts->updaters,
				       error))
			return FALSE;
	return TRUE;
}

static gboolean write_variant(const TgEvPack *pack, GError **error)
{
	const char *dir = pack->dir;

	return write_node(dir, "ics.json", tg_ev_ics_to_json(pack->ics, pack->policy, pack->decl),
			  error) &&
	       write_text(dir, "ics.md", tg_ev_ics_to_md(pack->ics, pack->policy, pack->decl),
			  error) &&
	       write_node(dir, "ixit.json", tg_ev_ixit_to_json(pack->ixit, pack->policy), error) &&
	       write_text(dir, "ixit.md", tg_ev_ixit_to_md(pack->ixit, pack->policy), error) &&
	       tg_ev_index_write(pack, error) &&
	       write_text(dir, "gaps.md", tg_ev_gaps_to_md(pack), error) &&
	       write_node(dir, "findings.json", tg_ev_findings_to_json(pack->logs->findings), error) &&
	       write_text(dir, "findings.md", tg_ev_findings_to_md(pack->logs->findings), error) &&
	       write_text(dir, "crosswalk.md", tg_ev_crosswalk_to_md(pack), error) &&
	       write_policy_files(pack, error) && write_updater_files(pack, error);
}

/* The declarations of @v's policy: the exported one's, else parsed from
 * its own policy (tg_ev_variants_resolve() checked that they parse). */
static gboolean variant_decl(TgEvPack *pack, const TgEvDecl *given, GError **error)
{
	if (pack->policy == pack->variant->policy && pack->variant->own_policy == NULL) {
		pack->decl = given;
		return TRUE;
	}
	pack->own_decl = tg_ev_decl_parse(pack->policy, error);
	pack->decl = pack->own_decl;
	return pack->decl != NULL;
}

static TgEvPack *export_variant(const TgEvPack *top, const TgEvVariant *v, GError **error)
{
	g_autoptr(TgEvPack) pack = g_new0(TgEvPack, 1);

	pack->variant = v;
	pack->policy = v->policy;
	pack->opts = top->opts;
	pack->now = g_date_time_ref(top->now);
	pack->generated = g_strdup(top->generated);
	pack->since = g_strdup(top->since);
	pack->until = g_strdup(top->until);
	pack->rel = g_strdup_printf("variants/%s/", v->id);
	pack->anchor = g_strdup_printf("v%s-", v->id);
	pack->labels = top->labels;
	pack->dir = g_build_filename(top->opts->out_dir, "variants", v->id, NULL);
	if (g_mkdir_with_parents(pack->dir, 0755) != 0) {
		g_set_error(error, TG_EVIDENCE_ERROR, TG_EVIDENCE_ERROR_IO,
			    "cannot create %s: %s", pack->dir, g_strerror(errno));
		return NULL;
	}
	if (!variant_decl(pack, top->decl, error) || !scan(pack, v, error))
		return NULL;
	analyse(pack);
	if (!write_variant(pack, error))
		return NULL;
	pack->html = tg_ev_html_variant(pack);
	tg_ev_logs_close_spool(pack->logs);
	return g_steal_pointer(&pack);
}

/* ------------------------------------------------------------------ */
/* The whole pack */

static void fill_summary(const TgEvExport *x, TgEvidenceSummary *ret)
{
	TgEvidenceSummary s = { 0 };
	g_autoptr(GHashTable) devices = g_hash_table_new(g_str_hash, g_str_equal);
	g_autoptr(GHashTable) broken = g_hash_table_new(g_str_hash, g_str_equal);

	for (guint p = 0; p < x->packs->len; p++) {
		const TgEvPack *pack = g_ptr_array_index(x->packs, p);

		for (guint i = 0; i < pack->logs->devices->len; i++) {
			const TgEvDevice *dev = g_ptr_array_index(pack->logs->devices, i);

			g_hash_table_add(devices, dev->dir);
			if (dev->chain_checked && !dev->chain.ok)
				g_hash_table_add(broken, dev->dir);
			s.records += dev->in_window;
		}
		s.gaps += pack->gaps->len;
		s.findings += pack->logs->findings->len;
		s.contradictions += tg_ev_findings_contradictions(pack->logs->findings);
	}
	s.devices = g_hash_table_size(devices);
	s.broken_chains = g_hash_table_size(broken);
	s.variants = x->packs->len;
	*ret = s;
}

/* What the pack's UUIDs derive from: its time, policies and, per device,
 * what was read. Returns: (transfer full). */
static gchar *uuid_seed(const TgEvExport *x)
{
	GString *s = g_string_new(NULL);

	g_string_append_printf(s, "tollgate-pack 1\n%s\n%s\n%s\n%s\n", x->top.generated,
			       x->top.policy->hash, tg_ev_or_dash(x->top.since),
			       tg_ev_or_dash(x->top.until));
	for (guint p = 0; p < x->packs->len; p++) {
		const TgEvPack *pack = g_ptr_array_index(x->packs, p);

		g_string_append_printf(s, "variant %s %s\n", pack->variant->id,
				       tg_ev_or_dash(pack->variant->policy_hash));
		for (guint i = 0; i < pack->logs->devices->len; i++) {
			const TgEvDevice *d = g_ptr_array_index(pack->logs->devices, i);

			g_string_append_printf(s, "device %s %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT
					       " %s %s\n", d->label, d->records, d->in_window,
					       tg_ev_or_dash(d->first_time), tg_ev_or_dash(d->last_time));
		}
	}
	return g_string_free(s, FALSE);
}

static gboolean write_top(const TgEvExport *x, GError **error)
{
	const char *dir = x->top.opts->out_dir;

	return write_text(dir, "README.md", tg_ev_pack_readme(x), error) &&
	       write_node(dir, "variants.json", tg_ev_variants_to_json(x), error) &&
	       write_text(dir, "variants.md", tg_ev_variants_to_md(x), error) &&
	       write_node(dir, "findings.json", tg_ev_export_findings_json(x), error) &&
	       write_text(dir, "findings.md", tg_ev_export_findings_md(x), error) &&
	       write_text(dir, "gaps.md", tg_ev_export_gaps_md(x), error) &&
	       write_node(dir, TG_EV_PLAN_FILE, tg_ev_oscal_plan_build(x), error) &&
	       write_node(dir, TG_EV_CATALOG_FILE, tg_ev_catalog_oscal(), error) &&
	       write_node(dir, "oscal-assessment-results.json", tg_ev_oscal_build(x), error) &&
	       write_text(dir, "report.html", tg_ev_html_build(x), error);
}

static void export_clear(TgEvExport *x)
{
	g_clear_pointer(&x->packs, g_ptr_array_unref);
	g_clear_pointer(&x->variants, tg_ev_variants_free);
	g_free(x->uuid_seed);
	g_clear_pointer(&x->labels, g_hash_table_unref);
	g_clear_pointer(&x->top.now, g_date_time_unref);
	g_free(x->top.generated);
	g_free(x->top.since);
	g_free(x->top.until);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(TgEvExport, export_clear)

static gboolean export_variants(TgEvExport *x, const char *const *dirs, GError **error)
{
	x->variants = tg_ev_variants_discover(dirs, x->top.policy, x->top.since, x->top.until);
	tg_ev_variants_resolve(x->variants, x->top.policy);
	x->packs = g_ptr_array_new_with_free_func((GDestroyNotify)pack_free);
	x->labels = tg_ev_labels_new(dirs);
	x->top.labels = x->labels;
	for (guint i = 0; i < x->variants->variants->len; i++) {
		TgEvPack *pack = export_variant(&x->top, g_ptr_array_index(x->variants->variants, i),
						error);

		if (!pack)
			return FALSE;
		g_ptr_array_add(x->packs, pack);
	}
	return TRUE;
}

gboolean tg_evidence_export(const TgPolicy *policy, const TgEvidenceOptions *opts,
			    TgEvidenceSummary *ret_summary, GError **error)
{
	g_auto(TgEvExport) x = { .top = { .policy = policy, .opts = opts } };
	g_autoptr(TgEvDecl) decl = NULL;
	const char *const own[] = { policy->audit_dir, NULL };
	TgEvidenceSummary summary;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	g_return_val_if_fail(policy != NULL && opts != NULL, FALSE);
	decl = tg_ev_decl_parse(policy, error);
	if (!decl || !check_options(opts, error))
		return FALSE;
	x.top.decl = decl;
	x.top.now = opts->now ? g_date_time_to_utc(opts->now) : g_date_time_new_now_utc();
	x.top.generated = tg_ev_time_text(x.top.now);
	x.top.since = opts->since ? tg_ev_time_text(opts->since) : NULL;
	x.top.until = opts->until ? tg_ev_time_text(opts->until) : NULL;
	if (!tg_ev_clear_dir(opts->out_dir, "variants", error) ||
	    !export_variants(&x, opts->log_dirs ? opts->log_dirs : own, error))
		return FALSE;
	x.uuid_seed = uuid_seed(&x);
	if (!tg_ev_logs_write(&x, error) || !write_top(&x, error))
		return FALSE;
	fill_summary(&x, &summary);
	g_clear_pointer(&x.packs, g_ptr_array_unref);	/* removes the spools */
	if (!tg_ev_write_manifest(opts->out_dir, opts->sign_key, error))
		return FALSE;
	if (ret_summary)
		*ret_summary = summary;
	return TRUE;
}
