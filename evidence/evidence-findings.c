/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Findings: what an assessor would send back. Contradictions are records
 * that show the device doing something other than what the policy or the
 * declarations promise. Weak evidence is a claim resting on a declaration
 * alone, a log that does not verify, a device with nothing recorded in the
 * window, or records written under a policy other than the exported one.
 * Record findings are collected while the logs stream past (a few per kind
 * and device, the rest counted); the others once the pack is analysed. */
#include "evidence-private.h"

#include <string.h>

#include "tg-crypto.h"

#define MAX_PER_KIND 20	/* cited records per kind and device */

static const struct {
	const char *kind;
	gboolean contradiction;
	const char *provisions;
} kinds[] = {
	{ "security-update-waited", TRUE, "5.3-3 5.3-4 5.3-6" },
	{ "notice-not-delivered", TRUE, "5.3-11 5.3-12" },
	{ "install-below-floor", TRUE, "5.3-2" },
	{ "window-differs", TRUE, "5.3-4 5.3-6" },
	{ "unknown-policy", FALSE, "" },
	{ "chain-broken", FALSE, "" },
	{ "stale", FALSE, "" },
	{ "declared-only", FALSE, "" },
	{ "release-not-run", FALSE, "" },
};

static guint kind_index(const char *kind)
{
	for (guint i = 0; i < G_N_ELEMENTS(kinds); i++)
		if (g_str_equal(kinds[i].kind, kind))
			return i;
	g_return_val_if_reached(0);
}

gboolean tg_ev_finding_kind_contradicts(const char *kind)
{
	return kinds[kind_index(kind)].contradiction;
}

static void finding_free(TgEvFinding *f)
{
	g_free(f->device);
	g_free(f->file);
	g_free(f->hash);
	g_free(f->text);
	g_free(f);
}

GPtrArray *tg_ev_findings_new(void)
{
	return g_ptr_array_new_with_free_func((GDestroyNotify)finding_free);
}

void tg_ev_finding_add(GPtrArray *findings, const char *kind, const char *device,
		       const TgEvCite *cite, const char *fmt, ...)
{
	TgEvFinding *f = g_new0(TgEvFinding, 1);
	guint k = kind_index(kind);
	va_list ap;

	f->kind = kinds[k].kind;
	f->contradiction = kinds[k].contradiction;
	f->provisions = kinds[k].provisions;
	f->device = g_strdup(device);
	if (cite) {
		f->file = g_strdup(cite->file);
		f->seq = cite->seq;
		f->hash = g_strdup(cite->hash);
	}
	va_start(ap, fmt);
	f->text = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_ptr_array_add(findings, f);
}

/* ------------------------------------------------------------------ */
/* Records */

/* Room for one more cited record of @kind on @dev? Counts it either way. */
static gboolean room(TgEvDevice *dev, const char *kind)
{
	guint k = kind_index(kind);

	return dev->finding_count[k]++ < MAX_PER_KIND;
}

static void cite_record(TgEvCite *c, const char *file, guint64 seq, const char *line, gsize len)
{
	c->file = file;
	c->seq = seq;
	tg_sha256_hex(line, len, c->hash_buf);
	c->hash = c->hash_buf;
}

/* A security update that waited for the user although the policy installs
 * them automatically: the ICS says they need no user action. */
static void security_waited(TgEvLogs *logs, TgEvDevice *dev, const TgPolicy *policy,
			    const TgEvRecRef *r)
{
	JsonObject *d = tg_ev_obj_member(r->obj, "decision");
	JsonObject *c = tg_ev_obj_member(r->obj, "candidate");
	const char *reason = tg_ev_str_member(d, "reason");
	TgEvCite cite;

	if (!policy->classes[0].auto_install ||
	    g_strcmp0(tg_ev_str_member(d, "verdict"), "defer") != 0 ||
	    g_strcmp0(tg_ev_str_member(d, "class"), "security") != 0 ||
	    g_strcmp0(reason, "approval-required") != 0 || !room(dev, "security-update-waited"))
		return;
	cite_record(&cite, r->file, r->seq, r->line, r->len);
	tg_ev_finding_add(logs->findings, "security-update-waited", dev->label, &cite,
			  "security update %s waited for the user's approval (%s), although "
			  "[class.security] auto-install = true promises security updates without "
			  "user action", tg_ev_or_dash(tg_ev_str_member(c, "version")), reason);
}

