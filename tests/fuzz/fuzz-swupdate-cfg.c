/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for SWUpdate's configuration as the precheck checks it:
 * tg_swu_config_check_data() (libconfig, "update-types" entries and their
 * preupdatecmd). @include is refused (no include directory).
 *
 * A check either passes or fails with a TG_SWU_ERROR and a message; a
 * failure for a missing precheck names an update type, and an input without
 * "update-types" never fails for that reason; any other outcome aborts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tg-swupdate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autofree gchar *text = g_strndup((const char *)data, size);
	g_autoptr(GError) err = NULL;

	if (strlen(text) != size)
		return 0;	/* the file reader refuses NUL bytes */
	if (tg_swu_config_check_data(text, "fuzz.cfg", NULL, &err)) {
		if (err)
			abort();
		return 0;
	}
	if (!err || err->domain != TG_SWU_ERROR || !err->message[0])
		abort();
	if (err->code == TG_SWU_ERROR_VALUE && strstr(err->message, "update type '") &&
	    !strstr(text, "update-types"))
		abort();
	return 0;
}
