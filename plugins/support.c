/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Work in progress. */
#include "checks.h"
