/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The compiled-in `tollgate` script handler for SWUpdate builds.
 *
 * This file is compiled inside SWUpdate's tree (handlers/tollgate_handler.c,
 * CONFIG_TOLLGATE; examples/swupdate/ has the patch and the Kconfig, Makefile
 * and Yocto pieces) and links libtollgate-swupdate (pkg-config
 * tollgate-swupdate). sw-description invokes it with a scripts entry that has
 * no file:
 *
 *   scripts: ( { type = "tollgate"; properties: { class = "security"; }; } );
 *
 * PREINSTALL   gates the update: refuse or defer returns non-zero, so SWUpdate
 *              aborts before any payload of a normal image is written
 *              (installed-directly images need the preupdatecmd precheck).
 * POSTINSTALL  records the install and stages the pending floor.
 * POSTFAILURE  (SWUpdate 2024.05+) records a failed install.
 * other        ignored (0), so a newer SWUpdate's phases do no harm.
 *
 * Layouts of struct swupdate_cfg, chosen at build time from SWUpdate's own
 * VERSION and PATCHLEVEL (examples/swupdate/Makefile.fragment):
 *   default                2022.12 .. 2025.05: version-range fields in
 *                          struct swupdate_cfg
 *   TG_SWU_UPDATE_TYPES    2025.12+: they moved into struct swupdate_type_cfg
 *                          (cfg->update_type)
 *   TG_SWU_POSTFAILURE     2024.05+: the POSTFAILURE phase exists
 *
 * The update version comes from get_swupdate_cfg()->version (the top-level
 * version of sw-description), the metadata from the entry's properties, the
 * digest from the verified sw-description in SWUpdate's TMPDIR. Every
 * tollgate notice and the decision go to SWUpdate's progress clients as INFO
 * messages {"0": {"tollgate": {...}}}. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "swupdate.h"
#include "handler.h"
#include "parsers.h"
#include "util.h"
#include "progress.h"
#include "swupdate_dict.h"

#include "tg-swupdate.h"

#ifdef TG_SWU_UPDATE_TYPES
#define TG_SWU_TYPE_NAME(c) ((c)->update_type_name)
#define TG_SWU_TYPE_FIELD(c, f) ((c)->update_type ? (c)->update_type->f : 0)
#define TG_SWU_MIN_VERSION(c) ((c)->update_type ? (c)->update_type->minimum_version : "")
#define TG_SWU_MAX_VERSION(c) ((c)->update_type ? (c)->update_type->maximum_version : "")
#else
#define TG_SWU_TYPE_NAME(c) ("")
#define TG_SWU_TYPE_FIELD(c, f) ((c)->f)
#define TG_SWU_MIN_VERSION(c) ((c)->minimum_version)
#define TG_SWU_MAX_VERSION(c) ((c)->maximum_version)
#endif

/* TG_SWU_RELEASE comes from the top Makefile's VERSION, PATCHLEVEL and
 * SUBLEVEL (examples/swupdate/Makefile.fragment); SWU_VER is `git describe`
 * and empty in a tarball build. */
#if defined(TG_SWU_RELEASE)
#define TG_SWU_VERSION TG_SWU_RELEASE
#elif defined(SWU_VER)
#define TG_SWU_VERSION SWU_VER
#else
#define TG_SWU_VERSION NULL
#endif

void tollgate_handler(void);

static void emit_info(const char *info, gpointer user_data)
{
	(void)user_data;
	swupdate_progress_info(RUN, 0, info);
}

/* SWUpdate's own version checks run before handlers; say which are active,
 * so a log shows both layers. */
static void trace_swupdate_checks(struct swupdate_cfg *cfg)
{
	TRACE("tollgate: SWUpdate's own checks: no-downgrading %s%s, max-version %s%s",
	      TG_SWU_TYPE_FIELD(cfg, no_downgrading) ? "on " : "off",
	      TG_SWU_TYPE_FIELD(cfg, no_downgrading) ? TG_SWU_MIN_VERSION(cfg) : "",
	      TG_SWU_TYPE_FIELD(cfg, check_max_version) ? "on " : "off",
	      TG_SWU_TYPE_FIELD(cfg, check_max_version) ? TG_SWU_MAX_VERSION(cfg) : "");
}

static gboolean set_properties(TgCandidate *cand, struct img_type *img, GError **error)
{
	struct dict_entry *entry;

	LIST_FOREACH(entry, &img->properties, next) {
		g_autoptr(GPtrArray) values = g_ptr_array_new();
		struct dict_list_elem *elem;

		LIST_FOREACH(elem, &entry->list, next)
			g_ptr_array_add(values, elem->value);
		if (!tg_swu_candidate_set_property(cand, dict_entry_get_key(entry),
						   (const char *const *)values->pdata,
						   values->len, error))
			return FALSE;
	}
	return TRUE;
}

