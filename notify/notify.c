/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The notifier: parses [notify], [template.LANG] and [sink.NAME] from the
 * policy's extra groups strictly, renders notices and hands them to the
 * sinks. */
#include "notify-private.h"

#include <string.h>

#include "template.h"
#include "policy-private.h"


#define MAX_NAME 64

typedef struct {
	gchar *name;
	const TgSinkOps *ops;
	gpointer config;
	gboolean required;
	guint notices;		/* bit per TgNoticeType */
} TgSink;

typedef struct {
	GPtrArray *sinks;	/* TgSink* */
	gchar *language;
	gchar *templates[TG_NOTICE_N_TYPES][TG_NOTICE_N_PARTS];
} TgNotifier;

static const TgSinkOps *const sink_types[] = {
	&tg_sink_exec, &tg_sink_dbus, &tg_sink_file, &tg_sink_stderr,
};

static const char *const part_names[TG_NOTICE_N_PARTS] = { "title", "text" };

static void sink_free(TgSink *sink)
{
	if (sink->config)
		sink->ops->free(sink->config);
	g_free(sink->name);
	g_free(sink);
}

static void notifier_free(TgNotifier *nf)
{
	if (!nf)
		return;
	g_clear_pointer(&nf->sinks, g_ptr_array_unref);
	g_free(nf->language);
	for (guint t = 0; t < TG_NOTICE_N_TYPES; t++)
		for (guint p = 0; p < TG_NOTICE_N_PARTS; p++)
			g_free(nf->templates[t][p]);
	g_free(nf);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgNotifier, notifier_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgSink, sink_free)

/* Names of groups and languages: letters, digits, '-', '_'. */
static gboolean valid_name(const char *name)
{
	gsize n = strlen(name);

	if (n == 0 || n > MAX_NAME)
		return FALSE;
	for (const char *p = name; *p; p++)
		if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_')
			return FALSE;
	return TRUE;
}

static gboolean bad_group_name(const TgKf *k, const char *group, GError **error)
{
	g_autofree gchar *q = tg_kf_quote(group);

	g_set_error(error, TG_POLICY_ERROR, TG_POLICY_ERROR_VALUE,
		    "%s: group [%s] has a bad name; after the dot use 1 to %d letters, digits, "
		    "'-' or '_'", tg_kf_file(k, group, NULL), q, MAX_NAME);
	return FALSE;
}

/* ------------------------------------------------------------------ */
/* [template.LANG] */

static gboolean take_template(TgKf *k, const char *group, TgNoticeType type, TgNoticePart part,
			      gchar **ret, GError **error)
{
	g_autofree gchar *key = g_strdup_printf("%s.%s", tg_notice_type_name(type),
						part_names[part]);
	g_autofree gchar *value = NULL;
	g_autoptr(GError) local = NULL;

	if (!tg_kf_take_string(k, group, key, &value, error))
		return FALSE;
	if (!value)
		return TRUE;
	if (!tg_template_check(value, tg_notice_placeholders(type), &local))
		return tg_kf_value_error(k, group, key, value, local->message, error);
	*ret = g_steal_pointer(&value);
	return TRUE;
}

/* Parses [template.LANG] into @ret (TG_NOTICE_N_TYPES x TG_NOTICE_N_PARTS,
 * NULL where the group does not set the key). */
static gboolean parse_template_group(TgKf *k, const char *group, gchar **ret, GError **error)
{
	if (!valid_name(group + strlen("template.")))
		return bad_group_name(k, group, error);
	for (guint t = 0; t < TG_NOTICE_N_TYPES; t++)
		for (guint p = 0; p < TG_NOTICE_N_PARTS; p++)
			if (!take_template(k, group, t, p, &ret[t * TG_NOTICE_N_PARTS + p], error))
				return FALSE;
	return tg_kf_check_remaining_keys(k, group, error);
}

static void free_table(gchar **table)
{
	for (guint i = 0; i < TG_NOTICE_N_TYPES * TG_NOTICE_N_PARTS; i++)
		g_free(table[i]);
}

