/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sw-description as SWUpdate reads it: libconfig (with the real libconfig
 * parser) or JSON, turned into one JSON tree, then searched the way SWUpdate
 * searches it (root "software", board, software set and running mode, "ref"
 * links). Only what the gate needs is extracted: the update's version,
 * description, update-type and the tollgate scripts entry. */
#include "tg-swupdate.h"
#include "decision-private.h"

#include <string.h>

#include "tg-swupdate-config.h"
#if TG_HAVE_LIBCONFIG
#include <libconfig.h>
#endif

#define NODE_ROOT "software"
#define MAX_LINKS 10		/* SWUpdate's MAX_LINKS_DEPTH */
#define MAX_PATH 32		/* SWUpdate's MAX_PARSED_NODES */

static gboolean limit_error(GError **error, const char *what)
{
	g_set_error(error, TG_SWU_ERROR, TG_SWU_ERROR_LIMIT, "sw-description %s", what);
	return FALSE;
}

/* ---- libconfig -> JSON ---- */

#if TG_HAVE_LIBCONFIG

static JsonNode *setting_to_json(config_setting_t *s, guint depth, GError **error);

static JsonNode *children_to_json(config_setting_t *s, guint depth, GError **error)
{
	gboolean group = config_setting_is_group(s);
	JsonObject *obj = group ? json_object_new() : NULL;
	JsonArray *arr = group ? NULL : json_array_new();
	g_autoptr(JsonNode) node = json_node_new(group ? JSON_NODE_OBJECT : JSON_NODE_ARRAY);

	if (group)
		json_node_take_object(node, obj);
	else
		json_node_take_array(node, arr);
	for (int i = 0; i < config_setting_length(s); i++) {
		config_setting_t *child = config_setting_get_elem(s, i);
		JsonNode *c = setting_to_json(child, depth + 1, error);

		if (!c)
			return NULL;
		if (group)
			json_object_set_member(obj, config_setting_name(child), c);
		else
			json_array_add_element(arr, c);
	}
	return g_steal_pointer(&node);
}

static JsonNode *setting_to_json(config_setting_t *s, guint depth, GError **error)
{
	JsonNode *node;

	if (depth > TG_SWU_DESCRIPTION_MAX_DEPTH) {
		limit_error(error, "nests groups and lists too deeply");
		return NULL;
	}
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_GROUP:
	case CONFIG_TYPE_ARRAY:
	case CONFIG_TYPE_LIST:
		return children_to_json(s, depth, error);
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		node = json_node_new(JSON_NODE_VALUE);
		json_node_set_int(node, config_setting_get_int64(s));
		return node;
	case CONFIG_TYPE_FLOAT:
		node = json_node_new(JSON_NODE_VALUE);
		json_node_set_double(node, config_setting_get_float(s));
		return node;
	case CONFIG_TYPE_BOOL:
		node = json_node_new(JSON_NODE_VALUE);
		json_node_set_boolean(node, config_setting_get_bool(s));
		return node;
	case CONFIG_TYPE_STRING: {
		g_autofree gchar *valid = g_utf8_make_valid(config_setting_get_string(s), -1);

		node = json_node_new(JSON_NODE_VALUE);
		json_node_set_string(node, valid);
		return node;
	}
	default:
		return json_node_new(JSON_NODE_NULL);
	}
}

/* libconfig reads "@include" lines from the file system: never follow them. */
static gboolean has_include(const char *data)
{
	for (const char *line = data; line; line = strchr(line, '\n')) {
		if (*line == '\n')
			line++;
		while (*line == ' ' || *line == '\t')
			line++;
		if (g_str_has_prefix(line, "@include"))
			return TRUE;
	}
	return FALSE;
}