/* Returns: (transfer full): the candidate for the update being installed. */
static TgCandidate *build_candidate(struct img_type *img, GError **error)
{
	struct swupdate_cfg *cfg = get_swupdate_cfg();
	g_autofree gchar *name = tg_swu_candidate_name(cfg->description, TG_SWU_TYPE_NAME(cfg));
	g_autofree gchar *swdesc = g_strconcat(get_tmpdir(), SW_DESCRIPTION_FILENAME, NULL);
	g_autoptr(TgCandidate) cand = tg_swu_candidate_new(cfg->version, name, TG_SWU_VERSION);

	if (img->id.version[0] && strcmp(img->id.version, cfg->version) != 0) {
		g_set_error(error, TG_SWU_ERROR, TG_SWU_ERROR_VALUE,
			    "the tollgate entry's version '%s' differs from the update's version "
			    "'%s' in sw-description; give both the same value",
			    img->id.version, cfg->version);
		return NULL;
	}
	if (!set_properties(cand, img, error) ||
	    !tg_swu_candidate_set_digest_file(cand, swdesc, error))
		return NULL;
	return g_steal_pointer(&cand);
}

static TgEngine *open_engine(GError **error)
{
	TgSwuEngineOptions opts = {
		.updater_version = TG_SWU_VERSION,
		.emit = emit_info,
	};

	return tg_swu_engine_open(&opts, error);
}

static int preinstall(struct img_type *img)
{
	const char *verb[] = { "allowed", "deferred", "refused" };
	g_autoptr(TgSwuTiming) timing = tg_swu_timing_new("preinst");
	g_autoptr(GError) err = NULL;
	g_autoptr(TgCandidate) cand = build_candidate(img, &err);
	g_autoptr(TgEngine) engine = cand ? open_engine(&err) : NULL;
	g_autoptr(TgDecision) d = engine ? tg_engine_gate(engine, cand, &err) : NULL;
	g_autofree gchar *info = NULL;
	const char *version;

	trace_swupdate_checks(get_swupdate_cfg());
	if (cand)
		tg_swu_verdict_remember(cand, !d || tg_decision_verdict(d) != TG_VERDICT_ALLOW);
	if (!d) {
		ERROR("tollgate: %s; the update must not be installed", err->message);
		return -1;
	}
	info = tg_swu_info_decision(d);
	if (info)
		emit_info(info, NULL);
	version = tg_decision_version(d);
	if (tg_decision_verdict(d) == TG_VERDICT_ALLOW) {
		INFO("tollgate: %s %s: %s", verb[TG_VERDICT_ALLOW], version, tg_decision_message(d));
		return 0;
	}
	ERROR("tollgate: %s %s: %s", verb[tg_decision_verdict(d)], version ? version : "(no version)",
	      tg_decision_message(d));
	return tg_decision_exit_code(d);
}

/* Records the end of the install. A failure to record an install is an
 * error: the update is reported failed rather than installed unrecorded. */
static int record(struct img_type *img, gboolean failed)
{
	g_autoptr(TgSwuTiming) timing = tg_swu_timing_new(failed ? "postfailure" : "postinst");
	g_autoptr(GError) err = NULL;
	g_autoptr(TgCandidate) cand = build_candidate(img, &err);
	g_autoptr(TgEngine) engine = NULL;
	gboolean ok = FALSE;

	if (cand && tg_swu_verdict_take_stopped(cand) && failed) {
		INFO("tollgate: SWUpdate's failure report follows tollgate's own stop of %s; "
		     "not recorded as a failed install", tg_candidate_version(cand));
		return 0;
	}
	if (cand)
		engine = open_engine(&err);
	if (engine)
		ok = failed ? tg_engine_failed(engine, cand, "SWUpdate reported the install as failed",
					       &err)
			    : tg_engine_installed(engine, cand, &err);
	if (!ok) {
		ERROR("tollgate: cannot record the %s: %s", failed ? "failure" : "install",
		      err->message);
		return failed ? 0 : -1;
	}
	if (failed) {
		g_autofree gchar *info = tg_swu_info_recorded("update.failed",
								 tg_candidate_version(cand));

		if (info)
			emit_info(info, NULL);
	}
	INFO("tollgate: recorded %s %s", failed ? "failed install of" : "installed",
	     tg_candidate_version(cand));
	return 0;
}

static int tollgate_script(struct img_type *img, void *data)
{
	struct script_handler_data *script = data;

	if (!script)
		return -1;
	switch (script->scriptfn) {
	case PREINSTALL:
		return preinstall(img);
	case POSTINSTALL:
		return record(img, FALSE);
#ifdef TG_SWU_POSTFAILURE
	case POSTFAILURE:
		return record(img, TRUE);
#endif
	default:
		TRACE("tollgate: phase %d not handled", (int)script->scriptfn);
		return 0;
	}
}

__attribute__((constructor))
void tollgate_handler(void)
{
	register_handler(TG_SWU_HANDLER_NAME, tollgate_script, SCRIPT_HANDLER | NO_DATA_HANDLER,
			 NULL);
}
