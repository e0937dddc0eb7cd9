/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The persistent state store: an HMAC-protected JSON file, replaced
 * atomically and serialized by flock. Format and recovery: docs/state.md. */
#include "state-private.h"
#include "tg-config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <openssl/crypto.h>

#include "keyfile.h"
#include "tg-crypto.h"
#include "tg-io.h"
#include "tg-path.h"

#define STATE_MAGIC "tollgate-state"
#define STATE_FORMAT 1
#define HEADER_PREFIX STATE_MAGIC " 1 "
#define HEADER_PREFIX_LEN (sizeof(HEADER_PREFIX) - 1)
#define HEADER_LEN (HEADER_PREFIX_LEN + TG_SHA256_HEX_LEN + 1)
#define MAX_DEPTH 32
#define MAX_DATE_LEN 64
#define MAX_NOTICE_DAYS 36500
#define MIN_KEY_LEN 16
#define NEW_KEY_LEN 32
#define RESEED_HINT "run `tollgate state reseed --installed VERSION` to recover"

struct _TgStateStore {
	gchar *dir;
	gchar *path;
	gchar *key_file;
	int lock_fd;
	char read_digest[TG_SHA256_HEX_LEN + 1];	/* of the file last read, or "" */
	gchar *pending;		/* temp file of a prepared write, or NULL */
};

/* Index 0 / 1 as tg_policy_class_index(): security, then feature. */
static const char *const class_keys[2] = { "security", "feature" };

G_DEFINE_QUARK(tg-state-error-quark, tg_state_error)

/* ---- TgState ---------------------------------------------------------- */

static void component_free(gpointer data)
{
	TgComponentState *c = data;

	if (!c)
		return;
	g_free(c->floor);
	g_free(c->installed);
	g_free(c->security_floor);
	g_free(c->pending);
	g_free(c->pending_digest);
	g_free(c);
}

static void approval_free(gpointer data)
{
	TgApproval *a = data;

	if (!a)
		return;
	g_free(a->digest);
	g_free(a->version);
	g_clear_pointer(&a->when, g_date_time_unref);
	g_free(a);
}

TgState *tg_state_new(void)
{
	TgState *state = g_new0(TgState, 1);

	state->components = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, component_free);
	state->approvals = g_ptr_array_new_with_free_func(approval_free);
	state->auto_install[0] = -1;
	state->auto_install[1] = -1;
	state->notifications = -1;
	state->support_notices_sent = g_array_new(FALSE, FALSE, sizeof(guint));
	return state;
}

void tg_state_free(TgState *state)
{
	if (!state)
		return;
	g_clear_pointer(&state->components, g_hash_table_unref);
	g_clear_pointer(&state->support_end, g_date_time_unref);
	g_clear_pointer(&state->pending_support_end, g_date_time_unref);
	g_clear_pointer(&state->last_trusted_time, g_date_time_unref);
	for (guint i = 0; i < G_N_ELEMENTS(state->postpone); i++) {
		g_clear_pointer(&state->postpone[i].until, g_date_time_unref);
		g_clear_pointer(&state->postpone[i].since, g_date_time_unref);
	}
	g_clear_pointer(&state->approvals, g_ptr_array_unref);
	g_clear_pointer(&state->support_notices_sent, g_array_unref);
	g_free(state->last_decision);
	g_free(state);
}

TgComponentState *tg_state_component(TgState *state, const char *component, gboolean create)
{
	TgComponentState *c;

	g_return_val_if_fail(state != NULL, NULL);
	g_return_val_if_fail(component != NULL, NULL);
	c = g_hash_table_lookup(state->components, component);
	if (c || !create)
		return c;
	c = g_new0(TgComponentState, 1);
	g_hash_table_insert(state->components, g_strdup(component), c);
	return c;
}

/* Returns: (transfer none): the approval of the same update, or NULL. */
static TgApproval *find_approval(TgState *state, const char *digest, const char *version)
{
	for (guint i = 0; i < state->approvals->len; i++) {
		TgApproval *a = g_ptr_array_index(state->approvals, i);

		if (digest && g_strcmp0(a->digest, digest) == 0)
			return a;
		if (!digest && !a->digest && g_strcmp0(a->version, version) == 0)
			return a;
	}
	return NULL;
}

static guint oldest_approval(TgState *state)
{
	guint oldest = 0;

	for (guint i = 1; i < state->approvals->len; i++) {
		TgApproval *a = g_ptr_array_index(state->approvals, i);
		TgApproval *o = g_ptr_array_index(state->approvals, oldest);

		if (g_date_time_compare(a->when, o->when) < 0)
			oldest = i;
	}
	return oldest;
}

void tg_state_add_approval(TgState *state, const char *digest, const char *version,
			   GDateTime *when)
{
	TgApproval *a;

	g_return_if_fail(state != NULL);
	g_return_if_fail(digest != NULL || version != NULL);
	g_return_if_fail(when != NULL);
	a = find_approval(state, digest, version);
	if (!a) {
		a = g_new0(TgApproval, 1);
		a->digest = g_strdup(digest);
		g_ptr_array_add(state->approvals, a);
	}
	if (version && g_strcmp0(a->version, version) != 0) {
		g_free(a->version);
		a->version = g_strdup(version);
	}
	g_clear_pointer(&a->when, g_date_time_unref);
	a->when = g_date_time_ref(when);
	while (state->approvals->len > TG_STATE_MAX_APPROVALS)
		g_ptr_array_remove_index(state->approvals, oldest_approval(state));
}

/* ---- serialization ---------------------------------------------------- */

static void add_string(JsonBuilder *b, const char *member, const char *value)
{
	if (!value)
		return;
	json_builder_set_member_name(b, member);
	json_builder_add_string_value(b, value);
}

/* Returns: (transfer full): @dt as RFC 3339 UTC text, or NULL. */
static gchar *format_date(GDateTime *dt)
{
	g_autoptr(GDateTime) utc = dt ? g_date_time_to_utc(dt) : NULL;

	return utc ? g_date_time_format_iso8601(utc) : NULL;
}

static void add_date(JsonBuilder *b, const char *member, GDateTime *dt)
{
	g_autofree gchar *text = format_date(dt);

	add_string(b, member, text);
}

static gint compare_names(gconstpointer a, gconstpointer b)
{
	return strcmp(a, b);
}

