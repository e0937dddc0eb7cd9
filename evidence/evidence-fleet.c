/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Per-device rows and fleet figures: devices per installed version,
 * refused and deferred counts, devices outside their support period. Built
 * from the per-device counters only, so the memory grows with the number
 * of devices, never with the number of records. */
#include "evidence-private.h"

#include <string.h>

#include "policy-private.h"
#include "tollgate/version.h"

void tg_ev_fleet_free(TgEvFleet *fleet)
{
	if (!fleet)
		return;
	g_ptr_array_unref(fleet->versions);
	g_array_unref(fleet->version_devices);
	if (fleet->at)
		g_date_time_unref(fleet->at);
	g_free(fleet);
}

const char *tg_ev_device_version(const TgEvDevice *dev, const TgPolicy *policy)
{
	return g_hash_table_lookup(dev->installed, policy->default_component);
}

/* A support end from a record: "YYYY-MM-DD", or the UTC start of that day,
 * both meaning the end of the day. Returns: (transfer full) or NULL. */
static GDateTime *record_end(const char *text)
{
	g_autofree gchar *day = NULL;

	if (!text)
		return NULL;
	if (strlen(text) == 20 && g_str_has_suffix(text, "T00:00:00Z")) {
		day = g_strndup(text, 10);
		return tg_parse_date(day);
	}
	return tg_parse_date(text);
}

gboolean tg_ev_device_outside_support(const TgEvDevice *dev, const TgPolicy *policy,
				      GDateTime *at)
{
	g_autoptr(GDateTime) end = record_end(dev->support_end);
	GDateTime *in_force = end ? end : policy->support_end;

	if (dev->support_ended)
		return TRUE;
	return in_force && g_date_time_compare(at, in_force) > 0;
}

typedef struct {
	TgVersionScheme scheme;
} SortCtx;

static gint compare_versions(gconstpointer a, gconstpointer b, gpointer data)
{
	const char *x = *(const char *const *)a;
	const char *y = *(const char *const *)b;
	const SortCtx *ctx = data;
	int cmp = 0;

	if (tg_version_compare_strings(ctx->scheme, x, y, &cmp, NULL) && cmp != 0)
		return cmp;
	return strcmp(x, y);
}

static void count_versions(TgEvFleet *fleet, const TgEvLogs *logs, const TgPolicy *policy)
{
	g_autoptr(GHashTable) counts = g_hash_table_new(g_str_hash, g_str_equal);
	g_autoptr(GList) keys = NULL;
	SortCtx ctx = { policy->scheme };

	for (guint i = 0; i < logs->devices->len; i++) {
		const char *v = tg_ev_device_version(g_ptr_array_index(logs->devices, i), policy);

		if (!v) {
			fleet->unknown_version++;
			continue;
		}
		g_hash_table_insert(counts, (gpointer)v,
				    GUINT_TO_POINTER(GPOINTER_TO_UINT(
					    g_hash_table_lookup(counts, v)) + 1));
	}
	keys = g_hash_table_get_keys(counts);
	for (GList *l = keys; l; l = l->next)
		g_ptr_array_add(fleet->versions, g_strdup(l->data));
	g_ptr_array_sort_with_data(fleet->versions, compare_versions, &ctx);
	for (guint i = 0; i < fleet->versions->len; i++) {
		guint n = GPOINTER_TO_UINT(g_hash_table_lookup(
			counts, g_ptr_array_index(fleet->versions, i)));

		g_array_append_val(fleet->version_devices, n);
	}
}

