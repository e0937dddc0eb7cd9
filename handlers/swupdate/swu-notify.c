/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SWUpdate's notification stream (NOTIFY_STREAM on the control socket, in
 * every SWUpdate from 2022.12 to 2026.05): one ipc_message per message
 * SWUpdate logs, the layout of the network_ipc.h this tollgate was built
 * against. libswupdate's ipc_notify_*() print to stdout, where
 * swupdate-listen writes JSON lines, so the framing is done here. */
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

#include <network_ipc.h>

#include "swu-notify.h"

#define HANDSHAKE_MS 2000
#define HISTORY_QUIET_MS 100	/* the history ends when nothing comes for this long */

static gboolean wait_readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int r;

	do
		r = poll(&p, 1, ms);
	while (r < 0 && errno == EINTR);
	return r > 0;
}

/* One whole message; FALSE when the stream ended or broke. */
static gboolean read_msg(int fd, ipc_message *msg)
{
	gsize got = 0;

	while (got < sizeof(*msg)) {
		gssize n = recv(fd, (char *)msg + got, sizeof(*msg) - got, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return FALSE;
		got += (gsize)n;
	}
	return msg->magic == IPC_MAGIC;
}

static void ignore(const char *msg, gpointer data)
{
	(void)msg;
	(void)data;
}

int tg_swu_notify_connect(void)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	const char *path = get_ctrl_socket();
	ipc_message msg = { .magic = IPC_MAGIC, .type = NOTIFY_STREAM };
	int fd;

	if (!path || strlen(path) >= sizeof(addr.sun_path))
		return -1;
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 ||
	    write(fd, &msg, sizeof(msg)) != (gssize)sizeof(msg) || !wait_readable(fd, HANDSHAKE_MS) ||
	    !read_msg(fd, &msg) || msg.type != ACK) {
		close(fd);
		return -1;
	}
	tg_swu_notify_drain(&fd, HISTORY_QUIET_MS, ignore, NULL);
	return fd;
}

void tg_swu_notify_drain(int *fd, int wait_ms, void (*fn)(const char *msg, gpointer data),
			 gpointer data)
{
	ipc_message msg;

	while (*fd >= 0 && wait_readable(*fd, wait_ms)) {
		if (!read_msg(*fd, &msg) || msg.type != NOTIFY_STREAM) {
			close(*fd);
			*fd = -1;
			return;
		}
		msg.data.notify.msg[sizeof(msg.data.notify.msg) - 1] = '\0';
		fn(msg.data.notify.msg, data);
	}
}
#endif