static void build_component(JsonBuilder *b, const char *name, const TgComponentState *c)
{
	json_builder_set_member_name(b, name);
	json_builder_begin_object(b);
	add_string(b, "floor", c->floor);
	add_string(b, "installed", c->installed);
	add_string(b, "security_floor", c->security_floor);
	add_string(b, "pending", c->pending);
	if (c->pending_class != TG_CLASS_UNSET)
		add_string(b, "pending_class", tg_update_class_to_string(c->pending_class));
	add_string(b, "pending_digest", c->pending_digest);
	json_builder_end_object(b);
}

/* Components sorted by name, so equal states serialize to equal bytes. */
static void build_components(JsonBuilder *b, const TgState *state)
{
	GList *names = g_list_sort(g_hash_table_get_keys(state->components), compare_names);

	json_builder_set_member_name(b, "components");
	json_builder_begin_object(b);
	for (GList *l = names; l; l = l->next)
		build_component(b, l->data, g_hash_table_lookup(state->components, l->data));
	json_builder_end_object(b);
	g_list_free(names);
}

static void build_postpone(JsonBuilder *b, const TgState *state)
{
	json_builder_set_member_name(b, "postpone");
	json_builder_begin_object(b);
	for (guint i = 0; i < G_N_ELEMENTS(class_keys); i++) {
		const TgPostpone *p = &state->postpone[i];

		if (!p->until && !p->since)
			continue;
		json_builder_set_member_name(b, class_keys[i]);
		json_builder_begin_object(b);
		add_date(b, "until", p->until);
		add_date(b, "since", p->since);
		json_builder_end_object(b);
	}
	json_builder_end_object(b);
}

static void build_approvals(JsonBuilder *b, const TgState *state)
{
	json_builder_set_member_name(b, "approvals");
	json_builder_begin_array(b);
	for (guint i = 0; i < state->approvals->len; i++) {
		const TgApproval *a = g_ptr_array_index(state->approvals, i);

		json_builder_begin_object(b);
		add_string(b, "digest", a->digest);
		add_string(b, "version", a->version);
		add_date(b, "when", a->when);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
}

static void add_setting(JsonBuilder *b, const char *member, gint value)
{
	if (value < 0)
		return;
	json_builder_set_member_name(b, member);
	json_builder_add_boolean_value(b, value != 0);
}

static void build_settings(JsonBuilder *b, const TgState *state)
{
	json_builder_set_member_name(b, "settings");
	json_builder_begin_object(b);
	add_setting(b, "auto_install_security", state->auto_install[0]);
	add_setting(b, "auto_install_feature", state->auto_install[1]);
	add_setting(b, "notifications", state->notifications);
	json_builder_end_object(b);
}

static void build_notices(JsonBuilder *b, const TgState *state)
{
	json_builder_set_member_name(b, "support_notices_sent");
	json_builder_begin_array(b);
	for (guint i = 0; i < state->support_notices_sent->len; i++)
		json_builder_add_int_value(b, g_array_index(state->support_notices_sent, guint, i));
	json_builder_end_array(b);
}

/* Returns: (transfer full): @text parsed as a JSON object, or NULL. */
static JsonNode *parse_object_text(const char *text)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	JsonNode *root;

	if (!json_parser_load_from_data(parser, text, -1, NULL))
		return NULL;
	root = json_parser_get_root(parser);
	if (!root || !JSON_NODE_HOLDS_OBJECT(root))
		return NULL;
	return json_node_copy(root);
}

/* Returns: (transfer full): the body as a node, or NULL when last_decision
 * is not a JSON object. */
static JsonNode *build_body(const TgState *state)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	JsonNode *decision = NULL;

	if (state->last_decision && !(decision = parse_object_text(state->last_decision)))
		return NULL;
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "format");
	json_builder_add_int_value(b, STATE_FORMAT);
	build_components(b, state);
	add_date(b, "support_end", state->support_end);
	add_date(b, "pending_support_end", state->pending_support_end);
	add_date(b, "last_trusted_time", state->last_trusted_time);
	build_postpone(b, state);
	build_approvals(b, state);
	build_settings(b, state);
	build_notices(b, state);
	if (decision) {
		json_builder_set_member_name(b, "last_decision");
		json_builder_add_value(b, decision);
	}
	json_builder_set_member_name(b, "initialized");
	json_builder_add_boolean_value(b, state->initialized);
	json_builder_set_member_name(b, "generation");
	json_builder_add_int_value(b, (gint64)state->generation);
	if (state->anchor_count) {
		json_builder_set_member_name(b, "anchor_count");
		json_builder_add_int_value(b, (gint64)state->anchor_count);
	}
	json_builder_end_object(b);
	return json_builder_get_root(b);
}

gchar *tg_state_to_json(const TgState *state)
{
	g_autoptr(JsonGenerator) gen = NULL;
	g_autoptr(JsonNode) root = NULL;
	g_autofree gchar *text = NULL;

	g_return_val_if_fail(state != NULL, NULL);
	root = build_body(state);
	if (!root)
		return NULL;
	gen = json_generator_new();
	json_generator_set_pretty(gen, TRUE);
	json_generator_set_indent(gen, 2);
	json_generator_set_root(gen, root);
	text = json_generator_to_data(gen, NULL);
	return g_strconcat(text, "\n", NULL);
}

/* ---- parsing ---------------------------------------------------------- */

