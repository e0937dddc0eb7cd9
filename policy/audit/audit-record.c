/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Building one audit record line: the common members in their fixed order,
 * then a cleaned copy of the caller's body. Nothing a caller passes in can
 * make the line invalid JSON, split it over two lines, or push it past the
 * size limits: strings are made valid UTF-8 and truncated, non-finite
 * numbers become null, nesting is bounded, and the generator escapes control
 * characters. */
#include "audit-private.h"

#include <math.h>
#include <string.h>

static const char *const common_members[] = {
	"prev", "schema", "seq", "time", "time_trust", "monotonic_us", "boot_id",
	"event", "message_id", "device", "policy_hash",
};

gchar *tg_audit_sanitize_string(const char *text)
{
	g_autofree gchar *valid = NULL;
	gsize len, keep;

	if (!text)
		return g_strdup("");
	valid = g_utf8_validate(text, -1, NULL) ? g_strdup(text) : g_utf8_make_valid(text, -1);
	len = strlen(valid);
	if (len <= TG_AUDIT_MAX_FIELD)
		return g_steal_pointer(&valid);
	keep = TG_AUDIT_MAX_FIELD - strlen(TG_AUDIT_TRUNCATED_MARK);
	/* Step back to the first byte of a character. */
	while (keep > 0 && ((guchar)valid[keep] & 0xc0) == 0x80)
		keep--;
	valid[keep] = '\0';
	return g_strconcat(valid, TG_AUDIT_TRUNCATED_MARK, NULL);
}

gchar *tg_audit_checkpoint_message(guint64 head_seq, const char *head_hash)
{
	return g_strdup_printf("tollgate-checkpoint 1 %" G_GUINT64_FORMAT " %s", head_seq,
			       head_hash);
}

static JsonNode *sanitize_node(JsonNode *node, guint depth, GError **error);

/* Returns: (transfer none): NULL, with @error set. */
static JsonNode *too_deep(GError **error)
{
	g_set_error(error, TG_AUDIT_ERROR, TG_AUDIT_ERROR_BODY,
		    "audit record body is nested deeper than %d levels; flatten it",
		    TG_AUDIT_MAX_DEPTH);
	return NULL;
}

/* Returns: (transfer full): a cleaned copy of @obj, or NULL with @error. */
static JsonNode *sanitize_object(JsonObject *obj, guint depth, GError **error)
{
	g_autoptr(JsonObject) out = json_object_new();
	JsonObjectIter iter;
	const char *name;
	JsonNode *member;
	JsonNode *node;

	json_object_iter_init_ordered(&iter, obj);
	while (json_object_iter_next_ordered(&iter, &name, &member)) {
		g_autofree gchar *clean_name = tg_audit_sanitize_string(name);
		JsonNode *clean = sanitize_node(member, depth + 1, error);

		if (!clean)
			return NULL;
		json_object_set_member(out, clean_name, clean);
	}
	node = json_node_new(JSON_NODE_OBJECT);
	json_node_set_object(node, out);
	return node;
}

/* Returns: (transfer full): a cleaned copy of @arr, or NULL with @error. */
static JsonNode *sanitize_array(JsonArray *arr, guint depth, GError **error)
{
	g_autoptr(JsonArray) out = json_array_sized_new(json_array_get_length(arr));
	JsonNode *node;

	for (guint i = 0; i < json_array_get_length(arr); i++) {
		JsonNode *clean = sanitize_node(json_array_get_element(arr, i), depth + 1, error);

		if (!clean)
			return NULL;
		json_array_add_element(out, clean);
	}
	node = json_node_new(JSON_NODE_ARRAY);
	json_node_set_array(node, out);
	return node;
}

/* Returns: (transfer full): a cleaned copy of the scalar @node. */
static JsonNode *sanitize_value(JsonNode *node)
{
	JsonNode *out = json_node_new(JSON_NODE_VALUE);
	GType type = json_node_get_value_type(node);

	if (type == G_TYPE_STRING) {
		g_autofree gchar *text = tg_audit_sanitize_string(json_node_get_string(node));

		json_node_set_string(out, text);
	} else if (type == G_TYPE_DOUBLE && !isfinite(json_node_get_double(node))) {
		/* JSON has no NaN or infinity. */
		json_node_init_null(out);
	} else {
		json_node_free(out);
		out = json_node_copy(node);
	}
	return out;
}

/* Returns: (transfer full): a cleaned deep copy of @node, or NULL with @error. */
static JsonNode *sanitize_node(JsonNode *node, guint depth, GError **error)
{
	if (depth > TG_AUDIT_MAX_DEPTH)
		return too_deep(error);
	switch (JSON_NODE_TYPE(node)) {
	case JSON_NODE_OBJECT:
		return sanitize_object(json_node_get_object(node), depth, error);
	case JSON_NODE_ARRAY:
		return sanitize_array(json_node_get_array(node), depth, error);
	case JSON_NODE_VALUE:
		return sanitize_value(node);
	case JSON_NODE_NULL:
	default:
		return json_node_new(JSON_NODE_NULL);
	}
}

