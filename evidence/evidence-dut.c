/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* variants.json and variants.md: each variant (model, hardware revision,
 * policy) with where its policy text comes from, the release its devices
 * ran and the table of devices under test: what each device's records say
 * it is and runs. What no record says is "unknown", and a gap. */
#include "evidence-private.h"

#include <string.h>

#include "tg-config.h"

#define UNKNOWN "unknown"

/* "name value; name value" of @table sorted by key, or NULL when empty.
 * @counts: values are counts, only the keys are listed. Returns: (transfer full). */
static gchar *joined(GHashTable *table, gboolean counts)
{
	g_autoptr(GList) keys = g_list_sort(g_hash_table_get_keys(table), (GCompareFunc)strcmp);
	GString *s = g_string_new(NULL);

	for (GList *l = keys; l; l = l->next) {
		g_string_append_printf(s, "%s%s", s->len ? "; " : "", (const char *)l->data);
		if (!counts)
			g_string_append_printf(s, " %s",
					       (const char *)g_hash_table_lookup(table, l->data));
	}
	if (!s->len) {
		g_string_free(s, TRUE);
		return NULL;
	}
	return g_string_free(s, FALSE);
}

/* One device of a variant, as its records describe it. */
typedef struct {
	const char *label, *device_id, *model, *hardware_revision, *policy_hash, *tollgate;
	gchar *installed, *updaters;
} DutRow;

static void row_fill(DutRow *r, const TgEvVariant *v, const TgEvDevice *dev)
{
	r->label = dev->label;
	r->device_id = dev->device_id ? dev->device_id : UNKNOWN;
	r->model = v->model ? v->model : UNKNOWN;
	r->hardware_revision = v->hardware_revision ? v->hardware_revision : UNKNOWN;
	r->policy_hash = v->policy_hash ? v->policy_hash : UNKNOWN;
	r->tollgate = dev->writer ? dev->writer : UNKNOWN;
	r->installed = joined(dev->installed, FALSE);
	r->updaters = joined(dev->updaters, TRUE);
}

