/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the OSCAL assessment results (evidence-oscal.c) and the assessment
 * plan (evidence-oscal-plan.c) share: properties, the tool and variant
 * components, the devices as inventory items, the reviewed controls and
 * the back matter that points at the catalogue and the logs in the pack.
 * Every UUID is name-based (tg_ev_uuid5), so both documents name the same
 * variant and device with the same UUID. */
#include "evidence-private.h"

#include <string.h>
#include <glib/gstdio.h>

#include "tg-config.h"

#define NS "urn:tollgate:oscal"

void tg_ev_oscal_prop(JsonArray *props, const char *name, const char *value)
{
	JsonObject *p = json_object_new();

	json_object_set_string_member(p, "name", name);
	json_object_set_string_member(p, "ns", NS);
	json_object_set_string_member(p, "value", value);
	json_array_add_object_element(props, p);
}

void tg_ev_oscal_subject(JsonArray *subjects, const char *uuid, const char *type)
{
	JsonObject *s = json_object_new();

	json_object_set_string_member(s, "subject-uuid", uuid);
	json_object_set_string_member(s, "type", type);
	json_array_add_object_element(subjects, s);
}

static JsonObject *component(const char *uuid, const char *type, const char *title,
			     const char *description)
{
	JsonObject *c = json_object_new();
	JsonObject *status = json_object_new();

	json_object_set_string_member(c, "uuid", uuid);
	json_object_set_string_member(c, "type", type);
	json_object_set_string_member(c, "title", title);
	json_object_set_string_member(c, "description", description);
	json_object_set_string_member(status, "state", "operational");
	json_object_set_object_member(c, "status", status);
	return c;
}

JsonObject *tg_ev_oscal_tool(const char *uuid)
{
	return component(uuid, "software", "tollgate " TG_VERSION, "The update-policy gate "
			 "that wrote the device records and exported this pack; it reports "
			 "observations only.");
}

gchar *tg_ev_oscal_variant_uuid(const char *seed, const TgEvPack *pack)
{
	return tg_ev_uuid5(seed, "v%s:product", pack->variant->id);
}

gchar *tg_ev_oscal_device_uuid(const char *seed, const TgEvPack *pack, guint i)
{
	const TgEvDevice *dev = g_ptr_array_index(pack->logs->devices, i);

	return tg_ev_uuid5(seed, "v%s:device:%u:%s", pack->variant->id, i, dev->label);
}

JsonObject *tg_ev_oscal_variant(const TgEvPack *pack, const char *uuid)
{
	const TgEvVariant *v = pack->variant;
	g_autofree gchar *desc = g_strdup_printf("Variant %s of the product under assessment: "
						 "model designation '%s', hardware revision %s, "
						 "policy %s.", v->id, tg_ev_or_dash(v->model),
						 tg_ev_or_dash(v->hardware_revision),
						 tg_ev_or_dash(v->policy_hash));
	g_autofree gchar *title = g_strdup_printf("%s (variant %s)", pack->policy->model, v->id);

	return component(uuid, "this-system", title, desc);
}

static JsonObject *device_item(const TgEvDevice *dev, const char *uuid, const char *product)
{
	JsonObject *item = json_object_new();
	JsonArray *props = json_array_new();
	JsonArray *impl = json_array_new();
	JsonObject *ic = json_object_new();
	g_autofree gchar *desc = g_strdup_printf("Device %s (device ID %s): %" G_GUINT64_FORMAT
						 " audit records of this variant in the window; "
						 "its log is in logs/%s/ of the pack.", dev->label,
						 dev->device_id ? dev->device_id : "unknown",
						 dev->in_window, dev->label);

	json_object_set_string_member(item, "uuid", uuid);
	json_object_set_string_member(item, "description", desc);
	tg_ev_oscal_prop(props, "device-label", dev->label);
	if (dev->device_id)
		tg_ev_oscal_prop(props, "device-id", dev->device_id);
	json_object_set_array_member(item, "props", props);
	json_object_set_string_member(ic, "component-uuid", product);
	json_array_add_object_element(impl, ic);
	json_object_set_array_member(item, "implemented-components", impl);
	return item;
}

JsonArray *tg_ev_oscal_devices(const TgEvPack *pack, const char *seed, const char *product)
{
	JsonArray *items = json_array_new();

	for (guint i = 0; i < pack->logs->devices->len; i++) {
		g_autofree gchar *uuid = tg_ev_oscal_device_uuid(seed, pack, i);

		json_array_add_object_element(items,
					      device_item(g_ptr_array_index(pack->logs->devices, i),
							  uuid, product));
	}
	return items;
}

static JsonObject *control_ref(const char *provision)
{
	JsonObject *c = json_object_new();
	g_autofree gchar *id = tg_ev_control_id(provision);

	json_object_set_string_member(c, "control-id", id);
	return c;
}

