/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The built-in checks (one file each) and their static table. */
#pragma once

#include "tollgate/decision.h"

G_BEGIN_DECLS

extern const TgCheckOps tg_check_classify;
extern const TgCheckOps tg_check_rollback;
extern const TgCheckOps tg_check_support;
extern const TgCheckOps tg_check_disruption;
extern const TgCheckOps tg_check_deferral;

/* The table in evaluation order: classify, rollback, support-period,
 * disruption, deferral. NULL-terminated. Returns: (transfer none). */
TG_EXPORT const TgCheckOps *const *tg_checks_builtin(void);

G_END_DECLS
