/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Who may change a path (path.c): the state, key and audit files decide
 * whether an update is allowed, so only root or the user tollgate runs as
 * may be able to replace them, at every step of their path. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Checks @path and each directory above it: every one must be owned by
 * root or the effective uid, and none may be writable by its group or
 * others, except a directory with the sticky bit (like /tmp), where only
 * an entry's owner can rename or remove it. Symlinks are resolved first,
 * so their targets are what is judged.
 * @what names the path in the message ("the state directory"). FALSE with
 * a G_IO_ERROR_PERMISSION_DENIED whose message names the offending path,
 * its owner or mode, and the command that fixes it; G_IO_ERROR_NOT_FOUND
 * when @path does not exist. */
gboolean tg_path_check_owner(const char *path, const char *what,
			     GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
