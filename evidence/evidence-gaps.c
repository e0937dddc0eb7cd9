/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gaps.md, the workflow view: per area the owner, the artifacts, the
 * status and what is missing, provision by provision; and crosswalk.md,
 * the same evidence mapped to the EU CRA, EN 18031-1, UK PSTI and NIST
 * items that reuse it. */
#include "evidence-private.h"

#include <string.h>

#include "policy-private.h"

/* ------------------------------------------------------------------ */
/* Gaps the logs and the handoff show */

static void device_gaps(const TgEvDevice *dev, const TgEvDecl *decl, GPtrArray *gaps)
{
	g_autofree gchar *ref = g_strdup_printf("device %s", dev->label);

	if (dev->chain_checked && !dev->chain.ok)
		tg_ev_gap_add(gaps, TG_AREA_HANDOFF, ref, "hash chain broken (%s) at %s seq %"
			      G_GUINT64_FORMAT ": %s; records from there on are not shown to be "
			      "unchanged", dev->chain.problem, dev->chain.bad_file,
			      dev->chain.bad_seq, dev->chain.message);
	if (dev->read_error)
		tg_ev_gap_add(gaps, TG_AREA_HANDOFF, ref, "%s", dev->read_error);
	if (dev->in_window == 0)
		tg_ev_gap_add(gaps, TG_AREA_HANDOFF, ref, "no audit record in the window: no "
			      "functional indication from this device");
	if (dev->chain.checkpoints > 0 && !decl->verify_key)
		tg_ev_gap_add(gaps, TG_AREA_HANDOFF, ref, "%" G_GUINT64_FORMAT " checkpoints were "
			      "counted but not verified; set [evidence] verify-key to the key that "
			      "checks them", dev->chain.checkpoints);
	if (dev->model_mismatch)
		tg_ev_gap_add(gaps, TG_AREA_USER_INFO, ref, "records name another model "
			      "designation than [device] model (5.3-16-2)");
}

static void mechanism_gaps(const TgEvLogs *logs, const TgEvDecl *decl, GPtrArray *gaps)
{
	g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
	g_autoptr(GList) names = NULL;

	for (guint i = 0; i < logs->devices->len; i++) {
		GHashTableIter it;
		gpointer key;
		const TgEvDevice *dev = g_ptr_array_index(logs->devices, i);

		g_hash_table_iter_init(&it, dev->mechanisms);
		while (g_hash_table_iter_next(&it, &key, NULL))
			if (!tg_ev_decl_mechanism(decl, key))
				g_hash_table_add(seen, key);
	}
	names = g_list_sort(g_hash_table_get_keys(seen), (GCompareFunc)strcmp);
	for (GList *l = names; l; l = l->next) {
		g_autofree gchar *ref = g_strdup_printf("7-UpdMech %s (5.3-10-1)",
							(const char *)l->data);

		tg_ev_gap_add(gaps, TG_AREA_MECHANISMS, ref, "%" G_GUINT64_FORMAT " records name "
			      "the update mechanism '%s', which no [mechanism.%s] group declares; "
			      "document it or find out why the device uses it",
			      tg_ev_logs_mechanism_count(logs, l->data), (const char *)l->data,
			      (const char *)l->data);
	}
}

static void handoff_gaps(const TgEvPack *pack, GPtrArray *gaps)
{
	if (!pack->decl->assessment_plan)
		tg_ev_gap_add(gaps, TG_AREA_HANDOFF, "assessment plan",
			      "no laboratory plan is named ([evidence] assessment-plan): the "
			      "results import the plan tollgate generated (oscal-assessment-plan.json), "
			      "which the laboratory has not agreed to; set the URI of its plan once "
			      "there is one");
	if (!pack->decl->release)
		tg_ev_gap_add(gaps, TG_AREA_HANDOFF, "release",
			      "[evidence] release is not set; the pack names %s; set the release "
			      "under assessment", pack->release);
	if (pack->policy->checkpoint_every == 0)
		tg_ev_gap_add(gaps, TG_AREA_HANDOFF, "audit checkpoints",
			      "the policy writes no signed checkpoints ([audit] checkpoint-every "
			      "= 0): changes to the newest records cannot be detected; set "
			      "checkpoint-every and checkpoint-key");
}

static void owner_gaps(const TgEvDecl *decl, GPtrArray *gaps)
{
	for (guint a = 0; a < TG_AREA_N; a++) {
		const TgEvOwner *o = &decl->owners[a];
		const char *id = tg_ev_areas()[a].id;
		g_autofree gchar *ref = g_strdup_printf("owner.%s", id);

		if (!o->owner)
			tg_ev_gap_add(gaps, a, ref, "no owner; set owner in [owner.%s]", id);
		if (!o->artifacts || o->artifacts->len == 0)
			tg_ev_gap_add(gaps, a, ref, "no artifact referenced; set artifacts in "
				      "[owner.%s] (documents, records, tickets)", id);
	}
}

