/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Notice types: their placeholders, built-in English templates, cleaning
 * of untrusted strings and rendering of title and text. */
#include "notify-private.h"

#include <string.h>

#include "template.h"

#define MAX_DEPTH 8

typedef enum {
	FMT_TEXT,	/* string as it is */
	FMT_LIST,	/* array of strings, joined with ", " */
	FMT_YESNO,	/* boolean: yes / no */
	FMT_ONOFF,	/* boolean: on / off */
	FMT_DAY,	/* RFC 3339 time: YYYY-MM-DD */
	FMT_TIME,	/* RFC 3339 time: YYYY-MM-DD HH:MM UTC */
	FMT_DURATION,	/* seconds: about 5 min */
	FMT_NUMBER,	/* integer */
} TgFormat;

typedef struct {
	const char *name;	/* placeholder */
	const char *member;	/* notice member ("a.b" for a nested one) */
	TgFormat fmt;
	const char *absent;	/* text when the member is null, empty or missing */
} TgPlaceholder;

static const TgPlaceholder placeholders[] = {
	{ "model", "device.model", FMT_TEXT, "this device" },
	{ "device_id", "device.device_id", FMT_TEXT, "unknown" },
	{ "time", "time", FMT_TIME, "unknown" },
	{ "id", "id", FMT_TEXT, "" },
	{ "version", "version", FMT_TEXT, "(no version)" },
	{ "component", "component", FMT_TEXT, "system" },
	{ "advisories", "advisories", FMT_LIST, "none listed" },
	{ "severity", "severity", FMT_TEXT, "not stated" },
	{ "risk", "risk", FMT_TEXT, "not stated" },
	{ "reboot", "reboot", FMT_YESNO, "no" },
	{ "downtime", "downtime_s", FMT_DURATION, "none announced" },
	{ "downtime_s", "downtime_s", FMT_NUMBER, "0" },
	{ "services", "services", FMT_LIST, "none named" },
	{ "approve_command", "approve_command", FMT_TEXT, "no approval needed" },
	{ "until", "until", FMT_TIME, "no fixed time" },
	{ "reason", "reason", FMT_TEXT, "unknown" },
	{ "message", "message", FMT_TEXT, "" },
	{ "support_end", "support_end", FMT_DAY, "unknown" },
	{ "days_left", "days_left", FMT_NUMBER, "0" },
	{ "threshold", "threshold", FMT_NUMBER, "0" },
	{ "old_end", "old_end", FMT_DAY, "none declared" },
	{ "new_end", "new_end", FMT_DAY, "none declared" },
	{ "setting", "setting", FMT_TEXT, "unknown" },
	{ "old", "old", FMT_ONOFF, "unset" },
	{ "new", "new", FMT_ONOFF, "unset" },
};

#define COMMON "model", "device_id", "time", "id"

static const char *const names_security[] = {
	COMMON, "version", "component", "advisories", "severity", "risk", NULL,
};
static const char *const names_disruption[] = {
	COMMON, "version", "component", "reboot", "downtime", "downtime_s", "services",
	"approve_command", NULL,
};
static const char *const names_refused[] = {
	COMMON, "version", "component", "reason", "message", NULL,
};
static const char *const names_deferred[] = {
	COMMON, "version", "component", "until", "reason", "message", NULL,
};
static const char *const names_ending[] = { COMMON, "support_end", "days_left", "threshold", NULL };
static const char *const names_ended[] = { COMMON, "support_end", NULL };
static const char *const names_extended[] = { COMMON, "old_end", "new_end", NULL };
static const char *const names_settings[] = { COMMON, "setting", "old", "new", NULL };

typedef struct {
	const char *name;
	const char *const *placeholders;
	const char *title;
	const char *text;
} TgNoticeTypeInfo;

static const TgNoticeTypeInfo types[TG_NOTICE_N_TYPES] = {
	[TG_NOTICE_SECURITY_UPDATE] = {
		"security-update", names_security,
		"Security update {version} for {model}",
		"A security update to version {version} is available for {model}.\n"
		"Risks it mitigates: {risk}\n"
		"Advisories: {advisories}. Severity: {severity}.",
	},
	[TG_NOTICE_DISRUPTION_WARNING] = {
		"disruption-warning", names_disruption,
		"Update {version} will interrupt {model}",
		"Installing version {version} interrupts the device. Restart: {reboot}. "
		"Expected downtime: {downtime}. Services affected: {services}. "
		"Approval: {approve_command}.",
	},
	[TG_NOTICE_UPDATE_REFUSED] = {
		"update-refused", names_refused,
		"Update {version} refused on {model}",
		"Version {version} of {component} was refused ({reason}): {message}",
	},
	[TG_NOTICE_UPDATE_DEFERRED] = {
		"update-deferred", names_deferred,
		"Update {version} deferred",
		"Version {version} of {component} is not installed now ({reason}); next "
		"attempt: {until}. {message}",
	},
	[TG_NOTICE_SUPPORT_ENDING] = {
		"support-ending", names_ending,
		"Security updates for {model} end on {support_end}",
		"Security updates for {model} end on {support_end}: {days_left} days left.",
	},
	[TG_NOTICE_SUPPORT_ENDED] = {
		"support-ended", names_ended,
		"Security updates for {model} have ended",
		"Security updates for {model} ended on {support_end}. The device no longer "
		"receives fixes for newly found vulnerabilities.",
	},
	[TG_NOTICE_SUPPORT_EXTENDED] = {
		"support-extended", names_extended,
		"Security updates for {model} extended to {new_end}",
		"Security updates for {model} now continue until {new_end} (before: {old_end}).",
	},
	[TG_NOTICE_SETTINGS_CHANGED] = {
		"settings-changed", names_settings,
		"Setting {setting} changed",
		"The setting {setting} was changed from {old} to {new}.",
	},
};