static void notice_failed(TgEvLogs *logs, TgEvDevice *dev, const TgEvRecRef *r)
{
	const char *type = tg_ev_str_member(r->obj, "notice_type");
	TgEvCite cite;

	if (!g_str_equal(r->event, "notice.failed") || !type ||
	    (!g_str_equal(type, "security-update") && !g_str_equal(type, "disruption-warning")) ||
	    !room(dev, "notice-not-delivered"))
		return;
	cite_record(&cite, r->file, r->seq, r->line, r->len);
	tg_ev_finding_add(logs->findings, "notice-not-delivered", dev->label, &cite,
			  "the %s notice was not delivered to sink %s (%s)", type,
			  tg_ev_or_dash(tg_ev_str_member(r->obj, "sink")),
			  tg_ev_or_dash(tg_ev_str_member(r->obj, "error")));
}

/* An install below what the log already committed for the component. */
static void below_floor(TgEvLogs *logs, TgEvDevice *dev, const TgPolicy *policy,
			const TgEvRecRef *r)
{
	JsonObject *c = tg_ev_obj_member(r->obj, "candidate");
	const char *version = tg_ev_str_member(c, "version");
	const char *component = tg_ev_str_member(c, "component");
	const char *floor;
	TgEvCite cite;
	int cmp = 0;

	if (!g_str_equal(r->event, "update.installed") || !version)
		return;
	component = component ? component : policy->default_component;
	floor = g_hash_table_lookup(dev->floors, component);
	if (!floor || !tg_version_compare_strings(policy->scheme, version, floor, &cmp, NULL) ||
	    cmp >= 0 || !room(dev, "install-below-floor"))
		return;
	cite_record(&cite, r->file, r->seq, r->line, r->len);
	tg_ev_finding_add(logs->findings, "install-below-floor", dev->label, &cite,
			  "version %s of %s was installed although %s was committed before: the "
			  "log shows a rollback the policy refuses", version, component, floor);
}

static void note_floors(TgEvDevice *dev, const TgPolicy *policy, const TgEvRecRef *r)
{
	JsonArray *list = tg_ev_arr_member(r->obj, "components");

	if (!g_str_equal(r->event, "update.committed"))
		return;
	for (guint i = 0; list && i < json_array_get_length(list); i++) {
		JsonNode *n = json_array_get_element(list, i);
		JsonObject *o = JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
		const char *comp = tg_ev_str_member(o, "component");
		const char *v = tg_ev_str_member(o, "version");
		const char *cur = comp ? g_hash_table_lookup(dev->floors, comp) : NULL;
		int cmp = 1;

		if (!comp || !v)
			continue;
		if (cur && !tg_version_compare_strings(policy->scheme, v, cur, &cmp, NULL))
			continue;
		if (cmp > 0)
			g_hash_table_insert(dev->floors, g_strdup(comp), g_strdup(v));
	}
}

static void other_policy(TgEvLogs *logs, TgEvDevice *dev, const TgPolicy *policy,
			 const TgEvRecRef *r)
{
	const char *hash = tg_ev_str_member(r->obj, "policy_hash");
	TgEvCite cite;

	if (logs->variant || !hash || !policy->hash || g_str_equal(hash, policy->hash) ||
	    g_hash_table_contains(dev->policies_seen, hash))
		return;
	g_hash_table_add(dev->policies_seen, g_strdup(hash));
	if (!room(dev, "unknown-policy"))
		return;
	cite_record(&cite, r->file, r->seq, r->line, r->len);
	tg_ev_finding_add(logs->findings, "unknown-policy", dev->label, &cite,
			  "records from seq %" G_GUINT64_FORMAT " were written under policy %.16s..., "
			  "not the exported policy %.16s...; export them with the policy they ran",
			  r->seq, hash, policy->hash);
}

void tg_ev_findings_record(TgEvLogs *logs, TgEvDevice *dev, const TgPolicy *policy,
			   const TgEvRecRef *r)
{
	if (g_str_equal(r->event, "gate.decision"))
		security_waited(logs, dev, policy, r);
	else if (g_str_has_prefix(r->event, "notice."))
		notice_failed(logs, dev, r);
	below_floor(logs, dev, policy, r);
	note_floors(dev, policy, r);
	other_policy(logs, dev, policy, r);
}