TgEvFleet *tg_ev_fleet_compute(const TgEvLogs *logs, const TgPolicy *policy, GDateTime *at)
{
	TgEvFleet *fleet = g_new0(TgEvFleet, 1);

	fleet->versions = g_ptr_array_new_with_free_func(g_free);
	fleet->version_devices = g_array_new(FALSE, FALSE, sizeof(guint));
	fleet->at = g_date_time_ref(at);
	count_versions(fleet, logs, policy);
	for (guint i = 0; i < logs->devices->len; i++) {
		const TgEvDevice *dev = g_ptr_array_index(logs->devices, i);

		fleet->refused += dev->n.refused;
		fleet->deferred += dev->n.deferred;
		fleet->misuse_refusals += dev->n.misuse_refusals;
		fleet->devices_refused += dev->n.refused > 0;
		fleet->devices_deferred += dev->n.deferred > 0;
		fleet->outside_support += tg_ev_device_outside_support(dev, policy, at);
	}
	return fleet;
}

/* ------------------------------------------------------------------ */
/* JSON */

static void set_opt_string(JsonObject *o, const char *name, const char *value)
{
	if (value)
		json_object_set_string_member(o, name, value);
	else
		json_object_set_null_member(o, name);
}

/* Returns: (transfer full). */
static JsonObject *chain_json(const TgEvDevice *dev)
{
	JsonObject *c = json_object_new();

	json_object_set_boolean_member(c, "checked", dev->chain_checked);
	json_object_set_boolean_member(c, "ok", dev->chain_checked && dev->chain.ok);
	json_object_set_int_member(c, "records", (gint64)dev->chain.records);
	json_object_set_int_member(c, "checkpoints", (gint64)dev->chain.checkpoints);
	set_opt_string(c, "problem", dev->chain.problem);
	set_opt_string(c, "file", dev->chain.bad_file);
	if (dev->chain_checked && !dev->chain.ok)
		json_object_set_int_member(c, "seq", (gint64)dev->chain.bad_seq);
	else
		json_object_set_null_member(c, "seq");
	set_opt_string(c, "message", dev->chain_checked ? dev->chain.message : dev->read_error);
	return c;
}

/* Returns: (transfer full). */
static JsonObject *counts_json(const TgEvCounts *n)
{
	JsonObject *c = json_object_new();

	json_object_set_int_member(c, "allowed", (gint64)n->allowed);
	json_object_set_int_member(c, "refused", (gint64)n->refused);
	json_object_set_int_member(c, "deferred", (gint64)n->deferred);
	json_object_set_int_member(c, "misuse_refusals", (gint64)n->misuse_refusals);
	json_object_set_int_member(c, "installed", (gint64)n->installs);
	json_object_set_int_member(c, "committed", (gint64)n->commits);
	json_object_set_int_member(c, "failed", (gint64)n->failed);
	json_object_set_int_member(c, "updater_refused", (gint64)n->updater_refused);
	json_object_set_int_member(c, "update_checks", (gint64)n->checks);
	json_object_set_int_member(c, "postpones", (gint64)n->postpones);
	json_object_set_int_member(c, "settings_changes", (gint64)n->settings_changes);
	json_object_set_int_member(c, "approvals", (gint64)n->approvals);
	json_object_set_int_member(c, "notices_delivered", (gint64)n->notices_delivered);
	json_object_set_int_member(c, "notices_failed", (gint64)n->notices_failed);
	json_object_set_int_member(c, "notices_suppressed", (gint64)n->notices_suppressed);
	json_object_set_int_member(c, "unknown_mechanism", (gint64)n->unknown_mechanism);
	return c;
}

/* Members of @table sorted by name, as an object. Returns: (transfer full). */
static JsonObject *sorted_map(GHashTable *table, gboolean counts)
{
	JsonObject *o = json_object_new();
	g_autoptr(GList) keys = g_list_sort(g_hash_table_get_keys(table), (GCompareFunc)strcmp);

	for (GList *l = keys; l; l = l->next) {
		gpointer v = g_hash_table_lookup(table, l->data);

		if (counts)
			json_object_set_int_member(o, l->data, GPOINTER_TO_UINT(v));
		else
			json_object_set_string_member(o, l->data, v);
	}
	return o;
}