static gboolean is_common_member(const char *name)
{
	for (gsize i = 0; i < G_N_ELEMENTS(common_members); i++)
		if (strcmp(common_members[i], name) == 0)
			return TRUE;
	return FALSE;
}

static gboolean add_body(JsonObject *rec, JsonObject *body, GError **error)
{
	JsonObjectIter iter;
	const char *name;
	JsonNode *member;

	json_object_iter_init_ordered(&iter, body);
	while (json_object_iter_next_ordered(&iter, &name, &member)) {
		g_autofree gchar *clean_name = tg_audit_sanitize_string(name);
		JsonNode *clean;

		if (is_common_member(clean_name)) {
			g_set_error(error, TG_AUDIT_ERROR, TG_AUDIT_ERROR_BODY,
				    "audit record body member '%s' would replace a common member; "
				    "rename it", clean_name);
			return FALSE;
		}
		clean = sanitize_node(member, 1, error);
		if (!clean)
			return FALSE;
		json_object_set_member(rec, clean_name, clean);
	}
	return TRUE;
}

static void set_string_or_null(JsonObject *obj, const char *name, const char *value)
{
	g_autofree gchar *clean = NULL;

	if (!value) {
		json_object_set_null_member(obj, name);
		return;
	}
	clean = tg_audit_sanitize_string(value);
	json_object_set_string_member(obj, name, clean);
}

/* RFC 3339 UTC with seconds of @time (NULL: now). Returns: (transfer full). */
static gchar *format_time(GDateTime *time)
{
	g_autoptr(GDateTime) utc = time ? g_date_time_to_utc(time) : g_date_time_new_now_utc();

	return g_date_time_format(utc, "%Y-%m-%dT%H:%M:%SZ");
}

/* The common members in their fixed order. Returns: (transfer full). */
static JsonObject *new_record(const TgAuditHeader *hdr, const char *event, const char *id)
{
	JsonObject *rec = json_object_new();
	JsonObject *device = json_object_new();
	g_autofree gchar *time = format_time(hdr->time);

	json_object_set_string_member(rec, "prev", hdr->prev);
	json_object_set_int_member(rec, "schema", TG_AUDIT_SCHEMA_VERSION);
	json_object_set_int_member(rec, "seq", (gint64)hdr->seq);
	json_object_set_string_member(rec, "time", time);
	json_object_set_string_member(rec, "time_trust", tg_time_trust_to_string(hdr->trust));
	json_object_set_int_member(rec, "monotonic_us", g_get_monotonic_time());
	set_string_or_null(rec, "boot_id", hdr->boot_id ? hdr->boot_id : "unknown");
	json_object_set_string_member(rec, "event", event);
	json_object_set_string_member(rec, "message_id", id);
	set_string_or_null(device, "model", hdr->model);
	set_string_or_null(device, "device_id", hdr->device_id);
	set_string_or_null(device, "hardware_revision", hdr->hardware_revision);
	json_object_set_object_member(rec, "device", device);
	set_string_or_null(rec, "policy_hash", hdr->policy_hash);
	return rec;
}

gchar *tg_audit_build_line(const TgAuditHeader *hdr, const char *event, JsonObject *body,
			   gsize *ret_len, GError **error)
{
	const char *id = tg_audit_message_id(event);
	g_autoptr(JsonObject) rec = NULL;
	g_autoptr(JsonGenerator) gen = NULL;
	g_autoptr(JsonNode) root = NULL;
	GString *line;

	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	if (!id) {
		g_autofree gchar *clean = tg_audit_sanitize_string(event);

		g_set_error(error, TG_AUDIT_ERROR, TG_AUDIT_ERROR_EVENT,
			    "'%s' is not an audit event of the catalogue (docs/audit-events.md); "
			    "add it there before writing it", clean);
		return NULL;
	}
	rec = new_record(hdr, event, id);
	if (body && !add_body(rec, body, error))
		return NULL;
	root = json_node_init_object(json_node_alloc(), rec);
	gen = json_generator_new();
	json_generator_set_root(gen, root);
	line = json_generator_to_gstring(gen, g_string_sized_new(1024));
	g_string_append_c(line, '\n');
	if (line->len > TG_AUDIT_MAX_RECORD) {
		g_set_error(error, TG_AUDIT_ERROR, TG_AUDIT_ERROR_TOO_LARGE,
			    "audit record for %s would be %zu bytes, more than the limit of %d; "
			    "shorten its body", event, line->len, TG_AUDIT_MAX_RECORD);
		g_string_free(line, TRUE);
		return NULL;
	}
	*ret_len = line->len;
	return g_string_free(line, FALSE);
}
