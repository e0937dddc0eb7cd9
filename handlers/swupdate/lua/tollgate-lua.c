/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Lua 5.3 module `tollgate_swupdate` for the stock SWUpdate binary's Lua
 * handlers (swupdate_handlers.lua registers the script handler).
 *
 *   code, message, infos = tollgate_swupdate.gate(image, opts)
 *   ok, message, infos   = tollgate_swupdate.installed(image, opts)
 *   ok, message, infos   = tollgate_swupdate.failed(image, opts, reason)
 *
 * @image is the table SWUpdate hands a Lua handler: image.version is the
 * update version (the tollgate scripts entry's `version`), image.properties
 * the tollgate metadata. @opts (optional table): swdesc = path of the verified
 * sw-description (for the digest), updater_version = SWUpdate's version,
 * config = policy file. gate() returns 0 (allow), 10 (refuse), 11 (defer)
 * or 1 (error: never allow); @infos is a list of INFO payloads (JSON text)
 * for swupdate.progress(). The module calls no SWUpdate function: it only
 * uses Lua's C API, so it does not depend on the binary's internals. */
#include <lauxlib.h>
#include <lua.h>

#include "tg-swupdate.h"
#include "decision-private.h"

#define MODULE "tollgate_swupdate"

/* A string field of the table at @idx, or NULL (transfer full). */
static gchar *field_string(lua_State *L, int idx, const char *name)
{
	gchar *value = NULL;

	if (lua_type(L, idx) != LUA_TTABLE)
		return NULL;
	lua_getfield(L, idx, name);
	if (lua_type(L, -1) == LUA_TSTRING)
		value = g_strdup(lua_tostring(L, -1));
	lua_pop(L, 1);
	return value;
}

/* The values of the property at the top of the stack: a string or a list
 * of strings. Returns FALSE (with @error) for anything else. */
static gboolean property_values(lua_State *L, const char *key, GPtrArray *values,
				GError **error)
{
	if (lua_type(L, -1) == LUA_TSTRING) {
		g_ptr_array_add(values, g_strdup(lua_tostring(L, -1)));
		return TRUE;
	}
	if (lua_type(L, -1) != LUA_TTABLE) {
		g_set_error(error, TG_SWU_ERROR, TG_SWU_ERROR_VALUE,
			    "property '%s' of the tollgate entry is not a string", key);
		return FALSE;
	}
	for (lua_Integer i = 1; i <= TG_MAX_ADVISORIES + 1; i++) {
		int type = lua_rawgeti(L, -1, i);

		if (type == LUA_TSTRING)
			g_ptr_array_add(values, g_strdup(lua_tostring(L, -1)));
		lua_pop(L, 1);
		if (type == LUA_TNIL)
			break;
		if (type != LUA_TSTRING) {
			g_set_error(error, TG_SWU_ERROR, TG_SWU_ERROR_VALUE,
				    "property '%s' of the tollgate entry has a list element that "
				    "is not a string", key);
			return FALSE;
		}
	}
	return TRUE;
}

/* Copies image.properties into @cand. */
static gboolean set_properties(lua_State *L, int image, TgCandidate *cand, GError **error)
{
	lua_getfield(L, image, "properties");
	if (lua_type(L, -1) != LUA_TTABLE) {
		lua_pop(L, 1);
		return TRUE;
	}
	lua_pushnil(L);
	while (lua_next(L, -2)) {
		g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func(g_free);
		g_autofree gchar *key = NULL;

		if (lua_type(L, -2) != LUA_TSTRING) {
			lua_pop(L, 1);
			continue;
		}
		key = g_strdup(lua_tostring(L, -2));
		if (!property_values(L, key, values, error) ||
		    !tg_swu_candidate_set_property(cand, key, (const char *const *)values->pdata,
						   values->len, error)) {
			lua_pop(L, 3);
			return FALSE;
		}
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	return TRUE;
}

/* Returns: (transfer full): the candidate for the image table at @image. */
static TgCandidate *image_candidate(lua_State *L, int image, int opts, GError **error)
{
	g_autofree gchar *version = field_string(L, image, "version");
	g_autofree gchar *updater_version = field_string(L, opts, "updater_version");
	g_autofree gchar *swdesc = field_string(L, opts, "swdesc");
	g_autoptr(TgCandidate) cand = tg_swu_candidate_new(version, NULL, updater_version);

	if (!set_properties(L, image, cand, error))
		return NULL;
	if (!swdesc)
		swdesc = tg_swu_description_path();
	if (!tg_swu_candidate_set_digest_file(cand, swdesc, error))
		return NULL;
	return g_steal_pointer(&cand);
}

static void collect_info(const char *info, gpointer user_data)
{
	g_ptr_array_add(user_data, g_strdup(info));
}

static TgEngine *open_engine(lua_State *L, int opts, GPtrArray *infos, GError **error)
{
	g_autofree gchar *config = field_string(L, opts, "config");
	g_autofree gchar *updater_version = field_string(L, opts, "updater_version");
	TgSwuEngineOptions eo = {
		.config_path = config,
		.updater_version = updater_version,
		.emit = collect_info,
		.emit_data = infos,
	};

	return tg_swu_engine_open(&eo, error);
}

static void push_infos(lua_State *L, GPtrArray *infos)
{
	lua_createtable(L, (int)infos->len, 0);
	for (guint i = 0; i < infos->len; i++) {
		lua_pushstring(L, g_ptr_array_index(infos, i));
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
}

static int gate(lua_State *L)
{
	g_autoptr(TgSwuTiming) timing = tg_swu_timing_new("preinst");
	g_autoptr(GPtrArray) infos = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(TgCandidate) cand = NULL;
	g_autoptr(TgEngine) engine = NULL;
	g_autoptr(TgDecision) d = NULL;
	g_autoptr(GError) err = NULL;
	g_autofree gchar *message = NULL;
	int code = 1;

	cand = image_candidate(L, 1, 2, &err);
	if (cand)
		engine = open_engine(L, 2, infos, &err);
	if (engine)
		d = tg_engine_gate(engine, cand, &err);
	if (d) {
		const char *verb[] = { "allowed", "deferred", "refused" };

		g_ptr_array_add(infos, tg_swu_info_decision(d));
		code = tg_decision_exit_code(d);
		message = g_strdup_printf("%s %s: %s", verb[d->verdict],
					  d->version ? d->version : "(no version)", d->message);
	} else {
		message = g_strdup_printf("%s; the update must not be installed", err->message);
	}
	if (cand)
		tg_swu_verdict_remember(cand, code != 0);
	g_ptr_array_remove(infos, NULL);
	lua_pushinteger(L, code);
	lua_pushstring(L, message);
	push_infos(L, infos);
	return 3;
}

static int record(lua_State *L, gboolean failed, const char *reason)
{
	g_autoptr(TgSwuTiming) timing = tg_swu_timing_new(failed ? "postfailure" : "postinst");
	g_autoptr(GPtrArray) infos = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(TgCandidate) cand = NULL;
	g_autoptr(TgEngine) engine = NULL;
	g_autoptr(GError) err = NULL;
	gboolean ok = FALSE;

	cand = image_candidate(L, 1, 2, &err);
	if (cand && tg_swu_verdict_take_stopped(cand) && failed) {
		lua_pushboolean(L, TRUE);
		lua_pushfstring(L, "SWUpdate's failure report follows tollgate's own stop of %s; "
				"not recorded as a failed install",
				cand->version ? cand->version : "(no version)");
		push_infos(L, infos);
		return 3;
	}
	if (cand)
		engine = open_engine(L, 2, infos, &err);
	if (engine)
		ok = failed ? tg_engine_failed(engine, cand, reason, &err)
			    : tg_engine_installed(engine, cand, &err);
	if (ok && failed)
		g_ptr_array_add(infos, tg_swu_info_recorded("update.failed", cand->version));
	g_ptr_array_remove(infos, NULL);
	lua_pushboolean(L, ok);
	if (ok)
		lua_pushfstring(L, "recorded %s %s", failed ? "failed install of" : "installed",
				cand->version ? cand->version : "(no version)");
	else
		lua_pushstring(L, err->message);
	push_infos(L, infos);
	return 3;
}

/* Argument checks raise Lua errors (a longjmp): they run before anything
 * is allocated. */
static int l_gate(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	return gate(L);
}

static int l_installed(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	return record(L, FALSE, NULL);
}

static int l_failed(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	return record(L, TRUE, luaL_optstring(L, 3, NULL));
}

static const luaL_Reg functions[] = {
	{ "gate", l_gate },
	{ "installed", l_installed },
	{ "failed", l_failed },
	{ NULL, NULL },
};

int luaopen_tollgate_swupdate(lua_State *L);

__attribute__((visibility("default"))) int luaopen_tollgate_swupdate(lua_State *L)
{
	luaL_newlib(L, functions);
	lua_pushstring(L, TG_SWU_HANDLER_NAME);
	lua_setfield(L, -2, "handler_name");
	return 1;
}
