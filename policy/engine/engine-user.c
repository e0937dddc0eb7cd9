/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* User decisions (postpone, approve, settings) and explicit recovery. Every
 * change is recorded with its old and new value. */
#include "engine-private.h"

#include <string.h>

#include "tg-crypto.h"

static const char *const setting_names[] = {
	"auto-install.security", "auto-install.feature", "notifications", NULL,
};

static gboolean is_digest(const char *text)
{
	if (strlen(text) != TG_SHA256_HEX_LEN)
		return FALSE;
	for (const char *p = text; *p; p++)
		if (!g_ascii_isxdigit(*p))
			return FALSE;
	return TRUE;
}

static gchar *format_duration(gint64 seconds)
{
	if (seconds % 86400 == 0)
		return g_strdup_printf("%" G_GINT64_FORMAT "d", seconds / 86400);
	if (seconds % 3600 == 0)
		return g_strdup_printf("%" G_GINT64_FORMAT "h", seconds / 3600);
	return g_strdup_printf("%" G_GINT64_FORMAT "s", seconds);
}

/* Checks @until against the class maximum; a postpone that extends an active
 * one counts from when the first one started. */
static gboolean check_postpone(TgEngine *engine, guint idx, GDateTime *until,
			       GDateTime **ret_since, GError **error)
{
	const TgPostpone *cur = &engine->state->postpone[idx];
	gint64 max = engine->policy->classes[idx].max_postpone;
	const char *cls = idx == 0 ? "security" : "feature";
	gboolean active = cur->until && g_date_time_compare(cur->until, engine->clock_now) > 0;
	GDateTime *since = active && cur->since ? cur->since : engine->clock_now;
	g_autoptr(GDateTime) limit = g_date_time_add_seconds(since, (gdouble)max);
	g_autofree gchar *limit_s = tg_date_to_string(limit);
	g_autofree gchar *max_s = format_duration(max);

	if (g_date_time_compare(until, engine->clock_now) <= 0) {
		g_set_error(error, TG_ENGINE_ERROR, TG_ENGINE_ERROR_INPUT,
			    "the postpone time lies in the past; give a later --until or a --for "
			    "duration");
		return FALSE;
	}
	if (max == 0 || g_date_time_compare(until, limit) > 0) {
		g_set_error(error, TG_ENGINE_ERROR, TG_ENGINE_ERROR_LIMIT,
			    "%s updates may be postponed by at most %s ([class.%s] max-postpone); "
			    "the latest allowed time is %s", cls, max_s, cls, limit_s);
		return FALSE;
	}
	*ret_since = g_date_time_ref(since);
	return TRUE;
}

gboolean tg_engine_postpone(TgEngine *engine, TgUpdateClass cls, GDateTime *until,
			    GError **error)
{
	g_autoptr(JsonObject) body = json_object_new();
	g_autoptr(GDateTime) since = NULL;
	guint idx = tg_policy_class_index(cls);
	TgPostpone *pp;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (!tg_engine_require_state(engine, error))
		return FALSE;
	if (!check_postpone(engine, idx, until, &since, error))
		return FALSE;
	pp = &engine->state->postpone[idx];
	json_object_set_string_member(body, "class", idx == 0 ? "security" : "feature");
	tg_json_set_date(body, "old_until", pp->until);
	tg_json_set_date(body, "new_until", until);
	json_object_set_int_member(body, "max_postpone_s",
				   engine->policy->classes[idx].max_postpone);
	g_clear_pointer(&pp->until, g_date_time_unref);
	g_clear_pointer(&pp->since, g_date_time_unref);
	pp->until = g_date_time_to_utc(until);
	pp->since = g_steal_pointer(&since);
	return tg_engine_save_state(engine, "user.postponed", body, error);
}

/* When the same update was approved before, or NULL. (transfer none) */
static GDateTime *approved_at(const TgState *state, const char *digest, const char *version)
{
	for (guint i = 0; i < state->approvals->len; i++) {
		const TgApproval *a = g_ptr_array_index(state->approvals, i);

		if (digest ? g_strcmp0(a->digest, digest) == 0
			   : !a->digest && g_strcmp0(a->version, version) == 0)
			return a->when;
	}
	return NULL;
}

