/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* oscal-assessment-results.json: NIST OSCAL 1.1.2 assessment results.
 * By default only observations, whose origin is the tool (tollgate); with
 * --self-assessment also findings, each labelled as the supplier's own
 * assessment. Controls are the provision IDs of tollgate's local catalogue
 * (en303645-5.3-1 ...; data/oscal/tollgate-en303645-catalog.json). */
#include "evidence-private.h"

#include <string.h>

#include "tg-config.h"
#include "policy-private.h"


/* One result: a variant. */
typedef struct {
	const TgEvPack *pack;
	const char *seed;			/* of the UUIDs (tg_ev_uuid5) */
	const char *tool_uuid;
	gchar *product_uuid;			/* the variant, as a component */
	GPtrArray *device_uuids;		/* gchar*, one per device of the variant */
	gchar *row_obs[TG_EV_N_PROVISIONS];	/* observation uuid per ICS row */
} Oscal;

static void oscal_clear(Oscal *o)
{
	g_free(o->product_uuid);
	g_clear_pointer(&o->device_uuids, g_ptr_array_unref);
	for (guint i = 0; i < TG_EV_N_PROVISIONS; i++)
		g_free(o->row_obs[i]);
}

/* Returns: (transfer full). */
static JsonArray *tool_origins(const Oscal *o)
{
	JsonArray *origins = json_array_new();
	JsonObject *origin = json_object_new();
	JsonArray *actors = json_array_new();
	JsonObject *actor = json_object_new();

	json_object_set_string_member(actor, "type", "tool");
	json_object_set_string_member(actor, "actor-uuid", o->tool_uuid);
	json_array_add_object_element(actors, actor);
	json_object_set_array_member(origin, "actors", actors);
	json_array_add_object_element(origins, origin);
	return origins;
}

/* The variant and each of its devices. Returns: (transfer full). */
static JsonArray *variant_subjects(const Oscal *o)
{
	JsonArray *subjects = json_array_new();

	tg_ev_oscal_subject(subjects, o->product_uuid, "component");
	for (guint i = 0; i < o->device_uuids->len; i++)
		tg_ev_oscal_subject(subjects, o->device_uuids->pdata[i], "inventory-item");
	return subjects;
}

/* Returns: (transfer full). */
static JsonArray *evidence(const char *href, const char *description)
{
	JsonArray *a = json_array_new();
	JsonObject *e = json_object_new();

	json_object_set_string_member(e, "href", href);
	json_object_set_string_member(e, "description", description);
	json_array_add_object_element(a, e);
	return a;
}

/* Returns: (transfer full). */
static JsonArray *one_string(const char *s)
{
	JsonArray *a = json_array_new();

	json_array_add_string_element(a, s);
	return a;
}

/* Returns: (transfer full). */
static JsonObject *observation(const Oscal *o, const char *uuid, const char *title,
			       const char *description, const char *method, JsonArray *props,
			       JsonArray *relevant)
{
	JsonObject *obs = json_object_new();

	json_object_set_string_member(obs, "uuid", uuid);
	json_object_set_string_member(obs, "title", title);
	json_object_set_string_member(obs, "description", description);
	json_object_set_array_member(obs, "props", props);
	json_object_set_array_member(obs, "methods", one_string(method));
	json_object_set_array_member(obs, "origins", tool_origins(o));
	json_object_set_array_member(obs, "subjects", variant_subjects(o));
	json_object_set_array_member(obs, "relevant-evidence", relevant);
	json_object_set_string_member(obs, "collected", o->pack->generated);
	return obs;
}

/* ------------------------------------------------------------------ */
/* Observations */

/* Returns: (transfer full). */
static JsonObject *row_observation(Oscal *o, guint i)
{
	const TgEvIcsRow *row = &o->pack->ics->rows[i];
	g_autofree gchar *title = g_strdup_printf("ICS %s: support %s (%s)", row->prov->id,
						  tg_ev_support_name(row->support),
						  row->declared ? "declared" : "derived");
	g_autoptr(GString) desc = g_string_new(NULL);
	g_autoptr(GString) basis = g_string_new("Basis: ");
	g_autofree gchar *control = tg_ev_control_id(row->prov->id);
	g_autofree gchar *href = g_strconcat(o->pack->rel, "ics.json", NULL);
	JsonArray *props = json_array_new();

	g_string_append(desc, row->support == TG_SUPPORT_Y ? row->detail :
			row->justification ? row->justification :
			"No justification recorded (provision 4-1).");
	for (guint b = 0; b < row->basis->len; b++)
		g_string_append_printf(basis, "%s%s", b ? "; " : "",
				       (const char *)g_ptr_array_index(row->basis, b));
	if (!row->basis->len)
		g_string_append(basis, "none");
	o->row_obs[i] = tg_ev_uuid5(o->seed, "v%s:row:%s", o->pack->variant->id, row->prov->id);
	tg_ev_oscal_prop(props, "control-id", control);
	tg_ev_oscal_prop(props, "support", tg_ev_support_name(row->support));
	tg_ev_oscal_prop(props, "origin", row->declared ? "declared" : "derived");
	return observation(o, o->row_obs[i], title, desc->str, "EXAMINE", props,
			   evidence(href, basis->str));
}