/* Returns: (transfer full). */
static JsonObject *device_json(const TgEvDevice *dev, const TgPolicy *policy, GDateTime *at)
{
	JsonObject *o = json_object_new();
	JsonObject *tc = json_object_new();

	json_object_set_string_member(o, "device", dev->label);
	json_object_set_string_member(o, "log_dir", dev->dir);
	json_object_set_int_member(o, "files", dev->n_files);
	set_opt_string(o, "device_id", dev->device_id);
	set_opt_string(o, "model", dev->model);
	json_object_set_boolean_member(o, "model_mismatch", dev->model_mismatch);
	json_object_set_int_member(o, "records", (gint64)dev->records);
	json_object_set_int_member(o, "records_in_window", (gint64)dev->in_window);
	json_object_set_int_member(o, "unparseable", (gint64)dev->unparseable);
	set_opt_string(o, "first_time", dev->first_time);
	set_opt_string(o, "last_time", dev->last_time);
	json_object_set_object_member(o, "chain", chain_json(dev));
	set_opt_string(o, "read_error", dev->read_error);
	set_opt_string(o, "version", tg_ev_device_version(dev, policy));
	json_object_set_object_member(o, "installed", sorted_map(dev->installed, FALSE));
	set_opt_string(o, "support_end_carried", dev->support_end);
	json_object_set_boolean_member(o, "outside_support",
				       tg_ev_device_outside_support(dev, policy, at));
	json_object_set_object_member(o, "counts", counts_json(&dev->n));
	json_object_set_object_member(o, "mechanisms", sorted_map(dev->mechanisms, TRUE));
	json_object_set_object_member(o, "updaters", sorted_map(dev->updaters, TRUE));
	for (guint t = 0; t < TG_TC_N; t++)
		if (dev->tc_count[t])
			json_object_set_int_member(tc, tg_ev_test_cases()[t].id,
						   (gint64)dev->tc_count[t]);
	json_object_set_object_member(o, "test_cases", tc);
	return o;
}

/* Returns: (transfer full). */
static JsonObject *fleet_json(const TgEvLogs *logs, const TgEvFleet *fleet)
{
	JsonObject *o = json_object_new();
	JsonArray *versions = json_array_new();
	g_autofree gchar *at = tg_ev_time_text(fleet->at);

	json_object_set_int_member(o, "devices", logs->devices->len);
	json_object_set_string_member(o, "support_judged_at", at);
	for (guint i = 0; i < fleet->versions->len; i++) {
		JsonObject *v = json_object_new();

		json_object_set_string_member(v, "version", g_ptr_array_index(fleet->versions, i));
		json_object_set_int_member(v, "devices",
					   g_array_index(fleet->version_devices, guint, i));
		json_array_add_object_element(versions, v);
	}
	json_object_set_array_member(o, "versions", versions);
	json_object_set_int_member(o, "unknown_version", fleet->unknown_version);
	json_object_set_int_member(o, "outside_support", fleet->outside_support);
	json_object_set_int_member(o, "refused", (gint64)fleet->refused);
	json_object_set_int_member(o, "deferred", (gint64)fleet->deferred);
	json_object_set_int_member(o, "misuse_refusals", (gint64)fleet->misuse_refusals);
	json_object_set_int_member(o, "devices_with_refusals", fleet->devices_refused);
	json_object_set_int_member(o, "devices_with_deferrals", fleet->devices_deferred);
	json_object_set_int_member(o, "broken_chains", tg_ev_logs_broken_chains(logs));
	return o;
}

JsonNode *tg_ev_fleet_to_json(const TgEvLogs *logs, const TgEvFleet *fleet,
			      const TgPolicy *policy)
{
	JsonObject *o = json_object_new();
	JsonArray *devices = json_array_new();
	JsonNode *node = json_node_new(JSON_NODE_OBJECT);

	for (guint i = 0; i < logs->devices->len; i++)
		json_array_add_object_element(devices,
					      device_json(g_ptr_array_index(logs->devices, i),
							  policy, fleet->at));
	json_object_set_array_member(o, "devices", devices);
	json_object_set_object_member(o, "fleet", fleet_json(logs, fleet));
	json_node_take_object(node, o);
	return node;
}

