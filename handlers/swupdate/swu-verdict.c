/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The verdict of the install that is running now. SWUpdate 2024.05+ calls
 * every script handler with POSTFAILURE after any failed install, also
 * after tollgate's own refusal or deferral in PREINSTALL: that report must
 * not become an update.failed record. The handler remembers what it decided
 * for the sw-description it gated; the failure path asks. The Lua module is
 * linked -z nodelete, so this survives SWUpdate closing its Lua state. */
#include "tg-swupdate.h"
#include "decision-private.h"

G_LOCK_DEFINE_STATIC(running);
static gchar *running_key;	/* digest (or version) of the install */
static gboolean running_stopped;

static gchar *candidate_key(const TgCandidate *cand)
{
	if (cand->digest)
		return g_strconcat("digest:", cand->digest, NULL);
	return g_strconcat("version:", cand->version ? cand->version : "", NULL);
}

void tg_swu_verdict_remember(const TgCandidate *cand, gboolean stopped)
{
	G_LOCK(running);
	g_free(running_key);
	running_key = candidate_key(cand);
	running_stopped = stopped;
	G_UNLOCK(running);
}

gboolean tg_swu_verdict_take_stopped(const TgCandidate *cand)
{
	g_autofree gchar *key = candidate_key(cand);
	gboolean stopped;

	G_LOCK(running);
	stopped = running_key && running_stopped && g_str_equal(running_key, key);
	g_clear_pointer(&running_key, g_free);
	running_stopped = FALSE;
	G_UNLOCK(running);
	return stopped;
}