/* Effective templates: [template.LANG], then [template.en], then built in. */
static void resolve_templates(TgNotifier *nf, gchar **lang, gchar **en)
{
	for (guint t = 0; t < TG_NOTICE_N_TYPES; t++) {
		for (guint p = 0; p < TG_NOTICE_N_PARTS; p++) {
			guint i = t * TG_NOTICE_N_PARTS + p;
			const char *v = lang[i] ? lang[i] : en[i];

			nf->templates[t][p] = g_strdup(v ? v : tg_notice_default_template(t, p));
		}
	}
}

static gboolean parse_templates(TgKf *k, TgNotifier *nf, GError **error)
{
	g_autofree gchar *group = g_strconcat("template.", nf->language, NULL);
	gchar *lang[TG_NOTICE_N_TYPES * TG_NOTICE_N_PARTS] = { NULL };
	gchar *en[TG_NOTICE_N_TYPES * TG_NOTICE_N_PARTS] = { NULL };
	g_auto(GStrv) groups = g_key_file_get_groups(k->kf, NULL);
	gboolean ok = TRUE;

	for (gchar **g = groups; ok && *g; g++) {
		gchar *scratch[TG_NOTICE_N_TYPES * TG_NOTICE_N_PARTS] = { NULL };
		gchar **into = g_str_equal(*g, group) ? lang :
			       g_str_equal(*g, "template.en") ? en : scratch;

		if (g_str_has_prefix(*g, "template."))
			ok = parse_template_group(k, *g, into, error);
		free_table(scratch);
	}
	if (ok && !g_str_equal(nf->language, "en") && !g_strv_contains((const char *const *)groups,
								       group)) {
		g_set_error(error, TG_POLICY_ERROR, TG_POLICY_ERROR_VALUE,
			    "%s: [notify] language = '%s' has no [%s] group; add the group or use "
			    "en", tg_kf_file(k, "notify", "language"), nf->language, group);
		ok = FALSE;
	}
	if (ok)
		resolve_templates(nf, lang, g_str_equal(nf->language, "en") ? lang : en);
	free_table(lang);
	free_table(en);
	return ok;
}

/* ------------------------------------------------------------------ */
/* [sink.NAME] */

static gboolean take_sink_type(TgKf *k, const char *group, const TgSinkOps **ret,
			       GError **error)
{
	static const char *const names[] = { "exec", "dbus", "file", "stderr", NULL };
	gint idx = -1;

	if (!tg_kf_take_enum(k, group, "type", names, &idx, error))
		return FALSE;
	if (idx < 0) {
		tg_notify_missing_key(k, group, "type", "set type = exec, dbus, file or stderr",
				      error);
		return FALSE;
	}
	*ret = sink_types[idx];
	return TRUE;
}

static gboolean take_notices(TgKf *k, const char *group, guint *ret, GError **error)
{
	g_autoptr(GPtrArray) list = NULL;
	g_autofree gchar *raw = NULL;
	guint mask = 0;

	if (g_key_file_has_key(k->kf, group, "notices", NULL))
		raw = g_key_file_get_value(k->kf, group, "notices", NULL);
	if (!tg_kf_take_string_list(k, group, "notices", &list, error))
		return FALSE;
	if (!list) {
		*ret = TG_NOTICE_ALL_TYPES;
		return TRUE;
	}
	for (guint i = 0; i < list->len; i++) {
		TgNoticeType t;

		if (!tg_notice_type_from_name(g_ptr_array_index(list, i), &t))
			return tg_kf_value_error(k, group, "notices", raw,
						 "names an unknown notice type; use security-update, "
						 "disruption-warning, update-refused, update-deferred, "
						 "support-ending, support-ended, support-extended or "
						 "settings-changed", error);
		mask |= 1u << t;
	}
	if (mask == 0)
		return tg_kf_value_error(k, group, "notices", raw,
					 "is empty; list notice types or remove the key", error);
	*ret = mask;
	return TRUE;
}