/* ------------------------------------------------------------------ */
/* Devices, declarations, the ICS */

static void device_findings(const TgEvPack *pack, GPtrArray *findings)
{
	for (guint i = 0; i < pack->logs->devices->len; i++) {
		const TgEvDevice *dev = g_ptr_array_index(pack->logs->devices, i);

		if (dev->chain_checked && !dev->chain.ok)
			tg_ev_finding_add(findings, "chain-broken", dev->label, NULL,
					  "the audit log does not verify: %s", dev->chain.message);
		if (!dev->in_window)
			tg_ev_finding_add(findings, "stale", dev->label, NULL,
					  "nothing was recorded in the window of this export");
		for (guint k = 0; k < G_N_ELEMENTS(kinds); k++)
			if (dev->finding_count[k] > MAX_PER_KIND)
				tg_ev_finding_add(findings, kinds[k].kind, dev->label, NULL,
						  "%u more records of this kind are not listed",
						  dev->finding_count[k] - MAX_PER_KIND);
	}
}

/* "HH:MM-HH:MM" of a window. Returns: (transfer full). */
static gchar *window_text(const TgWindow *w)
{
	return g_strdup_printf("%02u:%02u-%02u:%02u", w->start_minute / 60, w->start_minute % 60,
			       w->end_minute / 60, w->end_minute % 60);
}

static void window_findings(const TgEvPack *pack, GPtrArray *findings)
{
	static const char *const names[] = { "security", "feature" };

	for (guint i = 0; i < pack->decl->mechanisms->len; i++) {
		const TgEvMechanism *m = g_ptr_array_index(pack->decl->mechanisms, i);

		for (guint c = 0; m->maintenance_window && c < 2; c++) {
			const TgWindow *w = &pack->policy->classes[c].window;
			g_autofree gchar *have = w->enabled ? window_text(w) : g_strdup("none");

			if (g_str_equal(have, m->maintenance_window))
				continue;
			tg_ev_finding_add(findings, "window-differs", NULL, NULL,
					  "[mechanism.%s] maintenance-window declares %s, but the "
					  "policy's [class.%s] window is %s", m->id,
					  m->maintenance_window, names[c], have);
		}
	}
}

void tg_ev_findings_collect_ics(const TgEvPack *pack, GPtrArray *findings)
{
	for (guint i = 0; i < TG_EV_N_PROVISIONS; i++) {
		const TgEvIcsRow *row = &pack->ics->rows[i];

		if (row->strength == TG_EV_STRENGTH_DECLARED && row->support == TG_SUPPORT_Y)
			tg_ev_finding_add(findings, "declared-only", NULL, NULL,
					  "ICS %s is Y on the manufacturer's declaration alone: "
					  "nothing configured or recorded shows it", row->prov->id);
	}
}

/* A variant judged against the exported policy because the devices did not
 * record theirs in a usable form. */
static void variant_findings(const TgEvPack *pack, GPtrArray *findings)
{
	const TgEvVariant *v = pack->variant;

	if (!v || !v->policy_problem)
		return;
	tg_ev_finding_add(findings, "unknown-policy", NULL, NULL,
			  "variant %s ran policy %.16s...: %s; its ICS and IXIT read the exported "
			  "policy %.16s... instead, which may not be what the devices obeyed; "
			  "export with the policy they ran", v->id, tg_ev_or_dash(v->policy_hash),
			  v->policy_problem, pack->policy->hash);
}

void tg_ev_findings_collect(const TgEvPack *pack, GPtrArray *findings)
{
	variant_findings(pack, findings);
	device_findings(pack, findings);
	window_findings(pack, findings);
}

guint tg_ev_findings_contradictions(const GPtrArray *findings)
{
	guint n = 0;

	for (guint i = 0; i < findings->len; i++)
		n += ((const TgEvFinding *)g_ptr_array_index(findings, i))->contradiction;
	return n;
}

gboolean tg_ev_finding_contradicts(const TgEvFinding *f, const char *provision)
{
	g_auto(GStrv) ids = g_strsplit(f->provisions, " ", -1);

	return f->contradiction && g_strv_contains((const char *const *)ids, provision);
}