JsonObject *tg_ev_oscal_reviewed_controls(void)
{
	JsonObject *rc = json_object_new();
	JsonArray *sel = json_array_new();
	JsonObject *s = json_object_new();
	JsonArray *inc = json_array_new();

	json_array_add_object_element(inc, control_ref("4-1"));
	for (guint i = 0; i < TG_EV_N_PROVISIONS; i++)
		json_array_add_object_element(inc, control_ref(tg_ev_provisions()[i].id));
	json_object_set_array_member(s, "include-controls", inc);
	json_array_add_object_element(sel, s);
	json_object_set_array_member(rc, "control-selections", sel);
	return rc;
}

/* ---- back matter ---- */

static JsonObject *rlink(const char *href, const char *media_type, const char *sha256)
{
	JsonObject *l = json_object_new();

	json_object_set_string_member(l, "href", href);
	if (media_type)
		json_object_set_string_member(l, "media-type", media_type);
	if (sha256) {
		JsonArray *hashes = json_array_new();
		JsonObject *h = json_object_new();

		json_object_set_string_member(h, "algorithm", "SHA-256");
		json_object_set_string_member(h, "value", sha256);
		json_array_add_object_element(hashes, h);
		json_object_set_array_member(l, "hashes", hashes);
	}
	return l;
}

static JsonObject *resource(const char *uuid, const char *title, const char *description,
			    JsonArray *rlinks)
{
	JsonObject *r = json_object_new();

	json_object_set_string_member(r, "uuid", uuid);
	json_object_set_string_member(r, "title", title);
	json_object_set_string_member(r, "description", description);
	if (rlinks)
		json_object_set_array_member(r, "rlinks", rlinks);
	return r;
}

gchar *tg_ev_oscal_log_uuid(const char *seed, const char *label)
{
	return tg_ev_uuid5(seed, "log:%s", label);
}

/* The files of logs/@label/ in the pack, each with its SHA-256. */
static JsonArray *log_links(const char *out, const char *label)
{
	g_autofree gchar *dir = g_build_filename(out, "logs", label, NULL);
	g_autoptr(GPtrArray) files = tg_ev_pack_files(dir, NULL);
	JsonArray *links = json_array_new();

	for (guint i = 0; files && i < files->len; i++) {
		g_autofree gchar *path = g_build_filename(dir, files->pdata[i], NULL);
		g_autofree gchar *href = g_strdup_printf("logs/%s/%s", label,
							 (const char *)files->pdata[i]);
		char hex[65];

		if (tg_ev_hash_file(path, hex, NULL))
			json_array_add_object_element(links, rlink(href, "application/jsonl", hex));
	}
	return links;
}

static void add_logs(const TgEvExport *x, JsonArray *res)
{
	g_autoptr(GHashTable) done = g_hash_table_new(g_str_hash, g_str_equal);

	for (guint p = 0; p < x->packs->len; p++) {
		const TgEvPack *pack = g_ptr_array_index(x->packs, p);

		for (guint i = 0; i < pack->logs->devices->len; i++) {
			const TgEvDevice *dev = g_ptr_array_index(pack->logs->devices, i);
			g_autofree gchar *uuid = NULL;
			g_autofree gchar *title = NULL;
			JsonArray *links;

			if (!g_hash_table_add(done, dev->label))
				continue;
			links = log_links(x->top.opts->out_dir, dev->label);
			if (!json_array_get_length(links)) {
				json_array_unref(links);
				continue;
			}
			uuid = tg_ev_oscal_log_uuid(x->uuid_seed, dev->label);
			title = g_strdup_printf("Audit log of device %s", dev->label);
			json_array_add_object_element(res, resource(uuid, title, "The device's "
				"hash-chained audit records in the pack (whole files, or the cited "
				"records and the chain head); tollgate evidence verify checks them.",
				links));
		}
	}
}

JsonObject *tg_ev_oscal_back_matter(const TgEvExport *x)
{
	JsonObject *bm = json_object_new();
	JsonArray *res = json_array_new();
	JsonArray *cat = json_array_new();

	json_array_add_object_element(cat, rlink(TG_EV_CATALOG_FILE, "application/oscal.catalog+json",
						 NULL));
	json_array_add_object_element(res, resource(TG_EV_CATALOG_UUID, "tollgate local catalogue "
				      "of EN 303 645 clause 5.3 and provision 4-1", "The control IDs "
				      "en303645-<provision> used here, as an OSCAL catalog in the pack.",
				      cat));
	if (x->top.decl->assessment_plan) {
		JsonArray *lab = json_array_new();
		g_autofree gchar *uuid = tg_ev_uuid5(x->uuid_seed, "laboratory-plan");

		json_array_add_object_element(lab, rlink(x->top.decl->assessment_plan, NULL, NULL));
		json_array_add_object_element(res, resource(uuid, "The laboratory's assessment plan",
					      "Named by the manufacturer in [evidence] assessment-plan.",
					      lab));
	}
	add_logs(x, res);
	json_object_set_array_member(bm, "resources", res);
	return bm;
}