static gboolean corrupt(GError **error, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static gboolean corrupt(GError **error, const char *fmt, ...)
{
	g_autofree gchar *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error_literal(error, TG_STATE_ERROR, TG_STATE_ERROR_CORRUPT, msg);
	return FALSE;
}

/* Returns: (transfer full): "@where.@member", or @member at the top. */
static gchar *member_path(const char *where, const char *member)
{
	return *where ? g_strconcat(where, ".", member, NULL) : g_strdup(member);
}

/* json-glib accepts escapes JSON does not have ("\333"), so a parsed string
 * may be invalid UTF-8 even when the input was not. */
static gboolean is_clean_text(const char *s)
{
	if (!g_utf8_validate(s, -1, NULL))
		return FALSE;
	for (; *s; s++)
		if ((guchar)*s < 0x20 || *s == 0x7f)
			return FALSE;
	return TRUE;
}

/* Returns: (transfer full): @name fit for an error message. */
static gchar *quote_name(const char *name)
{
	g_autofree gchar *valid = g_utf8_make_valid(name, -1);

	return tg_kf_quote(valid);
}

static gboolean check_members(JsonObject *obj, const char *where, const char *const *known,
			      GError **error)
{
	g_autoptr(GList) members = json_object_get_members(obj);

	for (GList *l = members; l; l = l->next) {
		g_autofree gchar *q = NULL;

		if (g_strv_contains(known, l->data))
			continue;
		q = quote_name(l->data);
		return corrupt(error, "state member '%s%s%s' is unknown to this version of tollgate",
			       where, *where ? "." : "", q);
	}
	return TRUE;
}

static gboolean is_value_of(JsonNode *node, GType type)
{
	return JSON_NODE_HOLDS_VALUE(node) && json_node_get_value_type(node) == type;
}

/* Reads an optional string member of 1..@max bytes without control
 * characters; leaves *ret alone when the member is absent. */
static gboolean take_string(JsonObject *obj, const char *where, const char *member, gsize max,
			    gchar **ret, GError **error)
{
	JsonNode *node = json_object_get_member(obj, member);
	g_autofree gchar *path = NULL;
	const char *s;

	if (!node)
		return TRUE;
	path = member_path(where, member);
	if (!is_value_of(node, G_TYPE_STRING))
		return corrupt(error, "state member '%s' must be a string", path);
	s = json_node_get_string(node);
	if (!s || !*s || strlen(s) > max || !is_clean_text(s))
		return corrupt(error, "state member '%s' must be 1 to %zu bytes of UTF-8 text "
			       "without control characters", path, max);
	g_free(*ret);
	*ret = g_strdup(s);
	return TRUE;
}

/* "YYYY-MM-DDTHH:MM:SS[.fraction]Z", the form g_date_time_format_iso8601()
 * writes for UTC. */
static gboolean is_rfc3339_utc(const char *s)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd";
	gsize i;

	for (i = 0; shape[i]; i++) {
		if (shape[i] == 'd' ? !g_ascii_isdigit(s[i]) : s[i] != shape[i])
			return FALSE;
	}
	if (s[i] == '.') {
		gsize start = ++i;

		while (g_ascii_isdigit(s[i]))
			i++;
		if (i == start || i - start > 9)
			return FALSE;
	}
	return s[i] == 'Z' && s[i + 1] == '\0';
}

static gboolean take_date(JsonObject *obj, const char *where, const char *member,
			  GDateTime **ret, GError **error)
{
	g_autofree gchar *text = NULL;
	g_autofree gchar *path = NULL;
	g_autoptr(GDateTime) dt = NULL;

	if (!take_string(obj, where, member, MAX_DATE_LEN, &text, error))
		return FALSE;
	if (!text)
		return TRUE;
	if (is_rfc3339_utc(text))
		dt = g_date_time_new_from_iso8601(text, NULL);
	if (!dt) {
		g_autofree gchar *q = quote_name(text);

		path = member_path(where, member);
		return corrupt(error, "state member '%s' = '%s' is not an RFC 3339 UTC time "
			       "such as 2025-01-31T12:00:00Z", path, q);
	}
	if (*ret)
		g_date_time_unref(*ret);
	*ret = g_date_time_to_utc(dt);
	return TRUE;
}

static gboolean take_boolean(JsonObject *obj, const char *where, const char *member, gint *ret,
			     GError **error)
{
	JsonNode *node = json_object_get_member(obj, member);
	g_autofree gchar *path = NULL;

	if (!node)
		return TRUE;
	if (!is_value_of(node, G_TYPE_BOOLEAN)) {
		path = member_path(where, member);
		return corrupt(error, "state member '%s' must be true or false", path);
	}
	*ret = json_node_get_boolean(node) ? 1 : 0;
	return TRUE;
}

/* Sets *ret (transfer none) to the member if it is an object whose members
 * are all in @known (when given), or to NULL when it is absent. */
static gboolean get_object(JsonObject *obj, const char *where, const char *member,
			   const char *const *known, JsonObject **ret, GError **error)
{
	JsonNode *node = json_object_get_member(obj, member);
	g_autofree gchar *path = member_path(where, member);

	*ret = NULL;
	if (!node)
		return TRUE;
	if (!JSON_NODE_HOLDS_OBJECT(node))
		return corrupt(error, "state member '%s' must be a JSON object", path);
	if (known && !check_members(json_node_get_object(node), path, known, error))
		return FALSE;
	*ret = json_node_get_object(node);
	return TRUE;
}

/* Sets *ret (transfer none) to the member if it is an array of at most
 * @max elements, or to NULL when it is absent. */
static gboolean get_array(JsonObject *obj, const char *member, guint max, JsonArray **ret,
			  GError **error)
{
	JsonNode *node = json_object_get_member(obj, member);

	*ret = NULL;
	if (!node)
		return TRUE;
	if (!JSON_NODE_HOLDS_ARRAY(node))
		return corrupt(error, "state member '%s' must be a JSON array", member);
	if (json_array_get_length(json_node_get_array(node)) > max)
		return corrupt(error, "state member '%s' has %u entries; at most %u are allowed",
			       member, json_array_get_length(json_node_get_array(node)), max);
	*ret = json_node_get_array(node);
	return TRUE;
}

static gboolean parse_component(TgState *state, const char *name, JsonNode *node,
				GError **error)
{
	static const char *const known[] = { "floor", "installed", "security_floor", "pending",
					      "pending_class", "pending_digest", NULL };
	const gsize max = TG_STATE_MAX_VERSION_LEN;
	g_autofree gchar *q = quote_name(name);
	g_autofree gchar *where = g_strconcat("components.", q, NULL);
	g_autofree gchar *cls = NULL;
	TgComponentState *c;
	JsonObject *obj;
	gboolean ok;

	if (!*name || strlen(name) > max || !is_clean_text(name))
		return corrupt(error, "state member 'components' has a component name '%s' that is "
			       "empty, too long, not UTF-8 or holds control characters", q);
	if (!JSON_NODE_HOLDS_OBJECT(node))
		return corrupt(error, "state member '%s' must be a JSON object", where);
	obj = json_node_get_object(node);
	c = g_new0(TgComponentState, 1);
	ok = check_members(obj, where, known, error) &&
	     take_string(obj, where, "floor", max, &c->floor, error) &&
	     take_string(obj, where, "installed", max, &c->installed, error) &&
	     take_string(obj, where, "security_floor", max, &c->security_floor, error) &&
	     take_string(obj, where, "pending", max, &c->pending, error) &&
	     take_string(obj, where, "pending_class", max, &cls, error) &&
	     take_string(obj, where, "pending_digest", max, &c->pending_digest, error);
	if (ok && cls && !tg_update_class_from_string(cls, &c->pending_class))
		ok = corrupt(error, "state member '%s.pending_class' must be security, feature "
			     "or mixed", where);
	if (!ok) {
		component_free(c);
		return FALSE;
	}
	g_hash_table_replace(state->components, g_strdup(name), c);
	return TRUE;
}