static void row_clear(DutRow *r)
{
	g_free(r->installed);
	g_free(r->updaters);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(DutRow, row_clear)

/* Does an updater entry ("rauc 1.8") leave the version open? */
static gboolean updater_unknown(const char *updaters)
{
	return !updaters || strstr(updaters, "(version unknown)") != NULL;
}

void tg_ev_dut_gaps(const TgEvPack *pack, GPtrArray *gaps)
{
	for (guint i = 0; pack->variant && i < pack->logs->devices->len; i++) {
		const TgEvDevice *dev = g_ptr_array_index(pack->logs->devices, i);
		g_auto(DutRow) r = { 0 };
		g_autofree gchar *ref = g_strdup_printf("device under test %s", dev->label);
		GString *missing = g_string_new(NULL);

		row_fill(&r, pack->variant, dev);
		if (!dev->device_id)
			g_string_append(missing, ", device ID");
		if (!pack->variant->hardware_revision)
			g_string_append(missing, ", hardware revision");
		if (!r.installed)
			g_string_append(missing, ", installed version");
		if (updater_unknown(r.updaters))
			g_string_append(missing, ", updater version");
		if (!dev->writer)
			g_string_append(missing, ", tollgate version");
		if (missing->len)
			tg_ev_gap_add(gaps, TG_AREA_SCOPE, ref, "no record says its %s; run the "
				      "device with this tollgate (it records them) or state them in "
				      "the assessment documents", missing->str + 2);
		g_string_free(missing, TRUE);
	}
}

/* ------------------------------------------------------------------ */
/* variants.json */

static void set_or_unknown(JsonObject *o, const char *name, const char *value)
{
	json_object_set_string_member(o, name, value ? value : UNKNOWN);
}

static JsonObject *device_json(const TgEvVariant *v, const TgEvDevice *dev)
{
	JsonObject *o = json_object_new();
	g_auto(DutRow) r = { 0 };

	row_fill(&r, v, dev);
	json_object_set_string_member(o, "device", r.label);
	json_object_set_string_member(o, "device_id", r.device_id);
	json_object_set_string_member(o, "model", r.model);
	json_object_set_string_member(o, "hardware_revision", r.hardware_revision);
	set_or_unknown(o, "installed", r.installed);
	json_object_set_string_member(o, "policy_hash", r.policy_hash);
	set_or_unknown(o, "updaters", r.updaters);
	json_object_set_string_member(o, "tollgate", r.tollgate);
	json_object_set_int_member(o, "records", (gint64)dev->in_window);
	return o;
}

static JsonArray *policy_files_json(const TgEvPack *pack)
{
	JsonArray *a = json_array_new();
	const TgPolicy *p = pack->policy;

	for (guint i = 0; !pack->variant->policy_problem && i < p->files->len; i++) {
		JsonObject *f = json_object_new();
		g_autofree gchar *base = g_path_get_basename(p->files->pdata[i]);
		g_autofree gchar *path = g_strdup_printf("%spolicy/%u-%s", pack->rel, i + 1, base);

		json_object_set_string_member(f, "name", p->files->pdata[i]);
		json_object_set_string_member(f, "path", path);
		json_array_add_object_element(a, f);
	}
	return a;
}

static JsonObject *variant_json(const TgEvPack *pack)
{
	const TgEvVariant *v = pack->variant;
	JsonObject *o = json_object_new();
	JsonArray *devs = json_array_new();

	json_object_set_string_member(o, "id", v->id);
	set_or_unknown(o, "model", v->model);
	set_or_unknown(o, "hardware_revision", v->hardware_revision);
	set_or_unknown(o, "policy_hash", v->policy_hash);
	json_object_set_string_member(o, "policy_source", v->policy_source);
	json_object_set_array_member(o, "policy_files", policy_files_json(pack));
	json_object_set_string_member(o, "release", pack->release);
	json_object_set_string_member(o, "folder", pack->rel);
	for (guint i = 0; i < pack->logs->devices->len; i++)
		json_array_add_object_element(devs, device_json(v, g_ptr_array_index(pack->logs->devices,
										       i)));
	json_object_set_array_member(o, "devices", devs);
	return o;
}

JsonNode *tg_ev_variants_to_json(const TgEvExport *x)
{
	JsonObject *root = json_object_new();
	JsonArray *vs = json_array_new();

	json_object_set_int_member(root, "variants_version", 1);
	json_object_set_string_member(root, "generated", x->top.generated);
	json_object_set_string_member(root, "exported_policy_hash", x->top.policy->hash);
	for (guint i = 0; i < x->packs->len; i++)
		json_array_add_object_element(vs, variant_json(g_ptr_array_index(x->packs, i)));
	json_object_set_array_member(root, "variants", vs);
	JsonNode *node = json_node_new(JSON_NODE_OBJECT);

	json_node_take_object(node, root);
	return node;
}

/* ------------------------------------------------------------------ */
/* variants.md */

static void md_devices(GString *md, const TgEvPack *pack)
{
	g_string_append(md, "\n| device | device ID | model | hardware revision | installed | "
			    "policy | updater | tollgate | records |\n"
			    "|---|---|---|---|---|---|---|---|---|\n");
	for (guint i = 0; i < pack->logs->devices->len; i++) {
		const TgEvDevice *dev = g_ptr_array_index(pack->logs->devices, i);
		g_auto(DutRow) r = { 0 };
		g_autofree gchar *short_hash = NULL;
		const char *cells[8];

		row_fill(&r, pack->variant, dev);
		short_hash = g_strndup(r.policy_hash, 16);
		cells[0] = r.label, cells[1] = r.device_id, cells[2] = r.model;
		cells[3] = r.hardware_revision, cells[4] = r.installed ? r.installed : UNKNOWN;
		cells[5] = short_hash, cells[6] = r.updaters ? r.updaters : UNKNOWN;
		cells[7] = r.tollgate;
		for (guint c = 0; c < G_N_ELEMENTS(cells); c++) {
			g_string_append(md, "| ");
			tg_ev_md_cell(md, cells[c]);
			g_string_append_c(md, ' ');
		}
		g_string_append_printf(md, "| %" G_GUINT64_FORMAT " |\n", dev->in_window);
	}
}

static void md_variant(GString *md, const TgEvPack *pack)
{
	const TgEvVariant *v = pack->variant;

	g_string_append_printf(md, "\n## Variant %s\n\n- Model: %s\n- Hardware revision: %s\n"
			       "- Policy: %s\n- Policy text: %s\n- Release (what the devices ran): "
			       "%s\n- Files: %sics.md, %sixit.md, %sevidence-index.md, %sgaps.md, "
			       "%sfindings.md\n", v->id, v->model ? v->model : UNKNOWN,
			       v->hardware_revision ? v->hardware_revision : UNKNOWN,
			       v->policy_hash ? v->policy_hash : UNKNOWN, v->policy_source,
			       pack->release, pack->rel, pack->rel, pack->rel, pack->rel, pack->rel);
	md_devices(md, pack);
}

gchar *tg_ev_variants_to_md(const TgEvExport *x)
{
	GString *md = g_string_new(NULL);

	g_string_append_printf(md, "# Variants and devices under test\n\nThe devices of this "
			       "pack grouped by the model, hardware revision and policy their "
			       "records name. Each variant has its own ICS, IXIT and evidence "
			       "index, judged against the policy text its devices recorded; a "
			       "device whose records name two policies is listed in both, each "
			       "time with the records it made under that policy. Every value below "
			       "comes from the devices' records; \"unknown\" means no record says "
			       "it (a gap). Generated %s.\n\n%u variant%s.\n", x->top.generated,
			       x->packs->len, x->packs->len == 1 ? "" : "s");
	for (guint i = 0; i < x->packs->len; i++)
		md_variant(md, g_ptr_array_index(x->packs, i));
	return g_string_free(md, FALSE);
}

/* ------------------------------------------------------------------ */
/* README.md of the pack */

gchar *tg_ev_pack_readme(const TgEvExport *x)
{
	GString *md = g_string_new(NULL);

	g_string_append_printf(md, "# Evidence pack: %s\n\nETSI EN 303 645 clause 5.3 / TS 103 "
			       "701 assessment evidence, written by tollgate %s on %s from the "
			       "policies and audit logs of %u variant%s. %s\n\n", x->top.decl->title
			       ? x->top.decl->title : x->top.policy->model, TG_VERSION,
			       x->top.generated, x->packs->len, x->packs->len == 1 ? "" : "s",
			       tg_ev_verdict_notice(x->top.opts->self_assessment));
	g_string_append(md, "## Check it first\n\n```sh\ntollgate evidence verify . --key "
			    "SIGNER.pub   # manifest, signature, logs, every cited record\n"
			    "sha256sum -c MANIFEST.sha256                  # the same without "
			    "tollgate: every file\nopenssl pkeyutl -verify -pubin -inkey SIGNER.pub "
			    "-rawin -in MANIFEST.sha256 -sigfile MANIFEST.sha256.sig\n```\n\n"
			    "SIGNER.pub is the key the manufacturer published; signing-key.pub in "
			    "the pack shows that the pack is whole, not who signed it.\n\n"
			    "## Then read\n\n1. report.html or variants.md: the devices under "
			    "test and the variants (model, hardware revision, policy).\n2. "
			    "findings.md: contradictions to resolve before testing, and weak "
			    "evidence.\n3. Per variant, variants/N/: ics.md (with the strength of "
			    "each claim), ixit.md, evidence-index.md (records per test case, or the "
			    "step a laboratory takes where none shows it), gaps.md, policy/ "
			    "(the policy the devices ran) and updater-config/ (the lines of each "
			    "updater's configuration and the certificates the IXIT read).\n4. logs/: the audit records the "
			    "index cites.\n5. oscal-assessment-results.json with the plan it imports "
			    "and the control catalogue, for OSCAL tools.\n");
	return g_string_free(md, FALSE);
}

/* ------------------------------------------------------------------ */
/* report.html */

static void html_cell(GString *h, const char *text)
{
	g_string_append(h, "<td>");
	tg_ev_html_text(h, text);
	g_string_append(h, "</td>");
}

void tg_ev_dut_html(GString *h, const TgEvExport *x)
{
	g_string_append(h, "<h2 id=\"dut\">Devices under test</h2><p>What each device's "
			   "records say it is and runs, by variant (model, hardware revision and "
			   "policy). \"unknown\": no record says it, a gap. Also in <a "
			   "href=\"variants.md\">variants.md</a>.</p><table id=\"dut-table\"><thead><tr>"
			   "<th>Variant</th><th>Device</th><th>Device ID</th><th>Model</th>"
			   "<th>Hardware revision</th><th>Installed</th><th>Policy</th>"
			   "<th>Updater</th><th>tollgate</th></tr></thead><tbody>");
	for (guint p = 0; p < x->packs->len; p++) {
		const TgEvPack *pack = g_ptr_array_index(x->packs, p);

		for (guint i = 0; i < pack->logs->devices->len; i++) {
			g_auto(DutRow) r = { 0 };
			g_autofree gchar *short_hash = NULL;

			row_fill(&r, pack->variant, g_ptr_array_index(pack->logs->devices, i));
			short_hash = g_strndup(r.policy_hash, 16);
			g_string_append_printf(h, "<tr><td><a href=\"#v%s\">%s</a></td>",
					       pack->variant->id, pack->variant->id);
			html_cell(h, r.label);
			html_cell(h, r.device_id);
			html_cell(h, r.model);
			html_cell(h, r.hardware_revision);
			html_cell(h, r.installed ? r.installed : UNKNOWN);
			html_cell(h, short_hash);
			html_cell(h, r.updaters ? r.updaters : UNKNOWN);
			html_cell(h, r.tollgate);
			g_string_append(h, "</tr>");
		}
	}
	g_string_append(h, "</tbody></table>");
}
