/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* First boot (state initialized from the running version) and detection of
 * lost or tampered state. */
#include "engine-private.h"

#include <string.h>

#include "tg-crypto.h"
#include "tg-io.h"

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
			    "cannot read the running version ([state] version-path): %s", local->message);
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

gchar *tg_engine_marker_path(const TgPolicy *policy)
{
	char hash[TG_SHA256_HEX_LEN + 1];

	/* One per state directory (a key may serve several, e.g. in tests). */
	tg_sha256_hex(policy->state_dir, strlen(policy->state_dir), hash);
	hash[16] = '\0';
	return g_strdup_printf("%s.provisioned-%s", policy->key_file, hash);
}

gboolean tg_engine_mark_provisioned(TgEngine *engine, GError **error)
{
	g_autofree gchar *path = tg_engine_marker_path(engine->policy);
	g_autofree gchar *when = g_date_time_format_iso8601(engine->now);
	g_autofree gchar *text = g_strdup_printf("tollgate set this device up at %s\n", when);

	if (g_file_test(path, G_FILE_TEST_EXISTS))
		return TRUE;
	return tg_io_replace_file(path, text, strlen(text), 0600, error);
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
	/* The state goes to a temp file first, the record names it, then it is
	 * renamed: a crash leaves no history (boots again) or a record whose
	 * state the next open completes from the temp file. */
	return tg_engine_save_state(engine, "state.initialized", body, error) &&
	       tg_engine_mark_provisioned(engine, error);
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

/* Neither state nor log. A device set up before (its marker next to the
 * key file, outside the state directory) lost both: a factory reset or a
 * deletion, never a silent new start. A new device seeds itself from its
 * version source; without one it waits for `tollgate state reseed`. */
static gboolean provisioned(TgEngine *engine)
{
	g_autofree gchar *marker = tg_engine_marker_path(engine->policy);

	return g_file_test(marker, G_FILE_TEST_EXISTS);
}

static gboolean no_state_no_log(TgEngine *engine)
{
	g_autofree gchar *marker = tg_engine_marker_path(engine->policy);

	if (provisioned(engine)) {
		engine->state_error = g_error_new(
			TG_STATE_ERROR, TG_STATE_ERROR_MISSING,
			"the state and the audit log in %s are gone, but %s shows that this device "
			"was set up before (a factory reset or a deletion): its floors are lost",
			engine->policy->state_dir, marker);
		return TRUE;
	}
	if (engine->policy->version_source == TG_VERSION_SOURCE_NONE) {
		engine->state_error = g_error_new(
			TG_STATE_ERROR, TG_STATE_ERROR_MISSING,
			"this device has no state yet and its policy names no version to start "
			"from ([state] version-source = none)");
		engine->needs_setup = TRUE;
		return TRUE;
	}
	engine->first_boot = TRUE;
	return TRUE;
}

/* Why the state read does not belong to the audit log (docs/state.md), or
 * NULL when it does. Returns: (transfer full). */
static GError *binding_problem(TgEngine *engine)
{
	const TgAuditBinding *b = tg_audit_binding(engine->audit);
	guint64 g = engine->state->generation;
	const char *dir = engine->policy->state_dir;

	if (!b->known && g == 0)
		return NULL;	/* both from before the binding */
	if (!b->known)
		return g_error_new(TG_STATE_ERROR, TG_STATE_ERROR_TAMPERED,
				   "the state file in %s is at generation %" G_GUINT64_FORMAT
				   " but the audit log holds no record of any state: the log "
				   "was deleted or replaced", dir, g);
	if (b->generation > g)
		return g_error_new(TG_STATE_ERROR, TG_STATE_ERROR_TAMPERED,
				   "the state file in %s is at generation %" G_GUINT64_FORMAT
				   " but the audit log already recorded generation %" G_GUINT64_FORMAT
				   ": an older copy of the state file was put back", dir, g,
				   b->generation);
	if (b->generation < g)
		return g_error_new(TG_STATE_ERROR, TG_STATE_ERROR_TAMPERED,
				   "the audit log ends at state generation %" G_GUINT64_FORMAT
				   " but the state file in %s is at %" G_GUINT64_FORMAT ": records "
				   "were cut from the log or it was replaced by an older copy",
				   b->generation, dir, g);
	if (strcmp(b->digest, tg_state_store_read_digest(engine->store)) != 0)
		return g_error_new(TG_STATE_ERROR, TG_STATE_ERROR_TAMPERED,
				   "the state file in %s is not the one the audit log recorded for "
				   "generation %" G_GUINT64_FORMAT ": it was replaced", dir, g);
	return NULL;
}

/* A crash between the record of a state write and its rename leaves the
 * new state in a temp file whose digest the log names: complete it and read
 * the state again. */
static gboolean roll_forward(TgEngine *engine, GError **error)
{
	const TgAuditBinding *b = tg_audit_binding(engine->audit);
	guint64 g = engine->state ? engine->state->generation : 0;
	gboolean rolled = FALSE;
	g_autoptr(GError) local = NULL;
	TgState *again;

	if (!tg_state_store_finish_open(engine->store, b->known && b->generation == g + 1
							 ? b->digest : NULL,
					&rolled, error))
		return FALSE;
	if (!rolled)
		return TRUE;
	again = tg_state_store_read(engine->store, &local);
	if (!again)
		return TRUE;	/* judged as before */
	g_clear_pointer(&engine->state, tg_state_free);
	engine->state = again;
	return TRUE;
}

gboolean tg_engine_load_state(TgEngine *engine, GError **error)
{
	g_autoptr(GError) local = NULL;

	engine->state = tg_state_store_read(engine->store, &local);
	/* Completes a write the log announced (it sets engine->state then) and
	 * removes stale temp files, unless the store cannot even be read. */
	if (!g_error_matches(local, TG_STATE_ERROR, TG_STATE_ERROR_IO) &&
	    !roll_forward(engine, error))
		return FALSE;
	if (engine->state) {
		engine->state_error = binding_problem(engine);
		if (engine->state_error)
			g_clear_pointer(&engine->state, tg_state_free);
		return tg_engine_anchor_check(engine, error);
	}
	if (g_error_matches(local, TG_STATE_ERROR, TG_STATE_ERROR_IO)) {
		g_propagate_error(error, g_steal_pointer(&local));
		return FALSE;
	}
	/* No state ever: no log, or one with refusals only (no state binding)
	 * on a device never set up. */
	if (g_error_matches(local, TG_STATE_ERROR, TG_STATE_ERROR_MISSING) &&
	    (!tg_audit_has_history(engine->policy->audit_dir) ||
	     (!tg_audit_binding(engine->audit)->known && !provisioned(engine) &&
	      engine->policy->version_source == TG_VERSION_SOURCE_NONE)))
		return no_state_no_log(engine);
	if (g_error_matches(local, TG_STATE_ERROR, TG_STATE_ERROR_MISSING)) {
		g_clear_error(&local);
		g_set_error(&local, TG_STATE_ERROR, TG_STATE_ERROR_MISSING,
			    "the state file in %s is missing although the audit log has history: "
			    "the version floor is lost", engine->policy->state_dir);
	}
	engine->state_error = g_steal_pointer(&local);
	return TRUE;
}

/* A device that had a state before the anchor was turned on: bind it now,
 * so that a copy from before can be told apart from then on. */
static gboolean anchor_bind(TgEngine *engine, GError **error)
{
	g_autoptr(JsonObject) body = NULL;

	if (!engine->anchor_new || !engine->state)
		return TRUE;
	engine->anchor_new = FALSE;
	body = json_object_new();
	json_object_set_string_member(body, "anchor", "tpm2");
	json_object_set_string_member(body, "tcti", engine->policy->anchor_tcti);
	json_object_set_int_member(body, "nv_index", engine->policy->anchor_index);
	return tg_engine_save_state(engine, "state.anchored", body, error);
}

gboolean tg_engine_settle_state(TgEngine *engine, GError **error)
{
	if (engine->first_boot) {
		engine->first_boot = FALSE;
		return first_boot(engine, error);
	}
	if (!engine->state && engine->state_error && !engine->needs_setup)
		return state_unusable(engine, error);
	return anchor_bind(engine, error);
}