static gboolean parse_components(TgState *state, JsonObject *root, GError **error)
{
	g_autoptr(GList) names = NULL;
	JsonObject *obj;

	if (!get_object(root, "", "components", NULL, &obj, error))
		return FALSE;
	if (!obj)
		return TRUE;
	if (json_object_get_size(obj) > TG_STATE_MAX_COMPONENTS)
		return corrupt(error, "state member 'components' lists %u components; at most %d "
			       "are allowed", json_object_get_size(obj), TG_STATE_MAX_COMPONENTS);
	names = json_object_get_members(obj);
	for (GList *l = names; l; l = l->next) {
		if (!parse_component(state, l->data, json_object_get_member(obj, l->data), error))
			return FALSE;
	}
	return TRUE;
}

static gboolean parse_postpone(TgState *state, JsonObject *root, GError **error)
{
	static const char *const known_classes[] = { "security", "feature", NULL };
	static const char *const known[] = { "until", "since", NULL };
	JsonObject *obj;

	if (!get_object(root, "", "postpone", known_classes, &obj, error))
		return FALSE;
	for (guint i = 0; obj && i < G_N_ELEMENTS(class_keys); i++) {
		g_autofree gchar *where = g_strconcat("postpone.", class_keys[i], NULL);
		JsonObject *p;

		if (!get_object(obj, "postpone", class_keys[i], known, &p, error))
			return FALSE;
		if (p && (!take_date(p, where, "until", &state->postpone[i].until, error) ||
			  !take_date(p, where, "since", &state->postpone[i].since, error)))
			return FALSE;
	}
	return TRUE;
}

static gboolean parse_approval(TgState *state, guint index, JsonNode *node, GError **error)
{
	static const char *const known[] = { "digest", "version", "when", NULL };
	const gsize max = TG_STATE_MAX_VERSION_LEN;
	g_autofree gchar *where = g_strdup_printf("approvals[%u]", index);
	TgApproval *a;
	JsonObject *obj;
	gboolean ok;

	if (!JSON_NODE_HOLDS_OBJECT(node))
		return corrupt(error, "state member '%s' must be a JSON object", where);
	obj = json_node_get_object(node);
	a = g_new0(TgApproval, 1);
	ok = check_members(obj, where, known, error) &&
	     take_string(obj, where, "digest", max, &a->digest, error) &&
	     take_string(obj, where, "version", max, &a->version, error) &&
	     take_date(obj, where, "when", &a->when, error);
	if (ok && (!a->when || (!a->digest && !a->version)))
		ok = corrupt(error, "state member '%s' needs 'when' and a 'digest' or 'version'",
			     where);
	if (!ok) {
		approval_free(a);
		return FALSE;
	}
	g_ptr_array_add(state->approvals, a);
	return TRUE;
}

static gboolean parse_approvals(TgState *state, JsonObject *root, GError **error)
{
	JsonArray *arr;

	if (!get_array(root, "approvals", TG_STATE_MAX_APPROVALS, &arr, error))
		return FALSE;
	for (guint i = 0; arr && i < json_array_get_length(arr); i++) {
		if (!parse_approval(state, i, json_array_get_element(arr, i), error))
			return FALSE;
	}
	return TRUE;
}

static gboolean parse_settings(TgState *state, JsonObject *root, GError **error)
{
	static const char *const known[] = { "auto_install_security", "auto_install_feature",
					      "notifications", NULL };
	JsonObject *obj;

	if (!get_object(root, "", "settings", known, &obj, error))
		return FALSE;
	if (!obj)
		return TRUE;
	return take_boolean(obj, "settings", "auto_install_security", &state->auto_install[0],
			    error) &&
	       take_boolean(obj, "settings", "auto_install_feature", &state->auto_install[1],
			    error) &&
	       take_boolean(obj, "settings", "notifications", &state->notifications, error);
}

static gboolean parse_notices(TgState *state, JsonObject *root, GError **error)
{
	JsonArray *arr;

	if (!get_array(root, "support_notices_sent", TG_STATE_MAX_NOTICES, &arr, error))
		return FALSE;
	for (guint i = 0; arr && i < json_array_get_length(arr); i++) {
		JsonNode *node = json_array_get_element(arr, i);
		gint64 days;
		guint value;

		if (!is_value_of(node, G_TYPE_INT64) ||
		    (days = json_node_get_int(node)) < 0 || days > MAX_NOTICE_DAYS)
			return corrupt(error, "state member 'support_notices_sent[%u]' must be a "
				       "whole number of days from 0 to %d", i, MAX_NOTICE_DAYS);
		value = (guint)days;
		g_array_append_val(state->support_notices_sent, value);
	}
	return TRUE;
}

/* TRUE when @node serializes to JSON that reads back the same: every
 * string and member name valid UTF-8 and every number finite (json-glib
 * reads 1e400 as infinity but writes it as "inf"). */
static gboolean is_clean_json(JsonNode *node)
{
	if (JSON_NODE_HOLDS_VALUE(node)) {
		GType type = json_node_get_value_type(node);

		if (type == G_TYPE_DOUBLE)
			return isfinite(json_node_get_double(node));
		return type != G_TYPE_STRING || g_utf8_validate(json_node_get_string(node), -1, NULL);
	}
	if (JSON_NODE_HOLDS_ARRAY(node)) {
		JsonArray *arr = json_node_get_array(node);

		for (guint i = 0; i < json_array_get_length(arr); i++)
			if (!is_clean_json(json_array_get_element(arr, i)))
				return FALSE;
	} else if (JSON_NODE_HOLDS_OBJECT(node)) {
		JsonObject *obj = json_node_get_object(node);
		g_autoptr(GList) names = json_object_get_members(obj);

		for (GList *l = names; l; l = l->next)
			if (!g_utf8_validate(l->data, -1, NULL) ||
			    !is_clean_json(json_object_get_member(obj, l->data)))
				return FALSE;
	}
	return TRUE;
}

