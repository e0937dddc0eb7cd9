/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The parsed policy (internal to tollgate; the installed header keeps TgPolicy opaque). */
#pragma once

#include <glib.h>
#include "tollgate/policy.h"
#include "tollgate/version.h"
#include "keyfile.h"

G_BEGIN_DECLS

/* The hardware anchor of the state (docs/state.md). */
typedef enum {
	TG_ANCHOR_NONE = 0,
	TG_ANCHOR_TPM2,
} TgAnchorKind;

#define TG_ANCHOR_DEFAULT_TCTI "device:/dev/tpmrm0"
#define TG_ANCHOR_DEFAULT_INDEX 0x01500101u

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

struct _TgPolicy {
	gchar *path;		/* main file */
	GPtrArray *files;	/* every file read, in order (gchar*) */
	gchar *hash;		/* SHA-256 hex over every file read (name + bytes) */
	GPtrArray *contents;	/* GBytes* of each file of @files, same order */

	/* [device] */
	gchar *model;			/* model designation (required) */
	gchar *hardware_revision;
	gchar *device_id;		/* literal id, or */
	gchar *device_id_file;		/* file whose first line is the id (e.g. /etc/machine-id) */
	gboolean production;		/* refuse --now, --state-dir, other policies */

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
	TgAnchorKind anchor;		/* [state] anchor */
	gchar *anchor_tcti;		/* TCTI loader string for tpm2 */
	guint32 anchor_index;		/* NV index of the counter */

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
guint tg_policy_class_index(TgUpdateClass cls);

/* Does @when (any zone) fall inside @window? TRUE when the window is off. */
gboolean tg_window_contains(const TgWindow *window, GDateTime *when);

/* Returns: (transfer full): the next time at or after @when that is inside
 * @window (the start of the next opening), or NULL if the window is off. */
GDateTime *tg_window_next_open(const TgWindow *window, GDateTime *when);

/* A reader of @kf (such a copy) whose errors name @policy's file and its
 * origins, in TG_POLICY_ERROR. */
TgKf tg_kf_for_policy(GKeyFile *kf, const TgPolicy *policy);

/* A policy from files read elsewhere (the log.policy records of a device,
 * evidence/evidence-variant.c): @names[i] with bytes @contents[i], in the
 * order they apply, parsed and hashed exactly as tg_policy_load() does (no
 * drop-in lookup, no mode checks). Returns: (transfer full) or NULL. */
TgPolicy *tg_policy_load_files(const char *const *names, GBytes *const *contents, guint n,
			       GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
