/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* RAUC's reader for the evidence exporter (rauc-evidence.c). */
#pragma once

#include "tollgate/evidence.h"

G_BEGIN_DECLS

extern const TgEvidenceUpdater tg_rauc_evidence_updater;

G_END_DECLS
