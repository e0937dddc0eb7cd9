/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Basic enums shared by every tollgate module. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TG_EXPORT __attribute__((visibility("default")))

typedef enum {
	TG_SCHEME_SEMVER = 0,
	TG_SCHEME_SWUPDATE,
} TgVersionScheme;

typedef enum {
	TG_CLASS_UNSET = 0,
	TG_CLASS_SECURITY,
	TG_CLASS_FEATURE,
	TG_CLASS_MIXED,
} TgUpdateClass;

/* Outcome of one check, ordered by severity. */
typedef enum {
	TG_OUTCOME_PASS = 0,
	TG_OUTCOME_WARN,
	TG_OUTCOME_DEFER,
	TG_OUTCOME_REFUSE,
} TgOutcome;

typedef enum {
	TG_VERDICT_ALLOW = 0,
	TG_VERDICT_DEFER,
	TG_VERDICT_REFUSE,
} TgVerdict;

/* How far the time used for a decision can be trusted. */
typedef enum {
	TG_TIME_SYSTEM = 0,	/* system clock, not earlier than the last trusted time */
	TG_TIME_CLAMPED,	/* system clock was behind the last trusted time: clamped */
	TG_TIME_OVERRIDE,	/* set by --now (tests, demos), never below the last trusted time */
} TgTimeTrust;

TG_EXPORT const char *tg_update_class_to_string(TgUpdateClass cls);
TG_EXPORT gboolean tg_update_class_from_string(const char *text, TgUpdateClass *ret_cls);
TG_EXPORT const char *tg_outcome_to_string(TgOutcome outcome);
TG_EXPORT const char *tg_verdict_to_string(TgVerdict verdict);
TG_EXPORT const char *tg_time_trust_to_string(TgTimeTrust trust);
TG_EXPORT const char *tg_version_scheme_to_string(TgVersionScheme scheme);

G_END_DECLS
