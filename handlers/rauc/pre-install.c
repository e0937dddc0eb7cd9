/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tollgate-rauc-pre-install: RAUC's [handlers] pre-install=.
 *
 * Decides on the bundle RAUC has mounted, records the decision, prints one
 * line for RAUC's log and exits 0 to let RAUC install, 10 (refused) or 11
 * (deferred) to make RAUC abort before it writes a slot, or 1 when no
 * decision could be made (fail closed). RAUC 1.8/1.9 pass one argument,
 * later versions none; neither is used. Never waits for a user. */
#include <stdio.h>

#include "rauc-candidate.h"

int main(int argc, char **argv)
{
	g_autoptr(TgCandidate) cand = NULL;
	g_autoptr(GError) err = NULL;
	g_autoptr(TgEngine) engine = tg_rauc_handler_start(&cand, &err);
	g_autoptr(TgDecision) decision = NULL;
	g_autofree gchar *line = NULL;

	if (engine)
		decision = tg_engine_gate(engine, cand, &err);
	if (!decision) {
		printf("tollgate: error: %s; the update must not be installed\n", err->message);
		return TG_RAUC_EXIT_ERROR;
	}
	line = tg_rauc_decision_line(decision);
	printf("%s\n", line);
	return tg_decision_exit_code(decision);
}
