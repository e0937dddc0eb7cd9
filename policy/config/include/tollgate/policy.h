/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The policy: /etc/tollgate/tollgate.conf plus drop-ins, parsed strictly.
 *
 * Every key is consumed as it is read; unknown groups or keys, wrong types,
 * bad dates or durations are errors whose message names file, group, key and
 * value. A policy file or drop-in directory writable by anyone other than its
 * owner is refused. docs/policy.md is the reference for every group and key. */
#pragma once

#include <glib.h>
#include "tollgate/types.h"
#include "tollgate/timeutil.h"

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

/* Limits on what tg_policy_load() reads. */
#define TG_POLICY_MAX_FILE_SIZE (1024 * 1024)	/* bytes per file */
#define TG_POLICY_MAX_DROPINS 256		/* files in conf.d */

typedef struct _TgPolicy TgPolicy;

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

G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgPolicy, tg_policy_free)

G_END_DECLS
