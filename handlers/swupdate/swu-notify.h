/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SWUpdate's notification stream for `tollgate swupdate-listen`
 * (swu-notify.c): the messages SWUpdate logs, among them its own refusals
 * (-N / no-downgrading, max-version, -R), which the progress socket does
 * not carry. Include after <network_ipc.h>. */
#pragma once

#include <glib.h>

/* Connects to SWUpdate's control socket and asks for the notification
 * stream; the history SWUpdate sends first is read and dropped.
 * Returns: the socket, or -1 (no stream: SWUpdate is older or the socket
 * is missing; the listener goes on without it). */
int tg_swu_notify_connect(void);

/* Reads the messages on @fd, waiting up to @wait_ms for each, and hands
 * each to @fn. Closes @fd and sets it to -1 when SWUpdate closed it
 * or sent something that is not a notification. */
void tg_swu_notify_drain(int *fd, int wait_ms, void (*fn)(const char *msg, gpointer data),
			 gpointer data);