static JsonNode *parse_libconfig(const char *data, GError **error)
{
	config_t cfg;
	JsonNode *root;

	if (has_include(data)) {
		g_set_error(error, TG_SWU_ERROR, TG_SWU_ERROR_VALUE,
			    "sw-description uses @include; tollgate reads no other files, "
			    "put everything into sw-description");
		return NULL;
	}
	config_init(&cfg);
	if (config_read_string(&cfg, data) != CONFIG_TRUE) {
		g_set_error(error, TG_SWU_ERROR, TG_SWU_ERROR_SYNTAX, "line %d: %s",
			    config_error_line(&cfg),
			    config_error_text(&cfg) ? config_error_text(&cfg) : "syntax error");
		config_destroy(&cfg);
		return NULL;
	}
	root = setting_to_json(config_root_setting(&cfg), 0, error);
	config_destroy(&cfg);
	return root;
}
#else
static JsonNode *parse_libconfig(const char *data, GError **error)
{
	g_set_error(error, TG_SWU_ERROR, TG_SWU_ERROR_SYNTAX,
		    "this tollgate was built without libconfig (Debian libconfig-dev), so only "
		    "JSON sw-description can be read");
	return NULL;
}
#endif

/* ---- JSON ---- */

/* Deepest nesting of @data's objects and arrays (strings skipped). */
static guint json_depth(const char *data, gsize len)
{
	guint depth = 0, max = 0;
	gboolean in_string = FALSE;

	for (gsize i = 0; i < len; i++) {
		char c = data[i];

		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = FALSE;
		} else if (c == '"') {
			in_string = TRUE;
		} else if (c == '{' || c == '[') {
			max = MAX(max, ++depth);
		} else if ((c == '}' || c == ']') && depth > 0) {
			depth--;
		}
	}
	return max;
}

static JsonNode *parse_json(const char *data, gsize len, GError **error)
{
	g_autoptr(JsonParser) parser = NULL;
	g_autoptr(GError) local = NULL;
	JsonNode *root;

	if (json_depth(data, len) > TG_SWU_DESCRIPTION_MAX_DEPTH) {
		limit_error(error, "nests objects and arrays too deeply");
		return NULL;
	}
	parser = json_parser_new_immutable();
	if (!json_parser_load_from_data(parser, data, (gssize)len, &local)) {
		g_set_error(error, TG_SWU_ERROR, TG_SWU_ERROR_SYNTAX, "%s", local->message);
		return NULL;
	}
	root = json_parser_get_root(parser);
	if (!root || !JSON_NODE_HOLDS_OBJECT(root)) {
		g_set_error(error, TG_SWU_ERROR, TG_SWU_ERROR_SYNTAX, "the top level is not an object");
		return NULL;
	}
	return json_node_copy(root);
}

/* libconfig first, then JSON, like SWUpdate with both parsers built in. */
static JsonNode *parse_tree(const char *data, gsize len, const char **ret_format, GError **error)
{
	g_autoptr(GError) cfg_error = NULL;
	g_autoptr(GError) json_error = NULL;
	g_autofree gchar *copy = NULL;
	JsonNode *root;

	if (len > TG_SWU_DESCRIPTION_MAX) {
		limit_error(error, "is larger than 2 MiB");
		return NULL;
	}
	if (memchr(data, '\0', len)) {
		g_set_error(error, TG_SWU_ERROR, TG_SWU_ERROR_SYNTAX,
			    "sw-description contains a NUL byte; it must be text");
		return NULL;
	}
	copy = g_strndup(data, len);
	root = parse_libconfig(copy, &cfg_error);
	if (root || cfg_error->domain != TG_SWU_ERROR || cfg_error->code != TG_SWU_ERROR_SYNTAX) {
		*ret_format = "libconfig";
		if (!root)
			g_propagate_error(error, g_steal_pointer(&cfg_error));
		return root;
	}
	root = parse_json(data, len, &json_error);
	if (root || json_error->code != TG_SWU_ERROR_SYNTAX) {
		*ret_format = "json";
		if (!root)
			g_propagate_error(error, g_steal_pointer(&json_error));
		return root;
	}
	g_set_error(error, TG_SWU_ERROR, TG_SWU_ERROR_SYNTAX,
		    "sw-description is neither libconfig (%s) nor JSON (%s); fix its syntax",
		    cfg_error->message, json_error->message);
	return NULL;
}

/* ---- SWUpdate's node search ---- */

/* The member of object @node named @name, or NULL. */
static JsonNode *member(JsonNode *node, const char *name)
{
	if (!node || !JSON_NODE_HOLDS_OBJECT(node))
		return NULL;
	return json_object_get_member(json_node_get_object(node), name);
}

static const char *string_member(JsonNode *node, const char *name)
{
	JsonNode *m = member(node, name);

	if (!m || !JSON_NODE_HOLDS_VALUE(m) || json_node_get_value_type(m) != G_TYPE_STRING)
		return NULL;
	return json_node_get_string(m);
}

