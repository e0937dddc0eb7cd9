/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SWUpdate's reader for the evidence exporter (swu-evidence.c). */
#pragma once

#include "tollgate/evidence.h"

G_BEGIN_DECLS

extern const TgEvidenceUpdater tg_swu_evidence_updater;

G_END_DECLS
