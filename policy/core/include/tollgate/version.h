/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Strict version parsing and ordering, one parser per scheme.
 *
 * semver:   RAUC-compatible (min-bundle-version): 1 to 3 numeric core parts
 *           ("2024.05" is fine, missing parts are 0), optional "-pre.release"
 *           which sorts below the release, optional "+build" which is ignored.
 *           No leading "v". Leading zeros in numbers are accepted and do not
 *           change the value ("2024.05" == "2024.5.0"), as in RAUC.
 * swupdate: SWUpdate-compatible: digits and dots with at most 4 fields, each
 *           <= 65535 (compared numerically, missing fields are 0); any other
 *           text must parse as semver. Digits-and-dots strings with 5+ fields
 *           or a field > 65535 are refused (SWUpdate would silently mis-order
 *           them), and so are semver texts SWUpdate mis-orders (a number >
 *           2147483647, a pre-release identifier like "-5", > 255 bytes).
 *           Both kinds compare as 4 numbers (semver's 4th is 0), then the
 *           pre-release. docs/versions.md has the details.
 * Anything that does not parse (empty, longer than TG_VERSION_MAX_LEN bytes,
 * control characters, NUL, "v2.0") is an error, never compared as text. */
#pragma once

#include <glib.h>
#include "tollgate/types.h"

G_BEGIN_DECLS

#define TG_VERSION_MAX_LEN 256

#define TG_VERSION_ERROR (tg_version_error_quark())
TG_EXPORT GQuark tg_version_error_quark(void);

typedef enum {
	TG_VERSION_ERROR_INVALID,
} TgVersionError;

typedef struct _TgVersion TgVersion;

/* Parses @text (of @len bytes, or NUL-terminated if @len < 0) with @scheme.
 * Returns: (transfer full): the version, or NULL with @error set. The error
 * message quotes the offending text (escaped) and says what is wrong. */
TG_EXPORT TgVersion *tg_version_parse(TgVersionScheme scheme, const char *text,
				      gssize len, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Returns <0, 0, >0 as a sorts before, equal to, after b. Both must come from
 * the same scheme. */
TG_EXPORT int tg_version_compare(const TgVersion *a, const TgVersion *b);

/* Returns: (transfer none): the text the version was parsed from. */
TG_EXPORT const char *tg_version_to_string(const TgVersion *v);

/* Number of the core part that differs first (0 major, 1 minor, 2 patch, 3
 * fourth field or pre-release), or -1 when the cores are equal. Used by the
 * classify check to tell patch releases from feature jumps. */
TG_EXPORT int tg_version_first_difference(const TgVersion *a, const TgVersion *b);

TG_EXPORT void tg_version_free(TgVersion *v);

/* Convenience: parse both strings and compare. FALSE with @error when either
 * does not parse; @ret_cmp untouched then. */
TG_EXPORT gboolean tg_version_compare_strings(TgVersionScheme scheme, const char *a,
					      const char *b, int *ret_cmp,
					      GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgVersion, tg_version_free)

G_END_DECLS
