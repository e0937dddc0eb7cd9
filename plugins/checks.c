/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The static table of built-in checks. */
#include "checks.h"

static const TgCheckOps *const builtin[] = {
	&tg_check_classify,
	&tg_check_rollback,
	&tg_check_support,
	&tg_check_disruption,
	&tg_check_deferral,
	NULL,
};

const TgCheckOps *const *tg_checks_builtin(void)
{
	return builtin;
}