gboolean tg_ev_findings_cover(const GPtrArray *findings, const char *provision)
{
	for (guint i = 0; i < findings->len; i++)
		if (tg_ev_finding_contradicts(g_ptr_array_index(findings, i), provision))
			return TRUE;
	return FALSE;
}

/* ------------------------------------------------------------------ */
/* findings.json, findings.md */

JsonNode *tg_ev_findings_to_json(const GPtrArray *findings)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "contradictions");
	json_builder_add_int_value(b, tg_ev_findings_contradictions(findings));
	json_builder_set_member_name(b, "findings");
	json_builder_begin_array(b);
	for (guint i = 0; i < findings->len; i++) {
		const TgEvFinding *f = g_ptr_array_index(findings, i);

		json_builder_begin_object(b);
		json_builder_set_member_name(b, "kind");
		json_builder_add_string_value(b, f->kind);
		json_builder_set_member_name(b, "class");
		json_builder_add_string_value(b, f->contradiction ? "contradiction" : "weak-evidence");
		json_builder_set_member_name(b, "provisions");
		json_builder_add_string_value(b, f->provisions);
		json_builder_set_member_name(b, "variant");
		f->variant ? json_builder_add_string_value(b, f->variant) : json_builder_add_null_value(b);
		json_builder_set_member_name(b, "device");
		f->device ? json_builder_add_string_value(b, f->device) : json_builder_add_null_value(b);
		json_builder_set_member_name(b, "record");
		if (f->file) {
			json_builder_begin_object(b);
			json_builder_set_member_name(b, "file");
			json_builder_add_string_value(b, f->file);
			json_builder_set_member_name(b, "seq");
			json_builder_add_int_value(b, (gint64)f->seq);
			json_builder_set_member_name(b, "hash");
			json_builder_add_string_value(b, f->hash);
			json_builder_end_object(b);
		} else {
			json_builder_add_null_value(b);
		}
		json_builder_set_member_name(b, "text");
		json_builder_add_string_value(b, f->text);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	return json_builder_get_root(b);
}

gchar *tg_ev_findings_to_md(const GPtrArray *findings)
{
	GString *md = g_string_new("# Findings\n\n");

	g_string_append_printf(md, "%u contradictions, %u findings of weak evidence. A "
			       "contradiction is a record that shows the device doing other than "
			       "the policy or the declarations promise; resolve each before the "
			       "assessment.\n\n| class | kind | provisions | variant | device | record | "
			       "what |\n|---|---|---|---|---|---|---|\n",
			       tg_ev_findings_contradictions(findings),
			       findings->len - tg_ev_findings_contradictions(findings));
	for (guint i = 0; i < findings->len; i++) {
		const TgEvFinding *f = g_ptr_array_index(findings, i);
		g_autofree gchar *rec = f->file ? g_strdup_printf("%s seq %" G_GUINT64_FORMAT
								  " (%.12s...)", f->file, f->seq,
								  f->hash)
						: g_strdup("-");
		g_string_append_printf(md, "| %s | %s | %s | %s | %s | %s | ",
				       f->contradiction ? "contradiction" : "weak evidence", f->kind,
				       *f->provisions ? f->provisions : "-", tg_ev_or_dash(f->variant),
				       tg_ev_or_dash(f->device), rec);
		tg_ev_md_cell(md, f->text);
		g_string_append(md, " |\n");
	}
	if (!findings->len)
		g_string_append(md, "| - | - | - | - | - | - | no findings |\n");
	return g_string_free(md, FALSE);
}

/* Every variant's findings in one list. Returns: (transfer container). */
static GPtrArray *all_findings(const TgEvExport *x)
{
	GPtrArray *all = g_ptr_array_new();

	for (guint p = 0; p < x->packs->len; p++) {
		const TgEvPack *pack = g_ptr_array_index(x->packs, p);

		for (guint i = 0; i < pack->logs->findings->len; i++)
			g_ptr_array_add(all, g_ptr_array_index(pack->logs->findings, i));
	}
	return all;
}

JsonNode *tg_ev_export_findings_json(const TgEvExport *x)
{
	g_autoptr(GPtrArray) all = all_findings(x);

	return tg_ev_findings_to_json(all);
}

gchar *tg_ev_export_findings_md(const TgEvExport *x)
{
	g_autoptr(GPtrArray) all = all_findings(x);

	return tg_ev_findings_to_md(all);
}
