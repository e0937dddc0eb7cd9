/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* swupdate-listen: a client of SWUpdate's progress socket that records the
 * installs SWUpdate reports as failed (update.failed), SWUpdate's own
 * refusals read from its notification stream (update.updater-refused), and
 * hands tollgate's notices on. docs/swupdate.md explains where it fits; the
 * CLI command only parses the arguments and prints the notices. */
#include "tg-swupdate.h"
#include "tg-crypto.h"
#include "decision-private.h"
#include "tg-swupdate-config.h"

#include <stdio.h>
#include <unistd.h>

#if TG_HAVE_LIBSWUPDATE
#include <progress_ipc.h>

#include <network_ipc.h>

#include "swu-notify.h"
#include "swu-progress.h"
#endif

typedef struct {
	const TgSwuEngineOptions *opts;
	TgSwuNoticeFunc on_notice;
	gpointer notice_data;
	TgSwuListener *state;
	gint64 since;		/* seconds: decisions before this belong to earlier updates */
	gchar *used_tx;		/* the decision that explained the last failure */
} Listen;

/* Was the update that just failed refused or deferred by a tollgate gate
 * that could not say so on the progress channel (the preupdatecmd precheck)?
 * The engine's last decision tells: not an allow, for this version, made
 * after the previous update ended, and not already the reason of an
 * earlier failure (attempts within one second: an unsigned image right
 * after a deferred one fails in SWUpdate's own check, never in the gate). */
static gboolean blocked_by_precheck(Listen *ls, TgEngine *engine)
{
	g_autoptr(JsonObject) status = tg_engine_status(engine, NULL);
	const char *version = tg_swu_listener_version(ls->state);
	JsonObject *last;
	const char *tx;
	g_autoptr(GDateTime) when = NULL;
	g_autoptr(GTimeZone) utc = g_time_zone_new_utc();

	if (!status || !version || !json_object_has_member(status, "last_decision") ||
	    !JSON_NODE_HOLDS_OBJECT(json_object_get_member(status, "last_decision")))
		return FALSE;
	last = json_object_get_object_member(status, "last_decision");
	if (g_str_equal(json_object_get_string_member_with_default(last, "verdict", "allow"),
			"allow") ||
	    g_strcmp0(json_object_get_string_member_with_default(last, "version", ""), version))
		return FALSE;
	tx = json_object_get_string_member_with_default(last, "transaction_id", NULL);
	if (tx && g_strcmp0(tx, ls->used_tx) == 0)
		return FALSE;
	when = g_date_time_new_from_iso8601(
		json_object_get_string_member_with_default(last, "time", ""), utc);
	if (!when || g_date_time_to_unix(when) < ls->since)
		return FALSE;
	g_free(ls->used_tx);
	ls->used_tx = g_strdup(tx);
	return TRUE;
}

/* SWUpdate refused the update by its own version limit: nothing was
 * written and no tollgate code ran for it. */
static void record_updater_refusal(TgEngine *engine, TgCandidate *cand, const char *refusal)
{
	g_autoptr(GError) err = NULL;
	g_autofree gchar *reason = g_strdup_printf("SWUpdate refused the update: %s", refusal);

	if (!tg_engine_updater_refused(engine, cand, reason, &err)) {
		g_printerr("tollgate: %s\n", err->message);
		return;
	}
	printf("recorded SWUpdate's own refusal of %s: %s\n",
	       cand->version ? cand->version : "(unknown version)", refusal);
}

/* The signer SWUpdate checks signatures with, for a signature failure.
 * Returns: (transfer full). */
static gchar *expected_signer(const Listen *ls)
{
	const char *cfg = ls->opts->swupdate_config ? ls->opts->swupdate_config
						    : "/etc/swupdate.cfg";
	g_autofree gchar *key = tg_swu_config_public_key(cfg);
	g_autofree gchar *who = key ? tg_x509_describe_file(key) : NULL;

	if (!key)
		return g_strdup_printf("; the signer SWUpdate expects is unknown (%s names no "
				       "public-key-file)", cfg);
	if (!who)
		return g_strdup_printf("; SWUpdate expects a signature that %s (public-key-file in "
				       "%s) verifies, which holds no readable certificate", key, cfg);
	return g_strdup_printf("; SWUpdate expected a signature by %s (public-key-file %s in %s)",
			       who, key, cfg);
}