void tg_ev_gaps_collect(const TgEvPack *pack, GPtrArray *gaps)
{
	tg_ev_ixit_gaps(pack->ixit, gaps);
	tg_ev_ics_gaps(pack->ics, gaps);
	mechanism_gaps(pack->logs, pack->decl, gaps);
	for (guint i = 0; i < pack->logs->devices->len; i++)
		device_gaps(g_ptr_array_index(pack->logs->devices, i), pack->decl, gaps);
	handoff_gaps(pack, gaps);
	tg_ev_dut_gaps(pack, gaps);
	owner_gaps(pack->decl, gaps);
}

/* ------------------------------------------------------------------ */
/* gaps.md */

static const char *const status_names[] = { "open", "in-progress", "done" };

/* Returns: (transfer full): "open (declared)", "ready (derived)", ... */
static gchar *area_status(const TgEvPack *pack, TgEvArea a)
{
	gint declared = pack->decl->owners[a].status;
	guint n = tg_ev_gaps_in_area(pack->gaps, a);

	if (declared >= 0 && n && declared == TG_OWNER_STATUS_DONE)
		return g_strdup_printf("done (declared), but %u gap%s remain", n, n == 1 ? "" : "s");
	if (declared >= 0)
		return g_strdup_printf("%s (declared)", status_names[declared]);
	return g_strdup(n ? "open (derived: gaps remain)" : "ready (derived: no gap found)");
}

/* Returns: (transfer full). */
static gchar *artifacts_text(const TgEvOwner *o)
{
	GString *out;

	if (!o->artifacts || o->artifacts->len == 0)
		return g_strdup("**none**");
	out = g_string_new(NULL);
	for (guint i = 0; i < o->artifacts->len; i++)
		g_string_append_printf(out, "%s%s", i ? "; " : "",
				       (const char *)g_ptr_array_index(o->artifacts, i));
	return g_string_free(out, FALSE);
}

static void md_overview(GString *md, const TgEvPack *pack)
{
	g_string_append(md, "| # | Area | Owner | Artifacts | Status | Gaps |\n"
			    "|---|---|---|---|---|---|\n");
	for (guint a = 0; a < TG_AREA_N; a++) {
		const TgEvOwner *o = &pack->decl->owners[a];
		g_autofree gchar *status = area_status(pack, a);
		g_autofree gchar *arts = artifacts_text(o);

		g_string_append_printf(md, "| %u | [%s](#%s) | ", a + 1, tg_ev_areas()[a].title,
				       tg_ev_areas()[a].id);
		tg_ev_md_cell(md, o->owner ? o->owner : "**none**");
		g_string_append(md, " | ");
		tg_ev_md_cell(md, arts);
		g_string_append_printf(md, " | %s | %u |\n", status,
				       tg_ev_gaps_in_area(pack->gaps, a));
	}
}

static void md_area_provisions(GString *md, const TgEvPack *pack, TgEvArea a)
{
	gboolean any = FALSE;

	for (guint i = 0; i < TG_EV_N_PROVISIONS; i++) {
		const TgEvIcsRow *row = &pack->ics->rows[i];

		if (row->prov->area != a)
			continue;
		g_string_append_printf(md, "%s[%s](ics.md#ics-%s) %s", any ? ", " : "- Provisions: ",
				       row->prov->id, row->prov->id, tg_ev_support_name(row->support));
		any = TRUE;
	}
	if (a == TG_AREA_SUPPORT_MAP)
		g_string_append(md, "- Provisions: 4-1 (justifications) for every row of the ICS");
	if (any || a == TG_AREA_SUPPORT_MAP)
		g_string_append_c(md, '\n');
}

static void md_area(GString *md, const TgEvPack *pack, TgEvArea a)
{
	const TgEvAreaInfo *info = &tg_ev_areas()[a];
	const TgEvOwner *o = &pack->decl->owners[a];
	g_autofree gchar *status = area_status(pack, a);
	g_autofree gchar *arts = artifacts_text(o);
	guint n = 0;

	g_string_append_printf(md, "\n<a id=\"%s\"></a>\n## %u. %s\n\n%s\n\n- Owner: %s "
			       "([owner.%s])\n- Artifacts: %s\n- Status: %s\n", info->id, a + 1,
			       info->title, info->question, o->owner ? o->owner : "**none**",
			       info->id, arts, status);
	md_area_provisions(md, pack, a);
	g_string_append(md, "\nMissing:\n\n");
	for (guint i = 0; i < pack->gaps->len; i++) {
		const TgEvGap *g = g_ptr_array_index(pack->gaps, i);

		if (g->area != a)
			continue;
		g_string_append_printf(md, "- GAP %s %s: ", info->id, g->ref);
		tg_ev_md_cell(md, g->text);
		g_string_append_c(md, '\n');
		n++;
	}
	if (!n)
		g_string_append(md, "- nothing that tollgate can check\n");
}

