/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for anchor files (`tollgate audit verify --anchor FILE`,
 * tg_audit_anchor_parse_data): any input parses as one log.checkpoint line
 * or fails with a TG_AUDIT_ERROR_PARSE whose message is valid UTF-8. */
#include <stdint.h>
#include <stdlib.h>

#include "audit-private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autoptr(GError) err = NULL;

	if (tg_audit_anchor_parse_data((const char *)data, size, &err)) {
		if (err)
			abort();
		return 0;
	}
	if (!err || !g_error_matches(err, TG_AUDIT_ERROR, TG_AUDIT_ERROR_PARSE) ||
	    !g_utf8_validate(err->message, -1, NULL))
		abort();
	return 0;
}
