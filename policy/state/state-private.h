/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The state body (internal; TgState is opaque in the installed header). */
#pragma once

#include <glib.h>
#include "tollgate/state.h"

G_BEGIN_DECLS

typedef struct {
	gchar *floor;		/* versions as text, NULL = none */
	gchar *installed;
	gchar *security_floor;
	gchar *pending;		/* staged by `installed`, committed by `commit` */
	TgUpdateClass pending_class;
	gchar *pending_digest;
} TgComponentState;

typedef struct {
	gchar *digest;		/* approved update digest, or NULL */
	gchar *version;		/* approved version when no digest is known */
	GDateTime *when;
} TgApproval;

typedef struct {
	GDateTime *until;	/* NULL = not postponed */
	GDateTime *since;	/* when the current run of postpones started */
} TgPostpone;

struct _TgState {
	GHashTable *components;		/* gchar* -> TgComponentState* */
	GDateTime *support_end;		/* current (committed) support end, NULL = policy's */
	GDateTime *pending_support_end;	/* carried by an installed update, applies at commit */
	GDateTime *last_trusted_time;	/* never moves backwards */
	TgPostpone postpone[2];		/* index tg_policy_class_index() */
	GPtrArray *approvals;		/* TgApproval* */
	/* user settings; -1 = not set by the user (policy default applies) */
	gint auto_install[2];
	gint notifications;
	GArray *support_notices_sent;	/* guint thresholds (days) already notified */
	gchar *last_decision;		/* JSON text of the last gate decision, or NULL */
	gboolean initialized;		/* initialization was recorded */
	guint64 generation;		/* +1 with every write; the audit log records each */
	guint64 anchor_count;		/* the hardware counter when last written, 0: none */
};

/* Returns: (transfer none): the entry for @component, created if @create. */
TgComponentState *tg_state_component(TgState *state, const char *component,
					       gboolean create);

/* Records an approval of the update with @digest (or, when no digest is
 * known, @version) at @when. An existing approval of the same update is
 * refreshed instead of duplicated. Keeps at most TG_STATE_MAX_APPROVALS by
 * dropping the oldest (earliest @when) ones. */
void tg_state_add_approval(TgState *state, const char *digest, const char *version,
				     GDateTime *when);

G_END_DECLS
