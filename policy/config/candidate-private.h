/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The candidate update as the adapters fill it in (internal; TgCandidate is opaque in the installed header). */
#pragma once

#include <glib.h>
#include "tollgate/candidate.h"

G_BEGIN_DECLS

struct _TgCandidate {
	gchar *name;		/* update name (bundle / image), may be NULL */
	gchar *version;		/* version text as shipped (not yet parsed) */
	gchar *component;	/* NULL = policy default */
	gchar *digest;		/* sha256 hex of the artifact, may be NULL */
	gchar *mechanism;	/* 7-UpdMech ID, NULL = policy default */
	gchar *updater;		/* "swupdate", "rauc", "cli" */
	gchar *updater_version;

	gboolean has_metadata;	/* any tollgate metadata key was present */
	TgUpdateClass declared_class;
	GPtrArray *advisories;	/* gchar* */
	gchar *severity;
	gchar *risk;
	gboolean reboot;
	gint64 downtime;	/* seconds, 0 = none announced */
	gboolean disruptive;
	GPtrArray *services;	/* gchar* */
	GDateTime *support_end;	/* NULL when the update carries none */
	gboolean slot_switch;	/* the adapter knows the update switches slots */
	gchar *updater_transaction;	/* the updater's own ID of this install
					 * (RAUC_TRANSACTION_ID), may be NULL */
	gboolean precheck;	/* gated by SWUpdate's preupdatecmd: the handler's
				 * gate of the same install confirms it */
};

G_END_DECLS