/* Returns: (transfer full): the sink, or NULL with @error. */
static TgSink *parse_sink(TgKf *k, const char *group, GError **error)
{
	g_autoptr(TgSink) sink = g_new0(TgSink, 1);

	sink->name = g_strdup(group + strlen("sink."));
	if (!valid_name(sink->name)) {
		bad_group_name(k, group, error);
		return NULL;
	}
	if (!take_sink_type(k, group, &sink->ops, error) ||
	    !tg_kf_take_boolean(k, group, "required", &sink->required, error) ||
	    !take_notices(k, group, &sink->notices, error))
		return NULL;
	sink->config = sink->ops->parse(k, group, error);
	if (!sink->config || !tg_kf_check_remaining_keys(k, group, error))
		return NULL;
	return g_steal_pointer(&sink);
}

static gboolean parse_sinks(TgKf *k, TgNotifier *nf, GError **error)
{
	g_auto(GStrv) groups = g_key_file_get_groups(k->kf, NULL);

	for (gchar **g = groups; *g; g++) {
		TgSink *sink;

		if (!g_str_has_prefix(*g, "sink."))
			continue;
		if (nf->sinks->len == TG_NOTIFY_MAX_SINKS) {
			g_set_error(error, TG_POLICY_ERROR, TG_POLICY_ERROR_VALUE,
				    "%s: [%s] is one sink too many; at most %d sinks are allowed",
				    tg_kf_file(k, *g, NULL), *g, TG_NOTIFY_MAX_SINKS);
			return FALSE;
		}
		sink = parse_sink(k, *g, error);
		if (!sink)
			return FALSE;
		g_ptr_array_add(nf->sinks, sink);
	}
	return TRUE;
}

/* ------------------------------------------------------------------ */
/* The whole configuration */

static gboolean parse_notify_group(TgKf *k, TgNotifier *nf, GError **error)
{
	if (!tg_kf_take_string(k, "notify", "language", &nf->language, error))
		return FALSE;
	if (!nf->language)
		nf->language = g_strdup("en");
	if (!valid_name(nf->language))
		return tg_kf_value_error(k, "notify", "language", nf->language,
					 "is not a language tag; use letters, digits and '-' "
					 "(e.g. en, de, pt-BR)", error);
	return !g_key_file_has_group(k->kf, "notify") ||
	       tg_kf_check_remaining_keys(k, "notify", error);
}

static gboolean is_notify_group(const char *group)
{
	return g_str_equal(group, "notify") || g_str_has_prefix(group, "notify.") ||
	       g_str_has_prefix(group, "sink.") || g_str_has_prefix(group, "template.");
}

/* Returns: (transfer full): the notifier; NULL with @error for a bad
 * policy, NULL without one when no sink is configured. */
static gpointer notify_open(const TgPolicy *policy, gpointer user_data, GError **error)
{
	g_autoptr(GKeyFile) kf = tg_kf_copy_groups(policy->extra, is_notify_group);
	g_autoptr(TgNotifier) nf = g_new0(TgNotifier, 1);
	TgKf k = tg_kf_for_policy(kf, policy);

	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	nf->sinks = g_ptr_array_new_with_free_func((GDestroyNotify)sink_free);
	if (!parse_notify_group(&k, nf, error) || !parse_templates(&k, nf, error) ||
	    !parse_sinks(&k, nf, error) || !tg_kf_check_remaining_groups(&k, error))
		return NULL;
	if (nf->sinks->len == 0)
		return NULL;
	return g_steal_pointer(&nf);
}

/* ------------------------------------------------------------------ */
/* Sending */