const char *tg_notice_type_name(TgNoticeType type)
{
	g_return_val_if_fail(type < TG_NOTICE_N_TYPES, NULL);
	return types[type].name;
}

gboolean tg_notice_type_from_name(const char *name, TgNoticeType *ret_type)
{
	for (guint i = 0; name && i < TG_NOTICE_N_TYPES; i++) {
		if (g_str_equal(types[i].name, name)) {
			*ret_type = (TgNoticeType)i;
			return TRUE;
		}
	}
	return FALSE;
}

const char *const *tg_notice_placeholders(TgNoticeType type)
{
	g_return_val_if_fail(type < TG_NOTICE_N_TYPES, NULL);
	return types[type].placeholders;
}

const char *tg_notice_default_template(TgNoticeType type, TgNoticePart part)
{
	g_return_val_if_fail(type < TG_NOTICE_N_TYPES, NULL);
	return part == TG_NOTICE_TITLE ? types[type].title : types[type].text;
}

/* ------------------------------------------------------------------ */
/* Cleaning */

/* Returns: (transfer full): @s as valid UTF-8 without control characters
 * other than newline and tab, at most TG_NOTICE_MAX_FIELD bytes. */
static gchar *clean_string(const char *s)
{
	g_autofree gchar *valid = g_utf8_make_valid(s, -1);
	g_autoptr(GString) out = g_string_sized_new(strlen(valid));

	for (const char *p = valid; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if ((c < 0x20 && c != '\n' && c != '\t') || (c >= 0x7f && c < 0xa0))
			g_string_append_unichar(out, 0xfffd);
		else
			g_string_append_len(out, p, g_utf8_next_char(p) - p);
	}
	return tg_text_limit(out->str, TG_NOTICE_MAX_FIELD);
}

static void clean_node(JsonNode *node, guint depth);

static void clean_array(JsonArray *arr, guint depth)
{
	while (json_array_get_length(arr) > TG_NOTICE_MAX_LIST)
		json_array_remove_element(arr, json_array_get_length(arr) - 1);
	for (guint i = 0; i < json_array_get_length(arr); i++)
		clean_node(json_array_get_element(arr, i), depth + 1);
}

static void clean_object(JsonObject *obj, guint depth)
{
	g_autoptr(GList) members = json_object_get_members(obj);

	for (GList *l = members; l; l = l->next)
		clean_node(json_object_get_member(obj, l->data), depth + 1);
}

static void clean_node(JsonNode *node, guint depth)
{
	if (depth > MAX_DEPTH && !JSON_NODE_HOLDS_VALUE(node)) {
		json_node_init_null(node);
		return;
	}
	if (JSON_NODE_HOLDS_OBJECT(node)) {
		clean_object(json_node_get_object(node), depth);
	} else if (JSON_NODE_HOLDS_ARRAY(node)) {
		clean_array(json_node_get_array(node), depth);
	} else if (json_node_get_value_type(node) == G_TYPE_STRING) {
		g_autofree gchar *clean = clean_string(json_node_get_string(node));

		json_node_set_string(node, clean);
	}
}

void tg_notice_clean(JsonObject *obj)
{
	clean_object(obj, 0);
}

/* ------------------------------------------------------------------ */
/* Rendering */

/* Returns: (transfer none): the member at @path ("a.b"), or NULL. */
static JsonNode *member_at(JsonObject *obj, const char *path)
{
	const char *dot = strchr(path, '.');
	g_autofree gchar *head = NULL;
	JsonNode *node;

	if (!dot)
		return json_object_get_member(obj, path);
	head = g_strndup(path, dot - path);
	node = json_object_get_member(obj, head);
	if (!node || !JSON_NODE_HOLDS_OBJECT(node))
		return NULL;
	return member_at(json_node_get_object(node), dot + 1);
}

/* Returns: (transfer full): @text (RFC 3339) in @format, UTC; @text itself
 * when it does not parse. */