/* The index entry, then the log of every device with records for @t (a
 * back-matter resource of the pack's logs/). Returns: (transfer full). */
static JsonArray *tc_evidence(const Oscal *o, TgEvTc t, const char *href)
{
	JsonArray *a = evidence(href, "evidence-index.md and evidence-index.json: file, seq and "
				"SHA-256 of each record");
	const GPtrArray *devs = o->pack->logs->devices;

	for (guint i = 0; i < devs->len; i++) {
		const TgEvDevice *dev = g_ptr_array_index(devs, i);
		g_autofree gchar *uuid = NULL;
		g_autofree gchar *ref = NULL;
		g_autofree gchar *desc = NULL;
		JsonObject *e;

		if (!dev->tc_count[t])
			continue;
		uuid = tg_ev_oscal_log_uuid(o->seed, dev->label);
		ref = g_strconcat("#", uuid, NULL);
		desc = g_strdup_printf("the audit log of device %s, which holds these records",
				       dev->label);
		e = json_object_new();
		json_object_set_string_member(e, "href", ref);
		json_object_set_string_member(e, "description", desc);
		json_array_add_object_element(a, e);
	}
	return a;
}

/* Returns: (transfer full). */
static JsonObject *tc_observation(const Oscal *o, TgEvTc t)
{
	const TgEvTestCase *tc = &tg_ev_test_cases()[t];
	const TgEvLogs *logs = o->pack->logs;
	g_autofree gchar *uuid = tg_ev_uuid5(o->seed, "v%s:tc:%s", o->pack->variant->id, tc->id);
	g_autofree gchar *title = g_strdup_printf("Device records supporting test case %s",
						  tc->id);
	g_autofree gchar *href = g_strdup_printf("%sevidence-index.md#tc-%s", o->pack->rel, tc->id);
	g_autofree gchar *desc = NULL;
	g_autofree gchar *control = tg_ev_control_id(tc->provision);
	guint broken = tg_ev_logs_broken_chains(logs);
	JsonArray *props = json_array_new();

	desc = g_strdup_printf("%" G_GUINT64_FORMAT " records from the audit logs of %u "
			       "device%s support test case %s (%s): external evidence from device "
			       "logs, offered as functional indications. Hash chain: %s.",
			       logs->tc_count[t], logs->devices->len,
			       logs->devices->len == 1 ? "" : "s", tc->id, tc->kind,
			       broken ? "did NOT verify on every device, see the evidence index"
				      : "verified on every device");
	tg_ev_oscal_prop(props, "control-id", control);
	tg_ev_oscal_prop(props, "test-case", tc->id);
	tg_ev_oscal_prop(props, "evidence-type", "external-evidence-device-logs");
	return observation(o, uuid, title, desc, "EXAMINE", props, tc_evidence(o, t, href));
}

/* Returns: (transfer full). */
static JsonArray *observations(Oscal *o)
{
	JsonArray *a = json_array_new();

	for (guint i = 0; i < TG_EV_N_PROVISIONS; i++)
		json_array_add_object_element(a, row_observation(o, i));
	for (guint t = 0; t < TG_TC_N; t++)
		if (o->pack->logs->tc_count[t] > 0)
			json_array_add_object_element(a, tc_observation(o, t));
	return a;
}

/* ------------------------------------------------------------------ */
/* Findings (self-assessment only) */

