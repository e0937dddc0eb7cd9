/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The SWUpdate adapters' shared layer (libtollgate-swupdate): turns what
 * SWUpdate knows about an update (sw-description, a tollgate scripts entry's
 * properties) into a TgCandidate, opens the engine the way every SWUpdate
 * adapter must (built-in checks, updater "swupdate", notices copied to
 * SWUpdate's progress interface) and builds the progress INFO messages.
 *
 * Users: the compiled-in handler (tollgate_handler.c, built inside SWUpdate's
 * tree), the Lua module for the stock binary, `tollgate swupdate-precheck`
 * and `tollgate swupdate-listen`. Nothing here includes SWUpdate headers. */
#pragma once

#include <glib.h>
#include <sys/types.h>
#include <json-glib/json-glib.h>
#include "tollgate/tollgate.h"

G_BEGIN_DECLS

#define TG_SWU_ERROR (tg_swu_error_quark())
GQuark tg_swu_error_quark(void);

typedef enum {
	TG_SWU_ERROR_IO,	/* sw-description cannot be read */
	TG_SWU_ERROR_SYNTAX,	/* neither libconfig nor JSON */
	TG_SWU_ERROR_VALUE,	/* a field has the wrong type or value */
	TG_SWU_ERROR_LIMIT,	/* over a size, depth or count limit */
	TG_SWU_ERROR_AMBIGUOUS,	/* more than one tollgate scripts entry */
} TgSwuError;

/* The script handler's name in sw-description: type = "tollgate". */
#define TG_SWU_HANDLER_NAME "tollgate"
/* The file SWUpdate extracts the verified sw-description to, in its TMPDIR. */
#define TG_SWU_DESCRIPTION_FILE "sw-description"
/* Largest sw-description the precheck reads. */
#define TG_SWU_DESCRIPTION_MAX (2 * 1024 * 1024)
/* Deepest nesting of groups and lists accepted in sw-description. */
#define TG_SWU_DESCRIPTION_MAX_DEPTH 64
/* Longest INFO payload sent to progress clients: SWUpdate 2022.12 copies the
 * payload into a 2048-byte buffer after a `{"<cause>": ` prefix. */
#define TG_SWU_INFO_MAX 1900
/* The member every tollgate INFO payload is wrapped in. */
#define TG_SWU_INFO_MEMBER "tollgate"

/* SWUpdate's RECOVERY_STATUS values (swupdate_status.h; the order is fixed
 * upstream and "strictly forbidden" to change). */
enum {
	TG_SWU_STATUS_IDLE = 0,
	TG_SWU_STATUS_START = 1,
	TG_SWU_STATUS_RUN = 2,
	TG_SWU_STATUS_SUCCESS = 3,
	TG_SWU_STATUS_FAILURE = 4,
	TG_SWU_STATUS_DOWNLOAD = 5,
	TG_SWU_STATUS_DONE = 6,
	TG_SWU_STATUS_SUBPROCESS = 7,
	TG_SWU_STATUS_PROGRESS = 8,
};

/* ---- candidates (swu-meta.c) ---- */

/* Returns: (transfer full): a candidate for an SWUpdate update of @version
 * (may be NULL: the engine refuses it), named @name (may be NULL), with
 * updater "swupdate" and @updater_version (may be NULL). */
TgCandidate *tg_swu_candidate_new(const char *version, const char *name,
				  const char *updater_version);

/* Returns: (transfer full): the candidate name for an update described as
 * @description (may be NULL or empty) of SWUpdate update-type @update_type
 * (2025.12+, may be NULL or empty): "DESCRIPTION (update-type TYPE)", or
 * NULL when both are empty. */
gchar *tg_swu_candidate_name(const char *description, const char *update_type);

/* Sets one property of a tollgate scripts entry. @values holds the entry's
 * values for @key (SWUpdate keeps list properties as several values): list
 * keys (advisories, services) take any number, every other key exactly one.
 * Unknown keys are errors naming the key: the properties of a tollgate entry
 * belong to tollgate. */
gboolean tg_swu_candidate_set_property(TgCandidate *cand, const char *key,
				       const char *const *values, guint n_values,
				       GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Sets the candidate's digest to the SHA-256 of the sw-description file at
 * @path: the same for the precheck, the compiled-in handler and the Lua
 * handler, so `tollgate approve DIGEST` names exactly one signed update. */
gboolean tg_swu_candidate_set_digest_file(TgCandidate *cand, const char *path,
					  GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Returns: (transfer full): "$TMPDIR/sw-description" as SWUpdate spells it
 * (TMPDIR unset: /tmp). */
gchar *tg_swu_description_path(void);

/* ---- SWUpdate's configuration (swu-config.c) ---- */

#define TG_SWU_DEFAULT_CONFIG "/etc/swupdate.cfg"	/* SWUpdate's built-in default */

/* The swupdate.cfg of the SWUpdate this process runs under: its -f/--file,
 * else TG_SWU_DEFAULT_CONFIG when that exists. Returns: (transfer full)
 * (nullable): NULL when no swupdate process is an ancestor or it reads no
 * configuration file. */
gchar *tg_swu_config_path(void);

/* Returns: (transfer full) (nullable): the executable of the SWUpdate this
 * process is or runs under (at most 4 levels up); @ret_pid (optional)
 * receives its process ID. */
gchar *tg_swu_daemon_exe(pid_t *ret_pid);

/* Checks that every entry of "update-types" in SWUpdate's configuration @data
 * runs the precheck (its preupdatecmd names swupdate-precheck or equals the
 * one in "globals"). @origin names the file in messages; @include_dir is
 * where @include lines are read from (NULL: refuse them). FALSE with one
 * sentence in @error naming the update type otherwise. */
gboolean tg_swu_config_check_data(const char *data, const char *origin, const char *include_dir,
				  GError **error);

/* tg_swu_config_check_data() on the file at @path. */
gboolean tg_swu_config_check_file(const char *path, GError **error);

/* The public-key-file an SWUpdate configuration names (the certificate
 * SWUpdate checks sw-description's signature with).
 * Returns: (transfer full): the path, or NULL when @path cannot be read or
 * names none. */
gchar *tg_swu_config_public_key(const char *path);
/* The same for the configuration text @text. */
gchar *tg_swu_config_public_key_in(const char *text);

/* ---- the engine for SWUpdate adapters (swu-engine.c) ---- */

/* Called for every progress INFO payload an adapter wants to send (a JSON
 * object text of at most TG_SWU_INFO_MAX bytes). */
typedef void (*TgSwuEmitFunc)(const char *info, gpointer user_data);

typedef struct {
	const char *config_path;	/* NULL: $TOLLGATE_CONFIG or the default */
	const char *state_dir;		/* NULL: from the policy */
	GDateTime *now;			/* NULL: system clock */
	const char *updater_version;	/* SWUpdate's version, if known */
	TgSwuEmitFunc emit;		/* NULL: notices are not copied to progress */
	gpointer emit_data;
	/* swupdate-listen: SWUpdate's configuration, to name the signer it
	 * expected when it rejects a signature (NULL: /etc/swupdate.cfg). */
	const char *swupdate_config;
} TgSwuEngineOptions;

/* Opens the engine as every SWUpdate adapter must: built-in checks in their
 * fixed order, updater "swupdate", and the notification sinks of the policy
 * wrapped so that every notice is also handed to @opts->emit as an INFO
 * payload {"tollgate": {"kind": "notice", "notice": {...}}}.
 * Returns: (transfer full): the engine, or NULL with @error. */
TgEngine *tg_swu_engine_open(const TgSwuEngineOptions *opts,
			     GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* The notifier vtable tg_swu_engine_open() hands to the engine. Exposed for
 * tests. Returns: (transfer none). */
const TgNotifyOps *tg_swu_notify_ops(void);

/* Benchmark hook (tests/bench/run.sh measures the handlers inside real
 * SWUpdate runs with it). With TOLLGATE_TIMING=1 in SWUpdate's environment
 * every handler call prints one line on stderr when it returns,
 * "tollgate-timing: PHASE MICROSECONDS": the wall time spent in tollgate
 * for that call. Otherwise tg_swu_timing_new() returns NULL and nothing is
 * printed. Returns: (transfer full) (nullable). */
typedef struct _TgSwuTiming TgSwuTiming;
TgSwuTiming *tg_swu_timing_new(const char *phase);
/* Prints the line; accepts NULL. */
void tg_swu_timing_free(TgSwuTiming *timing);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgSwuTiming, tg_swu_timing_free)

/* ---- SWUpdate's version (swu-version.c) ---- */

/* Returns: (transfer none): @reported when it is a real version (not
 * empty, not Lua's 0.0), unless the SWUpdate binary this process runs in or
 * under has a version that adds to it (2024.12 -> 2024.12.1: Lua's
 * getversion() has no sublevel); without a real @reported, the version of
 * that binary, else of the swupdate on PATH (its banner, else its Debian
 * package), else "unknown". Never NULL; detected once per process, and not
 * at all for a VERSION.PATCHLEVEL.SUBLEVEL @reported. */
const char *tg_swu_updater_version(const char *reported);

/* ---- the running install's verdict (swu-verdict.c) ---- */

/* Remembers tollgate's verdict for @cand, the install SWUpdate is running:
 * @stopped is TRUE for a refusal, a deferral or a gate that could not
 * decide (all of which make SWUpdate abort the install). */
void tg_swu_verdict_remember(const TgCandidate *cand, gboolean stopped);

/* Returns: TRUE when SWUpdate's failure report for @cand only follows
 * tollgate's own stop of the same sw-description (then no update.failed is
 * recorded); FALSE for a real failure. Forgets the remembered verdict. */
gboolean tg_swu_verdict_take_stopped(const TgCandidate *cand);

/* ---- progress INFO payloads (swu-info.c) ---- */

/* Returns: (transfer full): {"tollgate": {"kind": @kind, @member: @value}}
 * (@member NULL: @value's members are copied beside "kind"), compacted to at
 * most @max bytes by shortening the longest strings (a "truncated": true
 * member says so). NULL if even the skeleton does not fit. */
gchar *tg_swu_info_new(const char *kind, const char *member, JsonNode *value, gsize max);

/* Returns: (transfer full): the INFO payload announcing @d:
 * kind "decision" with verdict, reason, message, version, component, class,
 * until and transaction_id. */
gchar *tg_swu_info_decision(const TgDecision *d);

/* Returns: (transfer full): kind "recorded": an adapter recorded @event
 * ("update.failed") for @version (may be NULL), so a listener does not
 * record the same failure again. */
gchar *tg_swu_info_recorded(const char *event, const char *version);

/* ---- sw-description (swu-description.c) ---- */

typedef struct {
	const char *board;		/* hardware board name (-H board:rev), may be NULL */
	const char *software_set;	/* -e SET,MODE, may be NULL */
	const char *running_mode;
} TgSwuSelection;

typedef struct {
	gchar *format;		/* "libconfig" or "json" */
	gchar *version;		/* top-level version, NULL when absent */
	gchar *description;
	gchar *update_type;	/* update-type (SWUpdate 2025.12+), may be NULL */
	gboolean has_tollgate;	/* a scripts entry of type "tollgate" was found */
	JsonObject *properties;	/* that entry's properties: key -> string or array of strings */
	gchar *entry_version;	/* that entry's own version field, may be NULL */
} TgSwuDescription;

/* Parses a sw-description (libconfig, else JSON) the way SWUpdate finds its
 * nodes: "software", then the board, software set and running mode of
 * @sel in SWUpdate's search order, following "ref" links. Limits:
 * TG_SWU_DESCRIPTION_MAX bytes, TG_SWU_DESCRIPTION_MAX_DEPTH nesting, no
 * @include, no NUL bytes. More than one tollgate scripts entry is an error.
 * Property values that are not strings (or lists of strings) are errors:
 * SWUpdate itself drops them silently, so the handler would never see them.
 * Returns: (transfer full): the description, or NULL with @error. */
TgSwuDescription *tg_swu_description_parse(const char *data, gsize len, const TgSwuSelection *sel,
					   GError **error) G_GNUC_WARN_UNUSED_RESULT;
void tg_swu_description_free(TgSwuDescription *desc);

/* Builds the candidate for @desc: version from the top level, name from the
 * description and update-type, the tollgate entry's properties as metadata.
 * A tollgate entry whose own version differs from the top level is an error
 * (the Lua handler gates the entry's version).
 * Returns: (transfer full): the candidate, or NULL with @error. */
TgCandidate *tg_swu_description_candidate(const TgSwuDescription *desc,
					  const char *updater_version,
					  GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgSwuDescription, tg_swu_description_free)

/* ---- progress listener (swu-listen.c) ---- */

typedef enum {
	TG_SWU_EVENT_NONE = 0,
	TG_SWU_EVENT_STARTED,	/* an update began: snapshot the last decision */
	TG_SWU_EVENT_NOTICE,	/* a tollgate INFO payload arrived (see ret_info) */
	TG_SWU_EVENT_FAILED,	/* SWUpdate reported a failed install */
	TG_SWU_EVENT_SUCCEEDED,
} TgSwuEvent;

typedef struct _TgSwuListener TgSwuListener;

/* Returns: (transfer full). */
TgSwuListener *tg_swu_listener_new(void);
void tg_swu_listener_free(TgSwuListener *l);

/* Feeds one progress message (status is a RECOVERY_STATUS value, @info its
 * INFO text, may be empty). @ret_info (optional) receives the tollgate
 * payload object of a NOTICE event (transfer full). */
TgSwuEvent tg_swu_listener_feed(TgSwuListener *l, int status, const char *info, gsize info_len,
				JsonObject **ret_info);

/* The progress connection closed. While an update was running, SWUpdate
 * stopped (was killed, crashed) before it ended the install, which may be
 * partly written: TG_SWU_EVENT_FAILED, with tg_swu_listener_interrupted()
 * TRUE; otherwise TG_SWU_EVENT_NONE. */
TgSwuEvent tg_swu_listener_lost(TgSwuListener *l);
gboolean tg_swu_listener_interrupted(const TgSwuListener *l);
/* TRUE when SWUpdate rejected the update's signature (a key it does not
 * trust, none, a changed sw-description) before announcing it. */
gboolean tg_swu_listener_signature_failure(const TgSwuListener *l);

/* Feeds one message of SWUpdate's notification stream (what it logs). While
 * an update runs, SWUpdate's own refusal by its version limits (-N /
 * no-downgrading, max-version, -R) is kept with the version it names. */
void tg_swu_listener_note(TgSwuListener *l, const char *msg);

/* What the listener knows about the current (or just finished) update; the
 * version is the one SWUpdate announced, else the one its refusal named.
 * Returns: (transfer none), may be NULL. */
const char *tg_swu_listener_version(const TgSwuListener *l);
/* SWUpdate's own refusal of the update, from "No downgrading allowed: ..."
 * on (transfer none), or NULL. */
const char *tg_swu_listener_refusal(const TgSwuListener *l);
const char *tg_swu_listener_component(const TgSwuListener *l);
/* The last error text SWUpdate sent for the update (transfer none), may be NULL. */
const char *tg_swu_listener_error(const TgSwuListener *l);
/* TRUE when a tollgate handler said in this update that it refused or
 * deferred it: the failure that follows is tollgate's, not SWUpdate's. */
gboolean tg_swu_listener_blocked(const TgSwuListener *l);
/* TRUE when a tollgate handler already recorded this update's failure
 * (SWUpdate 2024.05+ POSTFAILURE). */
gboolean tg_swu_listener_recorded(const TgSwuListener *l);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgSwuListener, tg_swu_listener_free)

/* ---- swupdate-precheck (swu-precheck.c) ---- */

/* SWUpdate 2025.12+ runs a preupdatecmd per update type: FALSE with @error
 * while any type in SWUpdate's configuration would install without the
 * precheck. @swupdate_config NULL: the -f file of the SWUpdate that runs
 * us; when there is none, TRUE unless @required. */
gboolean tg_swu_precheck_config(const char *swupdate_config, gboolean required,
				GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Gates the update described by the sw-description at @path (read without
 * following a symlink or blocking on a FIFO, at most 2 MiB, owned by root
 * or us) for the selection @sel.
 * Returns: (transfer full): the recorded decision, or NULL with @error. */
TgDecision *tg_swu_precheck(const TgSwuEngineOptions *opts, const char *path,
			    const TgSwuSelection *sel, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* ---- swupdate-listen (swu-client.c) ---- */

/* Receives one of tollgate's INFO payloads seen on the progress socket. */
typedef void (*TgSwuNoticeFunc)(JsonObject *payload, gpointer data);

/* Listens on SWUpdate's progress socket @socket_path (NULL: SWUpdate's
 * default), reconnecting while SWUpdate is away; records failed installs
 * and SWUpdate's own refusals; hands notices to @on_notice. With @once,
 * returns TRUE after the first finished update; else returns only on a
 * protocol mismatch or when built without libswupdate (FALSE, @error). */
gboolean tg_swu_listen(const TgSwuEngineOptions *opts, const char *socket_path, gboolean once,
		       TgSwuNoticeFunc on_notice, gpointer notice_data, GError **error);

G_END_DECLS