static void add_outcome(JsonArray *outcomes, const TgSink *sink, const GError *err)
{
	JsonObject *o = json_object_new();

	json_object_set_string_member(o, "sink", sink->name);
	json_object_set_string_member(o, "type", sink->ops->name);
	json_object_set_boolean_member(o, "delivered", err == NULL);
	json_object_set_boolean_member(o, "required", sink->required);
	if (err)
		json_object_set_string_member(o, "error", err->message);
	else
		json_object_set_null_member(o, "error");
	json_array_add_object_element(outcomes, o);
}

static gboolean in_scope(const TgSink *sink, TgNotifyScope scope)
{
	if (scope == TG_NOTIFY_CALLER)
		return FALSE;	/* the policy's sinks are never the caller's */
	return scope == TG_NOTIFY_ALL || sink->required == (scope == TG_NOTIFY_REQUIRED);
}

static void fail_all(TgNotifier *nf, const char *type, TgNotifyScope scope,
		     JsonArray *outcomes)
{
	g_autoptr(GError) err = g_error_new(TG_NOTIFY_ERROR, TG_NOTIFY_ERROR_TYPE,
					    "'%s' is not a notice type this notifier knows",
					    type ? type : "(none)");

	for (guint i = 0; i < nf->sinks->len; i++)
		if (in_scope(g_ptr_array_index(nf->sinks, i), scope))
			add_outcome(outcomes, g_ptr_array_index(nf->sinks, i), err);
}

/* Returns: (transfer none): the string member @name, or "" when missing. */
static const char *string_member(JsonObject *obj, const char *name)
{
	JsonNode *node = json_object_get_member(obj, name);

	return node && json_node_get_value_type(node) == G_TYPE_STRING ? json_node_get_string(node)
									: "";
}

static void deliver_all(TgNotifier *nf, const TgNotice *n, TgNotifyScope scope,
			JsonArray *outcomes)
{
	for (guint i = 0; i < nf->sinks->len; i++) {
		TgSink *sink = g_ptr_array_index(nf->sinks, i);
		g_autoptr(GError) err = NULL;

		if (!(sink->notices & (1u << n->type)) || !in_scope(sink, scope))
			continue;
		if (!sink->ops->deliver(sink->config, n, &err) && !err)
			err = g_error_new_literal(TG_NOTIFY_ERROR, TG_NOTIFY_ERROR_FAILED,
						  "the sink failed without saying why");
		add_outcome(outcomes, sink, err);
	}
}

static void notify_send(gpointer data, JsonObject *notice, TgNotifyScope scope,
			JsonArray *outcomes)
{
	TgNotifier *nf = data;
	g_autoptr(JsonNode) node = json_node_new(JSON_NODE_OBJECT);
	g_autofree gchar *json = NULL;
	g_autofree gchar *title = NULL;
	g_autofree gchar *text = NULL;
	TgNoticeType type;
	TgNotice n = { 0 };

	tg_notice_clean(notice);
	if (!tg_notice_type_from_name(string_member(notice, "type"), &type)) {
		fail_all(nf, string_member(notice, "type"), scope, outcomes);
		return;
	}
	title = tg_notice_render(type, TG_NOTICE_TITLE, nf->templates[type][TG_NOTICE_TITLE],
				 notice);
	text = tg_notice_render(type, TG_NOTICE_TEXT, nf->templates[type][TG_NOTICE_TEXT], notice);
	json_object_set_string_member(notice, "language", nf->language);
	json_object_set_string_member(notice, "title", title);
	json_object_set_string_member(notice, "text", text);
	json_node_set_object(node, notice);
	json = json_to_string(node, FALSE);
	n = (TgNotice){ .type = type, .type_name = tg_notice_type_name(type),
			.id = string_member(notice, "id"), .time = string_member(notice, "time"),
			.title = title, .text = text, .json = json, .json_len = strlen(json) };
	deliver_all(nf, &n, scope, outcomes);
}

static void notify_close(gpointer data)
{
	notifier_free(data);
}

static const TgNotifyOps ops = {
	.open = notify_open,
	.send = notify_send,
	.close = notify_close,
};

const TgNotifyOps *tg_notify_ops(void)
{
	return &ops;
}
