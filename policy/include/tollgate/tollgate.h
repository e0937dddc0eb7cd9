/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Umbrella header for libtollgate. */
#pragma once

#include "types.h"
#include "version.h"
#include "policy.h"
#include "candidate.h"
#include "state.h"
#include "decision.h"
#include "io.h"
#include "crypto.h"
#include "audit.h"
#include "engine.h"