static JsonNode *lookup(JsonNode *root, GPtrArray *path)
{
	JsonNode *node = root;

	for (guint i = 0; node && i < path->len; i++)
		node = member(node, g_ptr_array_index(path, i));
	return node;
}

/* Rewrites @path for link @ref as SWUpdate's set_find_path() does: "#./x"
 * is a sibling of the last node, ".." climbs, a first plain component
 * starts from the top. */
static gboolean apply_link(GPtrArray *path, const char *ref)
{
	g_auto(GStrv) parts = NULL;
	guint count;
	gboolean first = TRUE;

	if (!ref || ref[0] != '#' || strlen(ref) < 3 || path->len == 0)
		return FALSE;
	parts = g_strsplit(ref + 1, "/", -1);
	count = path->len - 1;
	g_ptr_array_set_size(path, count);
	for (gchar **p = parts; *p; p++) {
		if (!**p)
			continue;
		if (g_str_equal(*p, "..")) {
			if (count == 0)
				return FALSE;
			g_ptr_array_set_size(path, --count);
		} else if (!g_str_equal(*p, ".")) {
			if (first)
				g_ptr_array_set_size(path, count = 0);
			g_ptr_array_add(path, g_strdup(*p));
			if (++count >= MAX_PATH)
				return FALSE;
		}
		first = FALSE;
	}
	return count > 0;
}

/* SWUpdate's find_root(): the node at @path, following a group's "ref". */
static JsonNode *find_root(JsonNode *root, GPtrArray *path, guint depth)
{
	JsonNode *node;
	const char *ref;

	if (depth == 0)
		return NULL;
	node = lookup(root, path);
	if (node && JSON_NODE_HOLDS_OBJECT(node) && (ref = string_member(node, "ref"))) {
		if (!apply_link(path, ref))
			return NULL;
		return find_root(root, path, depth - 1);
	}
	return node;
}

static GPtrArray *path_new(const char *const *names)
{
	GPtrArray *path = g_ptr_array_new_with_free_func(g_free);

	for (const char *const *n = names; *n; n++)
		g_ptr_array_add(path, g_strdup(*n));
	return path;
}

static GPtrArray *path_copy(GPtrArray *path)
{
	GPtrArray *copy = g_ptr_array_new_with_free_func(g_free);

	for (guint i = 0; i < path->len; i++)
		g_ptr_array_add(copy, g_strdup(g_ptr_array_index(path, i)));
	return copy;
}

static gboolean set(const char *s)
{
	return s && *s;
}

/* SWUpdate's find_node_and_path(): @field below board/set/mode, set/mode,
 * board, or the root, in that order. @ret_path (optional) receives the path
 * of the node found. */
static JsonNode *find_node(JsonNode *root, const TgSwuSelection *sel, const char *field,
			   GPtrArray **ret_path)
{
	const char *b = sel ? sel->board : NULL;
	const char *s = sel ? sel->software_set : NULL;
	const char *m = sel ? sel->running_mode : NULL;
	const char *const tries[4][5] = {
		{ NODE_ROOT, set(b) && set(s) && set(m) ? b : NULL, s, m, NULL },
		{ NODE_ROOT, set(s) && set(m) ? s : NULL, m, NULL },
		{ NODE_ROOT, set(b) ? b : NULL, NULL },
		{ NODE_ROOT, NULL },
	};

	for (guint i = 0; i < G_N_ELEMENTS(tries); i++) {
		g_autoptr(GPtrArray) path = NULL;
		JsonNode *node;

		if (i < 3 && !tries[i][1])
			continue;
		path = path_new(tries[i]);
		if (!find_root(root, path, MAX_LINKS))
			continue;
		g_ptr_array_add(path, g_strdup(field));
		node = find_root(root, path, MAX_LINKS);
		if (node) {
			if (ret_path)
				*ret_path = g_steal_pointer(&path);
			return node;
		}
	}
	return NULL;
}

/* ---- the description ---- */

void tg_swu_description_free(TgSwuDescription *desc)
{
	if (!desc)
		return;
	g_free(desc->format);
	g_free(desc->version);
	g_free(desc->description);
	g_free(desc->update_type);
	g_clear_pointer(&desc->properties, json_object_unref);
	g_free(desc->entry_version);
	g_free(desc);
}