/* Keeps @decision as text, if json-glib can read back what it writes for it
 * (its generator turns -8e41 into "-8e+41.0", which is not JSON). */
static gboolean take_decision(TgState *state, JsonNode *decision, GError **error)
{
	g_autofree gchar *text = NULL;
	g_autoptr(JsonNode) back = NULL;

	if (!is_clean_json(decision))
		return corrupt(error, "state member 'last_decision' holds text that is not UTF-8 "
			       "or a number out of range");
	text = json_to_string(decision, FALSE);
	back = parse_object_text(text);
	if (!back)
		return corrupt(error, "state member 'last_decision' holds a number that cannot be "
			       "stored faithfully");
	state->last_decision = g_steal_pointer(&text);
	return TRUE;
}

/* The hardware anchor's counter value the state was written with; absent
 * without an anchor. */
static gboolean take_anchor_count(TgState *state, JsonObject *root, GError **error)
{
	JsonNode *n = json_object_get_member(root, "anchor_count");

	if (!n)
		return TRUE;
	if (!is_value_of(n, G_TYPE_INT64) || json_node_get_int(n) < 1)
		return corrupt(error, "state member 'anchor_count' must be a number of at least 1");
	state->anchor_count = (guint64)json_node_get_int(n);
	return TRUE;
}

static gboolean parse_scalars(TgState *state, JsonObject *root, GError **error)
{
	JsonNode *format = json_object_get_member(root, "format");
	JsonNode *decision = json_object_get_member(root, "last_decision");
	JsonNode *generation = json_object_get_member(root, "generation");
	gint initialized = 0;

	if (!format || !is_value_of(format, G_TYPE_INT64) ||
	    json_node_get_int(format) != STATE_FORMAT)
		return corrupt(error, "state member 'format' must be %d; this file was not "
			       "written by this version of tollgate", STATE_FORMAT);
	if (decision && !JSON_NODE_HOLDS_OBJECT(decision))
		return corrupt(error, "state member 'last_decision' must be a JSON object");
	/* Absent in states written before the log binding: generation 0. */
	if (generation && (!is_value_of(generation, G_TYPE_INT64) || json_node_get_int(generation) < 0))
		return corrupt(error, "state member 'generation' must be a number of at least 0");
	state->generation = generation ? (guint64)json_node_get_int(generation) : 0;
	if (!take_anchor_count(state, root, error) || !take_date(root, "", "support_end", &state->support_end, error) ||
	    !take_date(root, "", "pending_support_end", &state->pending_support_end, error) ||
	    !take_date(root, "", "last_trusted_time", &state->last_trusted_time, error) ||
	    !take_boolean(root, "", "initialized", &initialized, error))
		return FALSE;
	state->initialized = initialized == 1;
	return decision ? take_decision(state, decision, error) : TRUE;
}

/* Refuses input json-glib should never see: oversized, NUL bytes, invalid
 * UTF-8, or nested deeper than MAX_DEPTH (the parser recurses). */
static gboolean precheck(const char *data, gsize len, GError **error)
{
	gboolean in_string = FALSE, escaped = FALSE;
	guint depth = 0;

	if (len > TG_STATE_MAX_SIZE)
		return corrupt(error, "state body is %zu bytes; at most %d are allowed", len,
			       TG_STATE_MAX_SIZE);
	if (memchr(data, '\0', len) || !g_utf8_validate_len(data, len, NULL))
		return corrupt(error, "state body is not valid UTF-8 text");
	for (gsize i = 0; i < len; i++) {
		char ch = data[i];

		if (in_string) {
			in_string = escaped || ch != '"';
			escaped = !escaped && ch == '\\';
		} else if (ch == '"') {
			in_string = TRUE;
		} else if ((ch == '{' || ch == '[') && ++depth > MAX_DEPTH) {
			return corrupt(error, "state body nests deeper than %d levels", MAX_DEPTH);
		} else if ((ch == '}' || ch == ']') && depth > 0) {
			depth--;
		}
	}
	return TRUE;
}

/* json-glib quotes the input in its messages, and that text may decode to
 * invalid UTF-8 or control characters.
 * Returns: (transfer full): @message as valid, printable, bounded UTF-8. */
