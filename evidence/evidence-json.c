/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* JSON member access for records read back from a log: a member of the
 * wrong type reads as absent, never as a warning. */
#include "evidence-private.h"


/* Returns: (transfer none). */
const char *tg_ev_str_member(JsonObject *o, const char *name)
{
	JsonNode *n = o ? json_object_get_member(o, name) : NULL;

	if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING)
		return NULL;
	return json_node_get_string(n);
}

/* Returns: (transfer none). */
JsonObject *tg_ev_obj_member(JsonObject *o, const char *name)
{
	JsonNode *n = o ? json_object_get_member(o, name) : NULL;

	return n && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
}

/* Returns: (transfer none). */
JsonArray *tg_ev_arr_member(JsonObject *o, const char *name)
{
	JsonNode *n = o ? json_object_get_member(o, name) : NULL;

	return n && JSON_NODE_HOLDS_ARRAY(n) ? json_node_get_array(n) : NULL;
}

gboolean tg_ev_int_member(JsonObject *o, const char *name, gint64 *ret)
{
	JsonNode *n = o ? json_object_get_member(o, name) : NULL;

	if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_INT64)
		return FALSE;
	*ret = json_node_get_int(n);
	return TRUE;
}

gboolean tg_ev_bool_member(JsonObject *o, const char *name, gboolean *ret)
{
	JsonNode *n = o ? json_object_get_member(o, name) : NULL;

	if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_BOOLEAN)
		return FALSE;
	*ret = json_node_get_boolean(n);
	return TRUE;
}

/* Returns: (transfer none). */
const char *tg_ev_or_dash(const char *s)
{
	return s && *s ? s : "-";
}