static gboolean get_string_field(JsonNode *root, const TgSwuSelection *sel, const char *field,
				 gchar **ret, GError **error)
{
	JsonNode *node = find_node(root, sel, field, NULL);

	if (!node)
		return TRUE;
	if (!JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_STRING) {
		g_set_error(error, TG_SWU_ERROR, TG_SWU_ERROR_VALUE,
			    "sw-description field '%s' is not a string; quote it", field);
		return FALSE;
	}
	*ret = g_strdup(json_node_get_string(node));
	return TRUE;
}

/* Collects the tollgate entries of the scripts list @list found at @path.
 * An entry with "ref" names another scripts list (SWUpdate's
 * parser_follow_link()), relative to @path. */
static gboolean collect_entries(JsonNode *root, JsonNode *list, GPtrArray *path, guint depth,
				GPtrArray *found, GError **error)
{
	JsonArray *arr;

	if (!JSON_NODE_HOLDS_ARRAY(list)) {
		g_set_error(error, TG_SWU_ERROR, TG_SWU_ERROR_VALUE,
			    "sw-description 'scripts' is not a list; write scripts: ( { ... } );");
		return FALSE;
	}
	arr = json_node_get_array(list);
	for (guint i = 0; i < json_array_get_length(arr); i++) {
		JsonNode *elem = json_array_get_element(arr, i);
		const char *ref = string_member(elem, "ref");
		const char *type = string_member(elem, "type");

		if (ref) {
			g_autoptr(GPtrArray) link = path_copy(path);
			JsonNode *target;

			if (depth == 0)
				return limit_error(error, "has too many nested script links");
			if (!apply_link(link, ref) || !(target = find_root(root, link, MAX_LINKS)))
				continue;
			if (!collect_entries(root, target, link, depth - 1, found, error))
				return FALSE;
		} else if (type && g_str_equal(type, TG_SWU_HANDLER_NAME)) {
			g_ptr_array_add(found, elem);
		}
	}
	return TRUE;
}

static gboolean bad_property(const char *key, const char *what, GError **error)
{
	g_set_error(error, TG_SWU_ERROR, TG_SWU_ERROR_VALUE,
		    "sw-description property '%s' of the tollgate entry %s; SWUpdate passes only "
		    "strings to handlers, so write it as a quoted string or a list of strings",
		    key, what);
	return FALSE;
}

static gboolean check_property(const char *key, JsonNode *value, GError **error)
{
	JsonArray *arr;

	if (JSON_NODE_HOLDS_VALUE(value) && json_node_get_value_type(value) == G_TYPE_STRING)
		return TRUE;
	if (!JSON_NODE_HOLDS_ARRAY(value))
		return bad_property(key, "is not a string", error);
	arr = json_node_get_array(value);
	if (json_array_get_length(arr) == 0)
		return bad_property(key, "is an empty list", error);
	for (guint i = 0; i < json_array_get_length(arr); i++) {
		JsonNode *e = json_array_get_element(arr, i);

		if (!JSON_NODE_HOLDS_VALUE(e) || json_node_get_value_type(e) != G_TYPE_STRING)
			return bad_property(key, "has a list element that is not a string", error);
	}
	return TRUE;
}

/* Copies the entry's properties after checking every value. */
static gboolean take_properties(JsonNode *entry, TgSwuDescription *desc, GError **error)
{
	JsonNode *props = member(entry, "properties");
	g_autoptr(GList) names = NULL;
	JsonObject *obj;

	desc->properties = json_object_new();
	if (!props)
		return TRUE;
	if (!JSON_NODE_HOLDS_OBJECT(props)) {
		g_set_error(error, TG_SWU_ERROR, TG_SWU_ERROR_VALUE,
			    "sw-description 'properties' of the tollgate entry is not a group; "
			    "write properties: { key = \"value\"; };");
		return FALSE;
	}
	obj = json_node_get_object(props);
	names = json_object_get_members(obj);
	for (GList *n = names; n; n = n->next) {
		JsonNode *value = json_object_get_member(obj, n->data);

		if (!check_property(n->data, value, error))
			return FALSE;
		json_object_set_member(desc->properties, n->data, json_node_copy(value));
	}
	return TRUE;
}

