/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A hardware anchor for the state (anchor-tpm2.c): a counter outside the
 * data partition that only counts up. The state records the count it was
 * written with; a state whose count is behind the counter is an older copy,
 * whatever else it (and the log) say. */
#pragma once

#include <glib.h>

#include "tollgate/state.h"

G_BEGIN_DECLS

typedef struct _TgAnchor TgAnchor;

/* Connects to the TPM through @tcti (a TCTI loader string, e.g.
 * "device:/dev/tpmrm0" or "swtpm:host=127.0.0.1,port=2321"); the counter
 * is NV index @index. Returns: (transfer full): the anchor, or NULL with
 * TG_STATE_ERROR_ANCHOR. */
TgAnchor *tg_anchor_open(const char *tcti, guint32 index, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Reads the counter into @ret. When the index is not defined: with
 * @create, defines it and counts it up once (a new counter starts at the
 * highest count the TPM has held); without, *@ret = 0. */
gboolean tg_anchor_read(TgAnchor *a, gboolean create, guint64 *ret,
			GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Counts the counter up by one. */
gboolean tg_anchor_increment(TgAnchor *a, GError **error) G_GNUC_WARN_UNUSED_RESULT;

void tg_anchor_close(TgAnchor *a);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgAnchor, tg_anchor_close)

G_END_DECLS