gboolean tg_engine_approve(TgEngine *engine, const char *digest_or_version, GError **error)
{
	g_autoptr(JsonObject) body = json_object_new();
	g_autofree gchar *digest = NULL;
	const char *version = NULL;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (!tg_engine_require_state(engine, error))
		return FALSE;
	if (is_digest(digest_or_version)) {
		digest = g_ascii_strdown(digest_or_version, -1);
	} else {
		g_autoptr(TgVersion) v = tg_version_parse(engine->policy->scheme,
							  digest_or_version, -1, error);
		if (!v) {
			g_prefix_error(error, "approve takes a SHA-256 digest or a version: ");
			return FALSE;
		}
		version = digest_or_version;
	}
	tg_json_set_string(body, "digest", digest);
	tg_json_set_string(body, "version", version);
	tg_json_set_date(body, "old_approved_at", approved_at(engine->state, digest, version));
	tg_json_set_date(body, "new_approved_at", engine->now);
	tg_state_add_approval(engine->state, digest, version, engine->now);
	return tg_engine_save_state(engine, "user.approved", body, error);
}

/* Effective value and the state slot of a setting. */
static gint *setting_slot(TgEngine *engine, guint which, gboolean *ret_default)
{
	if (which < 2) {
		guint idx = which == 0 ? 0 : 1;

		*ret_default = engine->policy->classes[idx].auto_install;
		return &engine->state->auto_install[idx];
	}
	*ret_default = TRUE;
	return &engine->state->notifications;
}

gboolean tg_engine_set_setting(TgEngine *engine, const char *key, gboolean value,
			       GError **error)
{
	g_autoptr(JsonObject) body = json_object_new();
	gboolean def = FALSE;
	gint *slot;
	guint which;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (!g_strv_contains(setting_names, key)) {
		g_set_error(error, TG_ENGINE_ERROR, TG_ENGINE_ERROR_INPUT,
			    "'%s' is not a setting; use auto-install.security, "
			    "auto-install.feature or notifications", key);
		return FALSE;
	}
	if (!tg_engine_require_state(engine, error))
		return FALSE;
	for (which = 0; !g_str_equal(setting_names[which], key); which++)
		;
	slot = setting_slot(engine, which, &def);
	json_object_set_string_member(body, "setting", key);
	json_object_set_boolean_member(body, "old", *slot >= 0 ? *slot != 0 : def);
	json_object_set_boolean_member(body, "new", value);
	json_object_set_boolean_member(body, "initialized_default", def);
	json_object_set_string_member(body, "changed_by", "user");
	*slot = value ? 1 : 0;
	if (!tg_engine_save_state(engine, "user.settings-changed", body, error))
		return FALSE;
	tg_engine_notify_event(engine, "settings-changed", body);
	return TRUE;
}

gboolean tg_engine_reseed(TgEngine *engine, const char *component, const char *version,
			  GError **error)
{
	g_autoptr(JsonObject) body = json_object_new();
	g_autoptr(TgVersion) v = NULL;
	TgComponentState *cs;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	component = component ? component : engine->policy->default_component;
	v = tg_version_parse(engine->policy->scheme, version, -1, error);
	if (!v || !tg_engine_reseed_check(engine, component, version, error))
		return FALSE;
	json_object_set_string_member(body, "component", component);
	json_object_set_string_member(body, "version", version);
	tg_json_set_string(body, "previous_problem",
			   engine->state_error ? engine->state_error->message : NULL);
	if (!engine->state) {
		if (!tg_state_ensure_key(engine->policy->key_file, error))
			return FALSE;
		engine->state = tg_state_new();
		engine->state->initialized = TRUE;
		/* Continue the generations the log has seen, so the new state
		 * is bound to it like any other. */
		if (tg_audit_binding(engine->audit)->known)
			engine->state->generation = tg_audit_binding(engine->audit)->generation;
		g_clear_error(&engine->state_error);
	}
	cs = tg_state_component(engine->state, component, TRUE);
	tg_json_set_string(body, "old_floor", cs->floor);
	g_free(cs->floor);
	cs->floor = g_strdup(version);
	g_free(cs->installed);
	cs->installed = g_strdup(version);
	g_clear_pointer(&cs->pending, g_free);
	engine->needs_setup = FALSE;
	return tg_engine_save_state(engine, "state.recovered", body, error) &&
	       tg_engine_mark_provisioned(engine, error);
}