static gboolean find_tollgate_entry(JsonNode *root, const TgSwuSelection *sel,
				    TgSwuDescription *desc, GError **error)
{
	g_autoptr(GPtrArray) path = NULL;
	g_autoptr(GPtrArray) found = g_ptr_array_new();
	JsonNode *scripts = find_node(root, sel, "scripts", &path);
	JsonNode *entry, *version;

	desc->properties = json_object_new();
	if (!scripts)
		return TRUE;
	if (!collect_entries(root, scripts, path, MAX_LINKS, found, error))
		return FALSE;
	if (found->len == 0)
		return TRUE;
	if (found->len > 1) {
		g_set_error(error, TG_SWU_ERROR, TG_SWU_ERROR_AMBIGUOUS,
			    "sw-description has %u scripts entries of type \"tollgate\" for this "
			    "device; keep exactly one", found->len);
		return FALSE;
	}
	entry = g_ptr_array_index(found, 0);
	desc->has_tollgate = TRUE;
	version = member(entry, "version");
	if (version && (!JSON_NODE_HOLDS_VALUE(version) ||
			json_node_get_value_type(version) != G_TYPE_STRING)) {
		g_set_error(error, TG_SWU_ERROR, TG_SWU_ERROR_VALUE,
			    "sw-description 'version' of the tollgate entry is not a string; "
			    "quote it");
		return FALSE;
	}
	desc->entry_version = version ? g_strdup(json_node_get_string(version)) : NULL;
	g_clear_pointer(&desc->properties, json_object_unref);
	return take_properties(entry, desc, error);
}

TgSwuDescription *tg_swu_description_parse(const char *data, gsize len, const TgSwuSelection *sel,
					   GError **error)
{
	g_autoptr(TgSwuDescription) desc = g_new0(TgSwuDescription, 1);
	g_autoptr(JsonNode) root = NULL;
	const char *format = NULL;

	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	g_return_val_if_fail(data != NULL || len == 0, NULL);
	root = parse_tree(data ? data : "", len, &format, error);
	if (!root)
		return NULL;
	desc->format = g_strdup(format);
	if (!get_string_field(root, sel, "version", &desc->version, error) ||
	    !get_string_field(root, sel, "description", &desc->description, error) ||
	    !get_string_field(root, sel, "update-type", &desc->update_type, error) ||
	    !find_tollgate_entry(root, sel, desc, error))
		return NULL;
	return g_steal_pointer(&desc);
}

static gboolean set_properties(TgCandidate *cand, JsonObject *props, GError **error)
{
	g_autoptr(GList) names = json_object_get_members(props);

	for (GList *n = names; n; n = n->next) {
		JsonNode *value = json_object_get_member(props, n->data);
		g_autoptr(GPtrArray) values = g_ptr_array_new();

		if (JSON_NODE_HOLDS_ARRAY(value)) {
			JsonArray *arr = json_node_get_array(value);

			for (guint i = 0; i < json_array_get_length(arr); i++)
				g_ptr_array_add(values,
						(gpointer)json_array_get_string_element(arr, i));
		} else {
			g_ptr_array_add(values, (gpointer)json_node_get_string(value));
		}
		if (!tg_swu_candidate_set_property(cand, n->data,
						   (const char *const *)values->pdata,
						   values->len, error))
			return FALSE;
	}
	return TRUE;
}

TgCandidate *tg_swu_description_candidate(const TgSwuDescription *desc,
					  const char *updater_version, GError **error)
{
	g_autoptr(TgCandidate) cand = NULL;
	g_autofree gchar *name = NULL;

	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	if (desc->entry_version && desc->version &&
	    !g_str_equal(desc->entry_version, desc->version)) {
		g_set_error(error, TG_SWU_ERROR, TG_SWU_ERROR_VALUE,
			    "the tollgate entry's version '%s' differs from the update's version "
			    "'%s' in sw-description; give both the same value",
			    desc->entry_version, desc->version);
		return NULL;
	}
	name = tg_swu_candidate_name(desc->description, desc->update_type);
	cand = tg_swu_candidate_new(desc->version, name, updater_version);
	if (!set_properties(cand, desc->properties, error))
		return NULL;
	return g_steal_pointer(&cand);
}
