/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Where the state may live: never on a file system that the updater
 * overwrites or leaves behind at a slot switch. An adapter that knows its
 * updater's slots (RAUC hands every slot's device to its handlers) passes
 * them in TgEngineOptions.slots; before anything is opened or written, each
 * place tollgate keeps (state directory, audit log, keys) is checked
 * against them. A place not on a block-device slot (file-backed slots, a
 * slot that is not a device) cannot be told apart and passes. */
#include "engine-private.h"

#include <errno.h>
#include <sys/stat.h>

/* The device of the file system that holds @path, or of its nearest
 * existing parent when @path does not exist yet. FALSE when nothing along
 * the way can be read (the later open then says why). */
static gboolean holding_device(const char *path, dev_t *ret)
{
	g_autofree gchar *p = g_strdup(path);
	struct stat st;

	while (stat(p, &st) < 0) {
		gchar *up;

		if (errno != ENOENT && errno != ENOTDIR)
			return FALSE;
		up = g_path_get_dirname(p);
		if (g_str_equal(up, p)) {
			g_free(up);
			return FALSE;
		}
		g_free(p);
		p = up;
	}
	*ret = st.st_dev;
	return TRUE;
}

static const TgSlotDevice *slot_holding(dev_t dev, const TgSlotDevice *slots, guint n)
{
	for (guint i = 0; i < n; i++) {
		struct stat st;

		if (slots[i].device && stat(slots[i].device, &st) == 0 && S_ISBLK(st.st_mode) &&
		    st.st_rdev == dev)
			return &slots[i];
	}
	return NULL;
}

static gboolean check_place(const char *what, const char *path, const char *setting,
			    const TgSlotDevice *slots, guint n, GError **error)
{
	const TgSlotDevice *slot;
	dev_t dev;

	if (!path || !holding_device(path, &dev))
		return TRUE;
	slot = slot_holding(dev, slots, n);
	if (!slot)
		return TRUE;
	g_set_error(error, TG_POLICY_ERROR, TG_POLICY_ERROR_VALUE,
		    "%s %s is on the update slot %s (%s), which an update overwrites and a slot "
		    "switch leaves behind; set %s to a place on the data partition",
		    what, path, slot->name ? slot->name : "?", slot->device, setting);
	return FALSE;
}

gboolean tg_engine_check_places(const TgPolicy *p, const TgSlotDevice *slots, guint n,
				GError **error)
{
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (n == 0)
		return TRUE;
	return check_place("the state directory", p->state_dir, "[state] directory", slots, n,
			   error) &&
	       check_place("the audit log directory", p->audit_dir, "[audit] directory", slots, n,
			   error) &&
	       check_place("the state key", p->key_file, "[state] key-file", slots, n, error) &&
	       check_place("the checkpoint key", p->checkpoint_key, "[audit] checkpoint-key",
			   slots, n, error);
}
