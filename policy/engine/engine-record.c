/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The engine's writes: audit records and the state, bound to each other
 * (docs/state.md). Every other engine file writes through these. */
#include "engine-private.h"

G_DEFINE_QUARK(tg-engine-error-quark, tg_engine_error)

gboolean tg_engine_require_state(TgEngine *engine, GError **error)
{
	if (engine->state)
		return TRUE;
	g_set_error(error, TG_ENGINE_ERROR, TG_ENGINE_ERROR_STATE,
		    "%s; after checking the device, recover with `tollgate state reseed "
		    "--installed VERSION [--component C]`",
		    engine->state_error ? engine->state_error->message : "the state is unusable");
	return FALSE;
}

gboolean tg_engine_state_prepare(TgEngine *engine, JsonObject *body, GError **error)
{
	TgState *st = engine->state;
	char digest[65];	/* SHA-256 hex */

	/* Only the clock is carried into later runs: a run with --now leaves
	 * the trusted time as it was (a --now in the future must not lock
	 * out later runs, one in the past must not lower it). */
	if (engine->trust != TG_TIME_OVERRIDE) {
		g_clear_pointer(&st->last_trusted_time, g_date_time_unref);
		st->last_trusted_time = g_date_time_ref(engine->clock_now);
	}
	st->generation++;
	if (!tg_state_store_prepare(engine->store, st, digest, error)) {
		st->generation--;
		return FALSE;
	}
	json_object_set_int_member(body, "state_generation", (gint64)st->generation);
	json_object_set_string_member(body, "state_digest", digest);
	return TRUE;
}

void tg_engine_state_discard(TgEngine *engine, JsonObject *body)
{
	tg_state_store_discard(engine->store);
	engine->state->generation--;
	json_object_remove_member(body, "state_generation");
	json_object_remove_member(body, "state_digest");
}

gboolean tg_engine_state_commit(TgEngine *engine, GError **error)
{
	return tg_state_store_commit(engine->store, error);
}

gboolean tg_engine_save_state(TgEngine *engine, const char *event, JsonObject *body,
			      GError **error)
{
	gboolean raises = tg_engine_anchor_raises(event);

	if (raises && !tg_engine_anchor_prepare(engine, error))
		return FALSE;
	if (!tg_engine_state_prepare(engine, body, error))
		return FALSE;
	if (!tg_engine_record(engine, event, body, NULL, error)) {
		tg_engine_state_discard(engine, body);
		return FALSE;
	}
	if (!tg_engine_state_commit(engine, error))
		return FALSE;
	if (raises)
		tg_engine_anchor_advance(engine);
	return TRUE;
}

gboolean tg_engine_record(TgEngine *engine, const char *event, JsonObject *body,
			  guint64 *ret_seq, GError **error)
{
	return tg_audit_append(engine->audit, event, body, ret_seq, error);
}
