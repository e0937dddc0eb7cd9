/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tollgate-rauc-post-install: RAUC's [handlers] post-install=.
 *
 * RAUC has written the slots and made the new one primary: record
 * update.installed and stage the version as the pending floor (it becomes
 * the floor at `tollgate commit` after a good boot). Always exits 0: the
 * slot is written either way, and a non-zero exit would only make RAUC
 * report a failure for an install that happened. Errors are printed for
 * RAUC's log. */
#include <stdio.h>

#include "rauc-candidate.h"

int main(int argc, char **argv)
{
	g_autoptr(TgCandidate) cand = NULL;
	g_autoptr(GError) err = NULL;
	g_autoptr(TgEngine) engine = tg_rauc_handler_start(&cand, &err);

	if (engine && tg_engine_installed(engine, cand, &err)) {
		printf("tollgate: recorded installed %s; its floor rises at `tollgate "
		       "commit` after a good boot\n", cand->version ? cand->version : "(no version)");
		return 0;
	}
	printf("tollgate: error: the install was not recorded: %s\n", err->message);
	return 0;
}
