/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* swupdate-precheck, SWUpdate's preupdatecmd: the update SWUpdate verified
 * is read from its sw-description and gated before anything is written
 * (docs/swupdate.md). The CLI command (handlers/cli/cmd-swupdate.c) only
 * parses the arguments and prints the decision. */
#include "tg-swupdate.h"
#include "decision-private.h"
#include "tg-io.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <string.h>
#include <sys/stat.h>

/* Reads sw-description without following a symlink, without blocking on a
 * FIFO and at most 2 MiB; the file must belong to root or to us (else
 * someone else may have put it there). */
static gboolean read_description(const char *path, gchar **ret_data, gsize *ret_len,
				 GError **error)
{
	g_autoptr(GError) local = NULL;
	struct stat st;

	if (!tg_io_read_regular(path, TG_SWU_DESCRIPTION_MAX, ret_data, ret_len, &st, &local)) {
		if (g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
			g_set_error(error, TG_SWU_ERROR, TG_SWU_ERROR_IO,
				    "cannot read %s: no such file; run the precheck as SWUpdate's "
				    "preupdatecmd (it needs SWUpdate's TMPDIR) or pass "
				    "--sw-description", path);
		else
			g_set_error(error, TG_SWU_ERROR,
				    g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_FAILED)
					    ? TG_SWU_ERROR_LIMIT : TG_SWU_ERROR_IO,
				    "%s; tollgate reads sw-description only as the regular file "
				    "SWUpdate extracted", local->message);
		return FALSE;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		g_clear_pointer(ret_data, g_free);
		g_set_error(error, TG_SWU_ERROR, TG_SWU_ERROR_IO,
			    "%s belongs to user %u, not to root or the user SWUpdate runs as; "
			    "someone else may have put it there, so it is not read",
			    path, (unsigned)st.st_uid);
		return FALSE;
	}
	return TRUE;
}

/* SET,MODE as SWUpdate's -e takes it. */
static TgCandidate *precheck_candidate(const char *path, const TgSwuSelection *sel,
				       GError **error)
{
	g_autoptr(TgSwuDescription) desc = NULL;
	g_autoptr(TgCandidate) cand = NULL;
	g_autofree gchar *data = NULL;
	gsize len = 0;

	if (!read_description(path, &data, &len, error))
		return NULL;
	desc = tg_swu_description_parse(data, len, sel, error);
	if (!desc) {
		g_prefix_error(error, "%s: ", path);
		return NULL;
	}
	cand = tg_swu_description_candidate(desc, NULL, error);
	if (!cand)
		return NULL;
	if (!tg_swu_candidate_set_digest_file(cand, path, error))
		return NULL;
	cand->precheck = TRUE;
	return g_steal_pointer(&cand);
}

gboolean tg_swu_precheck_config(const char *swupdate_config, gboolean required, GError **error)
{
	g_autofree gchar *path = swupdate_config ? g_strdup(swupdate_config) : tg_swu_config_path();

	if (!path) {
		if (!required)
			return TRUE;	/* not under SWUpdate, or it reads no file */
		g_set_error(error, TG_SWU_ERROR, TG_SWU_ERROR_IO,
			    "no SWUpdate configuration to check: pass --swupdate-config FILE");
		return FALSE;
	}
	return tg_swu_config_check_file(path, error);
}

TgDecision *tg_swu_precheck(const TgSwuEngineOptions *opts, const char *path,
			    const TgSwuSelection *sel, GError **error)
{
	g_autoptr(TgEngine) engine = NULL;
	g_autoptr(TgCandidate) cand = precheck_candidate(path, sel, error);

	if (!cand)
		return NULL;
	engine = tg_swu_engine_open(opts, error);
	if (!engine)
		return NULL;
	return tg_engine_gate(engine, cand, error);
}