/* Returns: (transfer full). */
static JsonObject *finding(const Oscal *o, const char *provision, const char *state,
			   const char *obs_uuid, const char *why)
{
	JsonObject *f = json_object_new();
	JsonObject *target = json_object_new();
	JsonObject *status = json_object_new();
	g_autofree gchar *uuid = tg_ev_uuid5(o->seed, "v%s:finding:%s", o->pack->variant->id,
					     provision);
	g_autofree gchar *control = tg_ev_control_id(provision);
	g_autofree gchar *smt = g_strconcat(control, "_smt", NULL);
	g_autofree gchar *title = g_strdup_printf("Self-assessment of %s: %s", provision, state);
	g_autofree gchar *desc = g_strdup_printf("Supplier self-assessment, not a test "
						 "laboratory verdict: %s", why);

	json_object_set_string_member(f, "uuid", uuid);
	json_object_set_string_member(f, "title", title);
	json_object_set_string_member(f, "description", desc);
	json_object_set_array_member(f, "origins", tool_origins(o));
	json_object_set_string_member(target, "type", "statement-id");
	json_object_set_string_member(target, "target-id", smt);
	json_object_set_string_member(status, "state", state);
	json_object_set_string_member(status, "remarks", "self-assessment");
	json_object_set_object_member(target, "status", status);
	json_object_set_object_member(f, "target", target);
	if (obs_uuid) {
		JsonArray *rel = json_array_new();
		JsonObject *r = json_object_new();

		json_object_set_string_member(r, "observation-uuid", obs_uuid);
		json_array_add_object_element(rel, r);
		json_object_set_array_member(f, "related-observations", rel);
	}
	return f;
}

/* Returns: (transfer full). */
static JsonArray *findings(const Oscal *o)
{
	JsonArray *a = json_array_new();
	guint missing = 0;

	for (guint i = 0; i < TG_EV_N_PROVISIONS; i++) {
		const TgEvIcsRow *row = &o->pack->ics->rows[i];
		const char *state = tg_ev_ics_self_state(row);

		missing += row->support != TG_SUPPORT_Y && !row->justification;
		if (state)
			json_array_add_object_element(a, finding(o, row->prov->id, state,
								 o->row_obs[i],
								 row->support == TG_SUPPORT_Y
								 ? row->detail
								 : row->justification ? row->justification
								 : "no justification recorded"));
	}
	json_array_add_object_element(a, finding(o, "4-1", missing ? "not-satisfied" : "satisfied",
						 NULL, missing ? "rows marked N or N/A lack a "
						 "justification (see gaps.md)" : "every N and N/A "
						 "row carries a justification"));
	return a;
}

/* ------------------------------------------------------------------ */
/* The document */

/* Returns: (transfer full). */
static JsonObject *local_definitions(const Oscal *o)
{
	JsonObject *ld = json_object_new();
	JsonArray *comps = json_array_new();

	json_array_add_object_element(comps, tg_ev_oscal_tool(o->tool_uuid));
	json_array_add_object_element(comps, tg_ev_oscal_variant(o->pack, o->product_uuid));
	json_object_set_array_member(ld, "components", comps);
	if (o->pack->logs->devices->len)
		json_object_set_array_member(ld, "inventory-items",
					     tg_ev_oscal_devices(o->pack, o->seed, o->product_uuid));
	return ld;
}

/* Returns: (transfer none). */
static const char *window_edge(const TgEvPack *pack, gboolean start)
{
	const char *best = NULL;

	if (start && pack->since)
		return pack->since;
	if (!start && pack->until)	/* never after the export itself */
		return strcmp(pack->until, pack->generated) < 0 ? pack->until : pack->generated;
	for (guint i = 0; i < pack->logs->devices->len; i++) {
		const TgEvDevice *dev = g_ptr_array_index(pack->logs->devices, i);
		const char *t = start ? dev->first_time : dev->last_time;

		if (t && (!best || (start ? strcmp(t, best) < 0 : strcmp(t, best) > 0)))
			best = t;
	}
	return best ? best : pack->generated;
}

