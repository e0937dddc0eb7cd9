/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Umbrella header for libtollgate. */
#pragma once

#include "tollgate/types.h"
#include "tollgate/version.h"
#include "tollgate/policy.h"
#include "tollgate/candidate.h"
#include "tollgate/state.h"
#include "tollgate/decision.h"
#include "tollgate/audit.h"
#include "tollgate/engine.h"