static gchar *format_time(const char *text, const char *format)
{
	g_autoptr(GTimeZone) utc = g_time_zone_new_utc();
	g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601(text, utc);
	g_autoptr(GDateTime) in_utc = dt ? g_date_time_to_utc(dt) : NULL;

	return in_utc ? g_date_time_format(in_utc, format) : g_strdup(text);
}

/* Returns: (transfer full): e.g. "about 5 min". */
static gchar *format_duration(gint64 s)
{
	if (s < 120)
		return g_strdup_printf("about %" G_GINT64_FORMAT " s", s);
	if (s < 7200)
		return g_strdup_printf("about %" G_GINT64_FORMAT " min", (s + 59) / 60);
	return g_strdup_printf("about %" G_GINT64_FORMAT " h", (s + 3599) / 3600);
}

/* Returns: (transfer full): the strings of @arr joined with ", ". */
static gchar *format_list(JsonArray *arr)
{
	GString *out = g_string_new(NULL);

	for (guint i = 0; i < json_array_get_length(arr); i++) {
		JsonNode *e = json_array_get_element(arr, i);

		if (json_node_get_value_type(e) != G_TYPE_STRING)
			continue;
		g_string_append_printf(out, "%s%s", out->len ? ", " : "", json_node_get_string(e));
	}
	return g_string_free(out, FALSE);
}

/* Returns: (transfer full) (nullable): the text of @node in @fmt, NULL when
 * the node is missing, null, empty or of another type. */
static gchar *format_value(JsonNode *node, TgFormat fmt)
{
	GType vt = node && JSON_NODE_HOLDS_VALUE(node) ? json_node_get_value_type(node) : 0;
	const char *s = vt == G_TYPE_STRING ? json_node_get_string(node) : NULL;

	if (fmt == FMT_LIST)
		return node && JSON_NODE_HOLDS_ARRAY(node) ? format_list(json_node_get_array(node))
							   : NULL;
	if (fmt == FMT_YESNO || fmt == FMT_ONOFF) {
		if (vt != G_TYPE_BOOLEAN)
			return NULL;
		if (fmt == FMT_YESNO)
			return g_strdup(json_node_get_boolean(node) ? "yes" : "no");
		return g_strdup(json_node_get_boolean(node) ? "on" : "off");
	}
	if (fmt == FMT_NUMBER)
		return vt == G_TYPE_INT64 ? g_strdup_printf("%" G_GINT64_FORMAT,
							    json_node_get_int(node)) : NULL;
	if (fmt == FMT_DURATION)
		return vt == G_TYPE_INT64 && json_node_get_int(node) > 0 ?
		       format_duration(json_node_get_int(node)) : NULL;
	if (!s || !*s)
		return NULL;
	if (fmt == FMT_DAY)
		return format_time(s, "%Y-%m-%d");
	if (fmt == FMT_TIME)
		return format_time(s, "%Y-%m-%d %H:%M UTC");
	return g_strdup(s);
}

/* Returns: (transfer none): the placeholder called @name, or NULL. */
static const TgPlaceholder *find_placeholder(const char *name)
{
	for (gsize i = 0; i < G_N_ELEMENTS(placeholders); i++)
		if (g_str_equal(placeholders[i].name, name))
			return &placeholders[i];
	return NULL;
}

/* Returns: (transfer full): name -> text for every placeholder of @type. */
static GHashTable *placeholder_values(TgNoticeType type, JsonObject *notice)
{
	GHashTable *values = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);

	for (const char *const *n = types[type].placeholders; *n; n++) {
		const TgPlaceholder *ph = find_placeholder(*n);
		gchar *text;

		g_assert(ph != NULL);
		text = format_value(member_at(notice, ph->member), ph->fmt);
		if (!text || !*text) {
			g_free(text);
			text = g_strdup(ph->absent);
		}
		g_hash_table_insert(values, (gpointer)ph->name, text);
	}
	return values;
}

/* Returns: (transfer none): the value of @name in the table @user_data. */
static const char *lookup_value(const char *name, gpointer user_data)
{
	return g_hash_table_lookup(user_data, name);
}

/* A title is one line: control characters become spaces. */
static void flatten(gchar *text)
{
	for (gchar *p = text; *p; p++)
		if ((guchar)*p < 0x20)
			*p = ' ';
}

gchar *tg_notice_render(TgNoticeType type, TgNoticePart part, const char *tmpl,
			JsonObject *notice)
{
	g_autoptr(GHashTable) values = NULL;
	gchar *out;

	g_return_val_if_fail(type < TG_NOTICE_N_TYPES, NULL);
	values = placeholder_values(type, notice);
	if (part == TG_NOTICE_TITLE) {
		out = tg_template_render(tmpl, lookup_value, values, TG_NOTICE_MAX_TITLE);
		flatten(out);
		return out;
	}
	return tg_template_render(tmpl, lookup_value, values, TG_NOTICE_MAX_TEXT);
}