/* Returns: (transfer full). */
static JsonObject *result(Oscal *o)
{
	const TgEvPack *pack = o->pack;
	JsonObject *r = json_object_new();
	JsonArray *props = json_array_new();
	g_autofree gchar *uuid = tg_ev_uuid5(o->seed, "v%s:result", pack->variant->id);
	g_autofree gchar *title = g_strdup_printf("tollgate evidence for %s, variant %s, "
						  "release %s", pack->policy->model,
						  pack->variant->id, pack->release);
	g_autofree gchar *desc = g_strdup_printf("Declarations, policy settings and audit "
						 "records of %u device%s for EN 303 645 clause "
						 "5.3. %s", pack->logs->devices->len,
						 pack->logs->devices->len == 1 ? "" : "s",
						 tg_ev_verdict_notice(pack->opts->self_assessment));
	const char *start = window_edge(pack, TRUE);
	const char *end = window_edge(pack, FALSE);

	json_object_set_string_member(r, "uuid", uuid);
	json_object_set_string_member(r, "title", title);
	json_object_set_string_member(r, "description", desc);
	json_object_set_string_member(r, "start", start);
	if (strcmp(end, start) >= 0)
		json_object_set_string_member(r, "end", end);
	tg_ev_oscal_prop(props, "mode", pack->opts->self_assessment ? "self-assessment" : "observations-only");
	json_object_set_array_member(r, "props", props);
	json_object_set_object_member(r, "local-definitions", local_definitions(o));
	json_object_set_object_member(r, "reviewed-controls", tg_ev_oscal_reviewed_controls());
	json_object_set_array_member(r, "observations", observations(o));
	if (pack->opts->self_assessment)
		json_object_set_array_member(r, "findings", findings(o));
	return r;
}

/* Returns: (transfer full). */
static JsonObject *metadata(const TgEvExport *x)
{
	const TgEvPack *top = &x->top;
	JsonObject *m = json_object_new();
	JsonArray *props = json_array_new();
	g_autofree gchar *title = g_strdup_printf("EN 303 645 clause 5.3 evidence: %s",
						  top->decl->title ? top->decl->title
								   : top->policy->model);
	g_autofree gchar *version = g_strdup_printf("tollgate %s evidence pack, %u variant%s",
						    TG_VERSION, x->packs->len,
						    x->packs->len == 1 ? "" : "s");

	json_object_set_string_member(m, "title", title);
	json_object_set_string_member(m, "last-modified", top->generated);
	json_object_set_string_member(m, "version", version);
	json_object_set_string_member(m, "oscal-version", "1.1.2");
	tg_ev_oscal_prop(props, "mode", top->opts->self_assessment ? "self-assessment" : "observations-only");
	json_object_set_array_member(m, "props", props);
	json_object_set_string_member(m, "remarks", tg_ev_verdict_notice(top->opts->self_assessment));
	return m;
}

/* Returns: (transfer full). */
static JsonObject *variant_result(const TgEvPack *pack, const char *seed, const char *tool_uuid)
{
	Oscal o = { .pack = pack, .seed = seed, .tool_uuid = tool_uuid,
		    .product_uuid = tg_ev_oscal_variant_uuid(seed, pack),
		    .device_uuids = g_ptr_array_new_with_free_func(g_free) };
	JsonObject *r;

	for (guint i = 0; i < pack->logs->devices->len; i++)
		g_ptr_array_add(o.device_uuids, tg_ev_oscal_device_uuid(seed, pack, i));
	r = result(&o);
	oscal_clear(&o);
	return r;
}

JsonNode *tg_ev_oscal_build(const TgEvExport *x)
{
	const TgEvDecl *decl = x->top.decl;
	g_autofree gchar *tool_uuid = tg_ev_uuid5(x->uuid_seed, "tool");
	JsonObject *root = json_object_new();
	JsonObject *ar = json_object_new();
	JsonObject *ap = json_object_new();
	JsonArray *results = json_array_new();
	JsonNode *node = json_node_new(JSON_NODE_OBJECT);
	g_autofree gchar *uuid = tg_ev_uuid5(x->uuid_seed, "assessment-results");

	json_object_set_string_member(ar, "uuid", uuid);
	json_object_set_object_member(ar, "metadata", metadata(x));
	json_object_set_string_member(ap, "href", TG_EV_PLAN_FILE);
	json_object_set_string_member(ap, "remarks", decl->assessment_plan
				      ? "The plan tollgate generated for this pack; it links the "
					"plan the manufacturer named ([evidence] assessment-plan)."
				      : "The plan tollgate generated for this pack from its "
					"catalogue and variants; no laboratory plan was named "
					"([evidence] assessment-plan, see gaps.md).");
	json_object_set_object_member(ar, "import-ap", ap);
	for (guint i = 0; i < x->packs->len; i++)
		json_array_add_object_element(results,
					      variant_result(g_ptr_array_index(x->packs, i), x->uuid_seed,
							     tool_uuid));
	json_object_set_array_member(ar, "results", results);
	json_object_set_object_member(ar, "back-matter", tg_ev_oscal_back_matter(x));
	json_object_set_object_member(root, "assessment-results", ar);
	json_node_take_object(node, root);
	return node;
}
