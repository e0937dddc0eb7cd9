/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* First boot (state initialized from the running version) and detection of
 * lost or tampered state. */
#include "engine-private.h"

#include <string.h>

/* Value of KEY=VALUE (optionally quoted) in an os-release style file. */
static gchar *os_release_value(const char *data, const char *key)
{
	g_auto(GStrv) lines = g_strsplit(data, "\n", -1);
	gsize klen = strlen(key);

	for (gchar **l = lines; *l; l++) {
		gchar *v;
		gsize n;

		if (strncmp(*l, key, klen) != 0 || (*l)[klen] != '=')
			continue;
		v = g_strstrip(*l + klen + 1);
		n = strlen(v);
		if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
			v[n - 1] = '\0';
			v++;
		}
		return g_strdup(v);
	}
	return NULL;
}

/* Version of NAME in SWUpdate's "name version" lines. */
static gchar *sw_versions_value(const char *data, const char *name)
{
	g_auto(GStrv) lines = g_strsplit(data, "\n", -1);

	for (gchar **l = lines; *l; l++) {
		g_auto(GStrv) f = g_strsplit_set(g_strstrip(*l), " \t", -1);
		gchar *fields[2] = { NULL, NULL };
		guint n = 0;

		for (gchar **p = f; *p && n < 2; p++)
			if (**p)
				fields[n++] = *p;
		if (n == 2 && g_str_equal(fields[0], name))
			return g_strdup(fields[1]);
	}
	return NULL;
}

gboolean tg_engine_read_running_version(const TgPolicy *policy, gchar **ret_version,
					GError **error)
{
	g_autofree gchar *data = NULL;
	g_autoptr(GError) local = NULL;
	gchar *version = NULL;

	if (!g_file_get_contents(policy->version_path, &data, NULL, &local)) {
		g_set_error(error, TG_ENGINE_ERROR, TG_ENGINE_ERROR_FAILED,
			    "cannot read the running version for first boot ([state] "
			    "version-path): %s", local->message);
		return FALSE;
	}
	switch (policy->version_source) {
	case TG_VERSION_SOURCE_OS_RELEASE:
		version = os_release_value(data, policy->version_key);
		break;
	case TG_VERSION_SOURCE_SW_VERSIONS:
		version = sw_versions_value(data, policy->version_key);
		break;
	default:
		version = g_strdup(g_strstrip(data));
		break;
	}
	if (!version || !*version) {
		g_free(version);
		g_set_error(error, TG_ENGINE_ERROR, TG_ENGINE_ERROR_FAILED,
			    "%s has no version for '%s' ([state] version-key); fix the file or "
			    "seed the state with `tollgate state reseed --installed VERSION`",
			    policy->version_path, policy->version_key ? policy->version_key : "");
		return FALSE;
	}
	*ret_version = version;
	return TRUE;
}

/* No state and no history: a new device. Seed from the running version. */
static gboolean first_boot(TgEngine *engine, GError **error)
{
	const TgPolicy *p = engine->policy;
	g_autoptr(JsonObject) body = json_object_new();
	g_autofree gchar *version = NULL;

	if (!tg_state_ensure_key(p->key_file, error))
		return FALSE;
	engine->state = tg_state_new();
	json_object_set_string_member(body, "component", p->default_component);
	if (p->version_source != TG_VERSION_SOURCE_NONE) {
		g_autoptr(TgVersion) parsed = NULL;
		TgComponentState *cs;

		if (!tg_engine_read_running_version(p, &version, error))
			return FALSE;
		parsed = tg_version_parse(p->scheme, version, -1, error);
		if (!parsed) {
			g_prefix_error(error, "running version from %s: ", p->version_path);
			return FALSE;
		}
		cs = tg_state_component(engine->state, p->default_component, TRUE);
		cs->installed = g_strdup(version);
		cs->floor = g_strdup(version);
		json_object_set_string_member(body, "source", p->version_path);
	}
	tg_json_set_string(body, "installed", version);
	tg_json_set_string(body, "floor", version);
	engine->state->initialized = TRUE;
	/* The state file first: a crash before the record leaves a device that
	 * boots from its state; the other order would leave history without
	 * state, which refuses every update until a reseed. */
	if (!tg_state_store_write(engine->store, engine->state, error))
		return FALSE;
	return tg_engine_record(engine, "state.initialized", body, NULL, error);
}

/* State lost or tampered: keep going without it (updates needing it are
 * refused), and leave a record. */
static gboolean state_unusable(TgEngine *engine, GError **error)
{
	g_autoptr(JsonObject) body = json_object_new();

	json_object_set_string_member(body, "problem", engine->state_error->message);
	json_object_set_string_member(body, "state_dir", engine->policy->state_dir);
	return tg_engine_record(engine, "state.tamper-detected", body, NULL, error);
}

gboolean tg_engine_load_state(TgEngine *engine, GError **error)
{
	g_autoptr(GError) local = NULL;

	engine->state = tg_state_store_read(engine->store, &local);
	if (engine->state)
		return TRUE;
	if (g_error_matches(local, TG_STATE_ERROR, TG_STATE_ERROR_IO)) {
		g_propagate_error(error, g_steal_pointer(&local));
		return FALSE;
	}
	if (g_error_matches(local, TG_STATE_ERROR, TG_STATE_ERROR_MISSING) &&
	    !tg_audit_has_history(engine->policy->audit_dir)) {
		engine->first_boot = TRUE;
		return TRUE;
	}
	if (g_error_matches(local, TG_STATE_ERROR, TG_STATE_ERROR_MISSING)) {
		g_clear_error(&local);
		g_set_error(&local, TG_STATE_ERROR, TG_STATE_ERROR_MISSING,
			    "the state file in %s is missing although the audit log has history: "
			    "the version floor is lost", engine->policy->state_dir);
	}
	engine->state_error = g_steal_pointer(&local);
	return TRUE;
}

gboolean tg_engine_settle_state(TgEngine *engine, GError **error)
{
	if (engine->first_boot) {
		engine->first_boot = FALSE;
		return first_boot(engine, error);
	}
	if (!engine->state && engine->state_error)
		return state_unusable(engine, error);
	return TRUE;
}
