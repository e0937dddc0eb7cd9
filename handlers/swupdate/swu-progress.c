/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The connection of `tollgate swupdate-listen` to SWUpdate's progress
 * socket, with the framing done here rather than by libswupdate, so that a
 * listener built for another SWUpdate stops with one clear sentence instead
 * of reconnecting forever (libswupdate's own reconnect loop exhausted the
 * daemon's file descriptors). The struct layout and the protocol version come
 * from the progress_ipc.h of the SWUpdate this tollgate was built against
 * (-Dswupdate_prefix):
 *   no PROGRESS_API_VERSION (up to 2023.05): no handshake, no version;
 *   API 1 (2023.12, 2024.05): every message carries the API version, no
 *     handshake;
 *   API 2 (PROGRESS_CONNECT_ACK_MAGIC, 2024.12+): the daemon also
 *     acknowledges each connection with its API version; majors must match.
 * Without the handshake, a daemon that sends a connect acknowledgement
 * speaks a newer protocol. */
#include "tg-swupdate.h"
#include "decision-private.h"

#include "tg-swupdate-config.h"

#if TG_HAVE_LIBSWUPDATE
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <progress_ipc.h>

#include "swu-progress.h"

#ifdef PROGRESS_CONNECT_ACK_MAGIC
#define TG_PROGRESS_ACK 1
#endif

#define ACK_TIMEOUT_MS 5000
#define ACK_BYTES 8	/* struct progress_connect_ack: apiversion, "ACK" */

G_DEFINE_QUARK(tg-swu-progress-error-quark, tg_swu_progress_error)

static const char *built_for(void)
{
#ifdef PROGRESS_API_VERSION
	static char text[96];

	g_snprintf(text, sizeof(text), "progress API %u.%u.%u (SWUpdate %s)", PROGRESS_API_MAJOR,
		   PROGRESS_API_MINOR, PROGRESS_API_PATCH,
#ifdef TG_PROGRESS_ACK
		   "2024.12 or later"
#else
		   "2023.12 to 2024.05, without connect handshake"
#endif
	);
	return text;
#else
	return "the progress protocol without version or handshake (SWUpdate 2023.05 or "
	       "earlier)";
#endif
}

static gboolean mismatch(GError **error, const char *path, const char *what)
{
	g_set_error(error, TG_SWU_PROGRESS_ERROR, TG_SWU_PROGRESS_MISMATCH,
		    "SWUpdate's progress socket %s %s, but this tollgate was built for %s; "
		    "build tollgate against the SWUpdate it listens to (meson -Dswupdate_prefix)",
		    path, what, built_for());
	return FALSE;
}

/* Waits up to @ms for data; returns the bytes read (0: closed, -1: none). */
static gssize read_some(int fd, void *buf, gsize len, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int r;

	do
		r = poll(&p, 1, ms);
	while (r < 0 && errno == EINTR);
	if (r <= 0)
		return -1;
	return recv(fd, buf, len, 0);
}

#ifdef TG_PROGRESS_ACK
static gboolean check_ack(int fd, const char *path, GError **error)
{
	struct progress_connect_ack ack = { 0 };
	gssize n = read_some(fd, &ack, sizeof(ack), ACK_TIMEOUT_MS);
	g_autofree gchar *what = NULL;

	if (n < 0)
		return mismatch(error, path, "sent no connect acknowledgement within 5 s "
				"(an SWUpdate older than 2024.12)");
	if (n != (gssize)sizeof(ack) || strncmp(ack.magic, PROGRESS_CONNECT_ACK_MAGIC, 4) != 0)
		return mismatch(error, path, "sent no valid connect acknowledgement");
	if ((ack.apiversion >> 16) != PROGRESS_API_MAJOR) {
		what = g_strdup_printf("speaks progress API %u.%u.%u", ack.apiversion >> 16,
				       (ack.apiversion >> 8) & 0xff, ack.apiversion & 0xff);
		return mismatch(error, path, what);
	}
	return TRUE;
}
#endif

int tg_swu_progress_connect(const char *path, GError **error)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(addr.sun_path)) {
		g_set_error(error, TG_SWU_PROGRESS_ERROR, TG_SWU_PROGRESS_MISMATCH,
			    "the progress socket path %s is too long for a UNIX socket", path);
		return -2;
	}
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
		close(fd);
		return -1;
	}
#ifdef TG_PROGRESS_ACK
	if (!check_ack(fd, path, error)) {
		close(fd);
		return -2;
	}
#endif
	return fd;
}

int tg_swu_progress_read(int fd, const char *path, gboolean first, struct progress_msg *msg,
			 GError **error)
{
	gsize got = 0;
	gssize n;

	memset(msg, 0, sizeof(*msg));
#ifndef TG_PROGRESS_ACK
	/* A newer SWUpdate acknowledges the connection at once: one short
	 * "ACK" record where an old one sends nothing until an update. */
	if (first) {
		n = read_some(fd, msg, sizeof(*msg), 300);
		if (n == 0)
			return 0;
		if (n == ACK_BYTES && memcmp((char *)msg + 4, "ACK", 4) == 0) {
			mismatch(error, path, "acknowledged the connection (SWUpdate 2024.12 or later)");
			return -2;
		}
		got = n > 0 ? (gsize)n : 0;
	}
#else
	(void)first;
#endif
	while (got < sizeof(*msg)) {
		n = recv(fd, (char *)msg + got, sizeof(*msg) - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 && !got)
			return 0;
		if (n <= 0) {
			mismatch(error, path, "sent a message shorter than this tollgate's "
				 "struct progress_msg");
			return -2;
		}
		got += (gsize)n;
#ifdef PROGRESS_API_VERSION
		if (got >= sizeof(msg->apiversion) && msg->apiversion != PROGRESS_API_VERSION) {
			g_autofree gchar *what = g_strdup_printf(
				"sends messages of progress API %u.%u.%u", msg->apiversion >> 16,
				(msg->apiversion >> 8) & 0xff, msg->apiversion & 0xff);

			mismatch(error, path, what);
			return -2;
		}
#endif
	}
	return 1;
}
#endif