/* ------------------------------------------------------------------ */
/* Markdown */

/* Returns: (transfer none). */
static const char *chain_word(const TgEvDevice *dev)
{
	if (!dev->chain_checked)
		return "not verified";
	return dev->chain.ok ? "intact" : "BROKEN";
}

static void md_device_row(GString *md, const TgEvDevice *dev, const TgPolicy *policy,
			  GDateTime *at)
{
	g_string_append(md, "| ");
	tg_ev_md_cell(md, dev->label);
	g_string_append(md, " | ");
	tg_ev_md_cell(md, dev->device_id ? dev->device_id : "-");
	g_string_append_printf(md, " | %" G_GUINT64_FORMAT " | %" G_GUINT64_FORMAT " | %s",
			       dev->records, dev->in_window, chain_word(dev));
	if (dev->chain_checked && !dev->chain.ok)
		g_string_append_printf(md, " (%s, %s seq %" G_GUINT64_FORMAT ")", dev->chain.problem,
				       dev->chain.bad_file, dev->chain.bad_seq);
	g_string_append(md, " | ");
	tg_ev_md_cell(md, tg_ev_device_version(dev, policy) ? tg_ev_device_version(dev, policy)
							    : "unknown");
	g_string_append_printf(md, " | %s | %" G_GUINT64_FORMAT " | %" G_GUINT64_FORMAT " | %"
			       G_GUINT64_FORMAT " | %" G_GUINT64_FORMAT " | %" G_GUINT64_FORMAT
			       " | %" G_GUINT64_FORMAT " |\n",
			       tg_ev_device_outside_support(dev, policy, at) ? "outside" : "inside",
			       dev->n.refused, dev->n.misuse_refusals, dev->n.deferred, dev->n.checks,
			       dev->n.notices_delivered, dev->n.unknown_mechanism);
}

void tg_ev_fleet_to_md(GString *md, const TgEvLogs *logs, const TgEvFleet *fleet,
		       const TgPolicy *policy)
{
	g_autofree gchar *at = tg_ev_time_text(fleet->at);

	g_string_append_printf(md, "## Devices (%u)\n\n| Device | Device ID | Records | In "
			       "window | Chain | Version (%s) | Support at %s | Refused | Misuse "
			       "refusals | Deferred | Update checks | Notices delivered | "
			       "Undeclared-mechanism records |\n|---|---|---|---|---|---|---|---|"
			       "---|---|---|---|---|\n", logs->devices->len,
			       policy->default_component, at);
	for (guint i = 0; i < logs->devices->len; i++)
		md_device_row(md, g_ptr_array_index(logs->devices, i), policy, fleet->at);
	g_string_append_printf(md, "\n## Fleet figures\n\n- Devices: %u\n- Devices outside "
			       "the support period at %s: %u\n- Refused updates: %" G_GUINT64_FORMAT
			       " on %u devices (attempted misuse refused: %" G_GUINT64_FORMAT
			       ")\n- Deferred updates: %" G_GUINT64_FORMAT " on %u devices\n"
			       "- Devices whose chain did not verify: %u\n\n| Installed version "
			       "of %s | Devices |\n|---|---|\n", logs->devices->len, at,
			       fleet->outside_support, fleet->refused, fleet->devices_refused,
			       fleet->misuse_refusals, fleet->deferred, fleet->devices_deferred,
			       tg_ev_logs_broken_chains(logs), policy->default_component);
	for (guint i = 0; i < fleet->versions->len; i++) {
		g_string_append(md, "| ");
		tg_ev_md_cell(md, g_ptr_array_index(fleet->versions, i));
		g_string_append_printf(md, " | %u |\n",
				       g_array_index(fleet->version_devices, guint, i));
	}
	if (fleet->unknown_version)
		g_string_append_printf(md, "| unknown | %u |\n", fleet->unknown_version);
}