static gchar *clean_message(const char *message)
{
	g_autofree gchar *valid = g_utf8_make_valid(message, -1);
	g_autofree gchar *head = NULL;

	for (gchar *p = valid; *p; p++)
		if ((guchar)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	if (g_utf8_strlen(valid, -1) <= 160)
		return g_steal_pointer(&valid);
	head = g_utf8_substring(valid, 0, 160);
	return g_strconcat(head, "...", NULL);
}

TgState *tg_state_from_json(const char *data, gsize len, GError **error)
{
	static const char *const known[] = { "format", "components", "support_end",
					      "pending_support_end", "last_trusted_time",
					      "postpone", "approvals", "settings",
					      "support_notices_sent", "last_decision",
					      "initialized", "generation", "anchor_count", NULL };
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) local = NULL;
	g_autoptr(TgState) state = tg_state_new();
	JsonNode *root;
	JsonObject *obj;

	g_return_val_if_fail(data != NULL || len == 0, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	if (!precheck(data, len, error))
		return NULL;
	if (!json_parser_load_from_data(parser, data, (gssize)len, &local)) {
		g_autofree gchar *why = clean_message(local->message);

		corrupt(error, "state body is not valid JSON: %s", why);
		return NULL;
	}
	root = json_parser_get_root(parser);
	if (!root || !JSON_NODE_HOLDS_OBJECT(root)) {
		corrupt(error, "state body must be a JSON object");
		return NULL;
	}
	obj = json_node_get_object(root);
	if (!check_members(obj, "", known, error) || !parse_scalars(state, obj, error) ||
	    !parse_components(state, obj, error) || !parse_postpone(state, obj, error) ||
	    !parse_approvals(state, obj, error) || !parse_settings(state, obj, error) ||
	    !parse_notices(state, obj, error))
		return NULL;
	return g_steal_pointer(&state);
}

/* ---- key file --------------------------------------------------------- */

/* Returns: (transfer full): the HMAC key, or NULL with TG_STATE_ERROR_KEY. */
static GBytes *load_key(const char *key_file, GError **error)
{
	g_autoptr(GError) local = NULL;
	g_autoptr(GBytes) key = NULL;

	if (!key_file) {
		g_set_error_literal(error, TG_STATE_ERROR, TG_STATE_ERROR_KEY,
				    "no state key file is configured; set one in the policy");
		return NULL;
	}
	key = tg_read_key_file(key_file, &local);
	if (!key) {
		g_set_error(error, TG_STATE_ERROR, TG_STATE_ERROR_KEY, "state key: %s",
			    local->message);
		return NULL;
	}
	if (g_bytes_get_size(key) < MIN_KEY_LEN) {
		g_set_error(error, TG_STATE_ERROR, TG_STATE_ERROR_KEY,
			    "state key file %s holds %zu bytes, fewer than the %d required; "
			    "replace it with at least %d random bytes and reseed the state",
			    key_file, g_bytes_get_size(key), MIN_KEY_LEN, MIN_KEY_LEN);
		return NULL;
	}
	return g_steal_pointer(&key);
}

static gboolean key_error(GError **error, const char *what, const char *path)
{
	int saved = errno;

	g_set_error(error, TG_STATE_ERROR, TG_STATE_ERROR_KEY, "cannot %s state key file %s: %s",
		    what, path, g_strerror(saved));
	return FALSE;
}

/* Writes @len bytes to the new file @fd, syncs and closes it; on failure
 * removes @path. */
static gboolean finish_key(int fd, const char *path, const guint8 *buf, gsize len,
			   GError **error)
{
	int saved;

	if (fchmod(fd, 0600) == 0 && tg_io_write_all(fd, buf, len) == 0 && tg_io_fsync(fd) == 0) {
		if (close(fd) == 0)
			return TRUE;
		fd = -1;
	}
	saved = errno;
	if (fd >= 0)
		close(fd);
	(void)unlink(path);
	errno = saved;
	return key_error(error, "write", path);
}

/* Moves the finished temp key @tmp to @path without replacing a key that a
 * concurrent run created meanwhile (link(2) fails then; that key is used). */
static gboolean publish_key(const char *tmp, const char *path, GError **error)
{
	g_autoptr(GBytes) theirs = NULL;
	int linked = link(tmp, path);
	int saved = errno;

	(void)unlink(tmp);
	if (linked < 0 && saved == EEXIST) {
		theirs = load_key(path, error);
		return theirs != NULL;
	}
	errno = saved;
	if (linked < 0)
		return key_error(error, "create", path);
	if (tg_io_fsync_dir_of(path) < 0)
		return key_error(error, "sync the directory of", path);
	return TRUE;
}

/* The key is written to a temp file and linked into place once complete, so
 * a crash never leaves an empty or short key file at @path. */
static gboolean create_key(const char *path, GError **error)
{
	g_autofree gchar *dir = g_path_get_dirname(path);
	g_autofree gchar *tmp = g_strdup_printf("%s.tmp.%d", path, (int)getpid());
	g_autoptr(GError) local = NULL;
	guint8 buf[NEW_KEY_LEN];
	gboolean ok;
	int fd;

	if (g_mkdir_with_parents(dir, 0700) < 0)
		return key_error(error, "create the directory of", path);
	if (!tg_random_bytes(buf, sizeof(buf), &local)) {
		g_set_error(error, TG_STATE_ERROR, TG_STATE_ERROR_KEY,
			    "cannot create state key file %s: %s", path, local->message);
		return FALSE;
	}
	(void)unlink(tmp);
	fd = tg_io_open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
	ok = fd >= 0 ? finish_key(fd, tmp, buf, sizeof(buf), error)
		     : key_error(error, "create", tmp);
	OPENSSL_cleanse(buf, sizeof(buf));
	return ok && publish_key(tmp, path, error);
}

gboolean tg_state_ensure_key(const char *key_file, GError **error)
{
	g_autoptr(GBytes) key = NULL;
	struct stat st;

	g_return_val_if_fail(key_file != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	tg_io_remove_stale_temps(key_file);
	if (lstat(key_file, &st) < 0 && errno == ENOENT)
		return create_key(key_file, error);
	key = load_key(key_file, error);
	return key != NULL;
}

/* ---- the store -------------------------------------------------------- */

static gboolean store_error(GError **error, TgStateError code, const char *fmt, ...)
	G_GNUC_PRINTF(3, 4);

static gboolean store_error(GError **error, TgStateError code, const char *fmt, ...)
{
	g_autofree gchar *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error_literal(error, TG_STATE_ERROR, code, msg);
	return FALSE;
}

/* Creates @dir (0700) if needed; refuses a symlink or a directory others
 * may write to. */
static gboolean check_dir(const char *dir, GError **error)
{
	g_autoptr(GError) local = NULL;
	struct stat st;

	if (g_mkdir_with_parents(dir, 0700) < 0 || lstat(dir, &st) < 0)
		return store_error(error, TG_STATE_ERROR_IO, "cannot create state directory %s: %s",
				   dir, g_strerror(errno));
	if (S_ISLNK(st.st_mode) || !S_ISDIR(st.st_mode))
		return store_error(error, TG_STATE_ERROR_IO, "state directory %s is a symlink or "
				   "not a directory; configure the real directory instead", dir);
	if (st.st_mode & 022)
		return store_error(error, TG_STATE_ERROR_IO, "state directory %s is writable by "
				   "group or others; run chmod 700 %s", dir, dir);
	if (!tg_path_check_owner(dir, "the state directory", &local))
		return store_error(error, TG_STATE_ERROR_IO, "%s", local->message);
	return TRUE;
}

/* How long a run waits for the state lock (ms): a gate holds it for
 * milliseconds, so a longer wait means a stuck process, and waiting for ever
 * would stall the updater. Fault-injection builds (tests) take
 * TOLLGATE_LOCK_TIMEOUT_MS. */
static gint64 lock_timeout_ms(void)
{
	const char *env = TG_FAULT_INJECTION ? g_getenv("TOLLGATE_LOCK_TIMEOUT_MS") : NULL;
	guint64 ms = 0;

	if (env && g_ascii_string_to_unsigned(env, 10, 1, 3600000, &ms, NULL))
		return (gint64)ms;
	return TG_STATE_LOCK_TIMEOUT_MS;
}

/* flock with a deadline; FALSE with errno (EWOULDBLOCK: still held). */
static gboolean lock_within(int fd, gint64 timeout_ms)
{
	gint64 deadline = g_get_monotonic_time() + timeout_ms * 1000;
	gulong wait_us = 1000;

	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return TRUE;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return FALSE;
		if (g_get_monotonic_time() >= deadline) {
			errno = EWOULDBLOCK;
			return FALSE;
		}
		g_usleep(wait_us);
		wait_us = MIN(wait_us * 2, 50000);
	}
}

static int take_lock(const char *dir, GError **error)
{
	g_autofree gchar *path = g_build_filename(dir, TG_STATE_LOCK, NULL);
	int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	gint64 timeout = lock_timeout_ms();

	if (fd < 0) {
		store_error(error, TG_STATE_ERROR_IO, "cannot open lock file %s: %s", path,
			    g_strerror(errno));
		return -1;
	}
	if (!lock_within(fd, timeout)) {
		int saved = errno;

		close(fd);
		if (saved == EWOULDBLOCK)
			store_error(error, TG_STATE_ERROR_IO,
				    "another process has held the state lock %s for more than %" G_GINT64_FORMAT
				    " ms; find it (fuser %s) and stop it if it hangs", path, timeout, path);
		else
			store_error(error, TG_STATE_ERROR_IO, "cannot lock %s: %s", path,
				    g_strerror(saved));
		return -1;
	}
	return fd;
}

TgStateStore *tg_state_store_open(const char *dir, const char *key_file, GError **error)
{
	TgStateStore *store;
	int fd;

	g_return_val_if_fail(dir != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	if (!check_dir(dir, error))
		return NULL;
	fd = take_lock(dir, error);
	if (fd < 0)
		return NULL;
	store = g_new0(TgStateStore, 1);
	store->dir = g_strdup(dir);
	store->path = g_build_filename(dir, TG_STATE_FILE, NULL);
	store->key_file = g_strdup(key_file);
	store->lock_fd = fd;
	return store;
}

void tg_state_store_close(TgStateStore *store)
{
	if (!store)
		return;
	tg_state_store_discard(store);
	if (store->lock_fd >= 0)
		close(store->lock_fd);
	g_free(store->dir);
	g_free(store->path);
	g_free(store->key_file);
	g_free(store);
}

static gboolean read_all(int fd, const char *path, GByteArray *buf, GError **error)
{
	guint8 chunk[4096];

	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return store_error(error, TG_STATE_ERROR_IO, "cannot read state file %s: %s",
					   path, g_strerror(errno));
		if (n == 0)
			return TRUE;
		if (buf->len + (gsize)n > TG_STATE_MAX_SIZE)
			return store_error(error, TG_STATE_ERROR_TAMPERED, "state file %s is larger "
					   "than %d bytes, which tollgate never writes; %s", path,
					   TG_STATE_MAX_SIZE, RESEED_HINT);
		g_byte_array_append(buf, chunk, (guint)n);
	}
}

static gboolean check_state_fd(int fd, const char *path, GError **error)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return store_error(error, TG_STATE_ERROR_IO, "cannot inspect state file %s: %s",
				   path, g_strerror(errno));
	if (!S_ISREG(st.st_mode))
		return store_error(error, TG_STATE_ERROR_TAMPERED, "state file %s is not a regular "
				   "file; remove it, then %s", path, RESEED_HINT);
	if (st.st_mode & 077)
		return store_error(error, TG_STATE_ERROR_TAMPERED, "state file %s has mode %04o but "
				   "must be 0600: find out who changed it, then run chmod 600 %s",
				   path, (unsigned)(st.st_mode & 07777), path);
	return TRUE;
}

