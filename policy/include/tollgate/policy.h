/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The policy: /etc/tollgate/tollgate.conf plus drop-ins, parsed strictly.
 *
 * Every key is consumed as it is read; unknown groups or keys, wrong types,
 * bad dates or durations are errors whose message names file, group, key and
 * value. A policy file or drop-in directory writable by anyone other than its
 * owner is refused. docs/policy.md is the reference for every group and key. */
#pragma once

#include <glib.h>
#include "types.h"

G_BEGIN_DECLS

#define TG_POLICY_ERROR (tg_policy_error_quark())
TG_EXPORT GQuark tg_policy_error_quark(void);

typedef enum {
	TG_POLICY_ERROR_IO,		/* file cannot be read */
	TG_POLICY_ERROR_PERMISSION,	/* writable by others */
	TG_POLICY_ERROR_SYNTAX,		/* not a key file */
	TG_POLICY_ERROR_UNKNOWN,	/* unknown group or key */
	TG_POLICY_ERROR_VALUE,		/* wrong type or bad value */
	TG_POLICY_ERROR_MISSING,	/* a required key is absent */
} TgPolicyError;

#define TG_DEFAULT_CONFIG "/etc/tollgate/tollgate.conf"
#define TG_DEFAULT_STATE_DIR "/var/lib/tollgate"
#define TG_DEFAULT_KEY_FILE "/etc/tollgate/state.key"

/* Limits on what tg_policy_load() reads. */
#define TG_POLICY_MAX_FILE_SIZE (1024 * 1024)	/* bytes per file */
#define TG_POLICY_MAX_DROPINS 256		/* files in conf.d */

typedef enum {
	TG_REINSTALL_ALLOW = 0,
	TG_REINSTALL_REFUSE,
} TgReinstall;

typedef enum {
	TG_AFTER_END_ALLOW = 0,
	TG_AFTER_END_REFUSE_FEATURE,
	TG_AFTER_END_REFUSE,
} TgAfterEnd;

/* How far a version may move for an update that claims "security" before the
 * classify check calls it "mixed" (a feature jump dressed as a fix). */
typedef enum {
	TG_BUMP_PATCH = 0,	/* only the patch part (or 4th field / pre-release) */
	TG_BUMP_MINOR,
	TG_BUMP_MAJOR,		/* any upgrade */
} TgBump;

/* Weekly maintenance window in a named time zone. A window that is off
 * (enabled = FALSE) is parsed as every day, 00:00-24:00, so code that ignores
 * @enabled still treats it as always open. */
typedef struct {
	gboolean enabled;
	guint8 days;		/* bit 0 = Monday ... bit 6 = Sunday */
	guint start_minute;	/* minutes after local midnight, 0..1439 */
	guint end_minute;	/* exclusive, 1..1440 (1440 = "24:00"); < start_minute
				 * means it crosses midnight (into the day after a
				 * listed day); never equal to start_minute */
	gchar *tz_name;		/* IANA name, "UTC" by default */
	GTimeZone *tz;
} TgWindow;

typedef struct {
	gboolean auto_install;	/* initialized-state default; the user may change it */
	gint64 max_postpone;	/* seconds; 0 = postponing not allowed */
	TgWindow window;
} TgClassPolicy;

/* Where the version running at first boot is read from. */
typedef enum {
	TG_VERSION_SOURCE_NONE = 0,	/* first boot needs `tollgate state reseed` */
	TG_VERSION_SOURCE_OS_RELEASE,	/* KEY=VALUE file, key VERSION_ID by default */
	TG_VERSION_SOURCE_SW_VERSIONS,	/* "name version" lines (SWUpdate /etc/sw-versions) */
	TG_VERSION_SOURCE_FILE,		/* whole file is the version */
} TgVersionSource;

typedef struct _TgPolicy TgPolicy;
struct _TgPolicy {
	gchar *path;		/* main file */
	GPtrArray *files;	/* every file read, in order (gchar*) */
	gchar *hash;		/* SHA-256 hex over every file read (name + bytes) */

	/* [device] */
	gchar *model;			/* model designation (required) */
	gchar *hardware_revision;
	gchar *device_id;		/* literal id, or */
	gchar *device_id_file;		/* file whose first line is the id (e.g. /etc/machine-id) */

	/* [versions] */
	TgVersionScheme scheme;
	gchar *default_component;	/* "system" */
	GPtrArray *components;		/* names of the [component.NAME] groups (gchar*) */

	/* [rollback] */
	gboolean allow_downgrade;	/* below installed, still never below floor */
	TgReinstall reinstall;
	gboolean security_floor;	/* keep a separate floor for security updates */

	/* [support] */
	GDateTime *support_end;		/* UTC, end of the given day; NULL = none declared */
	guint warn_days;		/* warn this many days before the end */
	GArray *notice_days;		/* guint thresholds for support-ending notices, descending */
	TgAfterEnd after_end;
	gboolean allow_shortening;	/* may an update lower support-end? */

