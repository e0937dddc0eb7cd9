/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The state's hardware anchor ([state] anchor = tpm2, docs/state.md): every
 * write that raises a floor (or sets the device up, or recovers it) carries
 * the counter value the TPM is about to reach, and the counter is counted up
 * right after the write. On open, a state whose value is behind the counter
 * is an older copy, even when the log was put back with it. */
#include "engine-private.h"

#include "tg-anchor.h"

/* Records after which the counter is counted up. */
static const char *const raising[] = {
	"state.initialized", "state.recovered", "state.anchored", "update.committed",
	"support.extended", NULL,
};

static gboolean anchored(const TgEngine *engine)
{
	return engine->policy->anchor == TG_ANCHOR_TPM2;
}

static TgAnchor *anchor_of(TgEngine *engine, GError **error)
{
	if (!engine->anchor)
		engine->anchor = tg_anchor_open(engine->policy->anchor_tcti,
						engine->policy->anchor_index, error);
	return engine->anchor;
}

gboolean tg_engine_anchor_raises(const char *event)
{
	return g_strv_contains(raising, event);
}

gboolean tg_engine_anchor_prepare(TgEngine *engine, GError **error)
{
	TgAnchor *a;
	guint64 count;

	if (!anchored(engine))
		return TRUE;
	a = anchor_of(engine, error);
	if (!a || !tg_anchor_read(a, TRUE, &count, error))
		return FALSE;
	engine->state->anchor_count = count + 1;
	return TRUE;
}

void tg_engine_anchor_advance(TgEngine *engine)
{
	g_autoptr(GError) err = NULL;

	/* On failure the state is one ahead; the next open completes it. */
	if (anchored(engine) && engine->anchor && !tg_anchor_increment(engine->anchor, &err))
		g_warning("%s; the next run completes it", err->message);
}

/* Why the state does not match the counter, or NULL. (transfer full) */
static GError *mismatch(TgEngine *engine, guint64 a, guint64 c)
{
	const char *dir = engine->policy->state_dir;

	if (c == 0)
		return g_error_new(TG_STATE_ERROR, TG_STATE_ERROR_TAMPERED,
				   "the state file in %s was anchored to the TPM, but the TPM has "
				   "no such counter (NV index 0x%08x): the TPM was cleared or "
				   "another one answers", dir, engine->policy->anchor_index);
	if (a == 0 || a < c)
		return g_error_new(TG_STATE_ERROR, TG_STATE_ERROR_TAMPERED,
				   "the state file in %s was written at TPM count %" G_GUINT64_FORMAT
				   ", but the TPM counter is at %" G_GUINT64_FORMAT ": an older "
				   "copy of the state (and of the log) was put back", dir, a, c);
	return g_error_new(TG_STATE_ERROR, TG_STATE_ERROR_TAMPERED,
			   "the state file in %s claims TPM count %" G_GUINT64_FORMAT ", ahead of "
			   "the TPM counter at %" G_GUINT64_FORMAT ": the TPM was cleared or "
			   "another one answers", dir, a, c);
}

gboolean tg_engine_anchor_check(TgEngine *engine, GError **error)
{
	guint64 a, c = 0;
	TgAnchor *an;

	if (!anchored(engine) || !engine->state)
		return TRUE;
	an = anchor_of(engine, error);
	if (!an || !tg_anchor_read(an, FALSE, &c, error))
		return FALSE;
	a = engine->state->anchor_count;
	if (a == 0 && c == 0) {
		engine->anchor_new = TRUE;	/* the anchor was just turned on */
		return TRUE;
	}
	if (a == c + 1 && c > 0)	/* a write whose count-up did not happen */
		return tg_anchor_increment(an, error);
	if (a == c)
		return TRUE;
	engine->state_error = mismatch(engine, a, c);
	g_clear_pointer(&engine->state, tg_state_free);
	return TRUE;
}
