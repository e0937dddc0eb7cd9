/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* swupdate-precheck (SWUpdate's preupdatecmd) and swupdate-listen (a
 * progress client that records failed installs and prints tollgate's
 * notices). docs/swupdate.md explains where each fits. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <string.h>
#include <sys/stat.h>

#include "tg-swupdate.h"
#include "tg-swupdate-config.h"
#include "tg-config.h"

#if TG_HAVE_LIBSWUPDATE
#include <unistd.h>

#include <progress_ipc.h>

#include <network_ipc.h>

#include "swu-notify.h"
#include "swu-progress.h"
#endif

/* ---- swupdate-precheck ---- */

typedef struct {
	gchar *path;
	gchar *board;
	gchar *select;
	gchar *swupdate_config;
	gboolean check_config;
	gboolean json;
} PrecheckOptions;

static void precheck_options_clear(PrecheckOptions *o)
{
	g_free(o->path);
	g_free(o->board);
	g_free(o->select);
	g_free(o->swupdate_config);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(PrecheckOptions, precheck_options_clear)

/* Reads sw-description without following a symlink, without blocking on a
 * FIFO and at most 2 MiB; the file must belong to root or to us (else
 * someone else may have put it there). */
static gboolean read_description(const char *path, gchar **ret_data, gsize *ret_len,
				 GError **error)
{
	g_autoptr(GError) local = NULL;
	struct stat st;

	if (!tg_io_read_regular(path, TG_SWU_DESCRIPTION_MAX, ret_data, ret_len, &st, &local)) {
		if (g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
			g_set_error(error, TG_SWU_ERROR, TG_SWU_ERROR_IO,
				    "cannot read %s: no such file; run the precheck as SWUpdate's "
				    "preupdatecmd (it needs SWUpdate's TMPDIR) or pass "
				    "--sw-description", path);
		else
			g_set_error(error, TG_SWU_ERROR,
				    g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_FAILED)
					    ? TG_SWU_ERROR_LIMIT : TG_SWU_ERROR_IO,
				    "%s; tollgate reads sw-description only as the regular file "
				    "SWUpdate extracted", local->message);
		return FALSE;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		g_clear_pointer(ret_data, g_free);
		g_set_error(error, TG_SWU_ERROR, TG_SWU_ERROR_IO,
			    "%s belongs to user %u, not to root or the user SWUpdate runs as; "
			    "someone else may have put it there, so it is not read",
			    path, (unsigned)st.st_uid);
		return FALSE;
	}
	return TRUE;
}

/* SET,MODE as SWUpdate's -e takes it. */
static gboolean split_select(const char *text, gchar **ret_set, gchar **ret_mode)
{
	g_auto(GStrv) parts = NULL;

	if (!text)
		return TRUE;
	parts = g_strsplit(text, ",", -1);
	if (g_strv_length(parts) != 2 || !*parts[0] || !*parts[1])
		return FALSE;
	*ret_set = g_strdup(parts[0]);
	*ret_mode = g_strdup(parts[1]);
	return TRUE;
}

/* Returns: (transfer full): the candidate for the sw-description at o->path. */
static TgCandidate *precheck_candidate(const PrecheckOptions *o, const char *set,
				       const char *mode, GError **error)
{
	TgSwuSelection sel = { .board = o->board, .software_set = set, .running_mode = mode };
	g_autoptr(TgSwuDescription) desc = NULL;
	g_autoptr(TgCandidate) cand = NULL;
	g_autofree gchar *data = NULL;
	gsize len = 0;

	if (!read_description(o->path, &data, &len, error))
		return NULL;
	desc = tg_swu_description_parse(data, len, &sel, error);
	if (!desc) {
		g_prefix_error(error, "%s: ", o->path);
		return NULL;
	}
	cand = tg_swu_description_candidate(desc, NULL, error);
	if (!cand)
		return NULL;
	if (!tg_swu_candidate_set_digest_file(cand, o->path, error))
		return NULL;
	return g_steal_pointer(&cand);
}

/* SWUpdate 2025.12+ runs a preupdatecmd per update type: refuse while any
 * type in SWUpdate's configuration would install without this precheck.
 * Without --swupdate-config, the file of the SWUpdate that runs us. */
static gboolean precheck_config(const PrecheckOptions *o, GError **error)
{
	g_autofree gchar *path = o->swupdate_config ? g_strdup(o->swupdate_config)
						    : tg_swu_config_path();

	if (!path) {
		if (!o->check_config)
			return TRUE;	/* not under SWUpdate, or it reads no file */
		g_set_error(error, TG_SWU_ERROR, TG_SWU_ERROR_IO,
			    "no SWUpdate configuration to check: pass --swupdate-config FILE");
		return FALSE;
	}
	return tg_swu_config_check_file(path, error);
}

/* Decides on the sw-description at o->path and says so (exit status). */
static int precheck_gate(const TgCliGlobal *g, const PrecheckOptions *o, const char *set,
			 const char *mode)
{
	TgSwuEngineOptions eo = { .config_path = g->config, .state_dir = g->state_dir,
				  .now = g->now };
	g_autoptr(TgEngine) engine = NULL;
	g_autoptr(TgCandidate) cand = NULL;
	g_autoptr(TgDecision) d = NULL;
	g_autoptr(GError) err = NULL;

	cand = precheck_candidate(o, set, mode, &err);
	if (cand)
		engine = tg_swu_engine_open(&eo, &err);
	if (engine)
		d = tg_engine_gate(engine, cand, &err);
	return tg_cli_finish_gate(d, err, o->json, TRUE);
}

/* SWUpdate logs a command's stderr at its default level, stdout only with -v:
 * refusals and deferrals go to stderr so operators see them. */
int tg_cmd_swupdate_precheck(const TgCliGlobal *g, int argc, char **argv)
{
	g_auto(PrecheckOptions) o = { 0 };
	g_autofree gchar *set = NULL, *mode = NULL;
	const GOptionEntry entries[] = {
		{ "sw-description", 0, 0, G_OPTION_ARG_FILENAME, &o.path,
		  "sw-description to read (default $TMPDIR/sw-description)", "PATH" },
		{ "board", 0, 0, G_OPTION_ARG_STRING, &o.board,
		  "hardware board name, as in SWUpdate's -H BOARD:REV", "BOARD" },
		{ "select", 0, 0, G_OPTION_ARG_STRING, &o.select,
		  "software set and running mode, as in SWUpdate's -e SET,MODE", "SET,MODE" },
		{ "swupdate-config", 0, 0, G_OPTION_ARG_FILENAME, &o.swupdate_config,
		  "SWUpdate's configuration to check for update types without this precheck "
		  "(default: the -f file of the SWUpdate that runs the precheck)", "FILE" },
		{ "check-config", 0, 0, G_OPTION_ARG_NONE, &o.check_config,
		  "only check SWUpdate's configuration (exit 0 or 1), gate nothing", NULL },
		{ "json", 0, 0, G_OPTION_ARG_NONE, &o.json, "print the decision as JSON", NULL },
		G_OPTION_ENTRY_NULL,
	};
	g_autoptr(GError) err = NULL;

	if (!tg_cli_parse(&argc, &argv, "swupdate-precheck", NULL,
			  "Gates the update SWUpdate is about to install (its preupdatecmd): "
			  "reads the verified sw-description, decides and records. First it "
			  "checks that every update type in SWUpdate's configuration runs it "
			  "(SWUpdate 2025.12+).\nExit: 0 allowed, 10 refused, 11 deferred, 1 "
			  "error (never allow).", entries))
		return TG_EXIT_USAGE;
	if (!split_select(o.select, &set, &mode)) {
		tg_cli_errorf("--select '%s' is not SET,MODE; use e.g. --select stable,main",
			      o.select);
		return TG_EXIT_USAGE;
	}
	if (!precheck_config(&o, &err)) {
		if (o.check_config) {
			tg_cli_error(err);
			return TG_EXIT_ERROR;
		}
		return tg_cli_finish_gate(NULL, err, o.json, TRUE);
	}
	if (o.check_config) {
		printf("every update type of SWUpdate's configuration runs the precheck\n");
		return TG_EXIT_OK;
	}
	if (!o.path)
		o.path = tg_swu_description_path();
	return precheck_gate(g, &o, set, mode);
}

/* ---- swupdate-listen ---- */

typedef struct {
	const TgCliGlobal *global;
	TgSwuListener *state;
	gint64 since;		/* seconds: decisions before this belong to earlier updates */
} Listen;

/* Was the update that just failed refused or deferred by a tollgate gate
 * that could not say so on the progress channel (the preupdatecmd precheck)?
 * The engine's last decision tells: not an allow, for this version, made
 * after the previous update ended. */
static gboolean blocked_by_precheck(Listen *ls, TgEngine *engine)
{
	g_autoptr(JsonObject) status = tg_engine_status(engine, NULL);
	const char *version = tg_swu_listener_version(ls->state);
	JsonObject *last;
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
	when = g_date_time_new_from_iso8601(
		json_object_get_string_member_with_default(last, "time", ""), utc);
	return when && g_date_time_to_unix(when) >= ls->since;
}

/* SWUpdate refused the update by its own version limit: nothing was
 * written and no tollgate code ran for it. */
static void record_updater_refusal(TgEngine *engine, TgCandidate *cand, const char *refusal)
{
	g_autoptr(GError) err = NULL;
	g_autofree gchar *reason = g_strdup_printf("SWUpdate refused the update: %s", refusal);

	if (!tg_engine_updater_refused(engine, cand, reason, &err)) {
		tg_cli_error(err);
		return;
	}
	printf("recorded SWUpdate's own refusal of %s: %s\n",
	       cand->version ? cand->version : "(unknown version)", refusal);
}

static void record_failure(Listen *ls)
{
	TgSwuEngineOptions eo = { .config_path = ls->global->config,
				  .state_dir = ls->global->state_dir, .now = ls->global->now };
	g_autoptr(TgEngine) engine = NULL;
	g_autoptr(TgCandidate) cand = NULL;
	g_autoptr(GError) err = NULL;
	g_autofree gchar *reason = NULL;
	const char *version = tg_swu_listener_version(ls->state);
	const char *error_text = tg_swu_listener_error(ls->state);
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
	engine = tg_swu_engine_open(&eo, &err);
	if (!engine) {
		tg_cli_error(err);
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
	reason = g_strdup_printf("SWUpdate reported the install as failed%s%s",
				 error_text ? ": " : "", error_text ? error_text : "");
	if (!tg_engine_failed(engine, cand, reason, &err)) {
		tg_cli_error(err);
		return;
	}
	printf("recorded failed install of %s\n", version ? version : "(unknown version)");
}

/* Handles one message. Returns TRUE when an update finished. */
static gboolean listen_feed(Listen *ls, int status, const char *info, gsize len)
{
	g_autoptr(JsonObject) payload = NULL;

	switch (tg_swu_listener_feed(ls->state, status, info, len, &payload)) {
	case TG_SWU_EVENT_NOTICE: {
		g_autoptr(JsonNode) node = json_node_new(JSON_NODE_OBJECT);

		json_node_set_object(node, payload);
		tg_cli_print_json(node);
		break;
	}
	case TG_SWU_EVENT_FAILED:
		record_failure(ls);
		ls->since = g_get_real_time() / G_USEC_PER_SEC;
		fflush(stdout);
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

static int listen_loop(Listen *ls, const char *socket_path, gboolean once)
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
			return TG_EXIT_OK;
		if (r == -2)
			break;
	}
	tg_cli_error(err);
	return TG_EXIT_ERROR;
}
#endif

int tg_cmd_swupdate_listen(const TgCliGlobal *g, int argc, char **argv)
{
	g_autofree gchar *socket_path = NULL;
	gboolean once = FALSE;
	const GOptionEntry entries[] = {
		{ "socket", 0, 0, G_OPTION_ARG_FILENAME, &socket_path,
		  "SWUpdate's progress socket (default $TMPDIR/swupdateprog)", "PATH" },
		{ "once", 0, 0, G_OPTION_ARG_NONE, &once, "exit after the first finished update",
		  NULL },
		G_OPTION_ENTRY_NULL,
	};
	g_autoptr(TgSwuListener) state = tg_swu_listener_new();
	Listen ls = { .global = g, .state = state,
		      .since = g_get_real_time() / G_USEC_PER_SEC };

	if (!tg_cli_parse(&argc, &argv, "swupdate-listen", NULL,
			  "Listens on SWUpdate's progress socket: prints tollgate's INFO "
			  "messages as JSON lines and records installs SWUpdate reports as "
			  "failed (update.failed; never a refusal).", entries))
		return TG_EXIT_USAGE;
#if TG_HAVE_LIBSWUPDATE
	return listen_loop(&ls, socket_path, once);
#else
	(void)ls;
	tg_cli_errorf("this tollgate was built without libswupdate (Debian libswupdate-dev); "
		      "install it and rebuild to use swupdate-listen");
	return TG_EXIT_ERROR;
#endif
}