	/* [classify] */
	TgUpdateClass default_class;	/* for updates without a class (security|feature) */
	TgUpdateClass mixed_as;		/* how mixed updates are deferred (security|feature) */
	TgBump security_max_bump;
	gboolean require_risk;		/* security without risk text: warn (FALSE) or refuse (TRUE) */
	gboolean require_metadata;	/* updates without tollgate metadata: refuse */

	/* [class.security], [class.feature] ; index with tg_policy_class_index() */
	TgClassPolicy classes[2];

	/* [disruption] */
	gboolean require_approval;

	/* [state] */
	gchar *state_dir;
	gchar *key_file;		/* HMAC key, outside state_dir */
	TgVersionSource version_source;
	gchar *version_path;		/* file for the source */
	gchar *version_key;		/* os-release key or sw-versions name */

	/* [audit] */
	gchar *audit_dir;		/* default <state_dir>/log */
	guint64 audit_max_size;		/* bytes per file before rotation */
	guint audit_max_files;		/* rotated files kept */
	guint checkpoint_every;		/* records; 0 = no checkpoints */
	gchar *checkpoint_key;		/* HMAC key or Ed25519 private key (PEM) */
	gchar *checkpoint_alg;		/* "hmac-sha256" | "ed25519" */

	/* [mechanism] default mechanism ID used when a candidate names none
	 * ("default" when the policy does not set it) */
	gchar *default_mechanism;
	gboolean default_mechanism_set;	/* the policy set [mechanism] default */

	/* Groups parsed by later modules (notify, evidence) are kept here as
	 * raw key files with only their groups, consumed by those modules. */
	GKeyFile *extra;
	/* Where each key came from: "group\x1fkey" (and "group\x1f") -> file
	 * name, for TgKf.origin when a later module reports an error in @extra. */
	GHashTable *origins;
};

/* Index into TgPolicy.classes: security -> 0, everything else -> 1. */
TG_EXPORT guint tg_policy_class_index(TgUpdateClass cls);

/* Loads @path and the drop-ins in <dirname(path)>/conf.d/NAME.conf (strcmp
 * order, names starting with '.' skipped; a missing conf.d is fine). Each
 * file is parsed on its own, then merged key by key, later files winning; an
 * error names the file that last set the key. Refuses (PERMISSION) a file or
 * conf.d that is writable by group or others or owned by neither root nor the
 * effective uid (a symlink is judged by its target). policy->hash is the
 * SHA-256 over, for each file in order, its path, a NUL byte and its bytes.
 * Returns: (transfer full): the policy or NULL with @error set. */
TG_EXPORT TgPolicy *tg_policy_load(const char *path, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* A component name tollgate keeps floors for: 1 to 64 ASCII letters,
 * digits, '-', '_' or '.', starting with a letter or digit. */
TG_EXPORT gboolean tg_component_name_valid(const char *name);

/* Is @name the default component or one of the [component.NAME] groups?
 * Only those may be named by an update. */
TG_EXPORT gboolean tg_policy_component_declared(const TgPolicy *policy, const char *name);

/* Parses one in-memory policy (no drop-ins, no mode checks); @name is used
 * in messages. Shared by tests and fuzzers.
 * Returns: (transfer full): the policy or NULL with @error set. */
TG_EXPORT TgPolicy *tg_policy_load_data(const char *name, const char *data, gsize len,
					GError **error) G_GNUC_WARN_UNUSED_RESULT;

TG_EXPORT void tg_policy_free(TgPolicy *policy);

/* The policy path to use: @explicit_path if set, else $TOLLGATE_CONFIG if set
 * and not empty, else TG_DEFAULT_CONFIG. Returns: (transfer none). */
TG_EXPORT const char *tg_policy_path(const char *explicit_path);

/* Resolves the device id (literal or from device_id_file).
 * Returns: (transfer full): the id, or "unknown" when none is configured or
 * the file is missing, empty or holds no usable first line. */
TG_EXPORT gchar *tg_policy_device_id(const TgPolicy *policy);

/* Parses "30s", "15m", "12h", "7d", "2w" (or a plain number of seconds):
 * digits, then at most one lower-case unit letter. Refuses signs, spaces,
 * empty text, unknown units and results above G_MAXINT64 seconds.
 * @ret_seconds is written only on success. */
TG_EXPORT gboolean tg_parse_duration(const char *text, gint64 *ret_seconds);

/* Parses "YYYY-MM-DD", meaning the end of that day (23:59:59 UTC), or an
 * RFC 3339 date-time with "Z" or a numeric offset (e.g.
 * "2030-06-30T12:00:00+02:00"), converted to UTC. Refuses dates that do not
 * exist (2026-02-30), leap seconds, missing offsets and other ISO 8601 forms.
 * Returns: (transfer full): a UTC date-time or NULL. */
TG_EXPORT GDateTime *tg_parse_date(const char *text);

/* Does @when (any zone) fall inside @window? TRUE when the window is off. */
TG_EXPORT gboolean tg_window_contains(const TgWindow *window, GDateTime *when);

/* Returns: (transfer full): the next time at or after @when that is inside
 * @window (the start of the next opening), or NULL if the window is off. */
TG_EXPORT GDateTime *tg_window_next_open(const TgWindow *window, GDateTime *when);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgPolicy, tg_policy_free)

G_END_DECLS
