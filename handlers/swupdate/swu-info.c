/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* INFO payloads for SWUpdate's progress interface: one JSON object
 * {"tollgate": {"kind": ..., ...}} small enough for SWUpdate's fixed buffer. */
#include "tg-swupdate.h"
#include "decision-private.h"

#include <string.h>

#define MIN_STRING 32	/* strings are never shortened below this many bytes */
#define CUT_MARK "..."

static gchar *serialize(JsonObject *payload)
{
	g_autoptr(JsonNode) node = json_node_new(JSON_NODE_OBJECT);

	json_node_set_object(node, payload);
	return json_to_string(node, FALSE);
}

/* Finds the longest string member or element below @node (any depth). */
static void find_longest(JsonNode *node, JsonNode **ret_node, gsize *ret_len)
{
	if (JSON_NODE_HOLDS_VALUE(node) && json_node_get_value_type(node) == G_TYPE_STRING) {
		gsize len = strlen(json_node_get_string(node));

		if (len > *ret_len) {
			*ret_len = len;
			*ret_node = node;
		}
	} else if (JSON_NODE_HOLDS_OBJECT(node)) {
		g_autoptr(GList) members = json_object_get_values(json_node_get_object(node));

		for (GList *m = members; m; m = m->next)
			find_longest(m->data, ret_node, ret_len);
	} else if (JSON_NODE_HOLDS_ARRAY(node)) {
		g_autoptr(GList) elems = json_array_get_elements(json_node_get_array(node));

		for (GList *e = elems; e; e = e->next)
			find_longest(e->data, ret_node, ret_len);
	}
}

/* Cuts the string in @node to about @keep bytes at a character boundary. */
static void shorten(JsonNode *node, gsize keep)
{
	const char *text = json_node_get_string(node);
	const char *end = g_utf8_find_prev_char(text, text + keep + 1);
	g_autofree gchar *cut = NULL;

	if (!end)
		end = text;
	cut = g_strdup_printf("%.*s%s", (int)(end - text), text, CUT_MARK);
	json_node_set_string(node, cut);
}

/* Shortens the longest strings of @inner until @payload fits in @max. */
static gchar *compact(JsonObject *payload, JsonObject *inner, gsize max)
{
	g_autoptr(JsonNode) root = json_node_new(JSON_NODE_OBJECT);
	gchar *text = serialize(payload);

	json_node_set_object(root, inner);
	while (strlen(text) > max) {
		gsize over = strlen(text) - max, len = 0;
		JsonNode *longest = NULL;

		gsize keep;

		find_longest(root, &longest, &len);
		if (!longest || len <= MIN_STRING + sizeof(CUT_MARK)) {
			g_free(text);
			return NULL;
		}
		/* the cut string (keep + mark) is always shorter than before */
		keep = len > over + 16 ? len - over - 16 : len / 2;
		shorten(longest, CLAMP(keep, MIN_STRING, len - sizeof(CUT_MARK)));
		json_object_set_boolean_member(inner, "truncated", TRUE);
		g_free(text);
		text = serialize(payload);
	}
	return text;
}

gchar *tg_swu_info_new(const char *kind, const char *member, JsonNode *value, gsize max)
{
	g_autoptr(JsonObject) payload = json_object_new();
	JsonObject *inner = json_object_new();

	g_return_val_if_fail(kind != NULL, NULL);
	json_object_set_string_member(inner, "kind", kind);
	if (member && value) {
		json_object_set_member(inner, member, json_node_copy(value));
	} else if (value && JSON_NODE_HOLDS_OBJECT(value)) {
		g_autoptr(GList) names = json_object_get_members(json_node_get_object(value));

		for (GList *n = names; n; n = n->next)
			if (!g_str_equal(n->data, "kind"))
				json_object_set_member(inner, n->data,
						       json_object_dup_member(
							       json_node_get_object(value), n->data));
	}
	json_object_set_object_member(payload, TG_SWU_INFO_MEMBER, inner);
	return compact(payload, inner, max);
}

static void set_optional(JsonObject *obj, const char *member, const char *value)
{
	if (value)
		json_object_set_string_member(obj, member, value);
}

gchar *tg_swu_info_decision(const TgDecision *d)
{
	g_autoptr(JsonNode) node = json_node_new(JSON_NODE_OBJECT);
	JsonObject *obj = json_object_new();

	g_return_val_if_fail(d != NULL, NULL);
	json_node_take_object(node, obj);
	json_object_set_string_member(obj, "verdict", tg_verdict_to_string(d->verdict));
	set_optional(obj, "reason", d->reason);
	set_optional(obj, "message", d->message);
	set_optional(obj, "version", d->version);
	set_optional(obj, "component", d->component);
	json_object_set_string_member(obj, "class", tg_update_class_to_string(d->cls));
	if (d->until) {
		g_autoptr(GDateTime) utc = g_date_time_to_utc(d->until);
		g_autofree gchar *until = g_date_time_format(utc, "%Y-%m-%dT%H:%M:%SZ");

		json_object_set_string_member(obj, "until", until);
	}
	set_optional(obj, "transaction_id", d->transaction_id);
	return tg_swu_info_new("decision", NULL, node, TG_SWU_INFO_MAX);
}

gchar *tg_swu_info_recorded(const char *event, const char *version)
{
	g_autoptr(JsonNode) node = json_node_new(JSON_NODE_OBJECT);
	JsonObject *obj = json_object_new();

	g_return_val_if_fail(event != NULL, NULL);
	json_node_take_object(node, obj);
	json_object_set_string_member(obj, "event", event);
	set_optional(obj, "version", version);
	return tg_swu_info_new("recorded", NULL, node, TG_SWU_INFO_MAX);
}