/* Returns: (transfer full): the raw state file, or NULL with @error. */
static GByteArray *read_state_file(const char *path, GError **error)
{
	g_autoptr(GByteArray) buf = NULL;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	gboolean ok;

	if (fd < 0 && errno == ENOENT) {
		store_error(error, TG_STATE_ERROR_MISSING, "state file %s does not exist; if this "
			    "device was set up before, %s", path, RESEED_HINT);
		return NULL;
	}
	if (fd < 0 && errno == ELOOP) {
		store_error(error, TG_STATE_ERROR_TAMPERED, "state file %s is a symlink, which "
			    "tollgate never writes; remove it, then %s", path, RESEED_HINT);
		return NULL;
	}
	if (fd < 0) {
		store_error(error, TG_STATE_ERROR_IO, "cannot open state file %s: %s", path,
			    g_strerror(errno));
		return NULL;
	}
	buf = g_byte_array_new();
	ok = check_state_fd(fd, path, error) && read_all(fd, path, buf, error);
	close(fd);
	return ok ? g_steal_pointer(&buf) : NULL;
}

static gboolean is_lower_hex(const char *s, gsize len)
{
	for (gsize i = 0; i < len; i++)
		if (!g_ascii_isdigit(s[i]) && !(s[i] >= 'a' && s[i] <= 'f'))
			return FALSE;
	return TRUE;
}

/* Checks the header and the HMAC; *ret_body points into @file. */
static gboolean verify_file(const TgStateStore *store, GBytes *key, GByteArray *file,
			    const char **ret_body, gsize *ret_len, GError **error)
{
	const char *data = (const char *)file->data;
	char stored[TG_SHA256_HEX_LEN + 1];
	char mac[TG_SHA256_HEX_LEN + 1];
	g_autoptr(GError) local = NULL;
	gsize key_len;
	const guint8 *key_data = g_bytes_get_data(key, &key_len);

	if (file->len < HEADER_LEN || memcmp(data, HEADER_PREFIX, HEADER_PREFIX_LEN) != 0 ||
	    !is_lower_hex(data + HEADER_PREFIX_LEN, TG_SHA256_HEX_LEN) ||
	    data[HEADER_LEN - 1] != '\n')
		return store_error(error, TG_STATE_ERROR_TAMPERED, "state file %s has no valid "
				   "'%s 1' header: it was edited or corrupted; %s", store->path,
				   STATE_MAGIC, RESEED_HINT);
	memcpy(stored, data + HEADER_PREFIX_LEN, TG_SHA256_HEX_LEN);
	stored[TG_SHA256_HEX_LEN] = '\0';
	if (!tg_hmac_sha256_hex(key_data, key_len, data + HEADER_LEN, file->len - HEADER_LEN,
				mac, &local))
		return store_error(error, TG_STATE_ERROR_IO, "cannot check state file %s: %s",
				   store->path, local->message);
	if (!tg_secure_equal(stored, mac))
		return store_error(error, TG_STATE_ERROR_TAMPERED, "state file %s does not match its "
				   "HMAC: it was edited or corrupted (or the key file %s was "
				   "replaced); %s", store->path, store->key_file, RESEED_HINT);
	*ret_body = data + HEADER_LEN;
	*ret_len = file->len - HEADER_LEN;
	return TRUE;
}