gchar *tg_ev_gaps_to_md(const TgEvPack *pack)
{
	GString *md = g_string_new(NULL);

	g_string_append_printf(md, "# Evidence gaps: %s\n\nThe assessment-preparation work "
			       "list: for each area of the workflow, who owns it, which artifacts "
			       "back it, its status and what is still missing, provision by "
			       "provision. Generated %s for release %s. Every line starting with "
			       "`- GAP` is one thing to close.\n\n%s\n\n%u gaps in total.\n\n",
			       pack->policy->model, pack->generated, pack->release,
			       tg_ev_verdict_notice(pack->opts->self_assessment), pack->gaps->len);
	md_overview(md, pack);
	for (guint a = 0; a < TG_AREA_N; a++)
		md_area(md, pack, a);
	return g_string_free(md, FALSE);
}

/* The pack's gaps.md: every variant's gap lines under its heading; the work
 * list per area is in each variant's own gaps.md. */
gchar *tg_ev_export_gaps_md(const TgEvExport *x)
{
	GString *md = g_string_new(NULL);
	guint total = 0;

	for (guint p = 0; p < x->packs->len; p++)
		total += ((const TgEvPack *)g_ptr_array_index(x->packs, p))->gaps->len;
	g_string_append_printf(md, "# Evidence gaps\n\nWhat is still missing, variant by variant "
			       "(variants.md). Every line starting with `- GAP` is one thing to "
			       "close; each variant's gaps.md orders them by area of the "
			       "assessment-preparation workflow, with owners and status. Generated "
			       "%s.\n\n%s\n\n%u gaps in total.\n", x->top.generated,
			       tg_ev_verdict_notice(x->top.opts->self_assessment), total);
	for (guint p = 0; p < x->packs->len; p++) {
		const TgEvPack *pack = g_ptr_array_index(x->packs, p);

		g_string_append_printf(md, "\n## Variant %s: %s, policy %.16s... (%u gaps; "
				       "%sgaps.md)\n\n", pack->variant->id, pack->policy->model,
				       tg_ev_or_dash(pack->variant->policy_hash), pack->gaps->len,
				       pack->rel);
		for (guint i = 0; i < pack->gaps->len; i++) {
			const TgEvGap *g = g_ptr_array_index(pack->gaps, i);

			g_string_append_printf(md, "- GAP %s %s: ", tg_ev_areas()[g->area].id, g->ref);
			tg_ev_md_cell(md, g->text);
			g_string_append_c(md, '\n');
		}
		if (!pack->gaps->len)
			g_string_append(md, "- nothing that tollgate can check\n");
	}
	return g_string_free(md, FALSE);
}

/* ------------------------------------------------------------------ */
/* crosswalk.md */

static void crosswalk_cells(GString *md, const TgEvPack *pack, const char *provisions)
{
	g_auto(GStrv) ids = g_strsplit(provisions, ";", -1);
	guint64 records = 0;

	for (gchar **id = ids; *id; id++) {
		g_string_append_printf(md, "%s%s", id == ids ? "" : ", ", *id);
		for (guint t = 0; t < TG_TC_N; t++)
			if (g_str_equal(tg_ev_test_cases()[t].provision, *id))
				records += pack->logs->tc_count[t];
	}
	g_string_append(md, " | ");
	for (gchar **id = ids; *id; id++) {
		const TgEvIcsRow *row = tg_ev_ics_row(pack->ics, *id);

		g_string_append_printf(md, "%s%s %s", id == ids ? "" : ", ", *id,
				       row ? tg_ev_support_name(row->support) : "?");
	}
	g_string_append_printf(md, " | %" G_GUINT64_FORMAT " |\n", records);
}

gchar *tg_ev_crosswalk_to_md(const TgEvPack *pack)
{
	GString *md = g_string_new(NULL);
	const TgEvCrosswalkRow *rows;
	guint n;

	rows = tg_ev_crosswalk(&n);
	g_string_append_printf(md, "# Crosswalk: %s\n\nThe evidence of this pack (ICS rows, IXIT "
			       "entries and the records of the evidence index) mapped to other "
			       "regimes that ask for the same update properties. The mapping "
			       "orients; it is no legal assessment of those regimes, whose texts "
			       "decide.\n\n%s\n\n| Regime | Item | What it asks (summary) | EN 303 "
			       "645 | ICS support here | Records in the index |\n"
			       "|---|---|---|---|---|---|\n", pack->policy->model,
			       tg_ev_verdict_notice(pack->opts->self_assessment));
	for (guint i = 0; i < n; i++) {
		g_string_append_printf(md, "| %s | %s | ", rows[i].regime, rows[i].item);
		tg_ev_md_cell(md, rows[i].gist);
		g_string_append(md, " | ");
		crosswalk_cells(md, pack, rows[i].provisions);
	}
	return g_string_free(md, FALSE);
}