/* Why the update failed, as recorded. Returns: (transfer full). */
static gchar *failure_reason(const Listen *ls)
{
	const char *error_text = tg_swu_listener_error(ls->state);
	g_autofree gchar *signer = NULL;

	if (tg_swu_listener_interrupted(ls->state))
		return g_strdup("SWUpdate stopped before the install ended (its progress "
				"connection closed mid-install); the target may be partly written");
	if (tg_swu_listener_signature_failure(ls->state))
		signer = expected_signer(ls);
	return g_strdup_printf("SWUpdate reported the install as failed%s%s%s",
			       error_text ? ": " : "", error_text ? error_text : "",
			       signer ? signer : "");
}

static void record_failure(Listen *ls)
{
	g_autoptr(TgEngine) engine = NULL;
	g_autoptr(TgCandidate) cand = NULL;
	g_autoptr(GError) err = NULL;
	g_autofree gchar *reason = NULL;
	const char *version = tg_swu_listener_version(ls->state);
	const char *refusal = tg_swu_listener_refusal(ls->state);

	if (tg_swu_listener_recorded(ls->state)) {
		printf("failed install of %s already recorded by the tollgate handler\n",
		       version ? version : "(unknown version)");
		return;
	}
	if (tg_swu_listener_blocked(ls->state)) {
		printf("install of %s stopped by tollgate: not recorded as failed\n",
		       version ? version : "(unknown version)");
		return;
	}
	engine = tg_swu_engine_open(ls->opts, &err);
	if (!engine) {
		g_printerr("tollgate: %s\n", err->message);
		return;
	}
	if (blocked_by_precheck(ls, engine)) {
		printf("install of %s stopped by the tollgate precheck: not recorded as failed\n",
		       version);
		return;
	}
	cand = tg_swu_candidate_new(version, NULL, NULL);
	cand->component = g_strdup(tg_swu_listener_component(ls->state));
	if (refusal) {
		record_updater_refusal(engine, cand, refusal);
		return;
	}
	reason = failure_reason(ls);
	if (!tg_engine_failed(engine, cand, reason, &err)) {
		g_printerr("tollgate: %s\n", err->message);
		return;
	}
	printf("recorded failed install of %s\n", version ? version : "(unknown version)");
}

/* A failed update ended: record it, and count the next from now. */
static void listen_feed_end(Listen *ls)
{
	record_failure(ls);
	ls->since = g_get_real_time() / G_USEC_PER_SEC;
	fflush(stdout);
}

/* Handles one message. Returns TRUE when an update finished. */
static gboolean listen_feed(Listen *ls, int status, const char *info, gsize len)
{
	g_autoptr(JsonObject) payload = NULL;

	switch (tg_swu_listener_feed(ls->state, status, info, len, &payload)) {
	case TG_SWU_EVENT_NOTICE:
		ls->on_notice(payload, ls->notice_data);
		break;
	case TG_SWU_EVENT_FAILED:
		listen_feed_end(ls);
		return TRUE;
	case TG_SWU_EVENT_SUCCEEDED:
		ls->since = g_get_real_time() / G_USEC_PER_SEC;
		return TRUE;
	default:
		break;
	}
	fflush(stdout);
	return FALSE;
}

#if TG_HAVE_LIBSWUPDATE
#define NOTES_WAIT_MS 50	/* for the refusal logged just before a failure */

G_STATIC_ASSERT((int)FAILURE == (int)TG_SWU_STATUS_FAILURE &&
		(int)START == (int)TG_SWU_STATUS_START &&
		(int)SUCCESS == (int)TG_SWU_STATUS_SUCCESS &&
		(int)PROGRESS == (int)TG_SWU_STATUS_PROGRESS);