TgState *tg_state_store_read(TgStateStore *store, GError **error)
{
	g_autoptr(GByteArray) file = NULL;
	g_autoptr(GBytes) key = NULL;
	g_autoptr(GError) local = NULL;
	TgState *state;
	const char *body = NULL;
	gsize body_len = 0;

	g_return_val_if_fail(store != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	file = read_state_file(store->path, error);
	if (!file)
		return NULL;
	key = load_key(store->key_file, error);
	if (!key || !verify_file(store, key, file, &body, &body_len, error))
		return NULL;
	tg_sha256_hex(file->data, file->len, store->read_digest);
	state = tg_state_from_json(body, body_len, &local);
	if (!state)
		store_error(error, TG_STATE_ERROR_CORRUPT, "state file %s has a valid HMAC but is "
			    "unusable: %s; %s", store->path, local->message, RESEED_HINT);
	return state;
}

/* Returns: (transfer full): header and body, or NULL with @error. */
static gchar *serialize(const TgStateStore *store, const TgState *state, GError **error)
{
	g_autofree gchar *body = tg_state_to_json(state);
	g_autoptr(TgState) check = NULL;
	g_autoptr(GError) local = NULL;
	g_autoptr(GBytes) key = NULL;
	char mac[TG_SHA256_HEX_LEN + 1];
	const guint8 *key_data;
	gsize key_len;

	if (!body) {
		store_error(error, TG_STATE_ERROR_CORRUPT, "refusing to write state file %s: "
			    "last_decision is not a JSON object", store->path);
		return NULL;
	}
	/* Never write what the next read would refuse (limits, bad values). */
	check = tg_state_from_json(body, strlen(body), &local);
	if (!check) {
		store_error(error, TG_STATE_ERROR_CORRUPT, "refusing to write state file %s: %s",
			    store->path, local->message);
		return NULL;
	}
	key = load_key(store->key_file, error);
	if (!key)
		return NULL;
	key_data = g_bytes_get_data(key, &key_len);
	if (!tg_hmac_sha256_hex(key_data, key_len, body, strlen(body), mac, &local)) {
		store_error(error, TG_STATE_ERROR_IO, "cannot protect state file %s: %s",
			    store->path, local->message);
		return NULL;
	}
	return g_strconcat(HEADER_PREFIX, mac, "\n", body, NULL);
}

gboolean tg_state_store_prepare(TgStateStore *store, const TgState *state,
				char ret_digest[TG_SHA256_HEX_LEN + 1], GError **error)
{
	g_autofree gchar *file = NULL;
	g_autoptr(GError) local = NULL;

	g_return_val_if_fail(store != NULL && state != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	tg_state_store_discard(store);
	file = serialize(store, state, error);
	if (!file)
		return FALSE;
	store->pending = tg_io_write_temp(store->path, file, strlen(file), 0600, &local);
	if (!store->pending)
		return store_error(error, TG_STATE_ERROR_IO, "cannot write state: %s",
				   local->message);
	tg_sha256_hex(file, strlen(file), ret_digest);
	return TRUE;
}

gboolean tg_state_store_commit(TgStateStore *store, GError **error)
{
	g_autoptr(GError) local = NULL;
	g_autofree gchar *tmp = NULL;

	g_return_val_if_fail(store != NULL && store->pending != NULL, FALSE);
	tmp = g_steal_pointer(&store->pending);
	if (!tg_io_commit_temp(tmp, store->path, &local))
		return store_error(error, TG_STATE_ERROR_IO, "cannot write state: %s",
				   local->message);
	return TRUE;
}

void tg_state_store_discard(TgStateStore *store)
{
	if (!store->pending)
		return;
	(void)unlink(store->pending);
	g_clear_pointer(&store->pending, g_free);
}

const char *tg_state_store_read_digest(const TgStateStore *store)
{
	return store->read_digest;
}

/* The temp file "<state>.tmp.<pid>" of a dead writer whose bytes hash to
 * @digest. Returns: (transfer full) (nullable): its path. */
static gchar *find_temp(const TgStateStore *store, const char *digest)
{
	g_autoptr(GDir) d = g_dir_open(store->dir, 0, NULL);
	const char *name;

	while (d && (name = g_dir_read_name(d))) {
		g_autofree gchar *path = NULL;
		g_autofree gchar *data = NULL;
		char got[TG_SHA256_HEX_LEN + 1];
		gsize len = 0;

		if (!tg_io_is_stale_temp(name, TG_STATE_FILE))
			continue;
		path = g_build_filename(store->dir, name, NULL);
		if (!tg_io_read_regular(path, TG_STATE_MAX_SIZE * 2, &data, &len, NULL, NULL))
			continue;
		tg_sha256_hex(data, len, got);
		if (g_str_equal(got, digest))
			return g_steal_pointer(&path);
	}
	return NULL;
}

gboolean tg_state_store_finish_open(TgStateStore *store, const char *digest, gboolean *ret_rolled,
				    GError **error)
{
	g_autofree gchar *tmp = digest ? find_temp(store, digest) : NULL;
	g_autoptr(GError) local = NULL;

	*ret_rolled = FALSE;
	if (tmp) {
		if (!tg_io_commit_temp(tmp, store->path, &local))
			return store_error(error, TG_STATE_ERROR_IO, "cannot complete the state "
					   "write the audit log records: %s", local->message);
		*ret_rolled = TRUE;
	}
	tg_io_remove_stale_temps(store->path);
	return TRUE;
}

gboolean tg_state_store_write(TgStateStore *store, const TgState *state, GError **error)
{
	g_autofree gchar *file = NULL;
	g_autoptr(GError) local = NULL;

	g_return_val_if_fail(store != NULL, FALSE);
	g_return_val_if_fail(state != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	file = serialize(store, state, error);
	if (!file)
		return FALSE;
	if (!tg_io_replace_file(store->path, file, strlen(file), 0600, &local))
		return store_error(error, TG_STATE_ERROR_IO, "cannot write state: %s",
				   local->message);
	return TRUE;
}
