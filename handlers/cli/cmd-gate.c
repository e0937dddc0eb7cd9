/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gate, installed, failed: the commands that take a candidate. */
#include "cli.h"

#include <stdio.h>

int tg_cmd_gate(const TgCliGlobal *g, int argc, char **argv)
{
	g_auto(TgCliCandidate) o = { 0 };
	g_autoptr(TgEngine) engine = NULL;
	g_autoptr(TgCandidate) cand = NULL;
	g_autoptr(TgDecision) d = NULL;
	g_autoptr(GError) err = NULL;

	if (!tg_cli_parse(&argc, &argv, "gate", NULL,
			  "Decides whether an update may be installed now and records the "
			  "decision.\nExit: 0 allowed, 10 refused, 11 deferred, 1 error (never "
			  "allow).", tg_cli_candidate_entries(&o)))
		return TG_EXIT_USAGE;
	cand = tg_cli_candidate_build(&o, &err);
	if (cand)
		engine = tg_cli_engine(g, "cli", &err);
	if (engine)
		d = tg_engine_gate(engine, cand, &err);
	return tg_cli_finish_gate(d, err, o.json, FALSE);
}

static int record_install(const TgCliGlobal *g, int argc, char **argv, gboolean failed)
{
	g_auto(TgCliCandidate) o = { 0 };
	g_autofree gchar *reason = NULL;
	const GOptionEntry *base = tg_cli_candidate_entries(&o);
	GOptionEntry entries[20];
	guint n = 0;
	g_autoptr(TgEngine) engine = NULL;
	g_autoptr(TgCandidate) cand = NULL;
	g_autoptr(GError) err = NULL;
	gboolean ok = FALSE;

	for (; base[n].long_name; n++)
		entries[n] = base[n];
	entries[n++] = (GOptionEntry){ "reason", 0, 0, G_OPTION_ARG_STRING, &reason,
				       "why the install failed (failed only)", "TEXT" };
	entries[n] = (GOptionEntry)G_OPTION_ENTRY_NULL;
	if (!tg_cli_parse(&argc, &argv, failed ? "failed" : "installed", NULL,
			  failed ? "Records an install the updater reported as failed "
				   "(update.failed; never a refusal)."
				 : "Records an installed update and stages its version as the "
				   "pending floor; `tollgate commit` raises the floor after a good "
				   "boot.", entries))
		return TG_EXIT_USAGE;
	cand = tg_cli_candidate_build(&o, &err);
	if (cand)
		engine = tg_cli_engine(g, "cli", &err);
	if (engine)
		ok = failed ? tg_engine_failed(engine, cand, reason, &err)
			    : tg_engine_installed(engine, cand, &err);
	if (!ok) {
		tg_cli_error(err);
		return TG_EXIT_ERROR;
	}
	printf("recorded %s %s\n", failed ? "failed install of" : "installed",
	       cand->version ? cand->version : "(no version)");
	return TG_EXIT_OK;
}

int tg_cmd_installed(const TgCliGlobal *g, int argc, char **argv)
{
	return record_install(g, argc, argv, FALSE);
}

int tg_cmd_failed(const TgCliGlobal *g, int argc, char **argv)
{
	return record_install(g, argc, argv, TRUE);
}
