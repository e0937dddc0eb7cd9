/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SWUpdate's progress socket for `tollgate swupdate-listen` (swu-progress.c).
 * Include after <progress_ipc.h>. */
#pragma once

#include <glib.h>

#define TG_SWU_PROGRESS_ERROR (tg_swu_progress_error_quark())
GQuark tg_swu_progress_error_quark(void);

typedef enum {
	TG_SWU_PROGRESS_MISMATCH,	/* the daemon speaks another protocol */
} TgSwuProgressError;

/* Connects to the progress socket at @path and checks the handshake of the
 * protocol this tollgate was built for. Returns: the socket; -1 when nothing
 * accepts at @path (try again later); -2 with @error on a mismatch. */
int tg_swu_progress_connect(const char *path, GError **error);

/* Reads one whole message into @msg; @first is TRUE for the first read
 * after connecting. Returns: 1 for a message; 0 when SWUpdate closed the
 * connection (reconnect); -2 with @error on a protocol mismatch. */
int tg_swu_progress_read(int fd, const char *path, gboolean first, struct progress_msg *msg,
			 GError **error);