/* Connects with back-off (0.1 s doubling to 5 s) while nothing listens;
 * never more than one connection. Returns: the socket, or -1 with @error on
 * a protocol mismatch. */
static int listen_connect(const char *path, GError **error)
{
	gulong wait_ms = 100;
	gboolean said = FALSE;

	for (;;) {
		int fd = tg_swu_progress_connect(path, error);

		if (fd >= 0 || fd == -2)
			return fd >= 0 ? fd : -1;
		if (!said) {
			g_printerr("tollgate: waiting for SWUpdate's progress socket %s\n", path);
			said = TRUE;
		}
		g_usleep(wait_ms * 1000);
		wait_ms = MIN(wait_ms * 2, 5000);
	}
}

static void on_note(const char *msg, gpointer data)
{
	tg_swu_listener_note(data, msg);
}

/* The notification stream next to the progress socket: SWUpdate's own
 * refusals (its version limits) are only logged, never sent on progress. */
static int notes_connect(void)
{
	int fd = tg_swu_notify_connect();

	if (fd < 0)
		g_printerr("tollgate: no notification stream on SWUpdate's control socket %s: "
			   "SWUpdate's own version-limit refusals will be recorded as failed "
			   "installs\n", get_ctrl_socket());
	return fd;
}

/* One progress message, with the notifications SWUpdate logged around it:
 * those before a failure are read first (its refusal comes before the
 * FAILURE message), those after a start once the update is active. */
static gboolean listen_step(Listen *ls, int *notes, const struct progress_msg *msg)
{
	gboolean done;

	if (msg->status != START)
		tg_swu_notify_drain(notes, msg->status == FAILURE ? NOTES_WAIT_MS : 0, on_note,
				    ls->state);
	done = listen_feed(ls, msg->status, msg->info, MIN(msg->infolen, sizeof(msg->info)));
	if (msg->status == START)
		tg_swu_notify_drain(notes, 0, on_note, ls->state);
	return done;
}

static gboolean listen_loop(Listen *ls, const char *socket_path, gboolean once,
			    GError **error)
{
	const char *path = socket_path ? socket_path : get_prog_socket();
	struct progress_msg msg;
	g_autoptr(GError) err = NULL;

	for (;;) {
		int fd = listen_connect(path, &err);
		int notes;
		gboolean first = TRUE;
		int r;

		if (fd < 0)
			break;
		notes = notes_connect();
		g_printerr("tollgate: listening on %s\n", path);
		while ((r = tg_swu_progress_read(fd, path, first, &msg, &err)) == 1) {
			first = FALSE;
			if (listen_step(ls, &notes, &msg) && once)
				break;
		}
		close(fd);
		if (notes >= 0)
			close(notes);
		if (r == 1)
			return TRUE;
		if (tg_swu_listener_lost(ls->state) == TG_SWU_EVENT_FAILED)
			listen_feed_end(ls);
		if (r == -2)
			break;
	}
	g_propagate_error(error, g_steal_pointer(&err));
	return FALSE;
}
#endif

gboolean tg_swu_listen(const TgSwuEngineOptions *opts, const char *socket_path, gboolean once,
		       TgSwuNoticeFunc on_notice, gpointer notice_data, GError **error)
{
	g_autoptr(TgSwuListener) state = tg_swu_listener_new();
	Listen ls = { .opts = opts, .on_notice = on_notice, .notice_data = notice_data,
		      .state = state, .since = g_get_real_time() / G_USEC_PER_SEC };

#if TG_HAVE_LIBSWUPDATE
	gboolean ok = listen_loop(&ls, socket_path, once, error);

	g_free(ls.used_tx);
	return ok;
#else
	(void)ls;
	g_set_error(error, TG_SWU_ERROR, TG_SWU_ERROR_IO,
		    "this tollgate was built without libswupdate (Debian libswupdate-dev); "
		    "install it and rebuild to use swupdate-listen");
	return FALSE;
#endif
}
